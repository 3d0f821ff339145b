package mesh

import "math"

const errEdgeNode = "mesh: BoundaryEdges: node index out of range"

// edgeKey identifies the undirected edge ab.
func edgeKey(a, b int32) uint64 {
	if a > b {
		a, b = b, a
	}
	return uint64(a)<<32 | uint64(b)
}

// edgeUses returns, per undirected edge (edgeKey), the number of triangles that use it.
func (m *Mesh) edgeUses() map[uint64]int32 {
	uses := make(map[uint64]int32, len(m.Tri))
	tri := m.Tri
	for t := 0; t+3 <= len(tri); t += 3 {
		for k := range 3 {
			uses[edgeKey(tri[t+k], tri[t+(k+1)%3])]++
		}
	}
	return uses
}

// outerEdges reports, per corner edge 3t+k of the triangles (corner k → corner k+1), whether
// no other triangle uses that edge: the outer edges. It finds the other users through the
// triangles at the edge's first node (a node-to-triangle index built once), in O(triangles ×
// the largest node degree), with no map.
func (m *Mesh) outerEdges() []bool {
	tri, nn := m.Tri, m.NumNodes()
	start := make([]int32, nn+1)
	for _, v := range tri {
		start[v+1]++
	}
	for v := range nn {
		start[v+1] += start[v]
	}
	at := make([]int32, len(tri)) // the triangles at each node
	next := append([]int32(nil), start[:nn]...)
	for c, v := range tri {
		at[next[v]] = int32(c / 3)
		next[v]++
	}
	outer := make([]bool, len(tri)-len(tri)%3)
	for c := range outer {
		t, k := c/3, c%3
		a, b := tri[3*t+k], tri[3*t+(k+1)%3]
		uses := 0
		for _, s := range at[start[a]:start[a+1]] {
			c := tri[3*s : 3*s+3]
			if c[0] == b || c[1] == b || c[2] == b {
				uses++
			}
		}
		outer[c] = uses == 1
	}
	return outer
}

// OnOuterEdges reports, per node, whether it lies on an outer edge of the triangulation (an
// edge used by exactly one triangle): the nodes of the domain's boundary.
func (m *Mesh) OnOuterEdges() []bool {
	on := make([]bool, m.NumNodes())
	for c, outer := range m.outerEdges() {
		if outer {
			t, k := c/3, c%3
			on[m.Tri[3*t+k]], on[m.Tri[3*t+(k+1)%3]] = true, true
		}
	}
	return on
}

