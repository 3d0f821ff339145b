//go:build mpi && cgo

package spmd

import (
	"fmt"
	"math"
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

// TestGathervLayout checks the C int counts and displacements of MPI_Gatherv, and that a total
// beyond the C int range is an error naming the first prefix sum that does not fit.
func TestGathervLayout(t *testing.T) {
	const m = math.MaxInt32
	limit := fmt.Sprintf("exceeds the C int range of MPI counts (%d)", m)
	for _, tc := range []struct {
		name           string
		counts         []int
		counts32, disp []int32
		err            string
	}{
		{"uneven with zeros", []int{3, 0, 5, 0}, []int32{3, 0, 5, 0}, []int32{0, 3, 3, 8}, ""},
		{"total exactly MaxInt32", []int{m - 1, 0, 1}, []int32{m - 1, 0, 1}, []int32{0, m - 1, m - 1}, ""},
		{"total MaxInt32+1", []int{m, 1}, nil, nil, fmt.Sprintf("spmd: MPI_Gatherv: sum of counts[0..1] %d %s", int64(m)+1, limit)},
		{"one count too large", []int{0, m + 1, 0}, nil, nil, fmt.Sprintf("spmd: MPI_Gatherv: sum of counts[0..1] %d %s", int64(m)+1, limit)},
		{"three GiB, the first two too many", []int{1 << 30, 1 << 30, 1 << 30}, nil, nil, fmt.Sprintf("spmd: MPI_Gatherv: sum of counts[0..1] %d %s", 2<<30, limit)},
		{"empty", nil, []int32{}, []int32{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c32, d32 := make([]int32, len(tc.counts)), make([]int32, len(tc.counts))
			err := gathervLayout(tc.counts, c32, d32)
			if tc.err != "" {
				assert.EqualError(t, err, tc.err)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tc.counts32, c32, "counts")
			assert.Equal(t, tc.disp, d32, "displacements")
		})
	}
	assert.EqualError(t, countError("MPI_Bcast", "length", m+1), fmt.Sprintf("spmd: MPI_Bcast: length %d %s", int64(m)+1, limit))
}
