package mesh

import (
	"math/rand/v2"
	"slices"
)

// The overlap sweep of Check.
//
// Preconditions (Check establishes them first): every triangle counter-clockwise with a
// positive area, no duplicate, every edge in one or two triangles, and the two triangles of a
// shared edge on opposite sides of it. Then the number of triangles covering a point p off the
// edges, d(p), equals the winding number about p of the outer edges, each directed as in its
// triangle (the triangle on its left): the winding numbers of the triangles' boundaries sum to
// d(p), and the interior edges cancel in pairs. The mesh has no overlap exactly when d ≤ 1
// everywhere.
//
// The sweep line moves in the lexicographic order of points, (x, then y): it is a vertical line
// turned by an infinitesimal angle, so no edge is parallel to it and points on one vertical
// line are met bottom to top. An edge's left end L is its lexicographically smaller end, R the
// other; "above" an edge is the left side of L→R (for a vertical edge, the side of smaller x).
// The edges crossing the sweep line are kept in their order along it, in a treap with the sum of
// each subtree's σ, where σ = +1 for an edge with its triangle above it (directed L→R) and −1
// below. The winding number of the region between two consecutive edges is then the sum of σ
// over the edges below it: a prefix sum in O(log n).
//
// At each event point q (edges that end at q are removed first, then those that start at q are
// inserted), two things can go wrong:
//   - Two edges become neighbours in the order and cross, each passing through the other's
//     interior (Shamos–Hoey: the leftmost crossing is found this way; until then the order is
//     consistent). The triangles on their left then overlap near the crossing.
//   - A region between consecutive edges next to q has winding number ≥ 2. Only regions that
//     touch q change at q (the σ of the edges that end and start at a node sum to 0, since each
//     node has as many outer edges in as out), so checking those, at every event, checks every
//     region the sweep ever sees. At the first such region the edge below it has σ = +1 and its
//     triangle lies in the region, where a second triangle covers it: the witness.
//
// Edges that touch without crossing (a node on another edge, collinear edges that overlap, two
// nodes at the same place) keep a consistent order: the order of an edge inserted at q with
// an edge through q is that of their directions from q, and collinear edges are ordered with σ =
// −1 first, so the zero-width region between two coincident edges (a crack) gets the smaller
// winding number and is never taken for an overlap.

// sweepEdge is an outer edge: its left and right nodes, σ and its triangle.
type sweepEdge struct {
	l, r  int32
	sigma int32
	tri   int32
}

