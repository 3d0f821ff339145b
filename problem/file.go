package problem

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"mcfem/dist"
	"mcfem/fem"
	"mcfem/field"
	"mcfem/mesh"
	"mcfem/problemfile"
)

// FileProblem is the problem of a problem file (problemfile.File):
//
//	−∇·(κ∇u) = f  in Ω,   u = g_D on the Dirichlet parts,   κ ∂u/∂n = g_N on the Neumann parts,
//
// with κ, f, g_D and g_N expressions in x, y and the named random inputs ξ, affine in ξ:
// κ = κ₀(x) + Σ_k ξ_k κ_k(x) (times the log-normal field exp(g) when the file has one), and
// the same for f, g_D and g_N. The expressions are evaluated once, at set-up: κ at the triangle
// centroids, f at Radon's seven points per triangle, g_N at three Gauss points per edge, g_D
// at the nodes. The affine pieces of every input are precomputed, so a sample costs
// O(terms · unknowns) for its load and, when κ is random, O(terms · triangles) for its
// matrix, with no allocation.
//
// When κ does not depend on the sample, K (with κ₀) is assembled once and the Dirichlet data's
// lifting −K_fd g_D is folded into the load pieces. When it does, each sample assembles its K
// from its κ, checks that κ > 0 at every triangle (else the sample fails with ErrNotSPD), and
// lifts its own Dirichlet data.
type FileProblem struct {
	spec  Spec
	f     *problemfile.File
	sys   *fem.System
	parts map[string]*mesh.Part
	kl    *field.KL
	basis []float64   // the KL basis at the centroids, triangles × terms
	dists []dist.Dist // the inputs' distributions, in file order

	kappa0 []float64 // κ₀ per triangle, nil when it is 1 everywhere
	kappaT []term    // κ_k per triangle for the inputs κ depends on
	// load0 + Σ ξ_k loadT[k] is the load over the unknowns: the restricted volume and Neumann
	// loads, lifted (when κ is fixed) by the Dirichlet data. nil load0: zero.
	load0 []float64
	loadT []term
	// ud0 + Σ ξ_k udT[k] are the Dirichlet values per node; ud0 nil and no udT: zero.
	ud0 []float64
	udT []term
	// The volume load per node, for the flux QoIs (nil when there is none).
	fvol0 []float64
	fvolT []term
	// liftEach: κ is random and the Dirichlet data are not zero: each sample lifts its own.
	liftEach bool
	// The load pieces before lifting, over the unknowns (liftEach only).
	rest0 []float64
	restT []term

	qois    []fileQoI
	flux    bool // some QoI is a flux: samplers compute the reactions
	nodal   bool // some QoI needs u at every node
	notes   []string
	meshMsg string
	seconds float64
}

// term is the affine piece of one input: ξ_in times v.
type term struct {
	in int
	v  []float64
}

// fileQoI is one QoI, set up.
type fileQoI struct {
	q        problemfile.QoI
	wDof     []float64 // integral, average: the weight of every unknown
	dirNodes []int32   // integral, average: the Dirichlet nodes with a weight, and
	dirW     []float64 // their weights
	measure  float64   // average: Σ weights
	nodes    []int32   // max, flux: the part's nodes
	tri      [3]int32  // point: the triangle's corners and
	bary     [3]float64
	edges    [][2]int32 // flux and integrals over boundary parts: the part's boundary edges
	what     string     // for the report
}

// newFileProblem sets up the problem of s.File.
func newFileProblem(s Spec) (*FileProblem, error) {
	t0 := time.Now()
	f := s.File
	p := &FileProblem{spec: s, f: f}
	p.dists = p.Dists()
	m, err := p.mesh()
	if err != nil {
		return nil, err
	}
	if err := p.dirichletNodes(m); err != nil {
		return nil, err
	}
	// The system's own load is not used: the pieces below are.
	if p.sys, err = fem.NewSystem(m, func(float64, float64) float64 { return 0 }); err != nil {
		return nil, f.Errorf(f.Mesh.Line, "mesh", "%v", err)
	}
	if f.Field != nil {
		if p.kl, err = field.NewKL(*f.Field); err != nil {
			return nil, f.Errorf(0, "field", "%v", err)
		}
		p.basis = p.kl.Basis(field.Centroids(m.Coords, m.Tri))
	}
	steps := []func() error{p.conductivity, p.dirichletValues, p.loads, p.setUpQoIs}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	p.seconds = time.Since(t0).Seconds()
	return p, nil
}

