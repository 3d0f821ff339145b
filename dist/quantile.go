package dist

import "mcfem/detmath"

// Quantile returns the p-quantile (the inverse of the distribution function) for 0 < p < 1,
// computed by detmath, so that its bits are the same on every build: designs other than
// plain Monte Carlo map their uniform points through it.
func (d Random) Quantile(p float64) float64 {
	switch d.Kind {
	case "beta":
		return detmath.BetaQuantile(d.A, d.B, p)
	case "uniform":
		return d.A + float64((d.B-d.A)*p)
	case "normal":
		return d.A + float64(d.B*detmath.NormalQuantile(p))
	case "lognormal":
		return detmath.Exp(d.A + float64(d.B*detmath.NormalQuantile(p)))
	}
	panic("dist: Quantile of an unknown kind " + d.Kind)
}
