package problem

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"mcfem/detmath"
	"mcfem/dist"
	"mcfem/fem"
	"mcfem/sparse"
)

// Info implements Problem.
func (p *FileProblem) Info() Info {
	m := p.sys.Mesh
	info := Info{Model: "file", Mesh: p.meshMsg, Nodes: m.NumNodes(), Tris: m.NumTris(), Notes: p.notes}
	if p.spec.Mesh == nil {
		info.Cells = p.spec.Cells
	} else {
		info.MeshFile = p.spec.MeshFile
	}
	if len(p.f.Inputs) > 0 {
		info.Dist = p.f.Inputs[0].Dist
	}
	if fp := p.f.Field; fp != nil {
		info.Field = fmt.Sprintf("sigma %g, lambda %g, terms %d", fp.Sigma, fp.Lambda, fp.Terms)
	}
	whats := make([]string, len(p.qois))
	for i, q := range p.qois {
		whats[i] = q.q.Name + ": " + q.what
	}
	info.QoI = strings.Join(whats, "; ")
	return info
}

// InputNames implements Problem: the file's inputs, in its order.
func (p *FileProblem) InputNames() []string { return p.f.InputNames() }

// QoINames implements Problem: the file's QoIs, in its order.
func (p *FileProblem) QoINames() []string { return p.f.QoINames() }

// Inputs returns the file's inputs with their distributions (for reports).
func (p *FileProblem) Dists() []dist.Dist {
	d := make([]dist.Dist, len(p.f.Inputs))
	for k, in := range p.f.Inputs {
		d[k] = in.Dist
	}
	return d
}

// NewInputs implements Problem: the scalar inputs and the field's coefficients.
func (p *FileProblem) NewInputs() *Inputs {
	in := &Inputs{Values: make([]float64, len(p.f.Inputs))}
	if p.kl != nil {
		in.Coeffs = make([]float64, p.kl.Terms())
	}
	return in
}

// Draw implements Problem: the inputs in file order, then the field's ξ_k ~ N(0, 1), from
// the sample's stream.
func (p *FileProblem) Draw(i int, src rand.Source, in *Inputs) {
	for k, input := range p.f.Inputs {
		in.Values[k] = input.Dist.Draw(i, src)
	}
	for k := range in.Coeffs {
		in.Coeffs[k] = detmath.NormFloat64(src)
	}
}

// Samples implements Problem: the length of the list inputs (they have one length), else 0.
func (p *FileProblem) Samples() int {
	for _, in := range p.f.Inputs {
		if n := in.Dist.Len(); n > 0 {
			return n
		}
	}
	return 0
}

// System implements Problem.
func (p *FileProblem) System() *fem.System { return p.sys }

// Varying implements Problem: K depends on the sample when κ depends on an input or the
// field.
func (p *FileProblem) Varying() bool { return len(p.kappaT) > 0 || p.kl != nil }

// SetupSeconds implements Problem.
func (p *FileProblem) SetupSeconds() float64 { return p.seconds }

// Reused implements Problem.
func (p *FileProblem) Reused(solverSetup string) []string {
	r := []string{"mesh and parts", "CSR pattern and scatter map", "element matrices"}
	if !p.Varying() {
		r = append(r, "stiffness matrix K", solverSetup)
	}
	pieces := len(p.loadT) + len(p.restT)
	if p.load0 != nil || p.rest0 != nil {
		pieces++
	}
	r = append(r, fmt.Sprintf("the load's affine pieces (%d) over the unknowns", pieces))
	if p.Varying() {
		per := fmt.Sprintf("κ's pieces at the centroids (%d)", len(p.kappaT)+1)
		if p.kl != nil {
			per += fmt.Sprintf(", the KL basis (%d terms)", p.kl.Terms())
		}
		r = append(r, per+"; per sample: κ, the numeric assembly of K and the "+solverSetup)
	}
	return r
}

