package problem

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"mcfem/dist"
	"mcfem/fem"
	"mcfem/mesh"
	"mcfem/sparse"
)

// Tutorial is the problem of the Kratos/PyCOMPSs Monte Carlo tutorial (SPEC.md):
//
//	−Δu = ε f(x, y)  on Ω,   u = 0 on ∂Ω,   f = −432 (x² + y² − x − y),   ε ~ Dist,
//	QoI = Σ_nodes (lumped nodal area × u) ≈ ∫_Ω u.
//
// On the unit square its continuum solution is u = 216 ε x(1−x) y(1−y), so QoI = 6ε: this
// file is the one place that knows it. On any other domain (a mesh file of another shape, a
// Dirichlet boundary that is not the whole ∂Ω) or with mesh properties it does not model
// (a CONDUCTIVITY other than 1) the problem is still solved, and knows no exact value.
//
// The matrix does not depend on the sample: K, the load shape F_i = ∫ f φ_i and the areas
// are set up once; a sample's load is ε·F.
type Tutorial struct {
	spec    Spec
	sys     *fem.System
	notes   []string // why the continuum solution does not apply ("" notes: it does)
	exact   bool
	seconds float64
}

// referenceNote and referenceLabel describe the exact values of the tutorial's QoI.
const (
	referenceNote  = "continuum QoI = 6ε; the discrete QoI differs by O(h²)"
	referenceLabel = "exact (6ε)"
)

func newTutorial(s Spec) (*Tutorial, error) {
	t0 := time.Now()
	m := s.Mesh
	if m == nil {
		var err error
		if m, err = mesh.UnitSquare(s.Cells); err != nil {
			return nil, err
		}
	}
	sys, err := fem.NewSystem(m, source)
	if err != nil {
		return nil, err
	}
	p := &Tutorial{spec: s, sys: sys, seconds: time.Since(t0).Seconds()}
	p.notes = unmodelled(s.MDPA)
	if s.Mesh != nil {
		if why := unitSquareDomain(m); why != "" {
			p.notes = append(p.notes, why)
		}
	}
	p.exact = len(p.notes) == 0
	if !p.exact {
		p.notes = append(p.notes, "no exact value is known for this problem: the report has no exact column")
	}
	return p, nil
}

// source is the tutorial's f(x, y) = −432 (x² + y² − x − y); with it, −Δu = ε f on [0,1]² with
// u = 0 on the boundary has the solution u = 216 ε x(1−x) y(1−y), whose integral is 6ε.
func source(x, y float64) float64 {
	return -432 * (float64(x*x) + float64(y*y) - x - y)
}

// unmodelled lists the Properties values of a mesh file that the tutorial's problem (κ = 1)
// does not model: anything but CONDUCTIVITY 1.
func unmodelled(info *mesh.MDPAInfo) []string {
	if info == nil {
		return nil
	}
	var out []string
	for _, pr := range info.Properties {
		if v, err := strconv.ParseFloat(pr.Value, 64); pr.Key == "CONDUCTIVITY" && err == nil && v == 1 {
			continue
		}
		out = append(out, fmt.Sprintf("Properties %d, line %d: %s %s is not modelled (this problem has κ = 1)", pr.ID, pr.Line, pr.Key, pr.Value))
	}
	return out
}

// unitSquareDomain returns "" when m covers the unit square [0,1]² with its Dirichlet nodes
// exactly on the square's boundary (u = 0 on all of ∂Ω, as the tutorial has it), else what
// differs.
func unitSquareDomain(m *mesh.Mesh) string {
	xmin, xmax, ymin, ymax := m.Bounds()
	if xmin != 0 || xmax != 1 || ymin != 0 || ymax != 1 {
		return fmt.Sprintf("the mesh covers [%g, %g]×[%g, %g], not the unit square", xmin, xmax, ymin, ymax)
	}
	// The area of [0,1]², summed over the triangles: rounding leaves it within n·ε of 1.
	if a := m.Area(); math.Abs(a-1) > 1e-12 {
		return fmt.Sprintf("the mesh's triangles cover an area of %.15g, not the unit square's 1", a)
	}
	for v, on := range m.OnOuterEdges() {
		switch {
		case on && !m.Boundary[v]:
			return fmt.Sprintf("node %d lies on the domain's boundary but is not a Dirichlet node (u = 0 on part of ∂Ω only)", v)
		case !on && m.Boundary[v]:
			return fmt.Sprintf("node %d inside the domain is a Dirichlet node", v)
		}
	}
	return ""
}

