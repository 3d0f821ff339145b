package detmath

// BinomialCDF returns P(B ≤ k) for B ~ Binomial(n, p): 0 for k < 0, 1 for k ≥ n, else the
// regularized incomplete beta function I_{1−p}(n − k, k + 1) (Abramowitz and Stegun 26.5.24),
// computed by this package's incbet on every build with the same bits.
func BinomialCDF(k, n int64, p float64) float64 {
	switch {
	case k < 0:
		return 0
	case k >= n:
		return 1
	case p <= 0:
		return 1
	case p >= 1:
		return 0
	}
	return incbet(float64(n-k), float64(k+1), 1-p)
}