// Exact implements Problem. With a manufactured solution ("exact") the QoIs of one input are
// known (verify). When moreover the file has one random input and no field, and the first
// QoI's exact value is affine in that input, Q = a + b·ξ, its distribution is ξ's mapped:
// the exact statistics and density (the tutorial's 6ε is one).
func (p *FileProblem) Exact() (Exact, bool) {
	if p.f.Exact == nil {
		return Exact{}, false
	}
	e := Exact{QoIs: p.exactQoIs}
	if len(p.f.Inputs) != 1 || p.kl != nil {
		return e, false
	}
	q := make([]float64, len(p.qois))
	at := func(x float64) float64 {
		p.exactQoIs(&Inputs{Values: []float64{x}}, q)
		return q[0]
	}
	a, b := at(0), at(1)-at(0)
	for _, x := range []float64{-1, 2} {
		if got := at(x); !(math.Abs(got-(a+float64(x*b))) <= 1e-12*(math.Abs(a)+math.Abs(b))) {
			return e, false
		}
	}
	d, name := p.f.Inputs[0].Dist, p.f.Inputs[0].Name
	e.Label = fmt.Sprintf("exact (%.10g·%s)", b, name)
	if a != 0 {
		e.Label = fmt.Sprintf("exact (%.10g + %.10g·%s)", a, b, name)
	}
	e.Note = fmt.Sprintf("continuum %s = %s from the manufactured solution u = %s (mcfem verify -problem checks it); the discrete QoI differs by O(h²)",
		p.qois[0].q.Name, strings.TrimSuffix(strings.TrimPrefix(e.Label, "exact ("), ")"), p.f.Exact.Text)
	e.Mean = a + float64(b*d.Mean())
	e.Variance = float64(b*b) * d.Variance()
	e.StdDev = math.Abs(b) * math.Sqrt(d.Variance())
	e.Skewness = math.Copysign(1, b) * d.Skewness()
	e.ExKurtosis = d.ExKurtosis()
	if pdf := d.PDF(); pdf != nil && b != 0 {
		e.Density = func(x float64) float64 { return pdf((x-a)/b) / math.Abs(b) }
	}
	if qf, ok := d.(quantiler); ok && b != 0 {
		e.Quantile = func(p float64) float64 {
			if b < 0 {
				p = 1 - p
			}
			return a + float64(b*qf.Quantile(p))
		}
	}
	return e, true
}

// NewSampler implements Problem.
func (p *FileProblem) NewSampler() Sampler {
	m := p.sys.Mesh
	s := &fileSampler{p: p, sys: p.sys}
	if p.Varying() {
		s.sys = p.sys.WithOwnValues()
		s.kappa = make([]float64, m.NumTris())
		if p.kl != nil {
			s.g = make([]float64, m.NumTris())
		}
	}
	if len(p.udT) > 0 {
		s.ud = make([]float64, m.NumNodes())
	}
	if p.nodal || p.flux {
		s.nodal = make([]float64, m.NumNodes())
	}
	if p.flux {
		s.r = make([]float64, m.NumNodes())
		if len(p.fvolT) > 0 {
			s.fvol = make([]float64, m.NumNodes())
		}
	}
	if p.liftEach {
		s.b = make([]float64, len(p.sys.Node))
	}
	return s
}

// fileSampler is one worker's state: its K (when κ varies), κ, Dirichlet values, solution at
// the nodes and reactions.
type fileSampler struct {
	p     *FileProblem
	sys   *fem.System
	kappa []float64 // the sample's κ per triangle (Varying)
	g     []float64 // the field's exp(g) per triangle
	ud    []float64 // the sample's Dirichlet values (random Dirichlet data)
	nodal []float64 // the solution at every node
	r     []float64 // the reactions
	fvol  []float64 // the sample's volume load per node (random, flux QoIs)
	b     []float64 // the load before lifting (liftEach)
}

