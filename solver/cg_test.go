package solver

import (
	"fmt"
	"math"
	"mcfem/internal/testmat"
	"mcfem/sparse"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cgRef is the obvious reference PCG: textbook vectors, separate loops, MulVecRef, explicit
// z = M⁻¹r with the inverse diagonal invDiag (nil: no preconditioner). It stops like PCG
// (relative recurrence residual ≤ rtol, checked before each iteration) and reports the
// iterations, the relative residual and whether it converged. It does not check breakdown.
func cgRef(a *sparse.CSR, invDiag, b, x []float64, rtol float64, maxit int) (int, float64, bool) {
	n := a.N
	r, z, p, q := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	bnorm := testmat.Norm2(b)
	if bnorm == 0 {
		clear(x)
		return 0, 0, true
	}
	a.MulVecRef(q, x)
	for i := range r {
		r[i] = b[i] - q[i]
	}
	precond := func() {
		for i := range z {
			z[i] = r[i]
			if invDiag != nil {
				z[i] *= invDiag[i]
			}
		}
	}
	dotRef := func(u, v []float64) float64 {
		var s float64
		for i := range u {
			s += u[i] * v[i]
		}
		return s
	}
	res := testmat.Norm2(r) / bnorm
	if res <= rtol {
		return 0, res, true
	}
	precond()
	copy(p, z)
	rz := dotRef(r, z)
	for k := 1; k <= maxit; k++ {
		a.MulVecRef(q, p)
		alpha := rz / dotRef(p, q)
		for i := range x {
			x[i] += alpha * p[i]
		}
		for i := range r {
			r[i] -= alpha * q[i]
		}
		res = testmat.Norm2(r) / bnorm
		if res <= rtol {
			return k, res, true
		}
		precond()
		rzNew := dotRef(r, z)
		beta := rzNew / rz
		rz = rzNew
		for i := range p {
			p[i] = z[i] + beta*p[i]
		}
	}
	return maxit, res, false
}

func TestPCGMatchesReference(t *testing.T) {
	rng := testmat.NewRand()
	for _, n := range oddSizes {
		// Badly scaled for Jacobi (row scales over 4 decades), unscaled for plain CG.
		scaled, plain := testmat.RandomSPD(rng, n, 3, 1e4), testmat.RandomSPD(rng, n, 3, 1)
		b := testmat.RandomVector(rng, n)
		jac, err := NewJacobi(scaled)
		require.NoError(t, err)
		for _, pc := range []struct {
			name    string
			a       *sparse.CSR
			m       Preconditioner
			invDiag []float64
		}{
			{"jacobi fused", scaled, jac, jac.InvDiag},
			{"jacobi generic", scaled, generic{jac}, jac.InvDiag},
			{"identity", plain, identity{}, nil},
		} {
			a := pc.a
			t.Run(fmt.Sprintf("n=%d %s", n, pc.name), func(t *testing.T) {
				const rtol = 1e-10
				want := make([]float64, n)
				wantIt, wantRes, ok := cgRef(a, pc.invDiag, b, want, rtol, 1000)
				require.True(t, ok, "reference converges")

				got := make([]float64, n)
				res, err := PCG(a, pc.m, b, got, rtol, 1000, NewWorkspace(n))
				require.NoError(t, err)
				// Same recurrence, different summation order of the dot products: the
				// stopping iteration may move by one when the residual lands next to rtol.
				assert.InDelta(t, wantIt, res.Iterations, 1)
				assert.LessOrEqual(t, res.Residual, rtol)
				if res.Iterations == wantIt {
					// Recurrence residuals agree to rounding amplified by the iteration.
					assert.InDelta(t, wantRes, res.Residual, 1e-3*rtol)
				}
				if n > 0 {
					// Both reach rtol. Diagonal dominance by a margin ≥ 0.01 of a row sum
					// ≤ ~6 bounds κ of the Jacobi-scaled (or unscaled) matrix by ~1e3, so
					// each is within κ·rtol = 1e-7 of the solution; allow 1e-6. (Observed:
					// bit-identical on amd64, where the fused loops do the same operations
					// in the same order; FMA-fusing platforms may round differently.)
					assert.Less(t, testmat.RelDiff(got, want), 1e-6)
					// The recurrence residual tracks the true one to ~κε ≪ rtol.
					assert.Less(t, testmat.Residual(a, b, got), 10*rtol)
				}

				if n >= 7 {
					// Fixed work: three iterations from the same start follow the same
					// recurrence, so the iterates agree to a few hundred ε.
					want3, got3 := make([]float64, n), make([]float64, n)
					_, _, ok := cgRef(a, pc.invDiag, b, want3, 0, 3)
					require.False(t, ok)
					res3, err := PCG(a, pc.m, b, got3, 0, 3, NewWorkspace(n))
					require.ErrorIs(t, err, ErrNotConverged)
					assert.Equal(t, 3, res3.Iterations)
					assert.Less(t, testmat.RelDiff(got3, want3), 1e-12)
				}
			})
		}
	}
}

func TestPCGFusedEqualsGeneric(t *testing.T) {
	s, jac := jacobiSystem(t, 24)
	b := make([]float64, s.K.N)
	s.Load(0.3, b)
	x1, x2 := make([]float64, s.K.N), make([]float64, s.K.N)
	r1, err1 := PCG(s.K, jac, b, x1, 1e-10, 1000, NewWorkspace(s.K.N))
	r2, err2 := PCG(s.K, generic{jac}, b, x2, 1e-10, 1000, NewWorkspace(s.K.N))
	require.NoError(t, err1)
	require.NoError(t, err2)
	assert.Equal(t, r2.Iterations, r1.Iterations)
	// Fusion changes only rounding (z = D⁻¹r recomputed, rᵀz summed as r·d·r): agreement far
	// below rtol.
	assert.Less(t, testmat.RelDiff(x1, x2), 1e-12)
}

func TestPCGOnStiffness(t *testing.T) {
	// Iteration counts of Jacobi-PCG from x = 0 on the reference problem, rtol 1e-8, recorded
	// as regressions (Go 1.26, amd64). Jacobi on this mesh's K (constant diagonal 4) is plain
	// CG; counts grow like n ~ √κ. The ±2 band absorbs rounding-order changes in the kernels.
	tests := []struct {
		n     int
		iters int
	}{
		{16, 25},
		{32, 52},
		{64, 103},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("n=%d", tc.n), func(t *testing.T) {
			s := unitSystem(t, tc.n)
			jac, err := NewJacobi(s.K)
			require.NoError(t, err)
			b := make([]float64, s.K.N)
			x := make([]float64, s.K.N)
			s.Load(1, b)
			const rtol = 1e-8
			res, err := PCG(s.K, jac, b, x, rtol, 10*s.K.N, NewWorkspace(s.K.N))
			require.NoError(t, err)
			assert.LessOrEqual(t, res.Residual, rtol)
			// The true residual stays within a small factor of the recurrence one (κ ≈ n²
			// times ε is far below rtol).
			assert.Less(t, testmat.Residual(s.K, b, x), 2*rtol)
			assert.InDelta(t, tc.iters, res.Iterations, 2, "iterations")

			// Restarting from the solution: converged before the first iteration.
			res0, err := PCG(s.K, jac, b, x, 2*rtol, 10, NewWorkspace(s.K.N))
			require.NoError(t, err)
			assert.Equal(t, 0, res0.Iterations)
		})
	}
}

