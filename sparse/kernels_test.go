package sparse_test

import (
	"fmt"
	"math/rand/v2"
	"mcfem/internal/testmat"
	"mcfem/sparse"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rows is a random rectangular CSR matrix.
type rows struct {
	rows        int
	RowPtr, Col []int32
	Val         []float64
}

// randomRows returns m rows of random entries (up to deg per row, some rows empty) in
// columns [0, cols), in random order and with repeats, values in [-1, 1).
func randomRows(rng *rand.Rand, m, cols, deg int) rows {
	r := rows{rows: m, RowPtr: make([]int32, m+1)}
	for i := range m {
		for range rng.IntN(deg + 1) {
			r.Col = append(r.Col, int32(rng.IntN(cols)))
			r.Val = append(r.Val, 2*rng.Float64()-1)
		}
		r.RowPtr[i+1] = int32(len(r.Col))
	}
	return r
}

// sweepCase is a forward and a backward sweep over n rows at an offset in X, whose columns
// reach the whole of X, with a right-hand side of stride kb.
type sweepCase struct {
	w, off, kb, nb int
	fwd, back      sparse.Sweep
	x0, b          []float64
}

func randomSweepCase(rng *rand.Rand, n, w, nb int) sweepCase {
	off, xrows := n/3, n+n/3+5
	near := func() []float64 { return testmat.RandomVector(rng, n) }
	f, b := randomRows(rng, n, xrows, 3), randomRows(rng, n, xrows, 3)
	c := sweepCase{w: w, off: off, kb: w + 1, nb: nb,
		fwd:  sparse.Sweep{RowPtr: f.RowPtr, Col: f.Col, Val: f.Val, Near: near(), Scale: near()},
		back: sparse.Sweep{RowPtr: b.RowPtr, Col: b.Col, Val: b.Val, Near: near()},
		x0:   testmat.RandomVector(rng, w*xrows)}
	c.b = testmat.RandomVector(rng, n*c.kb)
	return c
}

// run applies the forward sweep (b's lanes from 1 on), then the backward one, to a copy of
// X, and returns it.
func (c sweepCase) run(fwd func(int, []float64, int, *sparse.Sweep, []float64, int, int, int),
	back func(int, []float64, int, *sparse.Sweep)) []float64 {
	x := slices.Clone(c.x0)
	fwd(c.w, x, c.off, &c.fwd, c.b, c.kb, 1, c.nb)
	back(c.w, x, c.off, &c.back)
	return x
}

// TestLaneVariantsMatchReference: every generated (and, on this machine, assembly) lane
// variant gives its reference twin's bits, on random matrices of odd sizes: the same
// operations in the same order.
func TestLaneVariantsMatchReference(t *testing.T) {
	rng := testmat.NewRand()
	for _, n := range oddSizes {
		a := testmat.RandomSPD(rng, n, 4, 10)
		r := randomRows(rng, n/2+1, max(n, 1), 5)
		for k, spmm := range sparse.SpMMLanes.Variants {
			if spmm == nil {
				continue
			}
			t.Run(fmt.Sprintf("spmm/n=%d/k=%d", n, k), func(t *testing.T) {
				x := testmat.RandomVector(rng, k*max(n, 1))
				want, got := make([]float64, k*r.rows), make([]float64, k*r.rows)
				sparse.SpMMLanes.Ref(want, x, k, r.RowPtr, r.Col, r.Val)
				spmm(got, x, r.RowPtr, r.Col, r.Val)
				assert.Equal(t, want, got)
			})
		}
		for k, spmmDot := range sparse.SpMMDotLanes.Variants {
			if spmmDot == nil {
				continue
			}
			t.Run(fmt.Sprintf("spmmDot+colDots/n=%d/k=%d", n, k), func(t *testing.T) {
				x := testmat.RandomVector(rng, k*n)
				want, got := make([]float64, k*n), make([]float64, k*n)
				wd, gd := make([]float64, k), make([]float64, k)
				sparse.SpMMDotLanes.Ref(want, x, k, a.RowPtr, a.Col, a.Val, wd)
				spmmDot(got, x, a.RowPtr, a.Col, a.Val, gd)
				assert.Equal(t, want, got)
				assert.Equal(t, wd, gd)
				sparse.ColDotsLanes.Ref(wd, x, want, k)
				sparse.ColDotsLanes.Variants[k](gd, x, want)
				assert.Equal(t, wd, gd)
			})
		}
		for w, fwd := range sparse.SweepForwardLanes.Variants {
			if fwd == nil {
				continue
			}
			for _, nb := range []int{w, w - 1} {
				if nb == 0 {
					continue
				}
				t.Run(fmt.Sprintf("sweeps/n=%d/w=%d/nb=%d", n, w, nb), func(t *testing.T) {
					c := randomSweepCase(rng, n, w, nb)
					want := c.run(sparse.SweepForwardLanes.Ref, sparse.SweepBackwardLanes.Ref)
					got := c.run(func(w int, x []float64, off int, s *sparse.Sweep, b []float64, kb, tb, nb int) {
						fwd(x, off, s, b, kb, tb, nb)
					}, func(w int, x []float64, off int, s *sparse.Sweep) {
						sparse.SweepBackwardLanes.Variants[w](x, off, s)
					})
					assert.Equal(t, want, got)
				})
			}
		}
	}
}

// TestSpMMMatchesSpMV: every lane count of SpMM and SpMMDot, generated or not, gives each
// vector SpMV's and SpMVDot's bits, and ColDots gives the dots SpMMDot fuses.
func TestSpMMMatchesSpMV(t *testing.T) {
	rng := testmat.NewRand()
	a := testmat.RandomSPD(rng, 301, 5, 100)
	n := a.N
	x, y, d := make([]float64, 4*n), make([]float64, 4*n), make([]float64, 4)
	for k := 1; k <= 9; k++ {
		t.Run(fmt.Sprintf("k=%d", k), func(t *testing.T) {
			x := testmat.RandomVector(rng, n*k)
			y, d, d2 := make([]float64, n*k), make([]float64, k), make([]float64, k)
			sparse.SpMMDot(y, x, k, a.RowPtr, a.Col, a.Val, d)
			sparse.ColDots(d2, x, y, k)
			assert.Equal(t, d, d2)
			y2 := make([]float64, n*k)
			sparse.SpMM(y2, x, k, a.RowPtr, a.Col, a.Val)
			assert.Equal(t, y, y2)
			xc, yc := make([]float64, n), make([]float64, n)
			for j := range k {
				for i := range n {
					xc[i] = x[i*k+j]
				}
				dj := sparse.SpMVDot(yc, xc, a.RowPtr, a.Col, a.Val)
				require.Equal(t, d[j], dj, "vector %d", j)
				for i := range n {
					require.Equal(t, yc[i], y[i*k+j], "vector %d row %d", j, i)
				}
			}
		})
	}
	assert.PanicsWithValue(t, sparse.ErrKernelLen, func() { sparse.SpMM(make([]float64, n), make([]float64, n), 2, a.RowPtr, a.Col, a.Val) })
	assert.PanicsWithValue(t, sparse.ErrKernelLen, func() { sparse.SpMM(nil, nil, 0, a.RowPtr, a.Col, a.Val) })
	assert.PanicsWithValue(t, sparse.ErrKernelLen, func() { sparse.SpMMDot(y, x, 4, a.RowPtr, a.Col, a.Val, d[:3]) })
	assert.PanicsWithValue(t, sparse.ErrKernelLen, func() { sparse.ColDots(d[:3], x, x, 4) })
	assert.PanicsWithValue(t, sparse.ErrKernelLen, func() { sparse.SpMVDot(y[:n-1], x, a.RowPtr, a.Col, a.Val) })
	assert.PanicsWithValue(t, sparse.ErrSweepLanes, func() { sparse.SweepBackward(3, nil, 0, &sparse.Sweep{}) })
}
