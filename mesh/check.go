package mesh

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Mesh checks: what Validate, one triangle at a time, cannot see. A mesh can have every
// triangle counter-clockwise with a positive area and still not be a triangulation of a
// domain: a node moved across an edge folds its triangles over their neighbours (the .mdpa
// reader turns the inverted triangle counter-clockwise, so it passes Validate), an element can
// be listed twice or lie on top of others, and a part of the mesh joined to the rest by no
// node and holding no Dirichlet node has no unique solution (the CG breaks down on it). Check
// and CheckDirichlet find these once, at set-up, and name the elements.

// CheckKind is the class of fault a CheckError reports.
type CheckKind int

// The kinds of CheckError, in the order Check looks for them.
const (
	// Duplicated: elements with the same three nodes.
	Duplicated CheckKind = iota + 1
	// NonManifold: an edge shared by three elements or more.
	NonManifold
	// Folded: elements inverted relative to their neighbours: two elements on the same side
	// of the edge they share.
	Folded
	// Overlapping: elements whose interiors intersect.
	Overlapping
	// NoDirichlet: a connected part of the mesh without a Dirichlet node (CheckDirichlet).
	NoDirichlet
)

var checkKindNames = [...]string{Duplicated: "duplicated elements", NonManifold: "non-manifold edge",
	Folded: "folded elements", Overlapping: "overlapping elements", NoDirichlet: "no Dirichlet node"}

// String returns the kind in words: "folded elements".
func (k CheckKind) String() string {
	if k > 0 && int(k) < len(checkKindNames) {
		return checkKindNames[k]
	}
	return "CheckKind(" + strconv.Itoa(int(k)) + ")"
}

// CheckError is a fault of a mesh that passes Validate. Its message is one line naming the
// elements (and, for an edge, its nodes) by the ids of IDs: "mesh: folded elements: element
// 12 is inverted relative to its neighbours (…)".
type CheckError struct {
	Kind CheckKind
	// Elements are the ids of every element at fault, sorted and distinct: the duplicates,
	// the elements of the non-manifold edges, the folded elements, an element that overlaps
	// others with those it overlaps, the elements of the parts without a Dirichlet node.
	Elements []int
	// Nodes are node ids the fault concerns, sorted and distinct: the nodes of a part without
	// a Dirichlet node that belong to no element. Usually empty.
	Nodes []int
	Msg   string // the message, without the "mesh: " prefix
}

// Error returns "mesh: " and the message.
func (e *CheckError) Error() string { return "mesh: " + e.Msg }

// IDs are the numbers a user knows a mesh's elements and nodes by, for messages: the ids of
// the .mdpa file the mesh was read from (MDPAInfo.ElementIDs and NodeIDs, in the order of the
// mesh as read: NodeIDs no longer match after a node renumbering, ElementIDs still do), or,
// where a slice is nil, 1-based numbers (triangle t is element t+1, node v is node v+1).
type IDs struct {
	Elements []int
	Nodes    []int
}

// element returns the id of triangle t.
func (ids IDs) element(t int) int {
	if ids.Elements != nil {
		return ids.Elements[t]
	}
	return t + 1
}

// node returns the id of node v.
func (ids IDs) node(v int32) int {
	if ids.Nodes != nil {
		return ids.Nodes[v]
	}
	return int(v) + 1
}

