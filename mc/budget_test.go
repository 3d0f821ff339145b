package mc

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/spmd"
	"mcfem/stats"
)

func TestMaxFailuresFlag(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    MaxFailures
		str     string
		allowed int // of 300 samples
	}{
		{"5", MaxFailures{Count: 5, IsCount: true}, "5", 5},
		{"0", MaxFailures{Count: 0, IsCount: true}, "0", 0},
		{"1%", MaxFailures{Fraction: 0.01}, "1%", 3}, // 0.01·300 = 2.9999… in floating point: still 3
		{"0.01", MaxFailures{Fraction: 0.01}, "1%", 3},
		{" 50 % ", MaxFailures{Fraction: 0.5}, "50%", 150},
		{"100%", MaxFailures{Fraction: 1}, "100%", 300},
		{"0.999", MaxFailures{Fraction: 0.999}, "0.999", 299}, // 99.9% is 0.9990000000000001
		// 100·0.013 is 1.3, which reads back as 0.013000000000000001: written as the fraction.
		{"0.013", MaxFailures{Fraction: 0.013}, "0.013", 3},
	} {
		var m MaxFailures
		require.NoError(t, m.Set(tc.in), tc.in)
		assert.Equal(t, tc.want, m, tc.in)
		assert.Equal(t, tc.str, m.String(), tc.in)
		var back MaxFailures
		require.NoError(t, back.Set(m.String()), tc.in)
		assert.Equal(t, m, back, "%s: String reads back as the same value", tc.in)
		assert.Equal(t, tc.allowed, m.Allowed(300), tc.in)
	}
	for _, in := range []string{"", "-1", "x", "1.5", "150%", "-1%", "NaN", "1e400", "%"} {
		var m MaxFailures
		err := m.Set(in)
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), "want a count of samples", in)
	}
	assert.Equal(t, 10, DefaultMaxFailures.Allowed(1000), "the default is 1%")
}

// check returns the check named name, or fails.
func checkNamed(t *testing.T, res *Result, name string) Check {
	t.Helper()
	for _, c := range res.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", name, res.Checks)
	return Check{}
}

func TestMaxFailuresVerdict(t *testing.T) {
	// The test fault hook (MCFEM_FAULT=rank:sample:nan) makes samples' QoIs NaN: with
	// -on-failure skip they are left out, and beyond -max-failures the verdict is INVALID.
	base := DefaultConfig()
	base.Problem.Cells, base.Samples, base.OnFailure = 4, 200, "skip"
	for _, tc := range []struct {
		name   string
		fault  string
		max    string
		valid  bool
		failed int
	}{
		{"one of 200 within 1%", "0:7:nan", "1%", true, 1},
		{"one of 200 with none allowed", "0:7:nan", "0", false, 1},
		{"rank 0's block of 2 ranks: 100 of 200", "0:*:nan", "1%", false, 100},
		{"100 of 200 with 50% allowed", "0:*:nan", "50%", true, 100},
		{"100 of 200 with 99 allowed", "0:*:nan", "99", false, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseFault(tc.fault)
			require.NoError(t, err)
			cfg := base
			require.NoError(t, cfg.MaxFailures.Set(tc.max))
			res := runLocalOpt(t, 2, cfg, Options{Hook: f})
			ch := checkNamed(t, res.Result, "failures")
			assert.Equal(t, tc.valid, ch.Pass, ch.Detail)
			assert.Equal(t, tc.valid, res.Valid())
			assert.Contains(t, ch.Detail, strconv.Itoa(tc.failed)+" of 200 samples failed")
			assert.Equal(t, int64(200-tc.failed), res.Global[0].N, "the statistics rest on the others")
			if !tc.valid {
				assert.Contains(t, ch.Detail, "more than -max-failures "+cfg.MaxFailures.String())
			}
		})
	}
}

func TestNoUsableSampleIsInvalid(t *testing.T) {
	// Every sample fails (both ranks' faults): even with every failure allowed, no estimate is
	// not VALID (it was: mean NaN … VALID, exit 0).
	cfg := DefaultConfig()
	cfg.Problem.Cells, cfg.Samples, cfg.OnFailure = 4, 10, "skip"
	cfg.MaxFailures = MaxFailures{Fraction: 1}
	opt := func(rank int) Options { return Options{Hook: &Fault{Rank: rank, Sample: -1, Kind: "nan", Repeat: 1}} }
	res := runLocalOptRank(t, 2, cfg, opt)
	assert.Zero(t, res.Stats[0].N)
	assert.True(t, math.IsNaN(res.Stats[0].Mean))
	assert.True(t, checkNamed(t, res.Result, "failures").Pass, "100% allowed")
	u := checkNamed(t, res.Result, "usable-samples")
	assert.False(t, u.Pass)
	assert.Equal(t, "none of the 10 samples is in the statistics: there is no estimate", u.Detail)
	assert.False(t, res.Valid())
}