func TestPCGNonzeroInitialGuess(t *testing.T) {
	rng := testmat.NewRand()
	s, jac := jacobiSystem(t, 20)
	b := make([]float64, s.K.N)
	s.Load(0.7, b)
	x0 := make([]float64, s.K.N)
	_, err := PCG(s.K, jac, b, x0, 1e-12, 1000, NewWorkspace(s.K.N))
	require.NoError(t, err)
	x := testmat.RandomVector(rng, s.K.N)
	_, err = PCG(s.K, jac, b, x, 1e-12, 1000, NewWorkspace(s.K.N))
	require.NoError(t, err)
	// Both solve to 1e-12 relative residual; κ(K) ≈ 200 at n = 20, so the solutions agree to
	// ~κ·1e-12.
	assert.Less(t, testmat.RelDiff(x, x0), 1e-9)
}

func TestPCGZeroRHS(t *testing.T) {
	s, jac := jacobiSystem(t, 6)
	b := make([]float64, s.K.N)
	x := testmat.RandomVector(testmat.NewRand(), s.K.N)
	res, err := PCG(s.K, jac, b, x, 1e-8, 100, NewWorkspace(s.K.N))
	require.NoError(t, err)
	assert.Equal(t, Result{}, res)
	assert.Equal(t, make([]float64, s.K.N), x)
}

