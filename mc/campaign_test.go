package mc

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/spmd"
)

// runLocal runs a campaign on p in-process ranks and returns rank 0's result.
func runLocal(t *testing.T, p int, cfg Config) *Result {
	t.Helper()
	return runLocalOpt(t, p, cfg, Options{})
}

// runLocalOpt is runLocal with run options.
func runLocalOpt(t *testing.T, p int, cfg Config, opt Options) *Result {
	t.Helper()
	return runLocalOptRank(t, p, cfg, func(int) Options { return opt })
}

// runLocalOptRank is runLocal with each rank's own run options.
func runLocalOptRank(t *testing.T, p int, cfg Config, opt func(rank int) Options) *Result {
	t.Helper()
	var res *Result
	err := spmd.RunLocal(p, func(c spmd.Comm) error {
		r, err := Run(c, cfg, opt(c.Rank()))
		if c.Rank() == 0 {
			res = r
		}
		return err
	})
	require.NoError(t, err)
	require.NotNil(t, res)
	return res
}

// resultsOnly strips where and how long each sample ran.
func resultsOnly(recs []Record) []Record {
	out := make([]Record, len(recs))
	for i, r := range recs {
		r.Seconds, r.Rank, r.Thread, r.Start = 0, 0, 0, 0
		out[i] = r
	}
	return out
}

func TestRunIdenticalForEveryRankCount(t *testing.T) {
	for _, n := range []int{3, 50} { // 3 < P for P = 4, 7: some ranks own no sample
		cfg := DefaultConfig()
		cfg.Samples, cfg.Cells = n, 8
		ref := runLocal(t, 1, cfg)
		require.True(t, ref.Valid(), "%+v", ref.Checks)
		for _, p := range []int{2, 3, 4, 7} {
			res := runLocal(t, p, cfg)
			assert.Equal(t, resultsOnly(ref.Records), resultsOnly(res.Records), "N=%d P=%d", n, p)
			assert.Equal(t, statsBits(ref.Stats), statsBits(res.Stats), "N=%d P=%d: statistics must be bit-identical", n, p)
			assert.True(t, res.Valid(), "%+v", res.Checks)
			assert.Equal(t, p, res.Ranks)
			// Every sample ran on the rank that owns it under the block partition.
			for _, r := range res.Records {
				lo, hi := spmd.Block(n, p, r.Rank)
				assert.True(t, r.Index >= lo && r.Index < hi)
			}
		}
	}
}

// statsBits returns the bit patterns of every field of s (NaN fields compare equal).
func statsBits(s Stats) []uint64 {
	out := []uint64{uint64(s.N)}
	for _, f := range []float64{s.Mean, s.Variance, s.StdDev, s.StdErr, s.VarStdErr, s.Skewness, s.ExKurtosis, s.Confidence, s.CIHalf} {
		out = append(out, math.Float64bits(f))
	}
	return out
}

// discreteQoI1 is Q_h(1), the discrete QoI at ε = 1, solved to 1e-12. Test oracle only: the
// discrete QoI is linear in ε for the reference problem, so E[Q_h] = E[ε]·Q_h(1) and so on.
func discreteQoI1(t *testing.T, cells int) float64 {
	cfg := DefaultConfig()
	cfg.Cells, cfg.Rtol = cells, 1e-12
	m, err := NewModel(cfg)
	require.NoError(t, err)
	q, _, err := m.NewSolver().Solve(1)
	require.NoError(t, err)
	return q
}

func TestStatisticsAgainstExactDiscreteValues(t *testing.T) {
	// Acceptance 4: 10⁵ samples at mesh 8; mean, variance, skewness and excess kurtosis each
	// within 4 standard errors of the exact values of the discrete QoI Q_h = ε·Q_h(1). Four
	// standard errors: a false alarm once in ~16000 runs for a normal estimator.
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	cfg := DefaultConfig()
	cfg.Samples, cfg.Cells = n, 8
	res := runLocal(t, 2, cfg)
	require.True(t, res.Valid(), "%+v", res.Checks)
	q1 := discreteQoI1(t, cfg.Cells)
	d := cfg.Dist
	s := res.Stats

	// Standard errors of skewness and kurtosis by batch means: the spread of the estimates of
	// 100 batches, divided by √100 (each estimator's variance falls like 1/n).
	const batches = 100
	size := n / batches
	var skews, kurts []float64
	for b := range batches {
		xs := make([]float64, size)
		for i := range xs {
			xs[i] = res.Records[b*size+i].QoI
		}
		bs := DescribeOrdered(xs, 0.95)
		skews = append(skews, bs.Skewness)
		kurts = append(kurts, bs.ExKurtosis)
	}
	seSkew := DescribeOrdered(skews, 0.95).StdDev / math.Sqrt(batches)
	seKurt := DescribeOrdered(kurts, 0.95).StdDev / math.Sqrt(batches)

	for _, c := range []struct {
		name              string
		got, want, stderr float64
	}{
		{"mean", s.Mean, q1 * d.Mean(), s.StdErr},
		{"variance", s.Variance, q1 * q1 * d.Variance(), s.VarStdErr},
		{"skewness", s.Skewness, d.Skewness(), seSkew},
		{"excess kurtosis", s.ExKurtosis, d.ExKurtosis(), seKurt},
	} {
		t.Logf("%-16s got %.6f want %.6f  (%.2f SE, SE %.2g)", c.name, c.got, c.want, (c.got-c.want)/c.stderr, c.stderr)
		assert.InDelta(t, c.want, c.got, 4*c.stderr, c.name)
	}
}

func TestSampleAllocatesNothing(t *testing.T) {
	// Acceptance 7: the per-sample path (seed the stream, draw ε, load, solve, QoI) allocates 0.
	cfg := DefaultConfig()
	cfg.Cells = 16
	m, err := NewModel(cfg)
	require.NoError(t, err)
	s := m.NewSolver()
	src := rand.NewPCG(0, 0)
	d := Beta{2, 6}
	var sums PowerSums
	i := uint64(0)
	allocs := testing.AllocsPerRun(50, func() {
		SeedSample(src, 1, 0, i)
		q, _, err := s.Solve(d.Draw(0, src))
		if err != nil {
			panic(err)
		}
		sums.Add(q)
		i++
	})
	assert.Zero(t, allocs)
}

func TestRunFailsOnNonConvergence(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Samples, cfg.Cells, cfg.MaxIt = 10, 16, 3
	err := spmd.RunLocal(2, func(c spmd.Comm) error {
		_, err := Run(c, cfg, Options{})
		return err
	})
	require.Error(t, err)
	assert.Regexp(t, `sample [0-9]+ .*did not converge in 3 iterations`, err.Error())
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		field string
		edit  func(*Config)
	}{
		{"samples", func(c *Config) { c.Samples = 0 }},
		{"samples", func(c *Config) { c.Samples = -5 }},
		{"mesh", func(c *Config) { c.Cells = 0 }},
		{"mesh", func(c *Config) { c.Cells = maxCells + 1 }},
		{"rtol", func(c *Config) { c.Rtol = 0 }},
		{"rtol", func(c *Config) { c.Rtol = math.NaN() }},
		{"maxit", func(c *Config) { c.MaxIt = 0 }},
		{"confidence", func(c *Config) { c.Confidence = 1 }},
	} {
		cfg := DefaultConfig()
		tc.edit(&cfg)
		var fe *FieldError
		require.ErrorAs(t, cfg.Validate(), &fe)
		assert.Equal(t, tc.field, fe.Field)
	}
	assert.NoError(t, DefaultConfig().Validate())
}
