package mesh

// Refine returns m uniformly refined once: every triangle split into four by the midpoints of
// its edges (red refinement), so the mesh size halves and the shapes are kept. The old nodes
// keep their indices; the midpoints follow, in the order their edges are first met in the
// triangles. Triangle t's children are 4t, 4t+1, 4t+2 (at its corners 0, 1, 2) and 4t+3 (the
// middle), all counter-clockwise when t is. A midpoint is on the Dirichlet boundary when both
// ends of its edge are and the edge is an outer edge.
//
// The parts are refined with it: a part's triangles become their children; its nodes gain the
// midpoints of the edges of its triangles and, for the nodes of outer edges whose two ends it
// holds, of those edges (a side or a boundary part stays the same curve). props, a value per
// triangle (the element property ids), is given to the children. Midpoints are computed as
// (a + b)/2, exactly, so a straight side stays exactly straight.
func Refine(m *Mesh, parts []Part, props []int) (*Mesh, []Part, []int) {
	nn, nt := m.NumNodes(), m.NumTris()
	uses := m.edgeUses()
	mid := make(map[uint64]int32, 3*nt/2+nn)
	r := &Mesh{Coords: append(make([]float64, 0, 2*(nn+3*nt/2+1)), m.Coords[:2*nn]...), Tri: make([]int32, 0, 12*nt),
		Boundary: append(make([]bool, 0, nn+3*nt/2+1), m.Boundary[:nn]...)}
	midpoint := func(a, b int32) int32 {
		k := edgeKey(a, b)
		if v, ok := mid[k]; ok {
			return v
		}
		v := int32(len(r.Boundary))
		mid[k] = v
		r.Coords = append(r.Coords, (m.Coords[2*a]+m.Coords[2*b])/2, (m.Coords[2*a+1]+m.Coords[2*b+1])/2)
		r.Boundary = append(r.Boundary, m.Boundary[a] && m.Boundary[b] && uses[k] == 1)
		return v
	}
	for t := range nt {
		c := m.Tri[3*t : 3*t+3]
		m01, m12, m20 := midpoint(c[0], c[1]), midpoint(c[1], c[2]), midpoint(c[2], c[0])
		r.Tri = append(r.Tri, c[0], m01, m20, m01, c[1], m12, m20, m12, c[2], m01, m12, m20)
	}
	var rprops []int
	if props != nil {
		rprops = make([]int, 0, 4*len(props))
		for _, p := range props {
			rprops = append(rprops, p, p, p, p)
		}
	}
	rparts := make([]Part, len(parts))
	for i, p := range parts {
		rp := Part{Name: p.Name}
		in := make(map[int32]bool, len(p.Nodes))
		for _, v := range p.Nodes {
			in[v] = true
		}
		nodes := append([]int32(nil), p.Nodes...)
		for _, t := range p.Tris {
			rp.Tris = append(rp.Tris, 4*t, 4*t+1, 4*t+2, 4*t+3)
			c := m.Tri[3*t : 3*t+3]
			for a := range 3 {
				nodes = append(nodes, mid[edgeKey(c[a], c[(a+1)%3])])
			}
		}
		for k, n := range uses {
			if a, b := int32(k>>32), int32(k&0xffffffff); n == 1 && in[a] && in[b] {
				nodes = append(nodes, mid[k])
			}
		}
		rp.Nodes, rp.Tris = sortedSet(nodes), sortedSet(rp.Tris)
		rparts[i] = rp
	}
	return r, rparts, rprops
}