func TestPCGNotConverged(t *testing.T) {
	s, jac := jacobiSystem(t, 16)
	b := make([]float64, s.K.N)
	s.Load(1, b)
	x := make([]float64, s.K.N)
	const rtol = 1e-8
	res, err := PCG(s.K, jac, b, x, rtol, 3, NewWorkspace(s.K.N))
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrNotConverged)
	assert.NotErrorIs(t, err, ErrBreakdown)
	var nc *NotConvergedError
	require.ErrorAs(t, err, &nc)
	assert.Equal(t, 3, nc.Iterations)
	assert.Equal(t, rtol, nc.Tol)
	assert.Greater(t, nc.Residual, rtol)
	assert.Equal(t, Result{Iterations: nc.Iterations, Residual: nc.Residual}, res)
	assert.Regexp(t, `^solver: CG did not converge in 3 iterations \(residual [0-9.]+(e-0[0-9])? > 1e-08\)$`, err.Error())

	// The documented message format.
	e := &NotConvergedError{Iterations: 500, Residual: 3.1e-05, Tol: 1e-08}
	assert.Equal(t, "solver: CG did not converge in 500 iterations (residual 3.1e-05 > 1e-08)", e.Error())

	// maxit = 0 with a non-trivial b: not converged after 0 iterations.
	res, err = PCG(s.K, jac, b, make([]float64, s.K.N), rtol, 0, NewWorkspace(s.K.N))
	assert.ErrorIs(t, err, ErrNotConverged)
	assert.Equal(t, 0, res.Iterations)
	assert.Equal(t, 1.0, res.Residual) // x = 0: r = b exactly
}

// csr2 builds a 2×2 dense CSR matrix.
func csr2(a00, a01, a10, a11 float64) *sparse.CSR {
	return &sparse.CSR{N: 2, RowPtr: []int32{0, 2, 4}, Col: []int32{0, 1, 0, 1}, Val: []float64{a00, a01, a10, a11}}
}

// negate is a negative definite "preconditioner": rᵀz < 0.
type negate struct{}

func (negate) Apply(z, r []float64) {
	for i := range r {
		z[i] = -r[i]
	}
}

func TestPCGBreakdown(t *testing.T) {
	indefinite := csr2(1, 2, 2, 1) // eigenvalues 3 and -1, positive diagonal
	tests := []struct {
		name     string
		a        *sparse.CSR
		m        Preconditioner
		b        []float64
		iter     int
		quantity string
		msg      string
	}{
		{"indefinite, jacobi", indefinite, &Jacobi{InvDiag: []float64{1, 1}}, []float64{1, -1}, 1, "p'Ap",
			"solver: CG breakdown at iteration 1: p'Ap = -2 (want positive and finite)"},
		{"negative definite, identity", csr2(-1, 0, 0, -2), identity{}, []float64{1, 1}, 1, "p'Ap",
			"solver: CG breakdown at iteration 1: p'Ap = -3 (want positive and finite)"},
		{"negative preconditioner", csr2(2, 0, 0, 2), negate{}, []float64{1, 1}, 0, "r'z",
			"solver: CG breakdown at iteration 0: r'z = -2 (want positive and finite)"},
		{"NaN in b", csr2(2, 0, 0, 2), identity{}, []float64{math.NaN(), 1}, 0, "b'b",
			"solver: CG breakdown at iteration 0: b'b = NaN (want positive and finite)"},
		{"Inf in A", csr2(2, 0, 0, math.Inf(1)), identity{}, []float64{1, 1}, 0, "r'r", // r = b - A·0 = b - Inf·0
			"solver: CG breakdown at iteration 0: r'r = NaN (want positive and finite)"},
		{"overflow in p'Ap", csr2(2, 0, 0, 1e300), identity{}, []float64{1, 1e10}, 1, "p'Ap",
			"solver: CG breakdown at iteration 1: p'Ap = +Inf (want positive and finite)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := make([]float64, 2)
			res, err := PCG(tc.a, tc.m, tc.b, x, 1e-10, 10, NewWorkspace(2))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrBreakdown)
			assert.NotErrorIs(t, err, ErrNotConverged)
			var be *BreakdownError
			require.ErrorAs(t, err, &be)
			assert.Equal(t, tc.iter, be.Iteration)
			assert.Equal(t, tc.quantity, be.Quantity)
			assert.Equal(t, tc.msg, err.Error())
			assert.Equal(t, max(tc.iter-1, 0), res.Iterations, "Result holds the last completed iteration")
		})
	}
}

