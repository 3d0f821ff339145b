package chol

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/fem"
	"mcfem/internal/testmat"
	"mcfem/mesh"
	"mcfem/sparse"
)

// epsilon is the float64 machine epsilon, 2⁻⁵².
const epsilon = 0x1p-52

// testMatrix is a named test matrix.
type testMatrix struct {
	name string
	a    *sparse.CSR
	b    []float64 // a load vector, or nil
}

// smallMatrices returns small matrices for the comparisons with dense references: random
// sparse SPD ones of several densities, a unit-square stiffness matrix and a shuffled one.
func smallMatrices(t *testing.T) []testMatrix {
	rng := testmat.NewRand()
	sq := unitSystem(t, 8)
	sh := shuffledSystem(t, 12)
	return []testMatrix{
		{"random n=30 deg=1", testmat.RandomSPD(rng, 30, 1, 1), nil},
		{"random n=120 deg=3", testmat.RandomSPD(rng, 120, 3, 1), nil},
		{"random n=200 deg=8", testmat.RandomSPD(rng, 200, 8, 1), nil},
		{"unit square 8", sq.K, sq.F},
		{"shuffled square 12", sh.K, sh.F},
	}
}

func TestOrderIsDeterministicPermutation(t *testing.T) {
	rng := testmat.NewRand()
	sq := unitSystem(t, 33)
	sh := shuffledSystem(t, 40)
	kr := mdpaSystem(t, "Level1.mdpa")
	blocks := testmat.FromDense([][]float64{ // two components and an isolated vertex
		{4, 1, 0, 0, 0},
		{1, 4, 0, 0, 0},
		{0, 0, 4, 1, 0},
		{0, 0, 1, 4, 0},
		{0, 0, 0, 0, 4},
	})
	for _, c := range []testMatrix{
		{"unit square 33", sq.K, nil},
		{"shuffled square 40", sh.K, nil},
		{"Level1.mdpa", kr.K, nil},
		{"random n=500", testmat.RandomSPD(rng, 500, 3, 1), nil},
		{"two blocks", blocks, nil},
		{"n=1", testmat.FromDense([][]float64{{2}}), nil},
		{"n=0", &sparse.CSR{RowPtr: []int32{0}}, nil},
	} {
		for _, leaf := range []int{0, 1, 4, 1000} {
			p := Order(c.a, Options{LeafSize: leaf})
			require.True(t, isPerm(p, c.a.N), "%s leaf %d: not a permutation", c.name, leaf)
			require.Equal(t, p, Order(c.a, Options{LeafSize: leaf}), "%s leaf %d: not deterministic", c.name, leaf)
		}
		f1, err := New(c.a, Options{})
		require.NoError(t, err, c.name)
		f2, err := New(c.a, Options{})
		require.NoError(t, err, c.name)
		require.Equal(t, f1.perm, f2.perm, c.name)
		require.True(t, isPerm(f1.Perm(), c.a.N), c.name)
		require.Equal(t, f1.val, f2.val, "%s: factor not deterministic", c.name)
	}
}

// TestOrderFill checks that nested dissection beats the banded natural order of the unit
// square clearly in fill and flops.
func TestOrderFill(t *testing.T) {
	sys := unitSystem(t, 64)
	nd, err := New(sys.K, Options{})
	require.NoError(t, err)
	natural := make([]int32, sys.K.N)
	for i := range natural {
		natural[i] = int32(i)
	}
	band, err := New(sys.K, Options{Perm: natural})
	require.NoError(t, err)
	assert.Equal(t, "nested dissection", nd.Ordering())
	assert.Equal(t, "given ordering", band.Ordering())
	// The natural order of the 63×63 interior grid fills the band: about 63 entries per
	// column (≈ 250k); nested dissection needs about a quarter of that.
	assert.Less(t, float64(nd.NNZ()), 0.5*float64(band.NNZ()), "nd %d band %d", nd.NNZ(), band.NNZ())
	assert.Less(t, nd.Flops(), 0.25*band.Flops())
}

