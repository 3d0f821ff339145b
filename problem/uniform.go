package problem

import (
	"fmt"

	"mcfem/detmath"
	"mcfem/dist"
)

// Designs other than plain Monte Carlo (quasi-Monte Carlo, Latin hypercubes) give a sample a
// point u of the unit cube, one coordinate per random scalar: the problem's random inputs in
// order, then the random field's KL coefficients. Each input's value is its quantile at its
// coordinate (the inverse-CDF transform), ξ_k = Φ⁻¹(u_k) for the field: the same
// distribution as Draw's, with the design's structure.

// quantiler is a distribution with a quantile function (dist.Random; a list has none).
type quantiler interface{ Quantile(p float64) float64 }

// dimsOf returns the random scalars of the inputs ds followed by terms field coefficients, or
// an error naming the first input without a quantile function.
func dimsOf(names []string, ds []dist.Dist, terms int) (int, error) {
	for k, d := range ds {
		if _, ok := d.(quantiler); !ok {
			return 0, fmt.Errorf("input %s (%s) has no quantile function: a design other than plain Monte Carlo maps uniform points by the inputs' quantiles", names[k], d)
		}
	}
	return len(ds) + terms, nil
}

// fromUniform sets values[k] to the quantile of ds[k] at u[k], and coeffs[k] to the standard
// normal quantile at u[len(ds)+k].
func fromUniform(ds []dist.Dist, u, values, coeffs []float64) {
	for k, d := range ds {
		values[k] = d.(quantiler).Quantile(u[k])
	}
	for k := range coeffs {
		coeffs[k] = detmath.NormalQuantile(u[len(ds)+k])
	}
}

// Dims implements Problem: ε.
func (p *Tutorial) Dims() (int, error) {
	return dimsOf(p.InputNames(), []dist.Dist{p.spec.Dist}, 0)
}

// FromUniform implements Problem.
func (p *Tutorial) FromUniform(u []float64, in *Inputs) {
	fromUniform([]dist.Dist{p.spec.Dist}, u, in.Values, nil)
}

// Dims implements Problem: ε, then the KL coefficients.
func (p *LogNormalField) Dims() (int, error) {
	return dimsOf(p.InputNames(), []dist.Dist{p.spec.Dist}, p.kl.Terms())
}

// FromUniform implements Problem.
func (p *LogNormalField) FromUniform(u []float64, in *Inputs) {
	fromUniform([]dist.Dist{p.spec.Dist}, u, in.Values, in.Coeffs)
}

// Dims implements Problem: the inputs in file order, then the field's coefficients.
func (p *FileProblem) Dims() (int, error) {
	terms := 0
	if p.kl != nil {
		terms = p.kl.Terms()
	}
	return dimsOf(p.InputNames(), p.dists, terms)
}

// FromUniform implements Problem.
func (p *FileProblem) FromUniform(u []float64, in *Inputs) {
	fromUniform(p.dists, u, in.Values, in.Coeffs)
}
