package dist

// CDF returns d's distribution function (gonum's: its last bits may differ between builds, so
// it only draws plots), nil for a list of values.
func CDF(d Dist) func(float64) float64 {
	if r, ok := d.(Random); ok {
		return families[r.Kind].cdf(r.A, r.B)
	}
	return nil
}
