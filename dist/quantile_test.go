package dist

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestQuantile: every family's quantile against gonum's to 1e-12 relative, and monotonic.
func TestQuantile(t *testing.T) {
	type q interface{ Quantile(float64) float64 }
	cases := []struct {
		d    Random
		want q
	}{
		{Beta(2, 6), distuv.Beta{Alpha: 2, Beta: 6}},
		{Beta(0.5, 0.5), distuv.Beta{Alpha: 0.5, Beta: 0.5}},
		{Random{Kind: "uniform", A: -1, B: 3}, distuv.Uniform{Min: -1, Max: 3}},
		{Random{Kind: "normal", A: 0, B: 1}, distuv.Normal{Mu: 0, Sigma: 1}},
		{Random{Kind: "normal", A: 3, B: 0.1}, distuv.Normal{Mu: 3, Sigma: 0.1}},
		{Random{Kind: "lognormal", A: 0, B: 0.5}, distuv.LogNormal{Mu: 0, Sigma: 0.5}},
		{Random{Kind: "lognormal", A: 1, B: 2}, distuv.LogNormal{Mu: 1, Sigma: 2}},
	}
	for _, c := range cases {
		prev := math.Inf(-1)
		for _, p := range []float64{1e-10, 1e-6, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1 - 1e-6} {
			got, want := c.d.Quantile(p), c.want.Quantile(p)
			if math.Abs(got-want) > 1e-12*math.Abs(want) && math.Abs(got-want) > 1e-14 {
				t.Errorf("%s p %g: %.17g, gonum %.17g", c.d, p, got, want)
			}
			if got < prev {
				t.Errorf("%s: not monotonic at p %g", c.d, p)
			}
			prev = got
		}
	}
}