// CheckDirichlet checks, before any set-up, that every connected part of the spec's mesh
// file holds a node of the problem file's Dirichlet parts (mesh.CheckDirichlet), with the
// *problemfile.Error that New would return: a caller can refuse the problem once, before
// starting the ranks that each set it up. The side parts (left, …, boundary) are computed only
// when a Dirichlet condition names one. Nothing is checked without a problem file or a mesh
// file (the unit square is connected, and a problem file has a Dirichlet part), nor when a
// Dirichlet part does not exist or has no node: New says so.
func (s Spec) CheckDirichlet() error {
	if s.File == nil || s.Mesh == nil {
		return nil
	}
	named := map[string]*mesh.Part{}
	if s.MDPA != nil {
		for i := range s.MDPA.Parts {
			named[s.MDPA.Parts[i].Name] = &s.MDPA.Parts[i]
		}
	}
	var box []mesh.Part
	dir := make([]bool, s.Mesh.NumNodes())
	for _, bc := range s.File.Boundary {
		if bc.Kind != problemfile.Dirichlet {
			continue
		}
		pt, ok := named[bc.Part]
		if !ok || bc.Part == problemfile.Domain { // a part of the mesh's box, as in mesh()
			if box == nil {
				box = mesh.BoxParts(s.Mesh)
			}
			i := slices.IndexFunc(box, func(p mesh.Part) bool { return p.Name == bc.Part })
			if i < 0 {
				return nil
			}
			pt = &box[i]
		}
		if len(pt.Nodes) == 0 {
			return nil
		}
		for _, v := range pt.Nodes {
			dir[v] = true
		}
	}
	return (&FileProblem{spec: s, f: s.File}).checkDirichlet(s.Mesh, dir)
}

// checkDirichlet checks that every connected part of m has a node with dir set, naming the
// elements of a part without one by the mesh file's ids (the triangle order is kept by the
// node renumbering and followed through refinements; node ids are not).
func (p *FileProblem) checkDirichlet(m *mesh.Mesh, dir []bool) error {
	var ids mesh.IDs
	s, where := p.spec, p.meshMsg
	if s.MDPA != nil {
		ids.Elements = fileElementIDs(s.MDPA.ElementIDs, m.NumTris())
	}
	switch {
	case s.MeshFile != "":
		where = s.MeshFile
	case where == "":
		where = "the mesh"
	}
	if err := m.CheckDirichlet(dir, ids); err != nil {
		return p.f.Errorf(0, "boundary", "%s: %v", where, err)
	}
	return nil
}

// mesh returns the problem's mesh (a copy whose Boundary the Dirichlet parts will set) and
// sets p.parts: the mesh file's sub-model-parts, then the box parts (left, right, bottom,
// top, boundary, domain) whose names no sub-model-part takes; domain is always every triangle.
func (p *FileProblem) mesh() (*mesh.Mesh, error) {
	s := p.spec
	var src *mesh.Mesh
	if s.Mesh != nil {
		src = s.Mesh
		p.meshMsg = fmt.Sprintf("%s (RCM node order)", s.MeshFile)
	} else {
		var err error
		if src, err = mesh.UnitSquare(s.Cells); err != nil {
			return nil, p.f.Errorf(p.f.Mesh.Line, "mesh.square", "%v", err)
		}
		p.meshMsg = fmt.Sprintf("unit square %d×%d", s.Cells, s.Cells)
	}
	m := &mesh.Mesh{Coords: src.Coords, Tri: src.Tri, Boundary: make([]bool, src.NumNodes())}
	p.parts = map[string]*mesh.Part{}
	if s.MDPA != nil {
		for i := range s.MDPA.Parts {
			p.parts[s.MDPA.Parts[i].Name] = &s.MDPA.Parts[i]
		}
	}
	for _, bp := range mesh.BoxParts(m) {
		if _, taken := p.parts[bp.Name]; !taken || bp.Name == problemfile.Domain {
			p.parts[bp.Name] = &bp
		}
	}
	return m, nil
}