func TestPCGPanics(t *testing.T) {
	a := csr2(2, 0, 0, 2)
	jac := &Jacobi{InvDiag: []float64{0.5, 0.5}}
	v2 := func() []float64 { return make([]float64, 2) }
	tests := []struct {
		name string
		f    func()
		msg  string
	}{
		{"short b", func() { _, _ = PCG(a, jac, v2()[:1], v2(), 1e-8, 10, NewWorkspace(2)) }, errPCGLen},
		{"long x", func() { _, _ = PCG(a, jac, v2(), make([]float64, 3), 1e-8, 10, NewWorkspace(2)) }, errPCGLen},
		{"workspace", func() { _, _ = PCG(a, jac, v2(), v2(), 1e-8, 10, NewWorkspace(3)) }, errPCGWorkspace},
		{"nil workspace", func() { _, _ = PCG(a, jac, v2(), v2(), 1e-8, 10, nil) }, errPCGWorkspace},
		{"negative rtol", func() { _, _ = PCG(a, jac, v2(), v2(), -1, 10, NewWorkspace(2)) }, errPCGArgs},
		{"NaN rtol", func() { _, _ = PCG(a, jac, v2(), v2(), math.NaN(), 10, NewWorkspace(2)) }, errPCGArgs},
		{"negative maxit", func() { _, _ = PCG(a, jac, v2(), v2(), 1e-8, -1, NewWorkspace(2)) }, errPCGArgs},
		{"nil preconditioner", func() { _, _ = PCG(a, nil, v2(), v2(), 1e-8, 10, NewWorkspace(2)) }, errPCGPrecond},
		{"jacobi size", func() {
			_, _ = PCG(a, &Jacobi{InvDiag: []float64{1}}, []float64{1, 1}, v2(), 1e-8, 10, NewWorkspace(2))
		}, errJacobiLen},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tc.msg, tc.f)
		})
	}
}