func TestNextSamplesBudget(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Tol, cfg.MaxSamples = 0.01, 5000
	for _, tc := range []struct {
		n     int
		half  float64
		round int
		want  int
	}{
		{100, 0.02, 0, 420},             // 100·(0.02/0.01)²·1.05
		{100, 1, 0, 1600},               // capped at MaxGrowth·n
		{1000, 1, 0, 5000},              // capped at the budget: the last round fills it
		{5000, 1, 1, 5000},              // at the budget: done
		{100, 0.005, 0, 100},            // met
		{100, math.NaN(), 0, 100},       // nothing to go on
		{100, 0.02, MaxRounds - 1, 100}, // the round cap
	} {
		assert.Equal(t, tc.want, cfg.nextSamples(tc.n, stats.Stats{CIHalf: tc.half}, tc.round), "%+v", tc)
	}
}

func TestTolBudgetVerdict(t *testing.T) {
	// A tolerance far below what the budget can give: the rounds stop at -max-samples exactly,
	// and the verdict says the tolerance was not met.
	cfg := DefaultConfig()
	cfg.Problem.Cells, cfg.Samples, cfg.Tol, cfg.MaxSamples = 4, 50, 1e-4, 700
	res := runLocal(t, 2, cfg)
	assert.Equal(t, 700, res.Config.Samples)
	require.NotEmpty(t, res.Rounds)
	last := res.Rounds[len(res.Rounds)-1]
	assert.Equal(t, 700, last.Samples)
	assert.Greater(t, last.CIHalf, cfg.Tol)
	ch := checkNamed(t, res.Result, "tolerance")
	assert.False(t, ch.Pass)
	assert.Contains(t, ch.Detail, "-max-samples 700 reached, the tolerance is not met")
	assert.False(t, res.Valid())

	// Met within the budget: no tolerance check at all (the summaries of such runs are unchanged).
	cfg.Tol = 0.1
	res = runLocal(t, 2, cfg)
	assert.True(t, res.Valid(), "%+v", res.Checks)
	for _, c := range res.Checks {
		assert.NotEqual(t, "tolerance", c.Name)
	}
	assert.LessOrEqual(t, res.Rounds[len(res.Rounds)-1].CIHalf, cfg.Tol)
}

func TestTolBudgetValidation(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Tol, cfg.Samples, cfg.MaxSamples = 0.01, 2000, 1000
	assert.Equal(t, "samples", fieldOf(t, cfg.Validate()), "the pilot is beyond the budget")
	cfg.MaxSamples = MaxSampleCount + 1
	assert.Equal(t, "max-samples", fieldOf(t, cfg.Validate()))
	cfg = DefaultConfig()
	cfg.Samples = MaxSampleCount + 1
	assert.Equal(t, "samples", fieldOf(t, cfg.Validate()))
}

func TestMLMCBudget(t *testing.T) {
	// A tolerance that would ask for far more samples than the budget: the levels' samples
	// stop within it, and the result says why.
	m := DefaultMLMCConfig()
	m.Tol, m.Pilot, m.Base.MaxSamples = 1e-5, 20, 3000
	res := onRank0(t, 2, func(c spmd.Comm) (*MLMCResult, error) { return RunMLMC(c, m, Options{}) })
	var n int64
	for _, l := range res.Levels {
		n += l.N
		assert.Positive(t, l.N)
	}
	assert.LessOrEqual(t, n, int64(3000))
	assert.Greater(t, n, int64(2900), "the last round fills the budget (less rounding)")
	assert.Contains(t, res.Unmet, "-max-samples 3000 reached")

	// Met: nothing to say.
	m.Tol, m.Base.MaxSamples = 0.05, DefaultMaxSamples
	res = onRank0(t, 2, func(c spmd.Comm) (*MLMCResult, error) { return RunMLMC(c, m, Options{}) })
	assert.Empty(t, res.Unmet)

	// The first round's pilots must fit.
	m.Base.MaxSamples = 50
	assert.Equal(t, "pilot", fieldOf(t, m.Validate()))
}

func TestMLMCLevelsFit(t *testing.T) {
	// The memory check of a new level: refused on one rank is refused on all, and the
	// campaign stops there saying so.
	m := DefaultMLMCConfig()
	m.Tol, m.Levels, m.Pilot = 0.01, 2, 50 // the golden's tolerance: it needs a third level
	res := onRank0(t, 2, func(c spmd.Comm) (*MLMCResult, error) {
		opt := Options{LevelsFit: func(l int) bool { return c.Rank() != 1 || l <= 2 }}
		return RunMLMC(c, m, opt)
	})
	assert.Len(t, res.Levels, 2)
	assert.Contains(t, res.Unmet, "the memory: level 2 (32×32 cells) does not fit")
}