// part returns the part called name, or an error at line and key listing the parts.
func (p *FileProblem) part(name string, line int, key string) (*mesh.Part, error) {
	if pt, ok := p.parts[name]; ok {
		return pt, nil
	}
	names := make([]string, 0, len(p.parts))
	for n := range p.parts {
		names = append(names, n)
	}
	slices.Sort(names)
	return nil, p.f.Errorf(line, key, "no part %q in %s (parts: %s)", name, p.meshMsg, strings.Join(names, ", "))
}

// dirichletNodes marks the nodes of the Dirichlet parts as m's boundary.
func (p *FileProblem) dirichletNodes(m *mesh.Mesh) error {
	for _, bc := range p.f.Boundary {
		key := "boundary." + bc.Part
		pt, err := p.part(bc.Part, bc.Line, key)
		if err != nil {
			return err
		}
		switch bc.Kind {
		case problemfile.Dirichlet:
			if len(pt.Nodes) == 0 {
				return p.f.Errorf(bc.Line, key, "part %q has no node: a Dirichlet condition needs nodes", bc.Part)
			}
			for _, v := range pt.Nodes {
				m.Boundary[v] = true
			}
		case problemfile.Neumann:
			if len(m.BoundaryEdges(pt.Nodes)) == 0 {
				return p.f.Errorf(bc.Line, key, "part %q has no boundary edge (two of its nodes on an outer edge): a Neumann flux needs one", bc.Part)
			}
		}
	}
	if !slices.Contains(m.Boundary, false) {
		return p.f.Errorf(0, "boundary", "every node of %s is a Dirichlet node: nothing to solve", p.meshMsg)
	}
	// Every connected part of the mesh needs a Dirichlet node, or its solution is not
	// determined (and CG breaks down on it).
	return p.checkDirichlet(m, m.Boundary)
}

// fileElementIDs returns, per triangle of a mesh of nt triangles made from a mesh file's
// elements by zero or more refinements (mesh.Refine: the children of triangle t are 4t to
// 4t+3), the id of the file's element it lies in; nil when nt is no such count.
func fileElementIDs(ids []int, nt int) []int {
	if len(ids) == 0 {
		return nil
	}
	div := 1
	for len(ids)*div < nt {
		div *= 4
	}
	if len(ids)*div != nt {
		return nil
	}
	if div == 1 {
		return ids
	}
	out := make([]int, nt)
	for t := range out {
		out[t] = ids[t/div]
	}
	return out
}

// inputsUsed returns the indices of the inputs e uses.
func (p *FileProblem) inputsUsed(e *problemfile.Expr) []int {
	var used []int
	for k, in := range p.f.Inputs {
		if e != nil && e.Uses(in.Name) {
			used = append(used, k)
		}
	}
	return used
}

// checkAffine checks at a point that eval (the expression at the point for given inputs) is
// affine in the inputs used: its value at −e_k, 2e_k and at (1, …, 1) against the pieces'.
func (p *FileProblem) checkAffine(e *problemfile.Expr, used []int, eval func(in []float64) float64, where string) error {
	n := len(p.f.Inputs)
	in := make([]float64, n)
	v0 := eval(in)
	vk := make([]float64, len(used))
	scale := math.Abs(v0)
	for i, k := range used {
		in[k] = 1
		vk[i] = eval(in) - v0
		in[k] = 0
		scale += math.Abs(vk[i])
	}
	tol := float64(1e-9*scale) + 1e-300
	for i, k := range used {
		for _, c := range []float64{-1, 2} {
			in[k] = c
			got, want := eval(in), v0+float64(c*vk[i])
			in[k] = 0
			if !(math.Abs(got-want) <= tol) {
				return p.f.Errorf(e.Line, e.Key, "%q is not affine in %s: at %s it is %g for %s = %g, not %g (mcfem assembles each sample from affine pieces: write it as a0(x, y) + %s·a1(x, y))",
					e.Text, p.f.Inputs[k].Name, where, got, p.f.Inputs[k].Name, c, want, p.f.Inputs[k].Name)
			}
		}
	}
	if len(used) > 1 {
		sum := v0
		for i, k := range used {
			in[k] = 1
			sum += vk[i]
		}
		if got := eval(in); !(math.Abs(got-sum) <= tol) {
			return p.f.Errorf(e.Line, e.Key, "%q is not affine in the inputs: at %s it is %g with every input 1, not %g (products of inputs are not affine)", e.Text, where, got, sum)
		}
	}
	return nil
}

