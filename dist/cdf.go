package dist

import "gonum.org/v1/gonum/stat/distuv"

// CDF returns d's distribution function (gonum's: its last bits may differ between builds, so
// it only draws plots), nil for a list of values.
func CDF(d Dist) func(float64) float64 {
	r, ok := d.(Random)
	if !ok {
		return nil
	}
	switch r.Kind {
	case "beta":
		return distuv.Beta{Alpha: r.A, Beta: r.B}.CDF
	case "uniform":
		return distuv.Uniform{Min: r.A, Max: r.B}.CDF
	case "normal":
		return distuv.Normal{Mu: r.A, Sigma: r.B}.CDF
	case "lognormal":
		return distuv.LogNormal{Mu: r.A, Sigma: r.B}.CDF
	}
	return nil
}
