package journal

import (
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smallSort makes SortDir's runs, tables and buffers tiny for a test: many runs, a table in a
// file, buffers that end inside entries.
func smallSort(t *testing.T) {
	t.Helper()
	run, mem, buf := sortRun, sortedMem, mergeBufSz
	sortRun, sortedMem, mergeBufSz = 7, 100, 50
	t.Cleanup(func() { sortRun, sortedMem, mergeBufSz = run, mem, buf })
}

func TestSortDirExternal(t *testing.T) {
	// Four journals of shuffled, overlapping ranges (the overlaps identical): the table holds
	// every index once, in order, the bits of its records, for tiny runs and buffers as for
	// the defaults; no temporary file stays behind.
	for _, small := range []bool{false, true} {
		if small {
			smallSort(t)
		}
		dir, tmp := t.TempDir(), t.TempDir()
		rng := rand.New(rand.NewPCG(1, 2))
		for rank, rg := range [][2]int64{{0, 40}, {30, 80}, {80, 81}, {75, 120}} {
			recs := jrnRange(rg[0], rg[1])
			rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
			jrnWrite(t, dir, jrnHeader(rank, 4), recs)
		}
		s, files, notes, err := SortDir(dir, jrnFields(), 1, 1, tmp)
		require.NoError(t, err)
		assert.Len(t, files, 4)
		assert.Equal(t, []string{"16 samples appear in more than one record with identical results; kept once"}, notes)
		require.Equal(t, 120, s.Len())
		assert.Equal(t, small, s.f != nil, "a table beyond sortedMem is in a file")
		var got []Record
		c := s.Cursor(0, s.Len())
		for {
			r, err := c.Next()
			require.NoError(t, err)
			if r == nil {
				break
			}
			got = append(got, Record{Index: r.Index, Inputs: slices.Clone(r.Inputs), QoIs: slices.Clone(r.QoIs), Residual: r.Residual, Iterations: r.Iterations, Status: r.Status})
		}
		assert.Equal(t, jrnAllBits(jrnRange(0, 120)), jrnAllBits(got), "small %v", small)
		for _, tc := range []struct {
			i    int64
			want int
		}{{-5, 0}, {0, 0}, {1, 1}, {77, 77}, {119, 119}, {120, 120}, {1 << 40, 120}} {
			k, err := s.Search(tc.i)
			require.NoError(t, err)
			assert.Equal(t, tc.want, k, "Search(%d)", tc.i)
		}
		c = s.Cursor(50, 53)
		for i := int64(50); i < 53; i++ {
			r, err := c.Next()
			require.NoError(t, err)
			assert.Equal(t, i, r.Index)
		}
		r, err := c.Next()
		assert.NoError(t, err)
		assert.Nil(t, r)
		require.NoError(t, s.Close())
		ents, err := os.ReadDir(tmp)
		require.NoError(t, err)
		assert.Empty(t, ents, "small %v", small)
	}
}

func TestSortDirConflictAcrossRuns(t *testing.T) {
	// A different result for a sample, far from its first record (another run of the sort):
	// the error names both files, as ReadDir's always did.
	smallSort(t)
	dir := t.TempDir()
	a := jrnWrite(t, dir, jrnHeader(0, 2), jrnRange(0, 30))
	other := jrnRecord(2)
	other.Iterations++
	b := jrnWrite(t, dir, jrnHeader(1, 2), append(jrnRange(30, 60), other))
	_, _, _, err := SortDir(dir, jrnFields(), 1, 1, t.TempDir())
	require.Error(t, err)
	assert.Equal(t, "journal: journals "+a+" and "+b+" hold different results for sample 2: iterations 102 vs 103", err.Error())
}

func TestSortedOf(t *testing.T) {
	s := SortedOf(jrnRange(3, 9), 1, 1)
	assert.Equal(t, 6, s.Len())
	k, err := s.Search(5)
	require.NoError(t, err)
	assert.Equal(t, 2, k)
	assert.Panics(t, func() { SortedOf([]Record{jrnRecord(2), jrnRecord(2)}, 1, 1) })
	var none *Sorted
	assert.Equal(t, 0, none.Len())
}
