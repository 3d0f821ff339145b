package sparse_test

import (
	"fmt"
	"mcfem/internal/testmat"
	"mcfem/sparse"
	"testing"

	"github.com/stretchr/testify/assert"
)

// withGoKernels runs f with the assembly kernels switched off.
func withGoKernels(f func()) {
	saved := *sparse.UseAVX
	*sparse.UseAVX = false
	defer func() { *sparse.UseAVX = saved }()
	f()
}

// TestFourLaneKernelsMatchGo: on this machine's path (AVX when present) the four- and
// eight-lane SpMM kernels, with and without the column dots, and the four-lane sweeps give
// the Go kernels' bits exactly, on random matrices of odd sizes.
func TestFourLaneKernelsMatchGo(t *testing.T) {
	if !*sparse.UseAVX {
		t.Log("no AVX here: both runs take the Go kernels")
	}
	rng := testmat.NewRand()
	for _, n := range []int{1, 7, 103, 1000} {
		a := testmat.RandomSPD(rng, n, 5, 2)
		for _, k := range []int{4, 8} {
			t.Run(fmt.Sprintf("spmm/n=%d/k=%d", n, k), func(t *testing.T) {
				x := testmat.RandomVector(rng, k*n)
				y, y2 := make([]float64, k*n), make([]float64, k*n)
				d, d2 := make([]float64, k), make([]float64, k)
				sparse.SpMMDot(y, x, k, a.RowPtr, a.Col, a.Val, d)
				withGoKernels(func() { sparse.SpMMDot(y2, x, k, a.RowPtr, a.Col, a.Val, d2) })
				assert.Equal(t, y2, y)
				assert.Equal(t, d2, d)

				r := randomRows(rng, n/2+1, n, 4) // rectangular: y has n/2+1 rows
				y, y2 = make([]float64, k*r.rows), make([]float64, k*r.rows)
				sparse.SpMM(y, x, k, r.RowPtr, r.Col, r.Val)
				withGoKernels(func() { sparse.SpMM(y2, x, k, r.RowPtr, r.Col, r.Val) })
				assert.Equal(t, y2, y)
			})
		}
		t.Run(fmt.Sprintf("sweeps/n=%d", n), func(t *testing.T) {
			c := randomSweepCase(rng, n, 4, 4)
			x, x2 := c.run(sparse.SweepForward, sparse.SweepBackward), []float64(nil)
			withGoKernels(func() { x2 = c.run(sparse.SweepForward, sparse.SweepBackward) })
			assert.Equal(t, x2, x)
		})
	}
}

// TestFourLaneKernelsCheckIndices: a column index past the vector or a row pointer past the
// column array panics (the assembly kernels check them as the Go kernels' bounds checks do).
func TestFourLaneKernelsCheckIndices(t *testing.T) {
	x, y := make([]float64, 8), make([]float64, 8)
	d := make([]float64, 8)
	badCol := &sparse.CSR{N: 2, RowPtr: []int32{0, 1, 2}, Col: []int32{0, 2}, Val: []float64{1, 1}}
	assert.Panics(t, func() { sparse.SpMMDot(y, x, 4, badCol.RowPtr, badCol.Col, badCol.Val, d) })
	badPtr := []int32{0, 3, 2}
	assert.Panics(t, func() { sparse.SpMMDot(y, x, 4, badPtr, badCol.Col, badCol.Val, d) })
	x8, y8 := make([]float64, 16), make([]float64, 16)
	assert.Panics(t, func() { sparse.SpMMDot(y8, x8, 8, badCol.RowPtr, badCol.Col, badCol.Val, d) })
	assert.Panics(t, func() { sparse.SpMM(y, x, 4, badCol.RowPtr, badCol.Col, badCol.Val) })
	assert.Panics(t, func() { sparse.SpMM(y8, x8, 8, badPtr, badCol.Col, badCol.Val) })
	s := &sparse.Sweep{RowPtr: badCol.RowPtr, Col: badCol.Col, Val: badCol.Val, Near: []float64{0, 0}, Scale: []float64{1, 1}}
	assert.Panics(t, func() { sparse.SweepForward(4, x, 0, s, y, 4, 0, 4) })
	assert.Panics(t, func() { sparse.SweepBackward(4, x, 0, s) })
}
