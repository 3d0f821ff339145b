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
			require.NotNil(t, j.band)
			rng := testmat.NewRand()
			n := a.N
			x, r, p := testmat.RandomVector(rng, n), testmat.RandomVector(rng, n), testmat.RandomVector(rng, n)
			x2, p2 := append([]float64(nil), x...), append([]float64(nil), p...)
			alpha, beta := 0.37, 0.81
			for i := range x {
				x[i] += alpha * p[i]
			}
			jacobiDirection(p, r, j.InvDiag, beta)
			q, q2 := make([]float64, n), make([]float64, n)
			d := sparse.SpMVDot(q, p, a.RowPtr, a.Col, a.Val)
			d2 := j.band.fusedDot(q2, p2, x2, r, j.InvDiag, alpha, beta)
			assert.Equal(t, x, x2)
			assert.Equal(t, p, p2)
			assert.Equal(t, q, q2)
			assert.Equal(t, d, d2)
		})
	}
}

// TestPCGBandMatchesCSR: Jacobi-PCG through the band path gives the CSR path's x, iteration
// count and residual bit for bit — converged, stopped by maxit, and from a nonzero guess.
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
			require.True(t, j.band.of(a))
			b := make([]float64, a.N)
			s.Load(0.7, b)
			x1, x2 := make([]float64, a.N), make([]float64, a.N)
			if tc.guess {
				g := testmat.RandomVector(testmat.NewRand(), a.N)
				copy(x1, g)
				copy(x2, g)
			}
			res1, err1 := PCG(a, j, b, x1, 1e-8, tc.maxit, NewWorkspace(a.N))
			plain := &Jacobi{InvDiag: j.InvDiag} // no band: the CSR path
			res2, err2 := PCG(a, plain, b, x2, 1e-8, tc.maxit, NewWorkspace(a.N))
			assert.Equal(t, res2, res1)
			assert.Equal(t, err2, err1)
			assert.Equal(t, x2, x1)
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

	j, err := NewJacobi(a)
	require.NoError(t, err)
	copyK := &sparse.CSR{N: a.N, RowPtr: a.RowPtr, Col: a.Col, Val: append([]float64(nil), a.Val...)}
	assert.False(t, j.band.of(copyK), "a band is used only for the arrays it was built from")

	// Values changed in place without Jacobi.Update: the spot check refuses the stale band
	// and PCG takes the CSR path (so it solves the matrix it was given).
	require.True(t, j.band.of(a))
	saved := append([]float64(nil), a.Val...)
	defer copy(a.Val, saved)
	for i := range a.Val {
		a.Val[i] *= 2
	}
	assert.False(t, j.band.of(a), "values changed since Update")
}