// meshConductivity returns the mesh's own conductivity per triangle: the .mdpa's CONDUCTIVITY
// of the triangle's property (1 when its Properties block has none, or for the structured
// mesh), with notes on where it came from.
func (p *FileProblem) meshConductivity() ([]float64, error) {
	nt := p.sys.Mesh.NumTris()
	c := make([]float64, nt)
	for t := range c {
		c[t] = 1
	}
	info := p.spec.MDPA
	if info == nil {
		return c, nil
	}
	byID := map[int]float64{}
	for _, pr := range info.Properties {
		if pr.Key != "CONDUCTIVITY" {
			p.notes = append(p.notes, fmt.Sprintf("%s, Properties %d, line %d: %s %s does not enter the stationary diffusion problem", p.spec.MeshFile, pr.ID, pr.Line, pr.Key, pr.Value))
			continue
		}
		v, err := strconv.ParseFloat(pr.Value, 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return nil, &problemfile.Error{File: p.spec.MeshFile, Line: pr.Line, Key: fmt.Sprintf("Properties %d: CONDUCTIVITY", pr.ID),
				Msg: fmt.Sprintf("%q: want a number > 0", pr.Value)}
		}
		byID[pr.ID] = v
	}
	seen := map[int]bool{}
	for t, id := range info.ElementProperties {
		v, ok := byID[id]
		if !seen[id] {
			seen[id] = true
			if ok {
				p.notes = append(p.notes, fmt.Sprintf("κ of the elements of property %d: CONDUCTIVITY %g from %s", id, v, p.spec.MeshFile))
			} else {
				p.notes = append(p.notes, fmt.Sprintf("κ of the elements of property %d: 1 (the tutorial's value): %s gives it no CONDUCTIVITY", id, p.spec.MeshFile))
			}
		}
		if ok {
			c[t] = v
		}
	}
	return c, nil
}

// conductivity sets κ₀ and its pieces at the centroids, and assembles K when κ is fixed.
func (p *FileProblem) conductivity() error {
	m := p.sys.Mesh
	own, err := p.meshConductivity()
	if err != nil {
		return err
	}
	e := p.f.Conductivity
	nt := m.NumTris()
	cx := field.Centroids(m.Coords, m.Tri)
	vars := problemfile.Vars{Inputs: make([]float64, len(p.f.Inputs))}
	evalAt := func(t int, in []float64) float64 {
		if e == nil {
			return own[t]
		}
		vars.X, vars.Y, vars.Conductivity = cx[2*t], cx[2*t+1], own[t]
		copy(vars.Inputs, in)
		return e.Eval(&vars)
	}
	used := p.inputsUsed(e)
	zero := make([]float64, len(p.f.Inputs))
	p.kappa0 = make([]float64, nt)
	for t := range nt {
		p.kappa0[t] = evalAt(t, zero)
	}
	for _, k := range used {
		v := make([]float64, nt)
		zero[k] = 1
		for t := range nt {
			v[t] = evalAt(t, zero) - p.kappa0[t]
		}
		zero[k] = 0
		p.kappaT = append(p.kappaT, term{k, v})
	}
	for t := range nt {
		if t < 64 && len(used) > 0 {
			if err := p.checkAffine(e, used, func(in []float64) float64 { return evalAt(t, in) }, centroid(cx, t)); err != nil {
				return err
			}
		}
		ok := !math.IsNaN(p.kappa0[t]) && !math.IsInf(p.kappa0[t], 0)
		for _, tm := range p.kappaT {
			ok = ok && !math.IsNaN(tm.v[t]) && !math.IsInf(tm.v[t], 0)
		}
		if !ok || len(used) == 0 && !(p.kappa0[t] > 0) {
			key, line, text := "conductivity", 0, "the mesh's CONDUCTIVITY"
			if e != nil {
				key, line, text = e.Key, e.Line, strconv.Quote(e.Text)
			}
			return p.f.Errorf(line, key, "%s is %g at %s: want a finite conductivity > 0", text, p.kappa0[t], centroid(cx, t))
		}
	}
	if len(used) == 0 && !slices.ContainsFunc(p.kappa0, func(v float64) bool { return v != 1 }) {
		p.kappa0 = nil // κ = 1: K is the system's as assembled
	}
	if !p.Varying() && p.kappa0 != nil {
		p.sys.AssembleStiffness(p.kappa0)
	}
	return nil
}