func TestFactorMatchesDense(t *testing.T) {
	for _, c := range smallMatrices(t) {
		f, err := New(c.a, Options{})
		require.NoError(t, err, c.name)
		n := c.a.N
		// P A Pᵀ from the dense matrix and the factor's ordering.
		ad := testmat.Dense(c.a)
		pap := make([][]float64, n)
		for i := range pap {
			pap[i] = make([]float64, n)
			for j := range pap[i] {
				pap[i][j] = ad[f.perm[i]][f.perm[j]]
			}
		}
		l := denseL(f)
		ref := denseCholesky(pap)
		var amax, lmax, dLLt, dL float64
		for i := range n {
			for j := range n {
				amax = max(amax, math.Abs(pap[i][j]))
				lmax = max(lmax, math.Abs(ref[i][j]))
				if j > i {
					require.Zero(t, l[i][j], "%s: L(%d,%d) above the diagonal", c.name, i, j)
					continue
				}
				var s float64
				for p := 0; p <= j; p++ {
					s += l[i][p] * l[j][p]
				}
				dLLt = max(dLLt, math.Abs(s-pap[i][j]))
				dL = max(dL, math.Abs(l[i][j]-ref[i][j]))
			}
		}
		// Cholesky is backward stable: L Lᵀ = P A Pᵀ + E with |E| ≤ c·n·ε·|L||Lᵀ|, and these
		// matrices are well conditioned (diagonally dominant, or n ≤ 121 Poisson), so the
		// factors agree to a modest multiple of n·ε ≈ 4.4e-14 for n = 200.
		assert.LessOrEqual(t, dLLt/amax, 1e-12, "%s: L Lᵀ vs P A Pᵀ", c.name)
		assert.LessOrEqual(t, dL/lmax, 1e-12, "%s: L vs dense Cholesky", c.name)

		// Solutions against the dense solve, for b = the load vector or a random vector.
		b := c.b
		if b == nil {
			b = testmat.RandomVector(testmat.NewRand(), n)
		}
		x := make([]float64, n)
		f.Solve(x, b, f.NewWorkspace(1))
		xr := denseSolve(ad, b)
		var dx, xm float64
		for i := range x {
			dx = max(dx, math.Abs(x[i]-xr[i]))
			xm = max(xm, math.Abs(xr[i]))
		}
		// Forward error ≤ κ·(backward error); κ ≤ ~60 for these matrices, so 1e-12 leaves
		// a wide margin over κ·n·ε.
		assert.LessOrEqual(t, dx/xm, 1e-12, "%s: solution vs dense solve", c.name)
	}
}

func TestSolveResidual(t *testing.T) {
	cases := []struct {
		name string
		sys  *fem.System
	}{
		{"unit square 8", unitSystem(t, 8)},
		{"unit square 33", unitSystem(t, 33)},
		{"unit square 64", unitSystem(t, 64)},
		{"shuffled square 50", shuffledSystem(t, 50)},
		{"square_finer_2d.mdpa", mdpaSystem(t, "square_finer_2d.mdpa")},
		{"Level1.mdpa", mdpaSystem(t, "Level1.mdpa")},
	}
	for _, c := range cases {
		f, err := New(c.sys.K, Options{})
		require.NoError(t, err, c.name)
		ws := f.NewWorkspace(1)
		x := make([]float64, f.N())
		for _, b := range [][]float64{c.sys.F, testmat.RandomVector(testmat.NewRand(), f.N())} {
			f.Solve(x, b, ws)
			// A backward stable solve leaves ‖Kx − b‖ ≲ c·ε·‖K‖‖x‖ ≤ c·ε·κ‖b‖; κ of the
			// 64-cell Poisson matrix is ≈ 1.7e3, so the bound is ~1e-13 for modest c. 1e-12
			// is the accuracy the campaign asks of a direct solve.
			r := testmat.Residual(c.sys.K, b, x)
			assert.LessOrEqual(t, r, 1e-12, "%s: relative residual %g", c.name, r)
		}
	}
}

