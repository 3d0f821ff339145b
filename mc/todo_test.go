package mc

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/journal"
)

func TestTodoIndices(t *testing.T) {
	// Every range of positions against the list of the indices not journaled.
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		start, n int
		density  float64 // of journaled indices
	}{{0, 0, 0}, {0, 10, 0}, {0, 50, 0.3}, {20, 90, 0.5}, {5, 40, 1}, {0, 64, 0.9}, {3, 200, 0.05}} {
		var done []journal.Record
		want := []int{}
		for i := range tc.n + 10 { // journaled indices beyond n are not in the round
			if rng.Float64() < tc.density || i >= tc.n && i%2 == 0 {
				done = append(done, journal.Record{Index: int64(i)})
			} else if i >= tc.start && i < tc.n {
				want = append(want, i)
			}
		}
		var tab *journal.Sorted
		if done != nil {
			tab = journal.SortedOf(done, 0, 0)
		}
		td, err := newTodo(tc.start, tc.n, tab)
		require.NoError(t, err)
		assert.Equal(t, len(want), td.len(), "%+v", tc)
		for p := range len(want) + 1 {
			for q := p; q <= len(want); q++ {
				got := make([]int, q-p)
				require.NoError(t, td.fill(p, got))
				assert.Equal(t, want[p:q], got, "%+v positions [%d, %d)", tc, p, q)
			}
		}
	}
}