// overlapWitness returns a triangle that overlaps another, or -1 when the triangles'
// interiors are pairwise disjoint, by the sweep over the outer corner edges of m (see above).
func (m *Mesh) overlapWitness(outer []int32) int {
	x, tri := m.Coords, m.Tri
	less := func(a, b int32) bool { // lexicographic order of nodes a and b
		return x[2*a] < x[2*b] || x[2*a] == x[2*b] && x[2*a+1] < x[2*b+1]
	}
	same := func(a, b int32) bool { return x[2*a] == x[2*b] && x[2*a+1] == x[2*b+1] }
	edges := make([]sweepEdge, len(outer))
	for i, c := range outer {
		a, b := tri[c], tri[c-c%3+(c%3+1)%3]
		e := sweepEdge{l: a, r: b, sigma: 1, tri: c / 3}
		if less(b, a) {
			e.l, e.r, e.sigma = b, a, -1
		}
		edges[i] = e
	}
	// Events: edge i starts at its L (2i+1) and ends at its R (2i); at one point, ends first.
	events := make([]int32, 2*len(edges))
	for i := range events {
		events[i] = int32(i)
	}
	point := func(ev int32) int32 {
		if e := edges[ev/2]; ev%2 == 1 {
			return e.l
		} else {
			return e.r
		}
	}
	slices.SortFunc(events, func(a, b int32) int {
		pa, pb := point(a), point(b)
		switch {
		case less(pa, pb):
			return -1
		case less(pb, pa):
			return 1
		}
		if a%2 != b%2 {
			return int(a%2) - int(b%2)
		}
		return int(a - b)
	})

	st := newStatus(edges)
	on := func(i, q int32) bool { // q lies on edge i (which spans q along the sweep)
		return m.orientNodes(edges[i].l, edges[i].r, q) == 0
	}
	// above reports whether edge i, inserted at its L, goes above edge j, which spans L.
	above := func(i, j int32) bool {
		ei, ej := edges[i], edges[j]
		if o := m.orientNodes(ej.l, ej.r, ei.l); o != 0 {
			return o > 0
		}
		if o := m.orientNodes(ej.l, ej.r, ei.r); o != 0 {
			return o > 0
		}
		if ei.sigma != ej.sigma {
			return ei.sigma > ej.sigma
		}
		return i > j
	}
	// cross reports whether edges i and j cross, each through the other's interior.
	cross := func(i, j int32) bool {
		if i < 0 || j < 0 {
			return false
		}
		ei, ej := edges[i], edges[j]
		o1, o2 := m.orientNodes(ei.l, ei.r, ej.l), m.orientNodes(ei.l, ei.r, ej.r)
		o3, o4 := m.orientNodes(ej.l, ej.r, ei.l), m.orientNodes(ej.l, ej.r, ei.r)
		return o1*o2 < 0 && o3*o4 < 0
	}
	// witness returns the triangle of the region between edges lo and hi (−1: none) that is
	// covered more than once: lo's when it lies above lo, else hi's.
	witness := func(lo, hi int32) int {
		switch {
		case lo >= 0 && edges[lo].sigma > 0:
			return int(edges[lo].tri)
		case hi >= 0 && edges[hi].sigma < 0:
			return int(edges[hi].tri)
		case lo >= 0:
			return int(edges[lo].tri)
		}
		return int(edges[hi].tri)
	}

	seen := make([]int32, len(edges)) // the event group that last walked an edge, +1
	var anchors []int32
	for g := 0; g < len(events); {
		q := point(events[g])
		h := g
		for h < len(events) && same(point(events[h]), q) {
			h++
		}
		anchors = anchors[:0]
		for _, ev := range events[g:h] {
			i := ev / 2
			if ev%2 == 0 { // ends at q
				p, n := st.prev(i), st.next(i)
				st.remove(i)
				if cross(p, n) {
					return int(edges[p].tri)
				}
				anchors = append(anchors, p, n)
				continue
			}
			st.insert(i, above)
			if p, n := st.prev(i), st.next(i); cross(p, i) || cross(i, n) {
				return int(edges[i].tri)
			}
			anchors = append(anchors, i)
		}
		// The regions next to q: walk each run of edges through q, from the region below it
		// to the region above it.
		stamp := int32(g + 1)
		for _, a := range anchors {
			if a < 0 || !st.alive(a) || seen[a] == stamp {
				continue
			}
			lo := a
			for p := st.prev(lo); p >= 0 && on(p, q); p = st.prev(lo) {
				lo = p
			}
			w := st.prefix(lo)
			if w >= 2 {
				return witness(st.prev(lo), lo)
			}
			for e := lo; ; {
				seen[e] = stamp
				w += edges[e].sigma
				n := st.next(e)
				if w >= 2 {
					return witness(e, n)
				}
				if n < 0 || !on(n, q) {
					break
				}
				e = n
			}
		}
		g = h
	}
	return -1
}

// status is the order of the edges crossing the sweep line: a treap (a binary search tree
// kept balanced, in expectation, by random heap priorities) with parent links, so that an
// edge's neighbours and the sum of σ below it are found from the edge itself. Node i is edge
// i; -1 is no node.
type status struct {
	n    []statusNode
	root int32
}

type statusNode struct {
	left, right, parent int32
	prio                uint32
	sigma, sum          int32 // σ of the edge, and of its subtree
	in                  bool
}

func newStatus(edges []sweepEdge) *status {
	s := &status{n: make([]statusNode, len(edges)), root: -1}
	for i, e := range edges {
		s.n[i] = statusNode{left: -1, right: -1, parent: -1, prio: rand.Uint32(), sigma: e.sigma}
	}
	return s
}

