package fem

import (
	"fmt"
	"math"
)

// Source is a right-hand-side function f(x, y).
type Source func(x, y float64) float64

const (
	errLoadLen     = "fem: Load vector length does not match the number of unknowns"
	errEdgeNode    = "fem: EdgeLoad edge node index out of range"
	errRestrictLen = "fem: Restrict needs len(dst) = unknowns and len(nodal) = nodes"
)

// quadPoint is a quadrature point in barycentric coordinates l with weight w.
type quadPoint struct {
	l [3]float64
	w float64
}

// radon is Radon's 7-point degree-5 rule on a triangle (Stroud T2:5-1): barycentric points and
// weights that sum to 1 (multiply by the area). It integrates polynomials of degree ≤ 5
// exactly, so ∫ f φ_i is exact for f of degree ≤ 4 (φ_i is linear).
//
//	centroid (1/3, 1/3, 1/3)                                 weight 9/40
//	(a, a, 1-2a) and permutations, a = (6 - √15)/21          weight (155 - √15)/1200
//	(a, a, 1-2a) and permutations, a = (6 + √15)/21          weight (155 + √15)/1200
var radon = func() (q [7]quadPoint) {
	s := math.Sqrt(15)
	a1, a2 := (6-s)/21, (6+s)/21
	b1, b2 := 1-2*a1, 1-2*a2
	w1, w2 := (155-s)/1200, (155+s)/1200
	q[0].l, q[0].w = [3]float64{1.0 / 3, 1.0 / 3, 1.0 / 3}, 9.0/40
	q[1].l, q[1].w = [3]float64{a1, a1, b1}, w1
	q[2].l, q[2].w = [3]float64{a1, b1, a1}, w1
	q[3].l, q[3].w = [3]float64{b1, a1, a1}, w1
	q[4].l, q[4].w = [3]float64{a2, a2, b2}, w2
	q[5].l, q[5].w = [3]float64{a2, b2, a2}, w2
	q[6].l, q[6].w = [3]float64{b2, a2, a2}, w2
	return q
}()

// assembleLoad sets F_i = ∫ f φ_i for every unknown: the restriction of NodalLoad(f).
func (s *System) assembleLoad(f Source) error {
	nodal, err := s.NodalLoad(f)
	if err != nil {
		return err
	}
	s.F = make([]float64, len(s.Node))
	s.Restrict(s.F, nodal)
	return nil
}

// NodalLoad returns ∫ f φ_v for every node v of the mesh, Dirichlet nodes included, with
// Radon's rule on every triangle (exact for f of degree ≤ 4), summed per node in triangle
// order. Its restriction to the unknowns (Restrict) is F for the source f, bit for bit: F is
// computed by this loop. Error: f not finite at a quadrature point (the message names the
// point and the triangle). A nil f panics. Set-up: it allocates its result.
func (s *System) NodalLoad(f Source) ([]float64, error) {
	if f == nil {
		panic(errNilSource)
	}
	m := s.Mesh
	nodal := make([]float64, m.NumNodes())
	for t := range m.NumTris() {
		tri := m.Tri[3*t : 3*t+3]
		var x, y [3]float64
		for a, v := range tri {
			x[a], y[a] = m.Coords[2*v], m.Coords[2*v+1]
		}
		area := m.SignedArea(t)
		var fe [3]float64
		for _, q := range radon {
			px := float64(q.l[0]*x[0]) + float64(q.l[1]*x[1]) + float64(q.l[2]*x[2])
			py := float64(q.l[0]*y[0]) + float64(q.l[1]*y[1]) + float64(q.l[2]*y[2])
			fv := f(px, py)
			if math.IsNaN(fv) || math.IsInf(fv, 0) {
				return nil, fmt.Errorf("fem: source is not finite at (%g, %g) in triangle %d: f = %g", px, py, t, fv)
			}
			for a := range 3 {
				fe[a] += float64(q.w * fv * q.l[a])
			}
		}
		for a, v := range tri {
			nodal[v] += float64(area * fe[a])
		}
	}
	return nodal, nil
}

// gaussLegendre3 is the 3-point Gauss–Legendre rule on an edge: the points as the weights
// (l0, l1) of the edge's two ends, and weights that sum to 1 (multiply by the length). It
// integrates polynomials of degree ≤ 5 exactly, so ∫ g φ ds is exact for g of degree ≤ 4.
//
//	t = 1/2 ∓ √(3/5)/2   weight 5/18
//	t = 1/2              weight 8/18
var gaussLegendre3 = func() (q [3]edgePoint) {
	r := math.Sqrt(3.0 / 5)
	q[0].l, q[0].w = [2]float64{(1 + r) / 2, (1 - r) / 2}, 5.0/18
	q[1].l, q[1].w = [2]float64{0.5, 0.5}, 8.0/18
	q[2].l, q[2].w = [2]float64{(1 - r) / 2, (1 + r) / 2}, 5.0/18
	return q
}()

// edgePoint is a quadrature point on an edge, as the weights l of its two ends, with weight w.
type edgePoint struct {
	l [2]float64
	w float64
}

