package mesh

import "math"

// Exact geometric predicates for the mesh checks (check.go, overlap.go): the sign of an
// orientation determinant, right whatever the rounding, so that the checks never disagree with
// themselves about which side of a line a point is on (a sweep whose comparisons contradict
// each other can miss an intersection or report one that is not there).

// orientErrBound is Shewchuk's ccwerrboundA, (3 + 16ε)ε with ε = 2⁻⁵³: when the determinant
// computed in floating point exceeds this times the sum of its two products' magnitudes, its
// sign is right (J. R. Shewchuk, Adaptive Precision Floating-Point Arithmetic and Fast Robust
// Geometric Predicates, 1997).
const orientErrBound = (3 + 16*0x1p-53) * 0x1p-53

// orient returns the sign of
//
//	(ax−cx)(by−cy) − (ay−cy)(bx−cx)
//
// computed exactly: +1 when a, b, c turn counter-clockwise (c left of the line a→b), −1 when
// clockwise, 0 when collinear. The floating-point value decides when it is far enough from 0
// (almost always); otherwise the determinant is expanded into six products of coordinates,
// each split exactly into two doubles by a fused multiply-add, and summed exactly. Exact as
// long as no product overflows or underflows (coordinates between about 1e-150 and 1e150 in
// magnitude, or 0).
func orient(ax, ay, bx, by, cx, cy float64) int {
	detl := float64((ax - cx) * (by - cy))
	detr := float64((ay - cy) * (bx - cx))
	det := detl - detr
	bound := float64(orientErrBound * (math.Abs(detl) + math.Abs(detr)))
	switch {
	case det > bound:
		return 1
	case -det > bound:
		return -1
	}
	return orientExact(ax, ay, bx, by, cx, cy)
}

// orientExact is orient's exact path:
//
//	det = ax·by − ax·cy − cx·by − ay·bx + ay·cx + cy·bx
//
// as an expansion of twelve doubles (each product's rounded value and its rounding error),
// summed without error by Shewchuk's Grow-Expansion; the sign of an expansion whose
// components do not overlap is the sign of its largest nonzero component, the last.
func orientExact(ax, ay, bx, by, cx, cy float64) int {
	var terms [12]float64
	products := [6][2]float64{{ax, by}, {-ax, cy}, {-cx, by}, {-ay, bx}, {ay, cx}, {cy, bx}}
	for i, p := range products {
		terms[2*i], terms[2*i+1] = twoProduct(p[0], p[1])
	}
	var exp [12]float64
	n := 0
	for _, b := range terms {
		q := b
		for i := range n {
			q, exp[i] = twoSum(q, exp[i])
		}
		exp[n] = q
		n++
	}
	for i := n - 1; i >= 0; i-- {
		switch {
		case exp[i] > 0:
			return 1
		case exp[i] < 0:
			return -1
		}
	}
	return 0
}

// twoProduct returns p = fl(a·b) and its rounding error e, a·b = p + e exactly (barring
// overflow and underflow).
func twoProduct(a, b float64) (p, e float64) {
	p = float64(a * b)
	e = math.FMA(a, b, -p)
	return p, e
}

// twoSum returns s = fl(a+b) and its rounding error e, a + b = s + e exactly (Knuth).
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bv := s - a
	av := s - bv
	return s, (a - av) + (b - bv)
}

// orientNodes is orient of the nodes a, b, c of m.
func (m *Mesh) orientNodes(a, b, c int32) int {
	x := m.Coords
	return orient(x[2*a], x[2*a+1], x[2*b], x[2*b+1], x[2*c], x[2*c+1])
}

// trianglesOverlap reports whether the interiors of triangles s and t of m (counter-clockwise,
// positive area) intersect, that is, whether they share an area greater than zero; triangles
// that only touch along an edge or at a point do not. Two convex polygons have disjoint
// interiors exactly when the line of an edge of one of them separates them, so it tests the
// six edges.
func (m *Mesh) trianglesOverlap(s, t int) bool {
	return !m.separates(s, t) && !m.separates(t, s)
}

// separates reports whether the line of an edge of triangle s has every corner of t on its
// outer side or on it.
func (m *Mesh) separates(s, t int) bool {
	a := m.Tri[3*s : 3*s+3]
	b := m.Tri[3*t : 3*t+3]
	for k := range 3 {
		p, q := a[k], a[(k+1)%3]
		if m.orientNodes(p, q, b[0]) <= 0 && m.orientNodes(p, q, b[1]) <= 0 && m.orientNodes(p, q, b[2]) <= 0 {
			return true
		}
	}
	return false
}