// BoundaryEdges returns the outer edges (used by exactly one triangle) whose two ends are both
// in nodes, each as (a, b) in the order of its triangle's corners: counter-clockwise, so the
// domain lies to the left of a→b and the outward normal is (yb−ya, −(xb−xa))/length. The
// edges come in triangle order, and within a triangle in local edge order (corners 0→1, 1→2,
// 2→0), so the result is deterministic. nodes may be in any order and repeat; an index out of
// range panics.
//
// For a part that is one side of the domain (BoxParts' "left", a sub-model-part listing the
// nodes of a side) these are the side's edges. An outer edge between two nodes of the part
// that does not lie on the side the part means (a non-convex domain whose boundary leaves a
// side and comes back) would be included: the part names nodes, not edges.
func (m *Mesh) BoundaryEdges(nodes []int32) [][2]int32 {
	in := make([]bool, m.NumNodes())
	for _, v := range nodes {
		if v < 0 || int(v) >= len(in) {
			panic(errEdgeNode)
		}
		in[v] = true
	}
	outer := m.outerEdges()
	var edges [][2]int32
	tri := m.Tri
	for t := 0; t+3 <= len(tri); t += 3 {
		for k := range 3 {
			a, b := tri[t+k], tri[t+(k+1)%3]
			if in[a] && in[b] && outer[t+k] {
				edges = append(edges, [2]int32{a, b})
			}
		}
	}
	return edges
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

// locateRelTol is Locate's tolerance for a point outside a triangle, relative to the mesh's
// coordinate scale (see Locate).
const locateRelTol = 1e-12

// Locate returns the triangle t that contains the point (x, y) and the point's barycentric
// coordinates l in it (x = Σ l_a x_a, y = Σ l_a y_a over the corners a of t; each l_a in
// [0, 1], l sums to 1 to rounding). A point on an edge or a vertex shared by several
// triangles gets the lowest t. ok is false, with t = -1, for a point outside the mesh (and a
// non-finite one). It tests every triangle, O(NumTris): a set-up step, not a per-sample one.
//
// A point belongs to a triangle when its signed distance to each of the three edge lines is
// at least −tol (positive inside):
//
//	tol = 1e-12 · max(xmax−xmin, ymax−ymin, |xmin|, |xmax|, |ymin|, |ymax|)
//
// Why: a point given in a problem file ("x = 0.3") and the node coordinates (read from a file
// or computed as i/n) are each rounded, and the distance is computed with a few roundings
// more, all of relative size ~1e-16 of the coordinates' magnitude; a point that is meant to lie
// on the boundary (a vertex, the middle of a side) must be found, so the tolerance is 10⁴
// times that. It is relative to the largest coordinate as well as to the box's size because
// a mesh far from the origin has rounding errors of the size of its coordinates. It stays
// far below any element's size (an element 1e-12 times the domain is beyond any use), so a
// point inside a triangle is never attributed to a triangle it is not in or touching. The
// barycentric coordinates of a point accepted within the tolerance but slightly outside are
// clamped to [0, 1] and scaled to sum to 1: the nearest point of the triangle, no
// extrapolation.
func (m *Mesh) Locate(x, y float64) (t int, l [3]float64, ok bool) {
	xmin, xmax, ymin, ymax := m.Bounds()
	scale := max(xmax-xmin, ymax-ymin, math.Abs(xmin), math.Abs(xmax), math.Abs(ymin), math.Abs(ymax))
	tol := float64(locateRelTol * scale) // rounded: it feeds the sums below
	// A cheap rejection by the box (with the tolerance) before the triangle loop; it also
	// rejects NaN and ±Inf.
	if !(x >= xmin-tol && x <= xmax+tol && y >= ymin-tol && y <= ymax+tol) {
		return -1, l, false
	}
	for t := range m.NumTris() {
		if l, ok := m.barycentric(t, x, y, tol); ok {
			return t, l, true
		}
	}
	return -1, l, false
}

// barycentric returns the barycentric coordinates of (x, y) in triangle t and whether its
// signed distance to each edge line is at least −tol.
//
// The coordinate of corner a is the signed area of the triangle (p, corner a+1, corner a+2)
// over their sum (twice the area of t, to rounding): at a corner the other two are exactly 0
// (a factor p − corner is zero), so l is exactly a unit vector there.
func (m *Mesh) barycentric(t int, x, y, tol float64) (l [3]float64, ok bool) {
	tri := m.Tri[3*t : 3*t+3]
	var cx, cy [3]float64
	for a, v := range tri {
		cx[a], cy[a] = m.Coords[2*v], m.Coords[2*v+1]
	}
	var s [3]float64 // twice the signed sub-areas
	for a := range 3 {
		b, c := (a+1)%3, (a+2)%3
		ex, ey := cx[c]-cx[b], cy[c]-cy[b]
		s[a] = float64(ex*(y-cy[b])) - float64(ey*(x-cx[b]))
		// The signed distance to edge bc is s[a]/|bc|.
		if s[a] < 0 && s[a] < -tol*math.Sqrt(float64(ex*ex)+float64(ey*ey)) {
			return l, false
		}
	}
	for a := range 3 {
		s[a] = max(s[a], 0)
	}
	sum := s[0] + s[1] + s[2]
	for a := range 3 {
		l[a] = s[a] / sum
	}
	return l, true
}
