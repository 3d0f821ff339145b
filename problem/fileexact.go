package problem

import (
	"math"

	"mcfem/problemfile"
)

// exactQoIs writes the QoIs of the manufactured solution u = File.Exact for the inputs in
// (the field, if any, at ξ = 0): an integral by Radon's rule over the part's triangles (or
// Gauss over its edges), a point value, the largest nodal value, and the flux −∫ κ ∂u/∂n ds
// with ∂u/∂n by central differences (step 1e-5 of the mesh's size: an error near 1e-10).
// The discrete QoIs converge to these at the discretisation's order. A value that is not
// finite is NaN.
func (p *FileProblem) exactQoIs(in *Inputs, q []float64) {
	m := p.sys.Mesh
	e := p.f.Exact
	vars := problemfile.Vars{Inputs: in.Values}
	u := func(x, y float64) float64 { vars.X, vars.Y = x, y; return e.Eval(&vars) }
	for n := range p.qois {
		fq := &p.qois[n]
		var v float64
		var err error
		switch fq.q.Kind {
		case problemfile.QoIIntegral, problemfile.QoIAverage:
			pt := p.parts[fq.q.Part]
			if len(pt.Tris) > 0 {
				v, err = p.sys.Integrate(pt.Tris, u)
			} else {
				v, err = p.sys.IntegrateEdges(fq.edges, func(x, y float64, _ int) float64 { return u(x, y) })
			}
			if fq.q.Kind == problemfile.QoIAverage {
				v /= fq.measure
			}
		case problemfile.QoIPoint:
			v = u(fq.q.Point[0], fq.q.Point[1])
		case problemfile.QoIMax:
			v = math.Inf(-1)
			for _, node := range fq.nodes {
				v = max(v, u(m.Coords[2*node], m.Coords[2*node+1]))
			}
		case problemfile.QoIFlux:
			v, err = p.exactFlux(fq, in, u)
		}
		if err != nil {
			v = math.NaN()
		}
		q[n] = v
	}
}

// exactFlux returns −∫ κ ∂u/∂n ds over the QoI's boundary edges (counter-clockwise, so the
// outward normal of edge a→b is (dy, −dx)/length).
func (p *FileProblem) exactFlux(fq *fileQoI, in *Inputs, u func(x, y float64) float64) (float64, error) {
	m := p.sys.Mesh
	xmin, xmax, ymin, ymax := m.Bounds()
	h := 1e-5 * max(xmax-xmin, ymax-ymin)
	tris := edgeTriangles(m.Tri, fq.edges)
	own, err := p.meshConductivity()
	if err != nil {
		return 0, err
	}
	kv := problemfile.Vars{Inputs: in.Values}
	kappa := func(x, y float64, t int32) float64 {
		if p.f.Conductivity == nil {
			return own[t]
		}
		kv.X, kv.Y, kv.Conductivity = x, y, own[t]
		return p.f.Conductivity.Eval(&kv)
	}
	return p.sys.IntegrateEdges(fq.edges, func(x, y float64, e int) float64 {
		a, b := fq.edges[e][0], fq.edges[e][1]
		dx, dy := m.Coords[2*b]-m.Coords[2*a], m.Coords[2*b+1]-m.Coords[2*a+1]
		l := edgeLength(m, fq.edges[e])
		nx, ny := dy/l, -dx/l
		hx, hy := float64(h*nx), float64(h*ny) // rounded: no multiply-add
		dudn := (u(x+hx, y+hy) - u(x-hx, y-hy)) / (2 * h)
		return -kappa(x, y, tris[e]) * dudn
	})
}

// edgeTriangles returns the triangle of each outer edge.
func edgeTriangles(tri []int32, edges [][2]int32) []int32 {
	key := func(a, b int32) [2]int32 { return [2]int32{min(a, b), max(a, b)} }
	want := make(map[[2]int32]int, len(edges))
	for e, ab := range edges {
		want[key(ab[0], ab[1])] = e
	}
	out := make([]int32, len(edges))
	for t := range len(tri) / 3 {
		c := tri[3*t : 3*t+3]
		for a := range 3 {
			if e, ok := want[key(c[a], c[(a+1)%3])]; ok {
				out[e] = int32(t)
			}
		}
	}
	return out
}
