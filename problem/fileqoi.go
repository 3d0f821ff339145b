package problem

import (
	"fmt"
	"math"

	"mcfem/mesh"
	"mcfem/problemfile"
)

// setUpQoIs checks the QoIs' parts and points against the mesh and precomputes what each
// needs: the weights of an integral, the triangle and barycentric coordinates of a point.
func (p *FileProblem) setUpQoIs() error {
	m := p.sys.Mesh
	for _, q := range p.f.QoIs {
		key := "qoi." + q.Name
		fq := fileQoI{q: q}
		var pt *mesh.Part
		if q.Kind != problemfile.QoIPoint {
			var err error
			if pt, err = p.part(q.Part, q.Line, key); err != nil {
				return err
			}
		}
		switch q.Kind {
		case problemfile.QoIIntegral, problemfile.QoIAverage:
			if err := p.weights(&fq, pt, key); err != nil {
				return err
			}
		case problemfile.QoIPoint:
			t, l, ok := m.Locate(q.Point[0], q.Point[1])
			if !ok {
				xmin, xmax, ymin, ymax := m.Bounds()
				return p.f.Errorf(q.Line, key, "the point (%g, %g) is outside the mesh (%s, within [%g, %g]×[%g, %g])",
					q.Point[0], q.Point[1], p.meshMsg, xmin, xmax, ymin, ymax)
			}
			copy(fq.tri[:], m.Tri[3*t:3*t+3])
			fq.bary = l
			fq.what = fmt.Sprintf("u at (%g, %g)", q.Point[0], q.Point[1])
		case problemfile.QoIMax:
			if len(pt.Nodes) == 0 {
				return p.f.Errorf(q.Line, key, "part %q has no node", q.Part)
			}
			fq.nodes = pt.Nodes
			fq.what = fmt.Sprintf("max of u over the nodes of %s", q.Part)
		case problemfile.QoIFlux:
			fq.edges = m.BoundaryEdges(pt.Nodes)
			if len(fq.edges) == 0 {
				return p.f.Errorf(q.Line, key, "part %q has no boundary edge (two of its nodes on an outer edge): no flux goes through it", q.Part)
			}
			fq.nodes = pt.Nodes
			fq.what = fmt.Sprintf("heat flux out through %s (−∫ κ ∂u/∂n, from the reactions)", q.Part)
			p.flux = true
		}
		p.nodal = p.nodal || q.Kind != problemfile.QoIIntegral && q.Kind != problemfile.QoIAverage
		p.qois = append(p.qois, fq)
	}
	return nil
}

// weights sets the lumped weights of an integral over pt: its triangles' lumped nodal areas
// or, for a part of nodes only, the halves of its boundary edges' lengths (trapezoidal rule).
func (p *FileProblem) weights(fq *fileQoI, pt *mesh.Part, key string) error {
	sys, m := p.sys, p.sys.Mesh
	var w []float64
	switch {
	case len(pt.Tris) > 0:
		w = sys.PartWeights(pt.Tris)
		fq.what = fmt.Sprintf("∫ u over %s (lumped nodal areas)", pt.Name)
	default:
		fq.edges = m.BoundaryEdges(pt.Nodes)
		if len(fq.edges) == 0 {
			return p.f.Errorf(fq.q.Line, key, "part %q has neither elements nor boundary edges to integrate over", pt.Name)
		}
		w = make([]float64, m.NumNodes())
		for _, e := range fq.edges {
			h := float64(edgeLength(m, e) / 2) // rounded: / 2 is a product that could fuse with +=
			w[e[0]] += h
			w[e[1]] += h
		}
		fq.what = fmt.Sprintf("∫ u ds over the boundary edges of %s (trapezoidal rule)", pt.Name)
	}
	if fq.q.Kind == problemfile.QoIAverage {
		fq.what = "average of u: " + fq.what + " over its measure"
	}
	fq.wDof = make([]float64, len(sys.Node))
	for i, v := range sys.Node {
		fq.wDof[i] = w[v]
	}
	for v, wv := range w {
		fq.measure += wv
		if sys.Dof[v] < 0 && wv != 0 {
			fq.dirNodes, fq.dirW = append(fq.dirNodes, int32(v)), append(fq.dirW, wv)
		}
	}
	return nil
}

// edgeLength is the length of the edge e of m.
func edgeLength(m *mesh.Mesh, e [2]int32) float64 {
	dx := m.Coords[2*e[1]] - m.Coords[2*e[0]]
	dy := m.Coords[2*e[1]+1] - m.Coords[2*e[0]+1]
	return math.Sqrt(float64(dx*dx) + float64(dy*dy)) // rounded products: no multiply-add
}

// value returns QoI q of a sample: u is column j of k interleaved solutions over the unknowns,
// nodal the solution at every node (filled when p.nodal), ud the sample's Dirichlet values
// (nil: zero), r the reactions (filled when p.flux).
func (fq *fileQoI) value(u []float64, k, j int, nodal, ud, r []float64) float64 {
	switch fq.q.Kind {
	case problemfile.QoIIntegral, problemfile.QoIAverage:
		var s float64
		for i, w := range fq.wDof {
			s += float64(w * u[i*k+j])
		}
		if ud != nil {
			for n, v := range fq.dirNodes {
				s += float64(fq.dirW[n] * ud[v])
			}
		}
		if fq.q.Kind == problemfile.QoIAverage {
			s /= fq.measure
		}
		return s
	case problemfile.QoIPoint:
		return float64(fq.bary[0]*nodal[fq.tri[0]]) + float64(fq.bary[1]*nodal[fq.tri[1]]) + float64(fq.bary[2]*nodal[fq.tri[2]])
	case problemfile.QoIMax:
		mx := math.Inf(-1)
		for _, v := range fq.nodes {
			mx = max(mx, nodal[v])
		}
		return mx
	default: // flux
		var s float64
		for _, v := range fq.nodes {
			s += r[v]
		}
		return s
	}
}