// TestSolveBatchBitIdentical checks the central promise of SolveBatch: each column is
// bit-identical to Solve of that column, for the specialised k = 1, 4, 8 and generic k, on
// structured, shuffled, Kratos (.mdpa) and random matrices.
func TestSolveBatchBitIdentical(t *testing.T) {
	rng := testmat.NewRand()
	for _, c := range []testMatrix{
		{"unit square 33", unitSystem(t, 33).K, nil},
		{"unit square 64", unitSystem(t, 64).K, nil},
		{"shuffled square 20", shuffledSystem(t, 20).K, nil},
		{"shuffled square 41", shuffledSystem(t, 41).K, nil},
		{"square_finer_2d.mdpa", mdpaSystem(t, "square_finer_2d.mdpa").K, nil},
		{"Level1.mdpa", mdpaSystem(t, "Level1.mdpa").K, nil},
		{"random n=300 deg=5", testmat.RandomSPD(rng, 300, 5, 1), nil},
		{"n=1", testmat.FromDense([][]float64{{3}}), nil},
	} {
		f, err := New(c.a, Options{})
		require.NoError(t, err, c.name)
		n := f.N()
		ws := f.NewWorkspace(16)
		for _, k := range []int{1, 2, 3, 4, 5, 7, 8, 9, 16} {
			b := testmat.RandomVector(rng, n*k)
			x := make([]float64, n*k)
			f.SolveBatch(x, b, k, ws)
			col := make([]float64, n)
			bc := make([]float64, n)
			for j := range k {
				for i := range n {
					bc[i] = b[i*k+j]
				}
				f.Solve(col, bc, ws)
				for i := range n {
					if math.Float64bits(x[i*k+j]) != math.Float64bits(col[i]) {
						t.Fatalf("%s: k=%d column %d row %d: batch %v, single %v", c.name, k, j, i, x[i*k+j], col[i])
					}
				}
			}
		}
	}
}

// TestSolveMatchesReference holds SolveBatch, for every k, to solveRef, the column-by-column
// substitution beside it: bit-identical, since both perform the canonical order of operations
// (solve.go). The matrices together reach every branch of every kernel: a supernode of one
// group (rows in place) and a gathered one whose last group has each width 1..4.
func TestSolveMatchesReference(t *testing.T) {
	rng := testmat.NewRand()
	var inPlace, gathered [5]int // supernodes by the width of their last group
	for _, c := range []testMatrix{
		{"unit square 40", unitSystem(t, 40).K, nil},
		{"shuffled square 30", shuffledSystem(t, 30).K, nil},
		{"square_finer_2d.mdpa", mdpaSystem(t, "square_finer_2d.mdpa").K, nil},
		{"Level1.mdpa", mdpaSystem(t, "Level1.mdpa").K, nil},
		{"random n=200 deg=8", testmat.RandomSPD(rng, 200, 8, 1), nil},
		{"random n=30 deg=1", testmat.RandomSPD(rng, 30, 1, 1), nil},
	} {
		f, err := New(c.a, Options{})
		require.NoError(t, err, c.name)
		for s := range f.Supernodes() {
			_, nc, _, _ := f.snode(s)
			if nc <= 4 {
				inPlace[nc]++
			} else {
				gathered[nc-(nc-1)&^3]++
			}
		}
		n := f.N()
		ws := f.NewWorkspace(16)
		for _, k := range []int{1, 2, 3, 4, 5, 7, 8, 9, 16} {
			b := testmat.RandomVector(rng, n*k)
			want := make([]float64, n*k)
			f.solveRef(want, b, k)
			got := make([]float64, n*k)
			f.SolveBatch(got, b, k, ws)
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("%s: k=%d entry %d: SolveBatch %v, reference %v", c.name, k, i, got[i], want[i])
				}
			}
		}
	}
	for w := 1; w <= 4; w++ {
		assert.Positive(t, inPlace[w], "no supernode of %d columns", w)
		assert.Positive(t, gathered[w], "no gathered supernode whose last group has %d columns", w)
	}
}

// TestSolveKernelsMatchReference runs each specialised kernel (and the assembly ones for k = 4
// where useAVX) against the generic one (the lanes in a loop) and against the column-by-column
// reference: bit-identical, supernode by supernode, forward and backward.
func TestSolveKernelsMatchReference(t *testing.T) {
	f, err := New(unitSystem(t, 40).K, Options{})
	require.NoError(t, err)
	rng := testmat.NewRand()
	type pair struct {
		k        int
		fwd, bwd kernel
	}
	var pairs []pair
	for _, k := range []int{1, 4, 8} {
		fwd, bwd := kernelsFor(k)
		pairs = append(pairs, pair{k, fwd, bwd})
	}
	if useAVX {
		pairs = append(pairs, pair{4, fwd4Fast, bwd4Fast})
	}
	for _, kp := range pairs {
		k, fwd, bwd := kp.k, kp.fwd, kp.bwd
		y0 := testmat.RandomVector(rng, f.N()*k)
		y1 := slices.Clone(y0)
		y2 := slices.Clone(y0)
		t0 := make([]float64, f.maxFront*k)
		t1 := make([]float64, f.maxFront*k)
		for s := range f.Supernodes() {
			f.step(s, k, fwdK, true, y0, t0)
			f.step(s, k, fwd, true, y1, t1)
			f.forwardRef(s, k, y2)
			require.Equal(t, y2, y1, "forward k=%d supernode %d", k, s)
		}
		require.Equal(t, y0, y1, "forward k=%d", k)
		for s := f.Supernodes() - 1; s >= 0; s-- {
			f.step(s, k, bwdK, false, y0, t0)
			f.step(s, k, bwd, false, y1, t1)
			f.backwardRef(s, k, y2)
			require.Equal(t, y2, y1, "backward k=%d supernode %d", k, s)
		}
		require.Equal(t, y0, y1, "backward k=%d", k)
	}
}

