package mc

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTolIdenticalForEveryRankCount(t *testing.T) {
	// Issue 7: decisions and estimates bit-identical for every rank count. The rounds' sample
	// counts come from exactly reduced sums, so they cannot depend on P.
	cfg := DefaultConfig()
	cfg.Problem.Cells, cfg.Samples, cfg.Tol = 8, 40, 0.02
	ref := runLocal(t, 1, cfg)
	require.Greater(t, len(ref.Rounds), 1, "the pilot alone must not be enough")
	last := ref.Rounds[len(ref.Rounds)-1]
	assert.LessOrEqual(t, last.CIHalf, cfg.Tol)
	assert.Greater(t, ref.Rounds[len(ref.Rounds)-2].CIHalf, cfg.Tol)
	assert.Equal(t, last.Samples, ref.Config.Samples)
	assert.Len(t, ref.Records, last.Samples)
	for _, p := range []int{2, 3, 4, 7} {
		res := runLocalOpt(t, p, cfg, Options{Threads: 2})
		assert.Equal(t, ref.Rounds, res.Rounds, "P=%d", p)
		assert.Equal(t, resultsOnly(ref.Records), resultsOnly(res.Records), "P=%d", p)
		assert.Equal(t, statsBits(ref.Global[0]), statsBits(res.Global[0]), "P=%d: exact sums give the same bits", p)
		assert.Equal(t, ref.TotalCost, res.TotalCost)
	}
	// Against the exact discrete mean 0.25·Q_h(1): within the tolerance (95% level; the
	// discretisation error is not in this comparison).
	assert.InDelta(t, 0.25*discreteQoI1(t, cfg.Problem.Cells), ref.Stats[0].Mean, cfg.Tol)
	assert.False(t, math.IsNaN(ref.Stats[0].Mean))
}
