package mc

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/journal"
	"mcfem/spmd"
)

// fieldIntegral is Σ area × v over the unknowns: for v the mean field, the mean of the QoI of
// the samples in the field sums.
func fieldIntegral(res *Result, v []float64) float64 {
	sys := res.Problem.System()
	var s float64
	for dof, node := range sys.Node {
		s += sys.Area[dof] * v[node]
	}
	return s
}

func TestFieldsWithRetriesInBatches(t *testing.T) {
	// A retry solves one sample alone in the worker's vectors. The field sums must take the
	// batch's solutions before that: the other samples of the batch keep their own u. Sample 0
	// and 5 fail their first attempt (batches of 4: both share a batch with good samples), so
	// the fields hold the others; sample 0's u is its retry's.
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells, cfg.Solver.Batch, cfg.OnFailure = 16, 8, 4, "retry"
	for _, sample := range []int{0, 5} {
		res := runLocalOpt(t, 1, cfg, Options{Fields: true, Hook: &Fault{Rank: 0, Sample: sample, Kind: "nonconv", Rtol: 1e-8}})
		require.Equal(t, StatusRetried, res.Records[sample].Status)
		var mean float64
		n := 0
		for _, r := range res.Records {
			if r.Status == StatusOK {
				mean += r.QoIs[0]
				n++
			}
		}
		mean /= float64(n)
		// Sums of 15 terms: a few ulps; 1e-12 relative is far above that, far below any
		// misplaced solution.
		assert.InEpsilon(t, mean, fieldIntegral(res.Result, res.FieldMean), 1e-12, "fault at sample %d", sample)
		require.NotNil(t, res.FieldSample0)
		assert.InEpsilon(t, res.Records[0].QoIs[0], fieldIntegral(res.Result, res.FieldSample0), 1e-12)
	}
}

func TestFieldsSample0FromAnotherRank(t *testing.T) {
	// Two samples on three ranks: rank 0's block is empty, rank 1 solves sample 0, and its u
	// still reaches rank 0; a failed sample 0 gives NaN, not a missing field.
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 2, 8
	res := runLocalOpt(t, 3, cfg, Options{Fields: true})
	require.Len(t, res.FieldSample0, res.Problem.System().Mesh.NumNodes())
	assert.InEpsilon(t, res.Records[0].QoIs[0], fieldIntegral(res.Result, res.FieldSample0), 1e-12)

	cfg.OnFailure = "skip"
	res = runLocalOptRank(t, 3, cfg, func(int) Options {
		return Options{Fields: true, Hook: &Fault{Rank: 1, Sample: 0, Kind: "nan"}}
	})
	require.Len(t, res.FieldSample0, res.Problem.System().Mesh.NumNodes())
	assert.True(t, math.IsNaN(res.FieldSample0[0]))
}

func TestResumeWithFieldsSolvesJournaledSamplesAgain(t *testing.T) {
	// A campaign journaled on 2 ranks, cut to the samples of some indices (as an interrupted
	// run leaves them), resumed with fields on 3 ranks: the fields are those of the whole
	// campaign (to 1e-12: the sums run in another order), the records identical, and every
	// journaled sample was solved again, none journaled twice.
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 60, 8
	dir := t.TempDir()
	full := runLocalOpt(t, 2, cfg, Options{Fields: true, JournalDir: dir})
	recs, _, _, err := journal.ReadDir(dir, cfg.JournalFields(), 1, 1)
	require.NoError(t, err)
	require.Len(t, recs, 60)
	var done []journal.Record
	for _, r := range recs {
		if r.Index%3 != 1 && r.Index < 50 {
			done = append(done, r)
		}
	}
	again := t.TempDir()
	res := runLocalOpt(t, 3, cfg, Options{Fields: true, Done: journal.SortedOf(done, 1, 1), JournalDir: again})
	assert.Equal(t, resultsOnly(full.Records), resultsOnly(res.Records))
	assert.Equal(t, len(done), res.Journaled)
	assert.Equal(t, len(done), res.Resolved)
	assert.Equal(t, 60-len(done), res.Computed)
	for _, f := range []struct {
		name      string
		want, got []float64
	}{{"mean", full.FieldMean, res.FieldMean}, {"std", full.FieldStd, res.FieldStd}, {"sample 0", full.FieldSample0, res.FieldSample0}} {
		require.Len(t, f.got, len(f.want), f.name)
		for i := range f.want {
			// Sums of 60 terms of u = O(1) in another order: a few ulps of 60; 1e-12 is the
			// acceptance tolerance of issue 13.
			assert.InDelta(t, f.want[i], f.got[i], 1e-12, "%s at node %d", f.name, i)
		}
	}
	// The new journals hold only the samples computed now.
	newRecs, _, _, err := journal.ReadDir(again, cfg.JournalFields(), 1, 1)
	require.NoError(t, err)
	assert.Len(t, newRecs, 60-len(done))

	// A journal record that the solve does not reproduce ends the run, naming the sample.
	bad := append([]journal.Record(nil), done...)
	bad[3].QoIs = []float64{bad[3].QoIs[0] + 1e-9}
	err = runErr(t, 2, cfg, Options{Fields: true, Done: journal.SortedOf(bad, 1, 1)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "differs from its journal record")
	assert.Contains(t, err.Error(), "sample 5,") // done holds 0, 2, 3, 5, …
}

// runErr runs cfg on p in-process ranks and returns the job's failure.
func runErr(t *testing.T, p int, cfg Config, opt Options) error {
	t.Helper()
	return spmd.RunLocal(p, func(c spmd.Comm) error {
		_, err := Run(c, cfg, opt)
		return err
	})
}
