package mesh

import "math"

// OnOuterEdges reports, per node, whether it lies on an outer edge of the triangulation (an
// edge used by exactly one triangle): the nodes of the domain's boundary.
func (m *Mesh) OnOuterEdges() []bool {
	uses := make(map[uint64]int32, len(m.Tri))
	key := func(a, b int32) uint64 {
		if a > b {
			a, b = b, a
		}
		return uint64(a)<<32 | uint64(b)
	}
	tri := m.Tri
	for t := 0; t+3 <= len(tri); t += 3 {
		for k := range 3 {
			uses[key(tri[t+k], tri[t+(k+1)%3])]++
		}
	}
	on := make([]bool, m.NumNodes())
	for e, n := range uses {
		if n == 1 {
			on[e>>32] = true
			on[uint32(e)] = true
		}
	}
	return on
}

// Bounds returns the smallest and largest node coordinates, (±Inf for a mesh without nodes).
func (m *Mesh) Bounds() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for v := 0; 2*v+1 < len(m.Coords); v++ {
		x, y := m.Coords[2*v], m.Coords[2*v+1]
		xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
		ymin, ymax = math.Min(ymin, y), math.Max(ymax, y)
	}
	return xmin, xmax, ymin, ymax
}

// Area returns the sum of the triangles' signed areas: the domain's area for a valid mesh.
func (m *Mesh) Area() float64 {
	var a float64
	for t := range m.NumTris() {
		a += m.SignedArea(t)
	}
	return a
}
