package dist

// Quantile returns the p-quantile (the inverse of the distribution function) for 0 < p < 1,
// computed by detmath, so that its bits are the same on every build: designs other than
// plain Monte Carlo map their uniform points through it.
func (d Random) Quantile(p float64) float64 { return families[d.Kind].quantile(d.A, d.B, p) }