// EdgeLoad returns, for every node v of the mesh, the boundary load ∫ g φ_v ds over the edges
// (pairs of node indices, as Mesh.BoundaryEdges gives them; the orientation does not matter),
// with the 3-point Gauss–Legendre rule on every edge (exact for g of degree ≤ 4 along the
// edge), summed per node in edge order. For a Neumann condition κ ∂u/∂n = g on a part, it is
// the part's contribution to the load: ∫_Ω f φ_v + ∫_part g φ_v ds.
//
// Error: g not finite at a quadrature point (the message names the point and the edge). A nil
// g or a node index out of range panics. Set-up: it allocates its result.
func (s *System) EdgeLoad(edges [][2]int32, g Source) ([]float64, error) {
	if g == nil {
		panic(errNilSource)
	}
	m := s.Mesh
	nn := m.NumNodes()
	nodal := make([]float64, nn)
	for e, ends := range edges {
		a, b := ends[0], ends[1]
		if a < 0 || int(a) >= nn || b < 0 || int(b) >= nn {
			panic(errEdgeNode)
		}
		x0, y0 := m.Coords[2*a], m.Coords[2*a+1]
		x1, y1 := m.Coords[2*b], m.Coords[2*b+1]
		dx, dy := x1-x0, y1-y0
		length := math.Sqrt(float64(dx*dx) + float64(dy*dy))
		var fe [2]float64
		for _, q := range gaussLegendre3 {
			px := float64(q.l[0]*x0) + float64(q.l[1]*x1)
			py := float64(q.l[0]*y0) + float64(q.l[1]*y1)
			gv := g(px, py)
			if math.IsNaN(gv) || math.IsInf(gv, 0) {
				return nil, fmt.Errorf("fem: boundary data is not finite at (%g, %g) on edge %d (nodes %d, %d): g = %g", px, py, e, a, b, gv)
			}
			fe[0] += float64(q.w * gv * q.l[0])
			fe[1] += float64(q.w * gv * q.l[1])
		}
		nodal[a] += float64(length * fe[0])
		nodal[b] += float64(length * fe[1])
	}
	return nodal, nil
}

// Restrict writes the values of a per-node vector at the unknowns: dst[i] = nodal[Node[i]].
// It panics on a length mismatch and allocates nothing.
func (s *System) Restrict(dst, nodal []float64) {
	if len(dst) != len(s.Node) || len(nodal) != len(s.Dof) {
		panic(errRestrictLen)
	}
	for i, v := range s.Node {
		dst[i] = nodal[v]
	}
}

// Load writes b = eps·F (the load for source eps·f). It panics if len(b) is not the number of
// unknowns. It allocates nothing.
func (s *System) Load(eps float64, b []float64) {
	if len(b) != len(s.F) {
		panic(errLoadLen)
	}
	s.LoadColumn(eps, b, 1, 0)
}

// LoadColumn writes column j of k interleaved load vectors, b[i·k+j] = eps·F_i. It panics if
// len(b) is not k times the number of unknowns or j is not in [0, k). It allocates nothing.
func (s *System) LoadColumn(eps float64, b []float64, k, j int) {
	if k < 1 || j < 0 || j >= k || len(b) != k*len(s.F) {
		panic(errLoadLen)
	}
	for i, f := range s.F {
		b[i*k+j] = eps * f
	}
}

// Integrate returns ∫ f over the triangles tris with Radon's rule (exact for f of degree ≤ 5),
// summed in the order of tris: a reference value (an exact solution's integral), not a load.
// Error: f not finite at a quadrature point.
func (s *System) Integrate(tris []int32, f Source) (float64, error) {
	m := s.Mesh
	var sum float64
	for _, t := range tris {
		tri := m.Tri[3*t : 3*t+3]
		var x, y [3]float64
		for a, v := range tri {
			x[a], y[a] = m.Coords[2*v], m.Coords[2*v+1]
		}
		var ft float64
		for _, q := range radon {
			px := float64(q.l[0]*x[0]) + float64(q.l[1]*x[1]) + float64(q.l[2]*x[2])
			py := float64(q.l[0]*y[0]) + float64(q.l[1]*y[1]) + float64(q.l[2]*y[2])
			fv := f(px, py)
			if math.IsNaN(fv) || math.IsInf(fv, 0) {
				return 0, fmt.Errorf("fem: not finite at (%g, %g) in triangle %d: %g", px, py, t, fv)
			}
			ft += float64(q.w * fv)
		}
		sum += float64(m.SignedArea(int(t)) * ft)
	}
	return sum, nil
}

// IntegrateEdges returns Σ_e ∫_e g(x, y, e) ds over the edges with the 3-point Gauss–Legendre
// rule (exact for g of degree ≤ 5 along an edge); g also receives the edge's index (a flux
// needs the edge's normal). Error: g not finite at a quadrature point.
func (s *System) IntegrateEdges(edges [][2]int32, g func(x, y float64, e int) float64) (float64, error) {
	m := s.Mesh
	var sum float64
	for e, ends := range edges {
		a, b := ends[0], ends[1]
		x0, y0 := m.Coords[2*a], m.Coords[2*a+1]
		x1, y1 := m.Coords[2*b], m.Coords[2*b+1]
		dx, dy := x1-x0, y1-y0
		var ge float64
		for _, q := range gaussLegendre3 {
			px := float64(q.l[0]*x0) + float64(q.l[1]*x1)
			py := float64(q.l[0]*y0) + float64(q.l[1]*y1)
			gv := g(px, py, e)
			if math.IsNaN(gv) || math.IsInf(gv, 0) {
				return 0, fmt.Errorf("fem: not finite at (%g, %g) on edge %d: %g", px, py, e, gv)
			}
			ge += float64(q.w * gv)
		}
		sum += float64(math.Sqrt(float64(dx*dx)+float64(dy*dy)) * ge)
	}
	return sum, nil
}
