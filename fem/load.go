package fem

import (
	"fmt"
	"math"
)

// Source is a right-hand-side function f(x, y).
type Source func(x, y float64) float64

const errLoadLen = "fem: Load vector length does not match the number of unknowns"

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

// assembleLoad computes F_i = ∫ f φ_i with the radon rule on every triangle.
func (s *System) assembleLoad(f Source) error {
	m := s.Mesh
	s.F = make([]float64, len(s.Node))
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
				return fmt.Errorf("fem: source is not finite at (%g, %g) in triangle %d: f = %g", px, py, t, fv)
			}
			for a := range 3 {
				fe[a] += float64(q.w * fv * q.l[a])
			}
		}
		for a, v := range tri {
			if i := s.Dof[v]; i >= 0 {
				s.F[i] += float64(area * fe[a])
			}
		}
	}
	return nil
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