// alive reports whether edge i is in the order.
func (s *status) alive(i int32) bool { return s.n[i].in }

// sum returns the σ-sum of the subtree at i (0 for none).
func (s *status) sum(i int32) int32 {
	if i < 0 {
		return 0
	}
	return s.n[i].sum
}

// update recomputes the σ-sum of node i from its children.
func (s *status) update(i int32) {
	nd := &s.n[i]
	nd.sum = nd.sigma + s.sum(nd.left) + s.sum(nd.right)
}

// insert puts edge i into the order: above(i, j) says whether i goes above edge j.
func (s *status) insert(i int32, above func(i, j int32) bool) {
	nd := &s.n[i]
	nd.left, nd.right, nd.parent, nd.sum, nd.in = -1, -1, -1, nd.sigma, true
	if s.root < 0 {
		s.root = i
		return
	}
	j := s.root
	for {
		up := above(i, j)
		c := &s.n[j].left
		if up {
			c = &s.n[j].right
		}
		if *c < 0 {
			*c = i
			nd.parent = j
			break
		}
		j = *c
	}
	for p := nd.parent; p >= 0; p = s.n[p].parent {
		s.n[p].sum += nd.sigma
	}
	for nd.parent >= 0 && nd.prio < s.n[nd.parent].prio {
		s.rotateUp(i)
	}
}

// remove takes edge i out of the order.
func (s *status) remove(i int32) {
	for {
		nd := s.n[i]
		if nd.left < 0 && nd.right < 0 {
			break
		}
		c := nd.left
		if c < 0 || nd.right >= 0 && s.n[nd.right].prio < s.n[c].prio {
			c = nd.right
		}
		s.rotateUp(c)
	}
	nd := &s.n[i]
	if p := nd.parent; p < 0 {
		s.root = -1
	} else {
		if s.n[p].left == i {
			s.n[p].left = -1
		} else {
			s.n[p].right = -1
		}
		for ; p >= 0; p = s.n[p].parent {
			s.n[p].sum -= nd.sigma
		}
	}
	nd.parent, nd.in = -1, false
}

// rotateUp rotates node x above its parent, keeping the in-order sequence and the sums.
func (s *status) rotateUp(x int32) {
	p := s.n[x].parent
	g := s.n[p].parent
	if s.n[p].left == x {
		b := s.n[x].right
		s.n[p].left = b
		if b >= 0 {
			s.n[b].parent = p
		}
		s.n[x].right = p
	} else {
		b := s.n[x].left
		s.n[p].right = b
		if b >= 0 {
			s.n[b].parent = p
		}
		s.n[x].left = p
	}
	s.n[p].parent = x
	s.n[x].parent = g
	switch {
	case g < 0:
		s.root = x
	case s.n[g].left == p:
		s.n[g].left = x
	default:
		s.n[g].right = x
	}
	s.update(p)
	s.update(x)
}

// prev returns the edge just below edge i in the order, or -1.
func (s *status) prev(i int32) int32 {
	if l := s.n[i].left; l >= 0 {
		for s.n[l].right >= 0 {
			l = s.n[l].right
		}
		return l
	}
	for p := s.n[i].parent; p >= 0; i, p = p, s.n[p].parent {
		if s.n[p].right == i {
			return p
		}
	}
	return -1
}

// next returns the edge just above edge i in the order, or -1.
func (s *status) next(i int32) int32 {
	if r := s.n[i].right; r >= 0 {
		for s.n[r].left >= 0 {
			r = s.n[r].left
		}
		return r
	}
	for p := s.n[i].parent; p >= 0; i, p = p, s.n[p].parent {
		if s.n[p].left == i {
			return p
		}
	}
	return -1
}

// prefix returns the sum of σ over the edges below edge i: the winding number of the region
// just below it.
func (s *status) prefix(i int32) int32 {
	w := s.sum(s.n[i].left)
	for p := s.n[i].parent; p >= 0; i, p = p, s.n[p].parent {
		if s.n[p].right == i {
			w += s.sum(s.n[p].left) + s.n[p].sigma
		}
	}
	return w
}
