package fem

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withGoKernels runs f with the assembly kernels switched off.
func withGoKernels(f func()) {
	saved := useAVX
	useAVX = false
	defer func() { useAVX = saved }()
	f()
}

// TestFourLaneKernelsMatchGo: on this machine's path (AVX when present) the four-lane SpMM
// with dot products, the restriction and the AMG's Gauss–Seidel sweeps give the Go kernels'
// bits exactly, on random SPD matrices of odd sizes and on the AMG hierarchy of a mesh.
func TestFourLaneKernelsMatchGo(t *testing.T) {
	if !useAVX {
		t.Log("no AVX here: both runs take the Go kernels")
	}
	rng := newRand()
	for _, n := range []int{1, 7, 103, 1000} {
		t.Run(fmt.Sprintf("spmm4Dot/n=%d", n), func(t *testing.T) {
			a := randomSPD(rng, n, 5, 2)
			x := randomVector(rng, 4*n)
			y, y2 := make([]float64, 4*n), make([]float64, 4*n)
			var d, d2 [4]float64
			spmm4Dot(y, x, a.RowPtr, a.Col, a.Val, &d)
			withGoKernels(func() { spmm4Dot(y2, x, a.RowPtr, a.Col, a.Val, &d2) })
			assert.Equal(t, y2, y)
			assert.Equal(t, d2, d)

			x8 := randomVector(rng, 8*n)
			y8, y82 := make([]float64, 8*n), make([]float64, 8*n)
			var e, e2 [8]float64
			spmm8Dot(y8, x8, a.RowPtr, a.Col, a.Val, &e)
			withGoKernels(func() { spmm8Dot(y82, x8, a.RowPtr, a.Col, a.Val, &e2) })
			assert.Equal(t, y82, y8)
			assert.Equal(t, e2, e)
		})
	}
	for _, c := range amgCases(t) {
		t.Run("amg/"+c.name, func(t *testing.T) {
			m, err := NewAMG(c.a, c.opt)
			require.NoError(t, err)
			n := c.a.N
			r := randomVector(rng, 4*n)
			z, z2 := make([]float64, 4*n), make([]float64, 4*n)
			m.ApplyBatch(z, r, 4, m.NewBatchWorkspace(4))
			withGoKernels(func() { m.ApplyBatch(z2, r, 4, m.NewBatchWorkspace(4)) })
			assert.Equal(t, z2, z)
		})
	}
}

// TestFourLaneKernelsCheckIndices: a column index past the vector or a row pointer past the
// column array panics (the assembly kernels check them as the Go kernels' bounds checks do).
func TestFourLaneKernelsCheckIndices(t *testing.T) {
	x, y := make([]float64, 8), make([]float64, 8)
	var d [4]float64
	badCol := &CSR{N: 2, RowPtr: []int32{0, 1, 2}, Col: []int32{0, 2}, Val: []float64{1, 1}}
	assert.Panics(t, func() { spmm4Dot(y, x, badCol.RowPtr, badCol.Col, badCol.Val, &d) })
	badPtr := []int32{0, 3, 2}
	assert.Panics(t, func() { spmm4Dot(y, x, badPtr, badCol.Col, badCol.Val, &d) })
	var d8 [8]float64
	x8, y8 := make([]float64, 16), make([]float64, 16)
	assert.Panics(t, func() { spmm8Dot(y8, x8, badCol.RowPtr, badCol.Col, badCol.Val, &d8) })
	assert.Panics(t, func() { restrict4(y, x, &sparse{rowPtr: badCol.RowPtr, col: badCol.Col, val: badCol.Val}) })
}