// centroid describes the centroid of triangle t (cx: the centroids), for messages.
func centroid(cx []float64, t int) string {
	return fmt.Sprintf("(%g, %g) (the centroid of triangle %d)", cx[2*t], cx[2*t+1], t)
}

// dirichletValues sets the Dirichlet values per node: the last Dirichlet part in the file
// that holds a node gives its value.
func (p *FileProblem) dirichletValues() error {
	m := p.sys.Mesh
	nn, ni := m.NumNodes(), len(p.f.Inputs)
	udT := map[int][]float64{} // the inputs any Dirichlet value uses
	for _, bc := range p.f.Boundary {
		if bc.Kind == problemfile.Dirichlet {
			for _, k := range p.inputsUsed(bc.Value) {
				if udT[k] == nil {
					udT[k] = make([]float64, nn)
				}
			}
		}
	}
	ud0 := make([]float64, nn)
	vars := problemfile.Vars{Inputs: make([]float64, ni)}
	in := make([]float64, ni)
	for _, bc := range p.f.Boundary {
		if bc.Kind != problemfile.Dirichlet {
			continue
		}
		e := bc.Value
		used := p.inputsUsed(e)
		for i, v := range p.parts[bc.Part].Nodes {
			vars.X, vars.Y = m.Coords[2*v], m.Coords[2*v+1]
			eval := func(in []float64) float64 { copy(vars.Inputs, in); return e.Eval(&vars) }
			where := fmt.Sprintf("node (%g, %g)", vars.X, vars.Y)
			if i < 64 && len(used) > 0 {
				if err := p.checkAffine(e, used, eval, where); err != nil {
					return err
				}
			}
			clear(in)
			ud0[v] = eval(in)
			if err := finite(p.f, e, ud0[v], where); err != nil {
				return err
			}
			for k, piece := range udT {
				piece[v] = 0
				if slices.Contains(used, k) {
					in[k] = 1
					piece[v] = eval(in) - ud0[v]
					in[k] = 0
					if err := finite(p.f, e, piece[v], where); err != nil {
						return err
					}
				}
			}
		}
	}
	if slices.ContainsFunc(ud0, func(v float64) bool { return v != 0 }) {
		p.ud0 = ud0
	}
	p.udT = sortedTerms(udT)
	return nil
}

// sortedTerms returns the pieces of a map by input, in input order.
func sortedTerms(m map[int][]float64) []term {
	var out []term
	for k, v := range m {
		out = append(out, term{k, v})
	}
	slices.SortFunc(out, func(a, b term) int { return a.in - b.in })
	return out
}

// finite returns an error when v, a value of e at where, is not finite.
func finite(f *problemfile.File, e *problemfile.Expr, v float64, where string) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return f.Errorf(e.Line, e.Key, "%q is %g at %s: want a finite value", e.Text, v, where)
	}
	return nil
}

