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

// TestFourLaneKernelsMatchGo: on this machine's path (AVX when present) the four-lane SpMM
// and eight-lane SpMM with dot products give the Go kernels' bits exactly, on random SPD
// matrices of odd sizes.
func TestFourLaneKernelsMatchGo(t *testing.T) {
	if !*sparse.UseAVX {
		t.Log("no AVX here: both runs take the Go kernels")
	}
	rng := testmat.NewRand()
	for _, n := range []int{1, 7, 103, 1000} {
		t.Run(fmt.Sprintf("spmm4Dot/n=%d", n), func(t *testing.T) {
			a := testmat.RandomSPD(rng, n, 5, 2)
			x := testmat.RandomVector(rng, 4*n)
			y, y2 := make([]float64, 4*n), make([]float64, 4*n)
			var d, d2 [4]float64
			sparse.Spmm4Dot(y, x, a.RowPtr, a.Col, a.Val, &d)
			withGoKernels(func() { sparse.Spmm4Dot(y2, x, a.RowPtr, a.Col, a.Val, &d2) })
			assert.Equal(t, y2, y)
			assert.Equal(t, d2, d)

			x8 := testmat.RandomVector(rng, 8*n)
			y8, y82 := make([]float64, 8*n), make([]float64, 8*n)
			var e, e2 [8]float64
			sparse.Spmm8Dot(y8, x8, a.RowPtr, a.Col, a.Val, &e)
			withGoKernels(func() { sparse.Spmm8Dot(y82, x8, a.RowPtr, a.Col, a.Val, &e2) })
			assert.Equal(t, y82, y8)
			assert.Equal(t, e2, e)
		})
	}
}

// TestFourLaneKernelsCheckIndices: a column index past the vector or a row pointer past the
// column array panics (the assembly kernels check them as the Go kernels' bounds checks do).
func TestFourLaneKernelsCheckIndices(t *testing.T) {
	x, y := make([]float64, 8), make([]float64, 8)
	var d [4]float64
	badCol := &sparse.CSR{N: 2, RowPtr: []int32{0, 1, 2}, Col: []int32{0, 2}, Val: []float64{1, 1}}
	assert.Panics(t, func() { sparse.Spmm4Dot(y, x, badCol.RowPtr, badCol.Col, badCol.Val, &d) })
	badPtr := []int32{0, 3, 2}
	assert.Panics(t, func() { sparse.Spmm4Dot(y, x, badPtr, badCol.Col, badCol.Val, &d) })
	var d8 [8]float64
	x8, y8 := make([]float64, 16), make([]float64, 16)
	assert.Panics(t, func() { sparse.Spmm8Dot(y8, x8, badCol.RowPtr, badCol.Col, badCol.Val, &d8) })
	assert.Panics(t, func() { sparse.SpMM4(y, x, badCol.RowPtr, badCol.Col, badCol.Val) })
}
