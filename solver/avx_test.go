package solver

import (
	"mcfem/internal/testmat"
	"mcfem/sparse"
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

// TestFourLaneKernelsMatchGo: on this machine's path (AVX when present) the AMG's four-lane
// Gauss–Seidel sweeps and restriction give the Go kernels' bits exactly on the AMG hierarchy
// of meshes.
func TestFourLaneKernelsMatchGo(t *testing.T) {
	if !useAVX {
		t.Log("no AVX here: both runs take the Go kernels")
	}
	rng := testmat.NewRand()
	for _, c := range amgCases(t) {
		t.Run("amg/"+c.name, func(t *testing.T) {
			m, err := NewAMG(c.a, c.opt)
			require.NoError(t, err)
			n := c.a.N
			r := testmat.RandomVector(rng, 4*n)
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
	badCol := &sparse.CSR{N: 2, RowPtr: []int32{0, 1, 2}, Col: []int32{0, 2}, Val: []float64{1, 1}}
	assert.Panics(t, func() { restrict4(y, x, &rect{rowPtr: badCol.RowPtr, col: badCol.Col, val: badCol.Val}) })
}
