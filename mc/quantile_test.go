package mc

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"mcfem/stats"
)

// TestOrderInterval: the median of 100 values has the classical 95% interval [X(40), X(61)]
// (Conover 1999, Table A3's n = 100), and every interval's binomial coverage is at least the
// level; tails without enough samples have no finite end.
func TestOrderInterval(t *testing.T) {
	l, u := orderInterval(100, 0.5, 0.95)
	assert.Equal(t, [2]int64{40, 61}, [2]int64{l, u})
	l, u = orderInterval(10, 0.99, 0.95)
	assert.Equal(t, int64(11), u, "the 99% quantile of 10 values has no upper end")
	_ = l
}

// TestWilson: against the published values for 5 of 100 and 0 of 20 (Brown, Cai and
// DasGupta 2001's formula; values by hand).
func TestWilson(t *testing.T) {
	lo, hi := wilson(5, 100, 0.95)
	assert.InDelta(t, 0.02154, lo, 5e-5)
	assert.InDelta(t, 0.11175, hi, 5e-5)
	lo, hi = wilson(0, 20, 0.95)
	assert.Zero(t, lo)
	assert.InDelta(t, 0.16113, hi, 5e-5)
}

// TestDistributionExact: the quantiles, their intervals, min and max, the exceedance counts
// and the CVaR are exactly those of the sorted values (the records'), identical for every
// rank count and thread count; with the values beyond memory (a tiny valueMem) and a range
// that takes several selection passes (10⁵ values).
func TestDistributionExact(t *testing.T) {
	defer func(m int) { valueMem = m }(valueMem)
	valueMem = 4096
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 100_000, 2
	cfg.Thresholds = []Threshold{{Value: 1}, {Value: 3}, {Value: 100}}
	ref := runLocal(t, 1, cfg)
	vals := make([]float64, len(ref.Records))
	for i, r := range ref.Records {
		vals[i] = r.QoIs[0]
	}
	slices.Sort(vals)
	n := int64(len(vals))
	d := ref.Distributions[0]
	assert.Equal(t, n, d.N)
	assert.Equal(t, vals[0], d.Min)
	assert.Equal(t, vals[n-1], d.Max)
	for k, q := range d.Quantiles {
		p := DefaultQuantiles[k]
		assert.Equal(t, vals[int64(math.Ceil(float64(n)*p))-1], q.Value, "p %g", p)
		l, u := orderInterval(n, p, cfg.Confidence)
		assert.Equal(t, vals[l-1], q.Low, "p %g", p)
		assert.Equal(t, vals[u-1], q.High, "p %g", p)
	}
	for k, e := range d.Exceedances {
		var c int64
		for _, v := range vals {
			if v > cfg.Thresholds[k].Value {
				c++
			}
		}
		assert.Equal(t, c, e.Count)
	}
	var tail stats.ExactPowerSums
	at := vals[int64(math.Ceil(float64(n)*DefaultCVaRLevel))-1]
	for _, v := range vals {
		if v >= at {
			tail.Add(v, 0)
		}
	}
	assert.Equal(t, tail.Describe(0.95).Mean, d.CVaR)
	for _, p := range []int{2, 3, 4} {
		res := runLocalOpt(t, p, cfg, Options{Threads: 2})
		assert.Equal(t, ref.Distributions, res.Distributions, "P=%d", p)
	}
}

// TestQuantilesOfTheTutorial is the acceptance 3: the QoI is Q_h(1)·ε with
// ε ~ Beta(2, 6), so its p-quantile is Q_h(1) times Beta's, and P(QoI > t) is Beta's upper
// tail at t/Q_h(1): each estimate's interval contains the exact value, for P = 1..4.
func TestQuantilesOfTheTutorial(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 20_000, 8
	cfg.Quantiles = []float64{0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99}
	cfg.Thresholds = []Threshold{{Value: 1}, {Value: 2.5}, {Value: 4}}
	var ref []Distribution
	for p := 1; p <= 4; p++ {
		res := runLocal(t, p, cfg)
		r0 := res.Records[0]
		qh1 := r0.QoIs[0] / r0.Inputs[0]
		beta := distuv.Beta{Alpha: 2, Beta: 6}
		d := res.Distributions[0]
		for _, q := range d.Quantiles {
			exact := qh1 * beta.Quantile(q.P)
			assert.True(t, q.Low <= exact && exact <= q.High, "P=%d p %g: exact %g outside [%g, %g] (estimate %g)", p, q.P, exact, q.Low, q.High, q.Value)
		}
		for _, e := range d.Exceedances {
			exact := 1 - beta.CDF(e.Value/qh1)
			assert.True(t, e.Low <= exact && exact <= e.High, "P=%d t %g: exact %g outside [%g, %g]", p, e.Value, exact, e.Low, e.High)
		}
		if ref == nil {
			ref = res.Distributions
		} else {
			require.Equal(t, ref, res.Distributions, "P=%d", p)
		}
	}
}

// TestDiscreteMean (issue 16 item 12): the tutorial's discrete expectation on the mesh is
// Q_h(1)·E[ε] (its QoI is linear in ε): the one reference solve at ε = E[ε] gives it.
func TestDiscreteMean(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 50, 16
	res := runLocal(t, 2, cfg)
	require.Len(t, res.DiscreteMean, 1)
	r0 := res.Records[0]
	assert.InEpsilon(t, r0.QoIs[0]/r0.Inputs[0]*0.25, res.DiscreteMean[0], 1e-12)
	cfg.Problem.Model = "lognormal-field" // κ random: no such inputs
	assert.Nil(t, runLocal(t, 1, cfg).DiscreteMean)
}