func TestJacobi(t *testing.T) {
	tests := []struct {
		name string
		a    *sparse.CSR
		want string
	}{
		{"ok", csr2(2, 1, 1, 4), ""},
		{"zero diagonal", csr2(2, 1, 1, 0), "solver: Jacobi: diagonal entry of row 1 is 0, want positive and finite"},
		{"negative diagonal", csr2(-2, 1, 1, 3), "solver: Jacobi: diagonal entry of row 0 is -2, want positive and finite"},
		{"NaN diagonal", csr2(math.NaN(), 1, 1, 3), "solver: Jacobi: diagonal entry of row 0 is NaN"},
		{"missing diagonal", &sparse.CSR{N: 2, RowPtr: []int32{0, 2, 3}, Col: []int32{0, 1, 0}, Val: []float64{1, 1, 1}},
			"solver: Jacobi: row 1 has no diagonal entry"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j, err := NewJacobi(tc.a)
			if tc.want == "" {
				require.NoError(t, err)
				assert.Equal(t, []float64{0.5, 0.25}, j.InvDiag)
				z := make([]float64, 2)
				j.Apply(z, []float64{1, 2})
				assert.Equal(t, []float64{0.5, 0.5}, z)
				assert.PanicsWithValue(t, errJacobiLen, func() { j.Apply(z[:1], []float64{1, 2}) })
				return
			}
			assert.Nil(t, j)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestJacobiUpdateAfterReassembly(t *testing.T) {
	s, jac := jacobiSystem(t, 8)
	kappa := make([]float64, s.Mesh.NumTris())
	for i := range kappa {
		kappa[i] = 2
	}
	s.AssembleStiffness(kappa)
	allocs := testing.AllocsPerRun(5, func() { require.NoError(t, jac.Update(s.K)) })
	assert.Zero(t, allocs)
	for _, d := range jac.InvDiag {
		assert.InDelta(t, 1.0/8, d, 4*testmat.Epsilon) // diagonal 4·kappa = 8 on the structured mesh
	}
}

func TestNNZAndModels(t *testing.T) {
	s := unitSystem(t, 4)
	require.Equal(t, 9, s.K.N)
	// 3×3 interior grid; the NE and SW couplings are zero by geometry (right angles opposite)
	// and pruned, so a node couples to E, W, N, S: interior neighbours + itself: corners 3
	// each, the 4 edge middles 4 each, the centre 5.
	assert.Equal(t, 4*3+4*4+5, s.K.NNZ())
	assert.Equal(t, int64(12*33+4*10+16*9), sparse.SpMVBytes(9, 33))
	assert.Equal(t, int64(66), sparse.SpMVFlops(33))
	assert.Equal(t, sparse.SpMVBytes(9, 33)+88*9, PCGIterationBytes(9, 33))
}

func TestSampleAllocatesNothing(t *testing.T) {
	s, jac := jacobiSystem(t, 32)
	ws := NewWorkspace(s.K.N)
	b := make([]float64, s.K.N)
	u := make([]float64, s.K.N)
	eps := 0.1
	var q float64
	allocs := testing.AllocsPerRun(10, func() {
		eps += 0.01
		s.Load(eps, b)
		clear(u)
		if _, err := PCG(s.K, jac, b, u, 1e-8, 1000, ws); err != nil {
			panic(err)
		}
		q = s.QoI(u)
	})
	assert.Zero(t, allocs, "Load + PCG + QoI of one sample")
	assert.Greater(t, q, 0.0)

	// The generic path allocates nothing either.
	allocs = testing.AllocsPerRun(5, func() {
		clear(u)
		if _, err := PCG(s.K, generic{jac}, b, u, 1e-8, 1000, ws); err != nil {
			panic(err)
		}
	})
	assert.Zero(t, allocs, "generic PCG")
}

// TestAutoChoosesByCostModel: at 512 cells the factor (≈ 1.3e9 flops, ≈ 0.29 s by the model)
// loses to AMG-CG's set-up and one sample (≈ 0.22 s) for one sample, and wins by far for 1000.
func TestAutoChoosesByCostModel(t *testing.T) {
	a := unitSystem(t, 512).K
	opt := Options{Method: "auto", Rtol: 1e-8, MaxIt: 100, Samples: 1}
	method, why, _ := chooseMethod(a, opt, false)
	assert.Equal(t, "cg", method, why)
	opt.Samples = 1000
	method, why, _ = chooseMethod(a, opt, false)
	assert.Equal(t, "cholesky", method, why)
	method, why, _ = chooseMethod(a, opt, true)
	assert.Equal(t, "cg", method, why)
	assert.Contains(t, why, "every sample has its own matrix")
}

// TestBandMulMatchesCSR: the band kernels give the CSR kernels' q = A p and pᵀAp bit for
// bit, on UnitSquare meshes (two upper offsets: 1 and the line length) of odd and even sizes.
func TestBandMulMatchesCSR(t *testing.T) {
	for _, cells := range []int{3, 4, 8, 33, 64} {
		t.Run(fmt.Sprint(cells), func(t *testing.T) {
			a := unitSystem(t, cells).K
			b := newBand(a, nil)
			require.NotNil(t, b, "UnitSquare's K is banded")
			require.True(t, b.of(a))
			assert.Equal(t, []int{1, cells - 1}, b.off)
			p := testmat.RandomVector(testmat.NewRand(), a.N)
			want, got := make([]float64, a.N), make([]float64, a.N)
			wantD := sparse.SpMVDot(want, p, a.RowPtr, a.Col, a.Val)
			gotD := b.mulDot(got, p)
			// Exact: the same products summed in the same order.
			assert.Equal(t, want, got)
			assert.Equal(t, wantD, gotD)
		})
	}
}

// TestBandFusedMatchesSweeps: fusedDot equals the three unfused sweeps it replaces
// (x += αp, p = D⁻¹r + βp, then q = A p and pᵀq), bit for bit.
func TestBandFusedMatchesSweeps(t *testing.T) {
	for _, cells := range []int{3, 5, 16, 31} {
		t.Run(fmt.Sprint(cells), func(t *testing.T) {
			a := unitSystem(t, cells).K
			j, err := NewJacobi(a)
			require.NoError(t, err)
			bd := newBand(a, nil)
			require.NotNil(t, bd)
			rng := testmat.NewRand()
			n := a.N
			x, r, p := testmat.RandomVector(rng, n), testmat.RandomVector(rng, n), testmat.RandomVector(rng, n)
			x2, p2 := append([]float64(nil), x...), append([]float64(nil), p...)
			alpha, beta := 0.37, 0.81
			for i := range x {
				x[i] += float64(alpha * p[i])
			}
			jacobiDirection1(p, r, j.InvDiag, []float64{beta})
			q, q2 := make([]float64, n), make([]float64, n)
			d := sparse.SpMVDot(q, p, a.RowPtr, a.Col, a.Val)
			d2 := bd.fusedDot(q2, p2, x2, r, j.InvDiag, alpha, beta)
			assert.Equal(t, x, x2)
			assert.Equal(t, p, p2)
			assert.Equal(t, q, q2)
			assert.Equal(t, d, d2)
		})
	}
}

// TestPCGBandMatchesCSR: Jacobi-PCG through the band kernel set gives the CSR kernel set's
// x, iteration count and residual bit for bit — converged, stopped by maxit, and from a
// nonzero guess — and a Worker takes the band path for one column.
func TestPCGBandMatchesCSR(t *testing.T) {
	for _, tc := range []struct {
		cells, maxit int
		guess        bool
	}{{8, 1000, false}, {33, 1000, false}, {64, 1000, true}, {64, 7, false}, {16, 1, false}} {
		t.Run(fmt.Sprintf("%d/maxit=%d/guess=%v", tc.cells, tc.maxit, tc.guess), func(t *testing.T) {
			s := unitSystem(t, tc.cells)
			a := s.K
			j, err := NewJacobi(a)
			require.NoError(t, err)
			bd := newBand(a, nil)
			require.True(t, bd.of(a))
			b := make([]float64, a.N)
			s.Load(0.7, b)
			x1, x2 := make([]float64, a.N), make([]float64, a.N)
			if tc.guess {
				g := testmat.RandomVector(testmat.NewRand(), a.N)
				copy(x1, g)
				copy(x2, g)
			}
			res1, err1 := solveWith(&jacobiBand{a: a, b: bd, invDiag: j.InvDiag}, a, b, x1, 1e-8, tc.maxit)
			res2, err2 := PCG(a, j, b, x2, 1e-8, tc.maxit, NewWorkspace(a.N)) // the CSR path
			assert.Equal(t, res2, res1)
			assert.Equal(t, err2, err1)
			assert.Equal(t, x2, x1)

			w := newCGWorker(t, a, "jacobi", 4)
			_, isBand := w.one.(*jacobiBand)
			assert.True(t, isBand, "one column on the band form")
			_, isCSR := w.many.(*jacobiCSR)
			assert.True(t, isCSR, "batches on the CSR matrix")
		})
	}
}

// TestBandRejects: matrices that are not a two-offset symmetric band keep the CSR path.
func TestBandRejects(t *testing.T) {
	sym := testmat.RandomSPD(testmat.NewRand(), 50, 4, 1)
	assert.Nil(t, newBand(sym, nil), "random sparsity: many offsets")

	a := unitSystem(t, 8).K
	asym := &sparse.CSR{N: a.N, RowPtr: a.RowPtr, Col: a.Col, Val: append([]float64(nil), a.Val...)}
	asym.Val[1] = math.Nextafter(asym.Val[1], 0) // a(0,1) ≠ a(1,0) by one ulp
	assert.Nil(t, newBand(asym, nil), "not symmetric bit for bit")

	bd := newBand(a, nil)
	copyK := &sparse.CSR{N: a.N, RowPtr: a.RowPtr, Col: a.Col, Val: append([]float64(nil), a.Val...)}
	assert.False(t, bd.of(copyK), "a band is used only for the arrays it was built from")

	// Values changed in place without Worker.SetMatrix: the spot check refuses the stale band
	// and the band kernel set panics (rather than solve the old matrix).
	require.True(t, bd.of(a))
	w := newCGWorker(t, a, "jacobi", 1)
	saved := append([]float64(nil), a.Val...)
	defer copy(a.Val, saved)
	for i := range a.Val {
		a.Val[i] *= 2
	}
	assert.False(t, bd.of(a), "values changed since the band was built")
	b, x := make([]float64, a.N), make([]float64, a.N)
	b[0] = 1
	res, errs := make([]Result, 1), make([]error, 1)
	assert.PanicsWithValue(t, errBandStale, func() { w.Solve(x, b, 1, res, errs) })
	require.NoError(t, w.SetMatrix(a))
	w.Solve(x, b, 1, res, errs)
	assert.NoError(t, errs[0])
}