func TestSolveInPlaceAndConcurrent(t *testing.T) {
	sys := unitSystem(t, 40)
	f, err := New(sys.K, Options{})
	require.NoError(t, err)
	n := f.N()
	want := make([]float64, n)
	f.Solve(want, sys.F, f.NewWorkspace(1))
	got := slices.Clone(sys.F)
	f.Solve(got, got, f.NewWorkspace(1)) // x and b the same slice
	require.Equal(t, want, got)

	// Several goroutines on one factor, each with its own workspace.
	const workers = 4
	res := make([][]float64, workers)
	done := make(chan int)
	for w := range workers {
		go func() {
			ws := f.NewWorkspace(4)
			x := make([]float64, 4*n)
			b := make([]float64, 4*n)
			for i := range n {
				for c := range 4 {
					b[i*4+c] = sys.F[i]
				}
			}
			for range 5 {
				f.SolveBatch(x, b, 4, ws)
			}
			res[w] = x
			done <- w
		}()
	}
	for range workers {
		<-done
	}
	for w := range workers {
		for i := range n {
			require.Equal(t, want[i], res[w][i*4+w%4], "worker %d row %d", w, i)
		}
	}
}

func TestNotPositiveDefinite(t *testing.T) {
	sys := unitSystem(t, 20)
	for _, c := range []struct {
		name string
		row  int
		v    float64
	}{
		{"negative", 123, -2.5},
		{"zero", 7, 0},
		{"NaN", 300, math.NaN()},
		{"Inf", 0, math.Inf(1)},
	} {
		a := &sparse.CSR{N: sys.K.N, RowPtr: sys.K.RowPtr, Col: sys.K.Col, Val: slices.Clone(sys.K.Val)}
		for k := a.RowPtr[c.row]; k < a.RowPtr[c.row+1]; k++ {
			if int(a.Col[k]) == c.row {
				a.Val[k] = c.v
				if c.name == "negative" {
					a.Val[k] = -sys.K.Val[k]
				}
			}
		}
		f, err := New(a, Options{})
		require.Error(t, err, c.name)
		assert.Nil(t, f)
		var pe *NotPDError
		require.True(t, errors.As(err, &pe), c.name)
		// The pivots before row c.row's step come from leading principal submatrices of
		// P K Pᵀ without that row, which are SPD: the first bad pivot is exactly its step.
		assert.Equal(t, c.row, pe.Row, c.name)
		assert.True(t, strings.HasPrefix(err.Error(), "chol: matrix is not positive definite: pivot "), err.Error())
		assert.Contains(t, err.Error(), fmt.Sprintf("(row %d of the input)", c.row), c.name)
	}
	// A symmetric indefinite matrix whose trouble shows only after elimination.
	_, err := New(testmat.FromDense([][]float64{{1, 2}, {2, 1}}), Options{})
	var pe *NotPDError
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, -3.0, pe.Value) // 1 − 2·2/1
}

func TestZeroAllocs(t *testing.T) {
	sys := unitSystem(t, 30)
	f, err := New(sys.K, Options{})
	require.NoError(t, err)
	n := f.N()
	for _, k := range []int{1, 2, 3, 4, 5, 8, 9} {
		ws := f.NewWorkspace(k)
		b := testmat.RandomVector(testmat.NewRand(), n*k)
		x := make([]float64, n*k)
		allocs := testing.AllocsPerRun(5, func() {
			if k == 1 {
				f.Solve(x, b, ws)
			} else {
				f.SolveBatch(x, b, k, ws)
			}
		})
		assert.Zero(t, allocs, "k=%d", k)
	}
}