// nodalPieces integrates an expression by load (NodalLoad or an EdgeLoad), as value at ξ = 0
// plus one piece per input it uses, and adds them into the per-node pieces at0 and byIn.
func (p *FileProblem) nodalPieces(e *problemfile.Expr, load func(fem.Source) ([]float64, error), at0 *[]float64, byIn map[int][]float64) error {
	ni := len(p.f.Inputs)
	used := p.inputsUsed(e)
	zero, in := make([]float64, ni), make([]float64, ni)
	v0, vk := problemfile.Vars{Inputs: zero}, problemfile.Vars{Inputs: in}
	checked := 0
	var affineErr error
	f0 := func(x, y float64) float64 {
		if checked < 64 && len(used) > 0 && affineErr == nil {
			checked++
			at := func(c []float64) float64 { return e.Eval(&problemfile.Vars{X: x, Y: y, Inputs: c}) }
			affineErr = p.checkAffine(e, used, at, fmt.Sprintf("(%g, %g)", x, y))
		}
		v0.X, v0.Y = x, y
		return e.Eval(&v0)
	}
	nodal0, err := load(f0)
	if affineErr != nil {
		return affineErr
	}
	if err != nil {
		return p.f.Errorf(e.Line, e.Key, "%q: %v", e.Text, err)
	}
	addInto(at0, nodal0)
	for _, k := range used {
		clear(in)
		in[k] = 1
		fk := func(x, y float64) float64 {
			v0.X, v0.Y, vk.X, vk.Y = x, y, x, y
			return e.Eval(&vk) - e.Eval(&v0)
		}
		nodalK, err := load(fk)
		if err != nil {
			return p.f.Errorf(e.Line, e.Key, "%q: %v", e.Text, err)
		}
		cur := byIn[k]
		addInto(&cur, nodalK)
		byIn[k] = cur
	}
	return nil
}

// addInto adds v into *dst (taking v itself when *dst is nil).
func addInto(dst *[]float64, v []float64) {
	if *dst == nil {
		*dst = v
		return
	}
	for i := range v {
		(*dst)[i] += v[i]
	}
}

// loads sets the load pieces: the volume load of f, the Neumann loads of g_N, restricted to
// the unknowns and, when κ is fixed, lifted by the Dirichlet data.
func (p *FileProblem) loads() error {
	sys := p.sys
	var nodal0 []float64
	nodalT := map[int][]float64{}
	if e := p.f.Source; e != nil {
		if err := p.nodalPieces(e, sys.NodalLoad, &nodal0, nodalT); err != nil {
			return err
		}
	}
	if p.needsFlux() { // the volume load alone, before the Neumann loads are added
		p.fvol0 = cloneOrZero(nodal0, sys.Mesh.NumNodes())
		for k, v := range nodalT {
			p.fvolT = append(p.fvolT, term{k, slices.Clone(v)})
		}
		slices.SortFunc(p.fvolT, func(a, b term) int { return a.in - b.in })
	}
	for _, bc := range p.f.Boundary {
		if bc.Kind != problemfile.Neumann {
			continue
		}
		edges := sys.Mesh.BoundaryEdges(p.parts[bc.Part].Nodes)
		load := func(g fem.Source) ([]float64, error) { return sys.EdgeLoad(edges, g) }
		if err := p.nodalPieces(bc.Value, load, &nodal0, nodalT); err != nil {
			return err
		}
	}
	n := len(sys.Node)
	restrict := func(v []float64) []float64 {
		if v == nil {
			return nil
		}
		r := make([]float64, n)
		sys.Restrict(r, v)
		return r
	}
	rest0 := restrict(nodal0)
	restT := map[int][]float64{}
	for k, v := range nodalT {
		restT[k] = restrict(v)
	}
	hasUD := p.ud0 != nil || len(p.udT) > 0
	if p.Varying() && hasUD {
		p.liftEach = true
		p.rest0, p.restT = rest0, sortedTerms(restT)
		return nil
	}
	// κ is fixed: lift each Dirichlet piece into its load piece.
	if p.ud0 != nil {
		if rest0 == nil {
			rest0 = make([]float64, n)
		}
		sys.Lift(rest0, p.kappa0, p.ud0)
	}
	for _, tm := range p.udT {
		if restT[tm.in] == nil {
			restT[tm.in] = make([]float64, n)
		}
		sys.Lift(restT[tm.in], p.kappa0, tm.v)
	}
	if rest0 != nil && slices.ContainsFunc(rest0, func(v float64) bool { return v != 0 }) {
		p.load0 = rest0
	}
	p.loadT = sortedTerms(restT)
	return nil
}

// cloneOrZero returns a copy of v, or n zeros when v is nil.
func cloneOrZero(v []float64, n int) []float64 {
	if v == nil {
		return make([]float64, n)
	}
	return slices.Clone(v)
}

// needsFlux reports whether a QoI is a flux.
func (p *FileProblem) needsFlux() bool {
	return slices.ContainsFunc(p.f.QoIs, func(q problemfile.QoI) bool { return q.Kind == problemfile.QoIFlux })
}
