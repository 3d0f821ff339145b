package mc

import (
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/dist"
)

// designConfig is the tutorial at a small mesh with a design.
func designConfig(sampler string, samples, reps int) Config {
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells, cfg.Sampler, cfg.Replicates = samples, 4, sampler, reps
	return cfg
}

// TestDesignsStratify: with ε ~ U(0, 1) (its quantile is the identity), every replicate of
// lhs puts exactly one ε in each of the n strata [k/n, (k+1)/n), and every replicate of
// sobol's first 2^m points one in each interval of width 2^-m (a digital shift keeps the
// Sobol' points a (0, m, 1)-net); replicates differ.
func TestDesignsStratify(t *testing.T) {
	for _, sampler := range []string{"lhs", "sobol"} {
		cfg := designConfig(sampler, 8*64, 8)
		cfg.Problem.Dist = dist.Random{Kind: "uniform", A: 0, B: 1}
		res := runLocal(t, 1, cfg)
		byRep := map[int][]float64{}
		des := &design{kind: sampler, reps: 8, points: 64}
		for _, r := range res.Records {
			k := des.replicate(r.Index)
			byRep[k] = append(byRep[k], r.Inputs[0])
		}
		require.Len(t, byRep, 8)
		for k, eps := range byRep {
			require.Len(t, eps, 64)
			seen := make([]bool, 64)
			for _, e := range eps {
				s := int(e * 64)
				require.False(t, seen[s], "%s replicate %d: two points in stratum %d", sampler, k, s)
				seen[s] = true
			}
		}
		assert.NotEqual(t, byRep[0], byRep[1], sampler)
	}
}

// TestDesignsIdenticalForEveryRankCount: sobol and lhs give the same records and statistics
// on every rank count, thread count and batch (point j of replicate r depends on the seed, r
// and j alone), with the lognormal field's 51 random scalars (sobol pads beyond 32).
func TestDesignsIdenticalForEveryRankCount(t *testing.T) {
	for _, sampler := range []string{"sobol", "lhs"} {
		for _, model := range []string{"reference", "lognormal-field"} {
			cfg := designConfig(sampler, 4*8, 4)
			cfg.Problem.Model = model
			ref := runLocal(t, 1, cfg)
			for _, p := range []int{2, 3} {
				res := runLocalOpt(t, p, cfg, Options{Threads: 2})
				assert.Equal(t, resultsOnly(ref.Records), resultsOnly(res.Records), "%s %s P=%d", sampler, model, p)
				assert.Equal(t, statsBits(ref.Stats[0]), statsBits(res.Stats[0]), "%s %s P=%d", sampler, model, p)
			}
			assert.Equal(t, 4, ref.Replicates)
		}
	}
}

// TestReplicateIntervalsCover is the acceptance 2: over 200 seeds, the 95% interval of
// sobol and of lhs (16 replicates) contains the exact discrete mean Q_h(1)·E[ε] in 90–99% of
// the runs. The QoI is Q_h(1)·ε: Q_h(1) is a record's QoI over its ε.
func TestReplicateIntervalsCover(t *testing.T) {
	if testing.Short() {
		t.Skip("400 campaigns")
	}
	for _, sampler := range []string{"sobol", "lhs"} {
		covered, seeds := 0, 200
		var halfWidths []float64
		for seed := 1; seed <= seeds; seed++ {
			cfg := designConfig(sampler, 16*16, 16)
			cfg.Seed = uint64(seed)
			res := runLocal(t, 1, cfg)
			r0 := res.Records[0]
			exact := float64(r0.QoIs[0]/r0.Inputs[0]) * 0.25
			s := res.Stats[0]
			if math.Abs(s.Mean-exact) <= s.CIHalf {
				covered++
			}
			halfWidths = append(halfWidths, s.CIHalf)
		}
		rate := float64(covered) / float64(seeds)
		sort.Float64s(halfWidths)
		t.Logf("%s: %d of %d intervals cover (%.1f%%), median half-width %.3g", sampler, covered, seeds, 100*rate, halfWidths[seeds/2])
		assert.GreaterOrEqual(t, rate, 0.90, sampler)
		assert.LessOrEqual(t, rate, 0.99, sampler)
	}
}

// TestSobolTolDoubles: -tol with sobol doubles the points per replicate from the pilot, so every
// round's count is R times a power of two, and the campaign meets the tolerance with far fewer
// samples than plain Monte Carlo.
func TestSobolTolDoubles(t *testing.T) {
	cfg := designConfig("sobol", 16*4, 16)
	cfg.Tol = 2e-3
	res := runLocal(t, 2, cfg)
	require.Greater(t, len(res.Rounds), 1)
	for _, r := range res.Rounds {
		per := r.Samples / 16
		assert.Equal(t, 0, per&(per-1), "round of %d samples: %d points per replicate", r.Samples, per)
	}
	assert.LessOrEqual(t, res.Stats[0].CIHalf, cfg.Tol)
	mc := designConfig("mc", 1000, 0)
	mc.Sampler, mc.Tol = "", 2e-3
	plain := runLocal(t, 2, mc)
	t.Logf("tol %g: sobol %d samples, mc %d", cfg.Tol, res.Config.Samples, plain.Config.Samples)
	assert.Less(t, 20*res.Config.Samples, plain.Config.Samples)
}

// TestDesignSettingsRefused: the sample count must fit the design, skip is refused, a list
// input has no quantile.
func TestDesignSettingsRefused(t *testing.T) {
	for _, tc := range []struct {
		cfg   Config
		field string
	}{
		{designConfig("sobol", 100, 16), "samples"},
		{designConfig("sobol", 16*3, 16), "samples"},
		{designConfig("lhs", 100, 16), "samples"},
		{designConfig("lhs", 32, 1), "replicates"},
		{designConfig("halton", 32, 16), "sampler"},
	} {
		assert.Equal(t, tc.field, fieldOf(t, tc.cfg.Validate()), fmt.Sprintf("%+v", tc.cfg.Sampler))
	}
	skip := designConfig("lhs", 32, 16)
	skip.OnFailure = "skip"
	assert.Equal(t, "on-failure", fieldOf(t, skip.Validate()))
	assert.Equal(t, 1024, designConfig("sobol", 1000, 16).RoundSamples(1000))
	assert.Equal(t, 1008, designConfig("lhs", 1000, 16).RoundSamples(1000))
}

// TestLHSTolAddsReplicates: -tol with lhs appends replicates of the pilot's points per
// replicate, so every round's count is a multiple of them, until the tolerance is met.
func TestLHSTolAddsReplicates(t *testing.T) {
	cfg := designConfig("lhs", 8*32, 8)
	cfg.Tol = 2e-3
	res := runLocal(t, 2, cfg)
	require.Greater(t, len(res.Rounds), 1)
	for _, r := range res.Rounds {
		assert.Zero(t, r.Samples%32, "round of %d samples", r.Samples)
	}
	assert.Equal(t, res.Config.Samples/32, res.Replicates)
	assert.LessOrEqual(t, res.Stats[0].CIHalf, cfg.Tol)
	t.Logf("tol %g: lhs %d samples in %d replicates of 32", cfg.Tol, res.Config.Samples, res.Replicates)
}
