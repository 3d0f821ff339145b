package mc

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/dist"
	"mcfem/problem"
	"mcfem/spmd"
	"mcfem/stats"
)

// tested is a campaign's result on rank 0 with every record, in sample order, as a Sink got
// them in the campaign's ordered pass (Result keeps none).
type tested struct {
	*Result
	Records []Record
	info    PassInfo // what the sink was told before the records
}

// runLocal runs a campaign on p in-process ranks and returns rank 0's result and records.
func runLocal(t *testing.T, p int, cfg Config) *tested {
	t.Helper()
	return runLocalOpt(t, p, cfg, Options{})
}

// runLocalOpt is runLocal with run options.
func runLocalOpt(t *testing.T, p int, cfg Config, opt Options) *tested {
	t.Helper()
	return runLocalOptRank(t, p, cfg, func(int) Options { return opt })
}

// runLocalOptRank is runLocal with each rank's own run options; the records come from a
// capture on rank 0 (with Options.Stream on every rank).
func runLocalOptRank(t *testing.T, p int, cfg Config, opt func(rank int) Options) *tested {
	t.Helper()
	sink := &capture{}
	res := onRank0(t, p, func(c spmd.Comm) (*Result, error) {
		o := opt(c.Rank())
		o.Stream = true
		if c.Rank() == 0 {
			o.Sink = sink
		}
		return Run(c, cfg, o)
	})
	require.NotNil(t, res)
	require.Equal(t, 1, sink.began)
	return &tested{res, sink.recs, sink.info}
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
		cfg.Samples, cfg.Problem.Cells = n, 8
		ref := runLocal(t, 1, cfg)
		require.True(t, ref.Valid(), "%+v", ref.Checks)
		for _, p := range []int{2, 3, 4, 7} {
			res := runLocal(t, p, cfg)
			assert.Equal(t, resultsOnly(ref.Records), resultsOnly(res.Records), "N=%d P=%d", n, p)
			assert.Equal(t, statsBits(ref.Stats[0]), statsBits(res.Stats[0]), "N=%d P=%d: statistics must be bit-identical", n, p)
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
func statsBits(s stats.Stats) []uint64 {
	out := []uint64{uint64(s.N)}
	for _, f := range []float64{s.Mean, s.Variance, s.StdDev, s.StdErr, s.VarStdErr, s.Skewness, s.ExKurtosis, s.Confidence, s.CIHalf} {
		out = append(out, math.Float64bits(f))
	}
	return out
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
	cfg.Samples, cfg.Problem.Cells = n, 8
	res := runLocal(t, 2, cfg)
	require.True(t, res.Valid(), "%+v", res.Checks)
	q1 := discreteQoI1(t, cfg.Problem.Cells)
	d := cfg.Problem.Dist
	s := res.Stats[0]

	// Standard errors of skewness and kurtosis by batch means: the spread of the estimates of
	// 100 batches, divided by √100 (each estimator's variance falls like 1/n).
	const batches = 100
	size := n / batches
	var skews, kurts []float64
	for b := range batches {
		xs := make([]float64, size)
		for i := range xs {
			xs[i] = res.Records[b*size+i].QoIs[0]
		}
		bs := stats.DescribeOrdered(xs, 0.95)
		skews = append(skews, bs.Skewness)
		kurts = append(kurts, bs.ExKurtosis)
	}
	seSkew := stats.DescribeOrdered(skews, 0.95).StdDev / math.Sqrt(batches)
	seKurt := stats.DescribeOrdered(kurts, 0.95).StdDev / math.Sqrt(batches)

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
	// Acceptance 7 of issue 2: the per-sample path (seed the stream, draw ε, load, solve,
	// QoI, record, power sums) allocates nothing, for every solver and batch.
	for _, tc := range []struct {
		method, pc string
		batch      int
	}{{"cg", "jacobi", 1}, {"cg", "amg", 1}, {"cg", "jacobi", 4}, {"cg", "amg", 4}, {"cg", "none", 8}, {"cholesky", "jacobi", 1}, {"cholesky", "jacobi", 4}} {
		cfg := DefaultConfig()
		cfg.Problem.Cells = 16
		cfg.Solver.Method, cfg.Solver.PC, cfg.Solver.Batch = tc.method, tc.pc, tc.batch
		wk, recs := testWorker(t, cfg)
		idx := make([]int, tc.batch)
		allocs := testing.AllocsPerRun(20, func() {
			for j := range idx {
				idx[j]++
			}
			if err := wk.batch(idx, recs); err != nil {
				panic(err)
			}
		})
		assert.Zero(t, allocs, "%+v", tc)
	}
}

func TestRunFailsOnNonConvergence(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells, cfg.Solver.MaxIt = 10, 16, 3
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
		{"mesh", func(c *Config) { c.Problem.Cells = 0 }},
		{"mesh", func(c *Config) { c.Problem.Cells = problem.MaxCells + 1 }},
		{"rtol", func(c *Config) { c.Solver.Rtol = 0 }},
		{"rtol", func(c *Config) { c.Solver.Rtol = math.NaN() }},
		{"maxit", func(c *Config) { c.Solver.MaxIt = 0 }},
		{"on-failure", func(c *Config) { c.OnFailure = "ignore" }},
		{"model", func(c *Config) { c.Problem.Model = "heat" }},
		{"pc", func(c *Config) { c.Solver.PC = "ilu" }},
		{"batch", func(c *Config) { c.Solver.Batch = 65 }},
		{"confidence", func(c *Config) { c.Confidence = 1 }},
	} {
		cfg := DefaultConfig()
		tc.edit(&cfg)
		assert.Equal(t, tc.field, fieldOf(t, cfg.Validate()))
	}
	assert.NoError(t, DefaultConfig().Validate())
}

func TestListInputsRunInOrder(t *testing.T) {
	// Acceptance of issue 5: a 3-value list runs 3 samples with those values, in order; more
	// samples than values are refused.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "eps.txt"), []byte("# heat fluxes\n0.1\n\n0.25 # mean\n0.5"), 0o644))
	d, err := dist.Parse("list:eps.txt", dir)
	require.NoError(t, err)
	cfg := DefaultConfig()
	cfg.Problem.Cells, cfg.Problem.Dist, cfg.Samples = 8, d, 3
	res := runLocal(t, 2, cfg)
	for i, want := range []float64{0.1, 0.25, 0.5} {
		assert.Equal(t, want, res.Records[i].Inputs[0])
	}
	cfg.Samples = 4
	assert.Equal(t, "samples", fieldOf(t, cfg.Validate()))
}