func TestEdgeCases(t *testing.T) {
	// n = 1.
	f, err := New(testmat.FromDense([][]float64{{4}}), Options{})
	require.NoError(t, err)
	x := []float64{0}
	f.Solve(x, []float64{2}, f.NewWorkspace(1))
	assert.Equal(t, 0.5, x[0])
	assert.Equal(t, int64(1), f.NNZ())
	assert.Equal(t, 1, f.Supernodes())

	// n = 0.
	f, err = New(&sparse.CSR{RowPtr: []int32{0}}, Options{})
	require.NoError(t, err)
	f.Solve(nil, nil, f.NewWorkspace(1))
	f.SolveBatch(nil, nil, 4, f.NewWorkspace(4))
	assert.Equal(t, int64(0), f.NNZ())

	// A diagonal matrix: an empty off-diagonal structure, every column its own tree.
	const n = 10
	d := make([][]float64, n)
	for i := range d {
		d[i] = make([]float64, n)
		d[i][i] = float64(i + 1)
	}
	f, err = New(testmat.FromDense(d), Options{})
	require.NoError(t, err)
	assert.Equal(t, int64(n), f.NNZ())
	b := make([]float64, n)
	for i := range b {
		b[i] = float64(i + 1)
	}
	xs := make([]float64, n)
	f.Solve(xs, b, f.NewWorkspace(1))
	// x_i = (b_i / √d_i) / √d_i: a square root and two divisions, each correctly rounded,
	// so x_i is within 3 half-ulps of the exact b_i/d_i.
	for i, v := range xs {
		assert.InEpsilon(t, 1.0, v, 3*epsilon/2, "row %d", i)
	}
	// Zero rows in the CSR pattern but a stored explicit zero off the diagonal.
	a := testmat.FromDense(d)
	a.Col = []int32{}
	a.Val = []float64{}
	a.RowPtr = make([]int32, n+1)
	for i := range n {
		a.Col = append(a.Col, int32(i))
		a.Val = append(a.Val, 2)
		if i+1 < n {
			a.Col = append(a.Col, int32(i+1))
			a.Val = append(a.Val, 0)
		}
		a.RowPtr[i+1] = int32(len(a.Col))
	}
	f, err = New(a, Options{})
	require.NoError(t, err)
	f.Solve(xs, b, f.NewWorkspace(1))
	for i, v := range xs {
		assert.InEpsilon(t, float64(i+1)/2, v, 3*epsilon/2, "row %d", i) // as above
	}

	// Only the lower triangle is read: a matrix given by its lower triangle alone solves
	// like the full one.
	sys := unitSystem(t, 10)
	low := &sparse.CSR{N: sys.K.N, RowPtr: make([]int32, sys.K.N+1)}
	for i := range sys.K.N {
		for k := sys.K.RowPtr[i]; k < sys.K.RowPtr[i+1]; k++ {
			if int(sys.K.Col[k]) <= i {
				low.Col = append(low.Col, sys.K.Col[k])
				low.Val = append(low.Val, sys.K.Val[k])
			}
		}
		low.RowPtr[i+1] = int32(len(low.Col))
	}
	fl, err := New(low, Options{})
	require.NoError(t, err)
	ff, err := New(sys.K, Options{})
	require.NoError(t, err)
	require.Equal(t, ff.val, fl.val)
}

func TestGivenOrdering(t *testing.T) {
	sys := shuffledSystem(t, 30)
	n := sys.K.N
	rev := make([]int32, n)
	for i := range rev {
		rev[i] = int32(n - 1 - i)
	}
	f, err := New(sys.K, Options{Perm: rev})
	require.NoError(t, err)
	x := make([]float64, n)
	f.Solve(x, sys.F, f.NewWorkspace(1))
	// Same bound as TestSolveResidual (κ of the 30-cell matrix is smaller still).
	assert.LessOrEqual(t, testmat.Residual(sys.K, sys.F, x), 1e-12)
}

