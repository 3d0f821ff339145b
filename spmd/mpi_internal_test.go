//go:build mpi && cgo

package spmd

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// These run in any build with the MPI backend and never start MPI.

func TestMPIBeforeInit(t *testing.T) {
	assert.True(t, MPIAvailable())
	assert.Empty(t, MPILibraryVersion(), "\"\" before InitMPI")
	assert.EqualError(t, FinalizeMPI(), "spmd: FinalizeMPI called before InitMPI")
	assert.NotEmpty(t, ProcessorName(), "falls back to the host name before InitMPI")
}

func TestSameSliceOverlap(t *testing.T) {
	a := make([]float64, 10)
	b := make([]float64, 10)
	tests := []struct {
		name          string
		x, y          []float64
		same, overlap bool
	}{
		{"identical", a, a, true, true},
		{"same start, shorter", a[:5], a, false, true},
		{"shifted", a[1:], a[:9], false, true},
		{"touching, disjoint", a[:5], a[5:], false, false},
		{"last element shared", a[:6], a[5:], false, true},
		{"distinct arrays", a, b, false, false},
		{"both empty", a[:0], a[:0], false, false},
		{"nil", nil, nil, false, false},
		{"one empty", a[3:3], a, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.same, sameSlice(tc.x, tc.y), "sameSlice")
			assert.Equal(t, tc.overlap, overlap(tc.x, tc.y), "overlap")
			assert.Equal(t, tc.overlap, overlap(tc.y, tc.x), "overlap is symmetric")
		})
	}
}
