package mc

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/journal"
	"mcfem/spmd"
)

// capture is a Sink that keeps copies of the records it gets.
type capture struct {
	info  PassInfo
	recs  []Record
	began int
}

func (c *capture) Begin(s PassInfo) error { c.info = s; c.began++; return nil }

func (c *capture) Add(r *Record) error {
	cp := *r
	cp.Inputs, cp.QoIs = append([]float64(nil), r.Inputs...), append([]float64(nil), r.QoIs...)
	c.recs = append(c.recs, cp)
	return nil
}

// runCaptured runs cfg on p ranks with Options.Stream and a capture on rank 0.
func runCaptured(t *testing.T, p int, cfg Config, base Options) (*tested, *capture) {
	t.Helper()
	res := runLocalOpt(t, p, cfg, base)
	return res, &capture{recs: res.Records}
}

func TestOrderedPassBringsEveryRecordInOrder(t *testing.T) {
	// The sink gets samples 0..N−1 in order, with the results every other rank count gives,
	// in one round and in -tol's rounds, with the statistics ordered and from the exact sums,
	// with journaled samples merged into their places.
	defer func(v int) { orderedValues = v }(orderedValues)
	fixed := DefaultConfig()
	fixed.Samples, fixed.Problem.Cells = 50, 4
	tol := DefaultConfig()
	tol.Problem.Cells, tol.Samples, tol.Tol = 4, 40, 0.02
	for _, tc := range []struct {
		name    string
		cfg     Config
		ordered int
		resume  bool
	}{
		{"fixed", fixed, OrderedValues, false},
		{"fixed, exact sums", fixed, 10, false},
		{"tol rounds", tol, OrderedValues, false},
		{"tol rounds, exact sums", tol, 10, false},
		{"resumed", fixed, OrderedValues, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orderedValues = tc.ordered
			var base Options
			var done []journal.Record
			if tc.resume { // every third sample, and the last ones, from "journals"
				full, _ := runCaptured(t, 1, tc.cfg, Options{})
				for _, r := range full.Records {
					if r.Index%3 == 1 || r.Index >= 45 {
						done = append(done, r.journalRecord())
					}
				}
				base.Done = journal.SortedOf(done, 1, 1)
			}
			var ref []Record
			for _, p := range []int{1, 2, 3, 4} {
				res, sink := runCaptured(t, p, tc.cfg, base)
				require.True(t, res.Valid(), "%+v", res.Checks)
				n := res.Config.Samples
				require.Len(t, sink.recs, n)
				for i, r := range sink.recs {
					require.Equal(t, i, r.Index)
					assert.Equal(t, tc.resume && (i%3 == 1 || i >= 45), r.Journaled, "sample %d", i)
				}
				assert.Equal(t, PassInfo{Samples: n, Usable: int64(n), QoIMin: res.tally.qMin, QoIMax: res.tally.qMax, Ranks: p, Ordered: res.Ordered}, res.info)
				assert.Equal(t, tc.ordered == OrderedValues, res.Ordered)
				assert.Contains(t, checkNamed(t, res.Result, "sample-indices").Detail, "rank 0 holds exactly")
				if ref == nil {
					ref = resultsOnly(sink.recs)
					continue
				}
				assert.Equal(t, ref, resultsOnly(sink.recs), "P=%d", p)
			}
		})
	}
}

func TestNoPassWithoutStreamAboveOrderedValues(t *testing.T) {
	// Above OrderedValues and without Stream no rank keeps its records: no pass, no records
	// on rank 0, the indices checked by their counts alone (and said so).
	defer func(v int) { orderedValues = v }(orderedValues)
	orderedValues = 10
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 50, 4
	for _, p := range []int{1, 3} {
		res := onRank0(t, p, func(c spmd.Comm) (*Result, error) { return Run(c, cfg, Options{}) })
		require.True(t, res.Valid(), "%+v", res.Checks)
		assert.Contains(t, checkNamed(t, res, "sample-indices").Detail, "counted on the ranks, reduced exactly")
	}
}