func TestReporting(t *testing.T) {
	sys := unitSystem(t, 33)
	f, err := New(sys.K, Options{})
	require.NoError(t, err)
	assert.Equal(t, sys.K.N, f.N())
	// NNZ counts the entries of the supernodal structure; the dense-block storage holds at
	// least those, and Bytes adds indices and the permutation.
	var stored, trap int64
	for s := range f.Supernodes() {
		_, nc, below, l := f.snode(s)
		nr := nc + len(below)
		stored += int64(len(l))
		trap += int64(nc*nr - nc*(nc-1)/2)
	}
	assert.Equal(t, trap, f.NNZ())
	assert.Equal(t, int64(len(f.val)), stored)
	assert.GreaterOrEqual(t, f.Bytes(), 8*stored+4*int64(f.N()))
	// Every column of L holds its diagonal, so NNZ ≥ N and the flop count Σ c_j² ≥ NNZ.
	assert.GreaterOrEqual(t, f.NNZ(), int64(f.N()))
	assert.GreaterOrEqual(t, f.Flops(), float64(f.NNZ()))
	o, s, nu := f.Times()
	assert.Positive(t, o+s+nu)
	assert.Regexp(t, `^cholesky: nested dissection, L [0-9.e+]+M nonzeros \([0-9.e+]+ MB\), \d+ supernodes, factor [0-9.e+-]+ s$`, f.String())
}

func TestPanics(t *testing.T) {
	sys := unitSystem(t, 6)
	f, err := New(sys.K, Options{})
	require.NoError(t, err)
	n := f.N()
	ws := f.NewWorkspace(2)
	x := make([]float64, n)
	assert.PanicsWithValue(t, errNilMatrix, func() { _, _ = New(nil, Options{}) })
	assert.PanicsWithValue(t, errShape, func() { _, _ = New(&sparse.CSR{N: 2, RowPtr: []int32{0, 1}}, Options{}) })
	assert.PanicsWithValue(t, errColumn, func() {
		_, _ = New(&sparse.CSR{N: 1, RowPtr: []int32{0, 1}, Col: []int32{3}, Val: []float64{1}}, Options{})
	})
	assert.PanicsWithValue(t, errPerm, func() { _, _ = New(sys.K, Options{Perm: []int32{0}}) })
	assert.PanicsWithValue(t, errSolveLen, func() { f.Solve(x[:n-1], x, ws) })
	assert.PanicsWithValue(t, errSolveLen, func() { f.SolveBatch(x, x, 2, ws) })
	assert.PanicsWithValue(t, errBatchK, func() { f.SolveBatch(x, x, 0, ws) })
	assert.PanicsWithValue(t, errWorkspace, func() { f.Solve(x, x, nil) })
	big := make([]float64, 3*n)
	assert.PanicsWithValue(t, errWorkspace, func() { f.SolveBatch(big, big, 3, ws) })
	assert.PanicsWithValue(t, errNewWSK, func() { f.NewWorkspace(0) })
	other, err := New(unitSystem(t, 7).K, Options{})
	require.NoError(t, err)
	assert.PanicsWithValue(t, errWorkspace, func() { f.Solve(x, x, other.NewWorkspace(1)) })
}

// TestUnstructuredFill checks that nested dissection, which sees only the graph, keeps the
// fill of a randomly renumbered mesh close to that of the structured numbering.
func TestUnstructuredFill(t *testing.T) {
	sq := unitSystem(t, 48)
	m, err := mesh.UnitSquare(48)
	require.NoError(t, err)
	sh, err := fem.NewSystem(m.Permute(mesh.Shuffle(m.NumNodes(), testmat.NewRand())), testmat.Source)
	require.NoError(t, err)
	fs, err := New(sq.K, Options{})
	require.NoError(t, err)
	fh, err := New(sh.K, Options{})
	require.NoError(t, err)
	// The ordering sees only the graph, which is the same up to relabelling; tie-breaks
	// follow the input numbering, so the fill may differ a little, not by much.
	ratio := float64(fh.NNZ()) / float64(fs.NNZ())
	assert.InDelta(t, 1, ratio, 0.15, "structured %d, shuffled %d", fs.NNZ(), fh.NNZ())
}

// TestAnalyzeThenFactor: the analysis announces the factor's size and work before the
// numeric phase, and factoring it gives New's factor.
func TestAnalyzeThenFactor(t *testing.T) {
	a := unitSystem(t, 33).K
	an := Analyze(a, Options{})
	f, err := an.Factor()
	require.NoError(t, err)
	g, err := New(a, Options{})
	require.NoError(t, err)
	assert.Equal(t, f.NNZ(), an.NNZ())
	assert.Equal(t, f.Bytes(), an.Bytes())
	assert.Equal(t, f.Flops(), an.Flops())
	assert.Equal(t, g.NNZ(), f.NNZ())
	assert.Equal(t, g.val, f.val) // same ordering and arithmetic: the same bits
	assert.Panics(t, func() { _, _ = an.Factor() })
}
