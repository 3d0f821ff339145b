package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
)

// relTol is the agreement we ask of two float64 evaluations of the same statistic by
// different formulas (power sums vs gonum's two-pass loops) on O(1) data of a few thousand
// values: rounding errors grow like n·eps ≈ 1e-12, far below it.
const relTol = 1e-9

func TestMomentsMatchGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name  string
		n     int
		draw  func() float64
		shift float64
	}{
		{"uniform-7", 7, rng.Float64, 0},
		{"normal-100", 100, rng.NormFloat64, 0},
		{"exp-1000-shifted", 1000, rng.ExpFloat64, 0.9},
		{"offset-5000", 5000, func() float64 { return 1e3 + rng.Float64() }, 1e3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			xs := make([]float64, tc.n)
			p := PowerSums{Shift: tc.shift}
			for i := range xs {
				xs[i] = tc.draw()
				p.Add(xs[i])
			}
			n := float64(tc.n)
			m := p.Moments()
			m2 := stat.Moment(2, xs, nil)
			m3 := stat.Moment(3, xs, nil)
			m4 := stat.Moment(4, xs, nil)
			// The h-statistics in terms of the biased sample central moments m_k.
			h2 := n / (n - 1) * m2
			h3 := n * n / ((n - 1) * (n - 2)) * m3
			h4 := (n*(n*n-2*n+3)*m4 - 3*n*(2*n-3)*m2*m2) / ((n - 1) * (n - 2) * (n - 3))
			k4 := n * n * ((n+1)*m4 - 3*(n-1)*m2*m2) / ((n - 1) * (n - 2) * (n - 3))

			assert.InEpsilon(t, stat.Mean(xs, nil), m.Mean, relTol)
			assert.InEpsilon(t, stat.Variance(xs, nil), m.H2, relTol)
			assert.InEpsilon(t, h2, m.H2, relTol)
			assert.InEpsilon(t, h3, m.H3, relTol)
			assert.InEpsilon(t, h4, m.H4, relTol)
			assert.InEpsilon(t, k4, m.K4, relTol)

			s := Describe(&p, 0.95)
			assert.InEpsilon(t, stat.Skew(xs, nil), s.Skewness, relTol)
			assert.InEpsilon(t, stat.ExKurtosis(xs, nil), s.ExKurtosis, relTol)
			assert.InEpsilon(t, math.Sqrt(stat.Variance(xs, nil)/n), s.StdErr, relTol)

			o := DescribeOrdered(xs, 0.95)
			assert.InEpsilon(t, s.Mean, o.Mean, relTol)
			assert.InEpsilon(t, s.Variance, o.Variance, relTol)
			assert.InEpsilon(t, s.Skewness, o.Skewness, relTol)
			assert.InEpsilon(t, s.ExKurtosis, o.ExKurtosis, relTol)
		})
	}
}

func TestPowerSumsMergeBySlice(t *testing.T) {
	// Sums of integers are exact in float64, so the split and the whole agree bit for bit.
	var whole, a, b PowerSums
	for i := range 100 {
		x := float64(i%13) - 6
		whole.Add(x)
		if i < 37 {
			a.Add(x)
		} else {
			b.Add(x)
		}
	}
	sa, sb := a.Slice(), b.Slice()
	for i := range sa {
		sa[i] += sb[i]
	}
	var merged PowerSums
	merged.SetSlice(sa)
	assert.Equal(t, whole, merged)
	assert.Panics(t, func() { merged.SetSlice(sa[:4]) })
}

func TestDescribeSmallN(t *testing.T) {
	s := DescribeOrdered([]float64{2}, 0.95)
	assert.Equal(t, 2.0, s.Mean)
	assert.True(t, math.IsNaN(s.Variance))
	assert.True(t, math.IsNaN(s.CIHalf))
	s = DescribeOrdered([]float64{1, 3}, 0.95)
	assert.Equal(t, 2.0, s.Variance)
	assert.True(t, math.IsNaN(s.Skewness))
	// t_{1,0.975} = 12.7062047 (tables); SE = 1.
	assert.InDelta(t, 12.7062047, s.CIHalf, 1e-6)
}

func TestConfidenceIntervalQuantile(t *testing.T) {
	// For large n the t quantile tends to the normal one: 1.959964 at 0.95, 2.575829 at 0.99
	// (tables); at n = 10⁶ they differ by < 1e-5.
	xs := make([]float64, 1_000_000)
	for i := range xs {
		xs[i] = float64(i%2)*2 - 1 // ±1: variance n/(n-1), SE ≈ 1e-3
	}
	for _, c := range []struct{ level, z float64 }{{0.95, 1.959964}, {0.99, 2.575829}} {
		s := DescribeOrdered(xs, c.level)
		require.InDelta(t, 1e-3, s.StdErr, 1e-9)
		assert.InDelta(t, c.z*s.StdErr, s.CIHalf, 1e-5*s.StdErr)
	}
}