// Info implements Problem.
func (p *Tutorial) Info() Info {
	s, m := p.spec, p.sys.Mesh
	name := fmt.Sprintf("unit square %d×%d", s.Cells, s.Cells)
	if s.Mesh != nil {
		b := s.Boundary
		if b == "" {
			b = "outer edges"
		}
		name = fmt.Sprintf("%s (boundary %s, RCM node order)", s.MeshFile, b)
	}
	info := Info{Model: s.Model, Dist: s.Dist, Mesh: name, QoI: "sum over nodes of lumped nodal area times u",
		Nodes: m.NumNodes(), Tris: m.NumTris(), Notes: p.notes}
	if s.Mesh == nil {
		info.Cells = s.Cells
	} else {
		info.MeshFile, info.Boundary = s.MeshFile, s.Boundary
	}
	return info
}

// InputNames implements Problem: the one scalar input ε, "eps" in samples.csv.
func (p *Tutorial) InputNames() []string { return []string{"eps"} }

// QoINames implements Problem.
func (p *Tutorial) QoINames() []string { return []string{"qoi"} }

// NewInputs implements Problem.
func (p *Tutorial) NewInputs() *Inputs { return &Inputs{Values: make([]float64, 1)} }

// Draw implements Problem: ε from the distribution.
func (p *Tutorial) Draw(i int, src rand.Source, in *Inputs) { in.Values[0] = p.spec.Dist.Draw(i, src) }

// Samples implements Problem.
func (p *Tutorial) Samples() int { return p.spec.Dist.Len() }

// System implements Problem.
func (p *Tutorial) System() *fem.System { return p.sys }

// Varying implements Problem: K does not depend on ε.
func (p *Tutorial) Varying() bool { return false }

// SetupSeconds implements Problem.
func (p *Tutorial) SetupSeconds() float64 { return p.seconds }

// NewSampler implements Problem.
func (p *Tutorial) NewSampler() Sampler { return tutorialSampler{p.sys} }

// Exact implements Problem: on the unit square with u = 0 on ∂Ω and κ = 1, QoI = 6ε exactly
// in the continuum, so its statistics are those of 6ε (NaN for a list of values).
func (p *Tutorial) Exact() (Exact, bool) {
	if !p.exact {
		return Exact{}, false
	}
	d := p.spec.Dist
	e := Exact{Note: referenceNote, Label: referenceLabel,
		Mean: 6 * d.Mean(), Variance: 36 * d.Variance(), StdDev: 6 * math.Sqrt(d.Variance()),
		Skewness: d.Skewness(), ExKurtosis: d.ExKurtosis(),
		QoIs: func(in *Inputs, q []float64) { q[0] = 6 * in.Values[0] }}
	if pdf := d.PDF(); pdf != nil {
		e.Density = func(q float64) float64 { return pdf(q/6) / 6 }
	}
	if qf, ok := d.(quantiler); ok {
		e.Quantile = func(p float64) float64 { return 6 * qf.Quantile(p) }
	}
	if m := d.Mean(); !math.IsNaN(m) && !math.IsInf(m, 0) {
		e.MeanInputs = func(in *Inputs) { in.Values[0] = m } // K is fixed, the load ε·F: Q_h is linear in ε
	}
	if cdf := dist.CDF(d); cdf != nil {
		e.CDF = func(q float64) float64 { return cdf(q / 6) }
	}
	return e, true
}

// unknownExact is the exact block of a problem that perturbs the tutorial's (the random
// field): the tutorial's note, no values. summary.json has always shown it so.
func unknownExact() Exact {
	nan := math.NaN()
	return Exact{Note: referenceNote, Label: referenceLabel, Mean: nan, Variance: nan, StdDev: nan, Skewness: nan, ExKurtosis: nan}
}

// Reused implements Problem.
func (p *Tutorial) Reused(solverSetup string) []string {
	return []string{"mesh", "CSR pattern and scatter map", "stiffness matrix K", solverSetup, "load shape F_i = ∫ f φ_i"}
}

// tutorialSampler loads ε·F and sums the lumped areas; it shares the read-only system.
type tutorialSampler struct{ sys *fem.System }

func (s tutorialSampler) Matrix(*Inputs) (*sparse.CSR, error) { return s.sys.K, nil }

func (s tutorialSampler) Load(in *Inputs, b []float64, k, j int) {
	s.sys.LoadColumn(in.Values[0], b, k, j)
}

func (s tutorialSampler) QoIs(_ *Inputs, u []float64, k, j int, q []float64) {
	q[0] = s.sys.QoIColumn(u, k, j)
}
