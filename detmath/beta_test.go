package detmath

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestBetaQuantile (its code by a helper of issue 15's session, reviewed): against gonum's distuv.Beta.Quantile (Cephes' incbi) to 1e-12 relative
// where gonum converges, the round trip through gonum's CDF, and monotonicity in p.
func TestBetaQuantile(t *testing.T) {
	ps := []float64{1e-10, 1e-6, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1 - 1e-6}
	for _, ab := range [][2]float64{{2, 6}, {0.5, 0.5}, {0.3, 4}, {5, 1.2}, {50, 80}, {1, 1}, {2, 2}} {
		d := distuv.Beta{Alpha: ab[0], Beta: ab[1]}
		prev := 0.0
		for _, p := range ps {
			got := BetaQuantile(ab[0], ab[1], p)
			want := d.Quantile(p)
			if math.Abs(got-want) > 1e-12*math.Max(math.Abs(want), 1e-300) && math.Abs(got-want) > 1e-14 {
				t.Errorf("Beta(%g, %g) p %g: %.17g, gonum %.17g", ab[0], ab[1], p, got, want)
			}
			// The round trip is as good as x's resolution: the CDF moves by density × ulp
			// between neighbouring doubles (2e-11 at Beta(0.5, 0.5)'s p = 1 − 1e-6).
			tol := math.Max(1e-12*math.Max(p, 1e-3), 4*d.Prob(got)*(math.Nextafter(got, 2)-got))
			if c := d.CDF(got); math.Abs(c-p) > tol && math.Abs(c-p) > 1e-13 {
				t.Errorf("Beta(%g, %g) p %g: CDF(quantile) = %.17g", ab[0], ab[1], p, c)
			}
			if got < prev {
				t.Errorf("Beta(%g, %g): not monotonic at p %g", ab[0], ab[1], p)
			}
			prev = got
		}
	}
}
