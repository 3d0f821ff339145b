package problem

import (
	"fmt"
	"math/rand/v2"
	"time"

	"mcfem/detmath"
	"mcfem/fem"
	"mcfem/field"
	"mcfem/sparse"
)

// LogNormalField is the tutorial's problem with a random diffusivity, the standard elliptic
// benchmark of multilevel Monte Carlo:
//
//	−∇·(κ∇u) = ε f,   κ = exp(g),   g = Σ_k √μ_k ξ_k φ_k   (field.KL, ξ_k ~ N(0, 1)),
//
// with the tutorial's source, boundary, ε and QoI. Every sample has its own κ, hence its own
// stiffness matrix, assembled by the worker's Sampler into its own copy of K's values from
// the KL basis evaluated once at the triangle centroids. No closed form of the QoI is known.
type LogNormalField struct {
	*Tutorial
	kl    *field.KL
	basis []float64 // the KL basis at the triangle centroids, triangles × terms
}

func newLogNormalField(t *Tutorial) (*LogNormalField, error) {
	t0 := time.Now()
	kl, err := field.NewKL(t.spec.Field)
	if err != nil {
		return nil, fmt.Errorf("problem: %w", err)
	}
	m := t.sys.Mesh
	p := &LogNormalField{Tutorial: t, kl: kl, basis: kl.Basis(field.Centroids(m.Coords, m.Tri))}
	p.seconds += time.Since(t0).Seconds()
	return p, nil
}

// Info implements Problem.
func (p *LogNormalField) Info() Info {
	info := p.Tutorial.Info()
	f := p.spec.Field
	info.Field = fmt.Sprintf("sigma %g, lambda %g, terms %d", f.Sigma, f.Lambda, f.Terms)
	return info
}

// NewInputs implements Problem: ε and the KL coefficients.
func (p *LogNormalField) NewInputs() *Inputs {
	return &Inputs{Values: make([]float64, 1), Coeffs: make([]float64, p.kl.Terms())}
}

// Draw implements Problem: ε first (the same draw as the tutorial's), then ξ_k ~ N(0, 1)
// from the same stream.
func (p *LogNormalField) Draw(i int, src rand.Source, in *Inputs) {
	p.Tutorial.Draw(i, src, in)
	for k := range in.Coeffs {
		in.Coeffs[k] = detmath.NormFloat64(src)
	}
}

// Varying implements Problem: K depends on ξ.
func (p *LogNormalField) Varying() bool { return true }

// Exact implements Problem: no closed form; the report keeps the tutorial's note with
// unknown values.
func (p *LogNormalField) Exact() (Exact, bool) { return unknownExact(), false }

// Reused implements Problem.
func (p *LogNormalField) Reused(solverSetup string) []string {
	return []string{"mesh", "CSR pattern and scatter map", "load shape F_i = ∫ f φ_i",
		fmt.Sprintf("KL expansion (%d terms) and its basis at the triangle centroids; per sample: κ, the numeric assembly of K and the %s", p.kl.Terms(), solverSetup)}
}

// NewSampler implements Problem: a worker assembles into its own copy of K's values.
func (p *LogNormalField) NewSampler() Sampler {
	sys := p.sys.WithOwnValues()
	return &fieldSampler{p: p, sys: sys, tutorialSampler: tutorialSampler{sys}, kappa: make([]float64, sys.Mesh.NumTris())}
}

// fieldSampler assembles each sample's K from its κ.
type fieldSampler struct {
	tutorialSampler
	p     *LogNormalField
	sys   *fem.System
	kappa []float64
}

func (s *fieldSampler) Matrix(in *Inputs) (*sparse.CSR, error) {
	s.p.kl.Kappa(s.kappa, s.p.basis, in.Coeffs)
	s.sys.AssembleStiffness(s.kappa)
	return s.sys.K, nil
}