// elementIDs returns the ids of the triangles ts, sorted and distinct.
func (ids IDs) elementIDs(ts []int32) []int {
	out := make([]int, len(ts))
	for i, t := range ts {
		out[i] = ids.element(int(t))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

const (
	errCheckIDs       = "mesh: Check needs IDs with one element id per triangle and one node id per node (or nil)"
	errCheckDirichlet = "mesh: CheckDirichlet needs one Dirichlet flag per node"
)

// maxListed is the number of ids a message lists before "and N more".
const maxListed = 10

// listIDs returns ids for a message: "4", "4 and 9", "4, 9 and 12", or the first maxListed
// followed by "and N more".
func listIDs(ids []int) string {
	if len(ids) == 0 {
		return "none"
	}
	n := min(len(ids), maxListed)
	s := make([]string, n)
	for i := range n {
		s[i] = strconv.Itoa(ids[i])
	}
	if len(ids) > n {
		return strings.Join(s, ", ") + fmt.Sprintf(" and %d more", len(ids)-n)
	}
	if n == 1 {
		return s[0]
	}
	return strings.Join(s[:n-1], ", ") + " and " + s[n-1]
}

// plural returns one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Check checks that m, a mesh that passes Validate, is a triangulation of a plane domain:
// its elements cover the domain once. It returns the first of these faults it finds, as a
// *CheckError naming the elements by ids (see IDs):
//
//  1. Duplicated: two elements with the same three nodes, in any order.
//  2. NonManifold: an edge (a pair of nodes) shared by three elements or more.
//  3. Folded: two elements that share an edge and lie on the same side of it, where
//     neighbours lie on opposite sides. This is what a node moved across an edge does: the
//     triangles whose corner crossed the line of their opposite edge are inverted, and the
//     .mdpa reader, which takes a clockwise triangle for a differently written
//     counter-clockwise one, stores them counter-clockwise again. The elements named are the
//     inverted ones: in each part of the mesh connected through shared edges, the smaller of
//     the two classes of elements whose orientation agrees (the class without the part's
//     first element on a tie); when no such split exists, every element at such an edge.
//  4. Overlapping: two elements whose interiors intersect (share an area greater than zero),
//     with no node in common or through nodes they share. The error names one such element
//     and every element it overlaps.
//
// What a mesh that passes guarantees: the interiors of its triangles are pairwise disjoint,
// so the triangles cover their union exactly once; elements may still touch along edges or
// at points without sharing nodes (a hanging node, a crack with duplicated nodes, two parts
// touching at a corner), which is not an overlap. How: with no duplicate, every edge in at
// most two triangles and every shared edge between triangles on opposite sides of it, the
// number of triangles covering a point p equals the winding number about p of the outer
// edges (those of one triangle, each directed with its triangle on the left): the interior
// edges cancel in pairs. A sweep over the outer edges (Shamos–Hoey) stops at the first two
// that cross, which makes the triangles on their left overlap, and otherwise keeps the
// winding number of every region between consecutive edges and stops at the first region
// covered twice. Every orientation test is exact (orient), so the result does not depend on
// rounding; the one limit is coordinates whose products overflow or underflow a float64
// (beyond about 1e±150).
//
// Cost: O(T log T) time for T triangles, but in practice O(T): the edges are bucketed by
// node, sorted within a node's bucket, and the sweep sees only the outer edges (O(√T) of
// them for the usual mesh), sorted once, with an O(log) balanced tree of the edges crossing
// the sweep line. Memory: about 24 bytes per triangle and 16 per node. Naming the elements
// of a fault costs one more pass. Validate runs first, and its error is returned as it is.
func (m *Mesh) Check(ids IDs) error {
	if (ids.Elements != nil && len(ids.Elements) != m.NumTris()) || (ids.Nodes != nil && len(ids.Nodes) != m.NumNodes()) {
		panic(errCheckIDs)
	}
	if err := m.Validate(); err != nil {
		return err
	}
	if len(m.Tri) > math.MaxInt32 {
		return fmt.Errorf("mesh: %d triangles: too many to check (at most %d)", m.NumTris(), math.MaxInt32/3)
	}
	et := m.edgeTable()
	sc := edgeScan{tri: m.Tri}
	et.groups(sc.visit)
	switch {
	case len(sc.dups) > 0:
		return dupError(sc.dups, sc.dupNodes, ids)
	case len(sc.nonMan) > 0:
		return nonManifoldError(sc.nonMan, sc.nonEdge, ids)
	case sc.folds > 0:
		return m.foldError(et, &sc, ids)
	}
	if w := m.overlapWitness(sc.outer); w >= 0 {
		return m.overlapError(w, ids)
	}
	return nil
}

// edgeScan gathers what Check finds edge by edge: duplicated triangles, non-manifold edges,
// folds and the outer edges.
type edgeScan struct {
	tri      []int32
	dups     [][]int32  // groups of triangles with the same nodes
	dupNodes [][3]int32 // and their nodes
	nonMan   [][]int32  // triangles at each non-manifold edge
	nonEdge  [][2]int32 // and its nodes
	folds    int        // edges whose two triangles lie on the same side
	fold     [3]int32   // the first: triangles s, t and the edge's nodes u, w …
	foldW    int32
	outer    []int32 // the outer edges, as corner edges
}

// visit takes the corner edges g of the edge of nodes u < w.
func (sc *edgeScan) visit(u, w int32, g []uint64) {
	tri := sc.tri
	switch len(g) {
	case 1:
		sc.outer = append(sc.outer, int32(uint32(g[0])))
		return
	case 2:
		c0, c1 := int(uint32(g[0])), int(uint32(g[1]))
		if (tri[c0] == u) == (tri[c1] == u) {
			if sc.folds == 0 {
				sc.fold, sc.foldW = [3]int32{int32(c0 / 3), int32(c1 / 3), u}, w
			}
			sc.folds++
		}
		if a, b := third(tri, c0), third(tri, c1); a == b && a > w {
			sc.dups = append(sc.dups, []int32{int32(c0 / 3), int32(c1 / 3)})
			sc.dupNodes = append(sc.dupNodes, [3]int32{u, w, a})
		}
		return
	}
	ts := make([]int32, len(g))
	for i, e := range g {
		ts[i] = int32(uint32(e) / 3)
	}
	sc.nonMan = append(sc.nonMan, ts)
	sc.nonEdge = append(sc.nonEdge, [2]int32{u, w})
	sc.dupsAmong(u, w, g)
}

// dupsAmong records the duplicates among the triangles of a non-manifold edge u < w: the
// triangles whose two smallest nodes are u, w, grouped by their third node.
func (sc *edgeScan) dupsAmong(u, w int32, g []uint64) {
	var cand [][2]int32 // third node, triangle
	for _, e := range g {
		if a := third(sc.tri, int(uint32(e))); a > w {
			cand = append(cand, [2]int32{a, int32(uint32(e) / 3)})
		}
	}
	slices.SortFunc(cand, func(x, y [2]int32) int { return int(x[0]) - int(y[0]) })
	for i := 0; i < len(cand); {
		j := i + 1
		for j < len(cand) && cand[j][0] == cand[i][0] {
			j++
		}
		if j-i > 1 {
			grp := make([]int32, 0, j-i)
			for _, c := range cand[i:j] {
				grp = append(grp, c[1])
			}
			slices.Sort(grp)
			sc.dups = append(sc.dups, grp)
			sc.dupNodes = append(sc.dupNodes, [3]int32{u, w, cand[i][0]})
		}
		i = j
	}
}

// nonManifoldError is Check's error for the edges of three triangles or more.
func nonManifoldError(nonMan [][]int32, nonEdge [][2]int32, ids IDs) error {
	var all []int32
	for _, ts := range nonMan {
		all = append(all, ts...)
	}
	first := ids.elementIDs(nonMan[0])
	msg := fmt.Sprintf("non-manifold edge: elements %s share the edge of nodes %d and %d (an edge belongs to at most two elements)",
		listIDs(first), ids.node(nonEdge[0][0]), ids.node(nonEdge[0][1]))
	if n := len(nonMan); n > 1 {
		msg += fmt.Sprintf("; %d such edges, elements %s", n, listIDs(ids.elementIDs(all)))
	}
	return &CheckError{Kind: NonManifold, Elements: ids.elementIDs(all), Msg: msg}
}

// foldError is Check's error for folded triangles.
func (m *Mesh) foldError(et edgeTable, sc *edgeScan, ids IDs) error {
	folded := m.foldedTriangles(et)
	el := ids.elementIDs(folded)
	msg := fmt.Sprintf("folded elements: %s inverted relative to %s neighbours (elements %d and %d lie on the same side of their shared edge, nodes %d and %d",
		plural(len(el), "element "+listIDs(el)+" is", "elements "+listIDs(el)+" are"), plural(len(el), "its", "their"),
		ids.element(int(sc.fold[0])), ids.element(int(sc.fold[1])), ids.node(sc.fold[2]), ids.node(sc.foldW))
	if sc.folds > 1 {
		msg += fmt.Sprintf("; %d such edges", sc.folds)
	}
	return &CheckError{Kind: Folded, Elements: el, Msg: msg + ")"}
}

// overlapError is Check's error for triangle w, which overlaps others: it names every one.
func (m *Mesh) overlapError(w int, ids IDs) error {
	over := []int32{int32(w)}
	for t := range m.NumTris() {
		if t != w && m.boxesMeet(w, t) && m.trianglesOverlap(w, t) {
			over = append(over, int32(t))
		}
	}
	others := ids.elementIDs(over[1:])
	return &CheckError{Kind: Overlapping, Elements: ids.elementIDs(over),
		Msg: fmt.Sprintf("overlapping elements: element %d overlaps %s %s (their interiors intersect)",
			ids.element(w), plural(len(others), "element", "elements"), listIDs(others))}
}

// dupError is Check's error for the groups of duplicated triangles.
func dupError(dups [][]int32, nodes [][3]int32, ids IDs) error {
	var all []int32
	for _, g := range dups {
		all = append(all, g...)
	}
	el := ids.elementIDs(all)
	n := nodes[0]
	msg := fmt.Sprintf("duplicated elements: elements %s have the same three nodes %d, %d and %d",
		listIDs(ids.elementIDs(dups[0])), ids.node(n[0]), ids.node(n[1]), ids.node(n[2]))
	if len(dups) > 1 {
		msg += fmt.Sprintf("; %d such groups, elements %s", len(dups), listIDs(el))
	}
	return &CheckError{Kind: Duplicated, Elements: el, Msg: msg}
}

// third returns the corner of corner edge c's triangle that is not on the edge.
func third(tri []int32, c int) int32 {
	return tri[c-c%3+(c%3+2)%3]
}

// boxesMeet reports whether the bounding boxes of triangles s and t intersect (a cheap test
// before trianglesOverlap).
func (m *Mesh) boxesMeet(s, t int) bool {
	sx0, sx1, sy0, sy1 := m.triBox(s)
	tx0, tx1, ty0, ty1 := m.triBox(t)
	return sx0 < tx1 && tx0 < sx1 && sy0 < ty1 && ty0 < sy1
}

// triBox returns the bounding box of triangle t.
func (m *Mesh) triBox(t int) (x0, x1, y0, y1 float64) {
	x0, y0 = math.Inf(1), math.Inf(1)
	x1, y1 = math.Inf(-1), math.Inf(-1)
	for _, v := range m.Tri[3*t : 3*t+3] {
		x, y := m.Coords[2*v], m.Coords[2*v+1]
		x0, x1, y0, y1 = min(x0, x), max(x1, x), min(y0, y), max(y1, y)
	}
	return x0, x1, y0, y1
}

// edgeTable holds every corner edge of a mesh (corner edge 3t+k runs from corner k of
// triangle t to corner k+1) under the smaller of its two nodes, sorted there by the larger
// node: the uses of one undirected edge are adjacent.
type edgeTable struct {
	start []int    // per node u, its edges are key[start[u]:start[u+1]]
	key   []uint64 // larger node << 32 | corner edge
}

// edgeTable builds the edge table of m, in O(T) time plus the sorts of the buckets (of a
// node's degree, small).
func (m *Mesh) edgeTable() edgeTable {
	nn, tri := m.NumNodes(), m.Tri
	start := make([]int, nn+1)
	for t := 0; t+3 <= len(tri); t += 3 {
		a, b, c := tri[t], tri[t+1], tri[t+2]
		start[min(a, b)+1]++
		start[min(b, c)+1]++
		start[min(c, a)+1]++
	}
	for u := range nn {
		start[u+1] += start[u]
	}
	key := make([]uint64, start[nn])
	next := slices.Clone(start[:nn])
	put := func(a, b int32, c int) {
		lo, hi := min(a, b), max(a, b)
		key[next[lo]] = uint64(hi)<<32 | uint64(c)
		next[lo]++
	}
	for t := 0; t+3 <= len(tri); t += 3 {
		put(tri[t], tri[t+1], t)
		put(tri[t+1], tri[t+2], t+1)
		put(tri[t+2], tri[t], t+2)
	}
	for u := range nn {
		if s := key[start[u]:start[u+1]]; len(s) > 1 {
			slices.Sort(s)
		}
	}
	return edgeTable{start: start, key: key}
}

// groups calls f for every undirected edge uw (u < w) with its uses: the entries of key,
// corner edges in increasing order.
func (et edgeTable) groups(f func(u, w int32, g []uint64)) {
	for u := range len(et.start) - 1 {
		s := et.key[et.start[u]:et.start[u+1]]
		for i := 0; i < len(s); {
			w := s[i] >> 32
			j := i + 1
			for j < len(s) && s[j]>>32 == w {
				j++
			}
			f(int32(u), int32(w), s[i:j])
			i = j
		}
	}
}

// foldedTriangles returns the triangles inverted relative to their neighbours, for Check's
// error. Two triangles that share an edge agree when they lie on opposite sides of it; the
// agreements and disagreements split each part of the mesh connected through shared edges
// into two classes (a union-find with parity): the smaller class is the inverted one (the
// class without the part's first triangle on a tie). When the disagreements contradict each
// other (no such split), every triangle at a disagreeing edge is returned.
func (m *Mesh) foldedTriangles(et edgeTable) []int32 {
	nt, tri := m.NumTris(), m.Tri
	parent := make([]int32, nt)
	parity := make([]uint8, nt) // relative to parent
	for t := range parent {
		parent[t] = int32(t)
	}
	find := func(t int32) (int32, uint8) {
		var p uint8
		r := t
		for parent[r] != r {
			p ^= parity[r]
			r = parent[r]
		}
		// Compress the path: every node on it points to r with its parity to r.
		q := p
		for parent[t] != t {
			nxt, np := parent[t], q^parity[t]
			parent[t], parity[t] = r, q
			t, q = nxt, np
		}
		return r, p
	}
	contradiction := false
	var atFolds []int32
	et.groups(func(u, w int32, g []uint64) {
		if len(g) != 2 {
			return
		}
		c0, c1 := int(uint32(g[0])), int(uint32(g[1]))
		s, t := int32(c0/3), int32(c1/3)
		var d uint8 // 1: s and t disagree
		if (tri[c0] == u) == (tri[c1] == u) {
			d = 1
			atFolds = append(atFolds, s, t)
		}
		rs, ps := find(s)
		rt, pt := find(t)
		switch {
		case rs == rt:
			contradiction = contradiction || ps^pt != d
		case rs < rt: // the smaller index is the root: a part's root is its first triangle
			parent[rt], parity[rt] = rs, ps^pt^d
		default:
			parent[rs], parity[rs] = rt, ps^pt^d
		}
	})
	if contradiction {
		return atFolds
	}
	count := make([][2]int32, nt) // per root, the triangles in each class
	class := make([]uint8, nt)
	root := make([]int32, nt)
	for t := range int32(nt) {
		root[t], class[t] = find(t)
		count[root[t]][class[t]]++
	}
	var out []int32
	for t := range int32(nt) {
		// A part's root, its first triangle, is in class 0: class 1 is the inverted one unless
		// it is the larger.
		c := count[root[t]]
		if class[t] == 1 && c[1] <= c[0] || class[t] == 0 && c[0] < c[1] {
			out = append(out, t)
		}
	}
	return out
}

// CheckDirichlet checks that every connected part of m (triangles joined through shared
// nodes: the couplings of the stiffness matrix) holds a node with dirichlet set, and that
// every node in no triangle has it set. Without one, the solution is determined only up to a
// constant on that part and its matrix is singular. It returns a *CheckError of kind
// NoDirichlet naming every element of the parts without a Dirichlet node (and the
// non-Dirichlet nodes in no triangle), by the ids of ids. O(T) time (a union-find over the
// nodes).
func (m *Mesh) CheckDirichlet(dirichlet []bool, ids IDs) error {
	nn := m.NumNodes()
	if len(dirichlet) != nn {
		panic(errCheckDirichlet)
	}
	if (ids.Elements != nil && len(ids.Elements) != m.NumTris()) || (ids.Nodes != nil && len(ids.Nodes) != nn) {
		panic(errCheckIDs)
	}
	parent := make([]int32, nn)
	for v := range parent {
		parent[v] = int32(v)
	}
	find := func(v int32) int32 {
		for parent[v] != v {
			parent[v] = parent[parent[v]]
			v = parent[v]
		}
		return v
	}
	union := func(a, b int32) {
		ra, rb := find(a), find(b)
		switch {
		case ra < rb:
			parent[rb] = ra
		case rb < ra:
			parent[ra] = rb
		}
	}
	tri := m.Tri
	used := make([]bool, nn)
	for t := 0; t+3 <= len(tri); t += 3 {
		a, b, c := tri[t], tri[t+1], tri[t+2]
		union(a, b)
		union(a, c)
		used[a], used[b], used[c] = true, true, true
	}
	fixed := make([]bool, nn) // per root: the part has a Dirichlet node
	for v := range int32(nn) {
		if dirichlet[v] {
			fixed[find(v)] = true
		}
	}
	var bad []int32
	parts := map[int32]bool{}
	for t := 0; t+3 <= len(tri); t += 3 {
		if r := find(tri[t]); !fixed[r] {
			bad = append(bad, int32(t/3))
			parts[r] = true
		}
	}
	var lone []int
	for v := range int32(nn) {
		if !used[v] && !dirichlet[v] {
			lone = append(lone, ids.node(v))
		}
	}
	slices.Sort(lone)
	if len(bad) == 0 && len(lone) == 0 {
		return nil
	}
	el := ids.elementIDs(bad)
	var msg string
	switch {
	case len(bad) > 0 && len(bad) == m.NumTris():
		msg = "no Dirichlet node: no node of an element has a Dirichlet condition, so the solution is not determined"
	case len(parts) == 1:
		msg = fmt.Sprintf("no Dirichlet node in a part of the mesh: %s no node with the rest of the mesh and %s no Dirichlet node, so the solution is not determined there",
			plural(len(el), "element "+listIDs(el)+" shares", "elements "+listIDs(el)+" share"), plural(len(el), "has", "have"))
	case len(parts) > 1:
		msg = fmt.Sprintf("no Dirichlet node in %d parts of the mesh: elements %s, in parts that share no node with the rest of the mesh, have no Dirichlet node, so the solution is not determined there",
			len(parts), listIDs(el))
	}
	if len(lone) > 0 {
		if msg == "" {
			msg = "no Dirichlet node: "
		} else {
			msg += "; "
		}
		msg += plural(len(lone), "node "+listIDs(lone)+" is", "nodes "+listIDs(lone)+" are") + " in no element and not a Dirichlet node"
	}
	return &CheckError{Kind: NoDirichlet, Elements: el, Nodes: slices.Compact(lone), Msg: msg}
}