// combine writes dst[i] = v0[i] + Σ_t in[t.in]·t.v[i] for every i (v0 nil: 0), each product
// rounded before it is added (no fused multiply-add, so every build gives the same bits).
func combine(dst, v0 []float64, terms []term, in []float64) {
	switch {
	case v0 != nil:
		copy(dst, v0)
	case len(terms) > 0:
		x, v := in[terms[0].in], terms[0].v
		for i := range dst {
			dst[i] = x * v[i]
		}
		terms = terms[1:]
	default:
		clear(dst)
	}
	for _, t := range terms {
		x, v := in[t.in], t.v
		for i := range dst {
			dst[i] += float64(x * v[i])
		}
	}
}

// kappaOf sets s.kappa to the sample's κ per triangle and reports the first triangle where it
// is not positive and finite.
func (s *fileSampler) kappaOf(in *Inputs) error {
	p := s.p
	if p.kappa0 == nil {
		for t := range s.kappa {
			s.kappa[t] = 1
		}
		for _, t := range p.kappaT {
			x := in.Values[t.in]
			for i := range s.kappa {
				s.kappa[i] += float64(x * t.v[i])
			}
		}
	} else {
		combine(s.kappa, p.kappa0, p.kappaT, in.Values)
	}
	if p.kl != nil {
		p.kl.Kappa(s.g, p.basis, in.Coeffs)
		for t, g := range s.g {
			s.kappa[t] *= g
		}
	}
	for t, k := range s.kappa {
		if !(k > 0) || math.IsInf(k, 0) {
			return fmt.Errorf("%w: κ = %g at triangle %d", ErrNotSPD, k, t)
		}
	}
	return nil
}

// Matrix implements Sampler: the shared K, or the sample's, assembled from its κ.
func (s *fileSampler) Matrix(in *Inputs) (*sparse.CSR, error) {
	if !s.p.Varying() {
		return s.sys.K, nil
	}
	if err := s.kappaOf(in); err != nil {
		return nil, err
	}
	s.sys.AssembleStiffness(s.kappa)
	return s.sys.K, nil
}

// dirichlet returns the sample's Dirichlet values per node (nil: zero).
func (s *fileSampler) dirichlet(in *Inputs) []float64 {
	p := s.p
	if len(p.udT) == 0 {
		return p.ud0
	}
	combine(s.ud, p.ud0, p.udT, in.Values)
	return s.ud
}

// Load implements Sampler: load0 + Σ ξ_k loadT_k, or, when each sample lifts its own
// Dirichlet data, the unlifted pieces minus K_fd(κ) g_D.
func (s *fileSampler) Load(in *Inputs, b []float64, k, j int) {
	p := s.p
	if p.liftEach {
		combine(s.b, p.rest0, p.restT, in.Values)
		// Matrix has set s.kappa for this sample (a varying problem solves one sample at a time).
		s.sys.Lift(s.b, s.kappa, s.dirichlet(in))
		for i, v := range s.b {
			b[i*k+j] = v
		}
		return
	}
	x := in.Values
	for i := range p.sys.Node {
		var v float64
		t := p.loadT
		switch {
		case p.load0 != nil:
			v = p.load0[i]
		case len(t) > 0:
			v, t = x[t[0].in]*t[0].v[i], t[1:]
		}
		for _, tm := range t {
			v += float64(x[tm.in] * tm.v[i])
		}
		b[i*k+j] = v
	}
}

// QoIs implements Sampler.
func (s *fileSampler) QoIs(in *Inputs, u []float64, k, j int, q []float64) {
	p := s.p
	ud := s.dirichlet(in)
	if s.nodal != nil {
		s.sys.Expand(s.nodal, u, k, j, ud)
	}
	if p.flux {
		fvol := p.fvol0
		if s.fvol != nil {
			combine(s.fvol, p.fvol0, p.fvolT, in.Values)
			fvol = s.fvol
		}
		kappa := p.kappa0
		if p.Varying() {
			kappa = s.kappa
		}
		s.sys.Reactions(s.r, kappa, s.nodal, fvol)
	}
	for n := range p.qois {
		q[n] = p.qois[n].value(u, k, j, s.nodal, ud, s.r)
	}
}
