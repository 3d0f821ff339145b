package chol

import (
	"math"
	"math/bits"
	"mcfem/sparse"
)

// Nested dissection (George 1973) by recursive bisection with breadth-first level structures.
//
// A part of the graph (the vertices not yet numbered that are connected through unnumbered
// vertices) is split as follows. A breadth-first search from a pseudo-peripheral vertex (found
// by the George–Liu iteration: restart from a minimum-degree vertex of the last level while
// the depth grows) partitions the part into levels L0, L1, …; every level ℓ is a vertex
// separator between the levels before it (A) and after it (B). Among the levels whose sides
// are balanced (the smaller side holds at least ndBalance of the two), the narrowest is
// chosen, ties going to the better balance. The separator is then thinned to a minimal one:
// a separator vertex with no neighbour in B joins A, then one with no neighbour in A joins B.
// The separator is numbered last in the part and A and B are dissected in turn. A part of at
// most the leaf size (or one without three levels) is ordered by exact minimum degree, its
// halo of separator vertices counted in the degrees (orderLeaf): at that scale minimum degree
// fills less than further bisection. A part that is not connected is split into its
// components, which need no separator.
//
// Refining the separators further (Fiduccia–Mattheyses vertex moves) was tried and changed
// their total size by less than 0.1% on the structured and shuffled meshes: the thinned levels
// are already local optima there.
//
// Parts are ranges of one array that becomes the permutation: a part verts[lo:hi] is
// rearranged in place into A, B, S (each keeping the relative order of its vertices), so once
// every range is a leaf or a separator, verts lists the vertices in elimination order. Every
// step is a deterministic function of the graph: no maps, no randomness.

const (
	// defaultLeafSize is the part size at which dissection stops and minimum degree takes
	// over. On the unit-square meshes, 64 gives 8% less fill than bisecting down to 8-vertex
	// leaves ordered naturally; larger leaves change the fill by under 1%.
	defaultLeafSize = 64
	// ndBalance is the least share of A ∪ B the smaller side must hold for a level to be a
	// candidate separator. 0.3 gave the least fill on the unit squares (0.15: +10%, 0.4:
	// +5%): a narrower separator is worth some imbalance.
	ndBalance = 0.3
	// maxPeripheralSweeps bounds the breadth-first searches of the pseudo-peripheral vertex
	// search (the depth rarely grows after two or three).
	maxPeripheralSweeps = 6
)

const (
	errNilMatrix = "chol: nil matrix"
	errShape     = "chol: CSR RowPtr, Col and Val lengths are inconsistent with N"
	errColumn    = "chol: CSR column index out of range"
	errPerm      = "chol: Options.Perm is not a permutation of 0..N-1"
)

// graph is an undirected graph without self-loops in compressed form: the neighbours of v are
// adj[ptr[v]:ptr[v+1]].
type graph struct {
	ptr []int // int: the symmetrised adjacency of a lower triangle may exceed MaxInt32
	adj []int32
}

// checkCSR panics unless a is a consistent CSR matrix with column indices in range.
func checkCSR(a *sparse.CSR) {
	if a == nil {
		panic(errNilMatrix)
	}
	if a.N < 0 || a.N >= math.MaxInt32 || len(a.RowPtr) != a.N+1 || len(a.Col) != len(a.Val) ||
		a.RowPtr[0] != 0 || int(a.RowPtr[a.N]) != len(a.Col) {
		panic(errShape)
	}
	for i := range a.N {
		lo, hi := a.RowPtr[i], a.RowPtr[i+1]
		if lo > hi {
			panic(errShape)
		}
		for _, j := range a.Col[lo:hi] {
			if j < 0 || int(j) >= a.N {
				panic(errColumn)
			}
		}
	}
}

// newGraph returns the adjacency graph of a's lower triangle, symmetrised: v and w are adjacent
// when a holds an entry (v, w) or (w, v) with w < v. Diagonal entries are dropped.
func newGraph(a *sparse.CSR) *graph {
	n := a.N
	ptr := make([]int, n+1)
	for i := range n {
		for _, j := range a.Col[a.RowPtr[i]:a.RowPtr[i+1]] {
			if int(j) < i {
				ptr[i+1]++
				ptr[j+1]++
			}
		}
	}
	for i := range n {
		ptr[i+1] += ptr[i]
	}
	next := make([]int, n)
	copy(next, ptr[:n])
	adj := make([]int32, ptr[n])
	for i := range n {
		for _, j := range a.Col[a.RowPtr[i]:a.RowPtr[i+1]] {
			if int(j) < i {
				adj[next[i]] = j
				next[i]++
				adj[next[j]] = int32(i)
				next[j]++
			}
		}
	}
	return &graph{ptr: ptr, adj: adj}
}

// Order returns the nested-dissection ordering of a's graph (the pattern of its lower
// triangle, symmetrised) as perm[new] = old: the vertex eliminated i-th is perm[i]. Only
// opt.LeafSize is used. The result is a deterministic function of a's pattern.
//
// New uses this ordering followed by a postorder of the elimination tree, which changes the
// numbering but not the fill. Order panics on an inconsistent matrix.
func Order(a *sparse.CSR, opt Options) []int32 {
	checkCSR(a)
	return newGraph(a).dissect(opt.leafSize())
}

// dissector holds the state of one nested dissection.
type dissector struct {
	g     *graph
	leaf  int
	label []int32 // part id of each vertex (the lo of its range), -1 once in a separator
	level []int32 // level of each vertex in the latest level structure of its part
	seen  []int32 // BFS stamp: seen[v] == stamp when the current search reached v
	stamp int32
	queue []int32 // the latest search's vertices, level by level
	lptr  []int32 // level ℓ is queue[lptr[ℓ]:lptr[ℓ+1]]
	verts []int32 // the ordering being built
	tmp   []int32
	todo  [][2]int32 // open parts as ranges of verts
	bits  []uint64   // leaf ordering: adjacency bitsets
	deg   []int32    // leaf ordering: degrees
}

// dissect returns the nested-dissection ordering of g.
func (g *graph) dissect(leaf int) []int32 {
	n := len(g.ptr) - 1
	d := &dissector{
		g:     g,
		leaf:  leaf,
		label: make([]int32, n),
		level: make([]int32, n),
		seen:  make([]int32, n),
		queue: make([]int32, n),
		verts: make([]int32, n),
		tmp:   make([]int32, n),
	}
	for v := range d.verts {
		d.verts[v] = int32(v)
		d.seen[v] = -1
	}
	if n > 0 {
		d.todo = append(d.todo, [2]int32{0, int32(n)})
	}
	for len(d.todo) > 0 {
		r := d.todo[len(d.todo)-1]
		d.todo = d.todo[:len(d.todo)-1]
		d.split(int(r[0]), int(r[1]))
	}
	return d.verts
}

// bfs builds the level structure of root's component within part id: queue and lptr. It
// returns the number of vertices reached.
func (d *dissector) bfs(root, id int32) int {
	d.stamp++
	st := d.stamp
	ptr, adj, label, seen, level := d.g.ptr, d.g.adj, d.label, d.seen, d.level
	q := d.queue
	q[0] = root
	seen[root] = st
	level[root] = 0
	d.lptr = append(d.lptr[:0], 0)
	head, tail := 0, 1
	for head < tail {
		end := tail
		lv := level[q[head]] + 1
		for ; head < end; head++ {
			v := q[head]
			for _, w := range adj[ptr[v]:ptr[v+1]] {
				if seen[w] != st && label[w] == id {
					seen[w] = st
					level[w] = lv
					q[tail] = w
					tail++
				}
			}
		}
		d.lptr = append(d.lptr, int32(end))
	}
	return tail
}

// split dissects the part verts[lo:hi], whose vertices carry label lo, pushing the parts it
// leaves open.
func (d *dissector) split(lo, hi int) {
	size := hi - lo
	if size <= d.leaf {
		d.orderLeaf(lo, hi)
		return
	}
	id := int32(lo)
	vs := d.verts[lo:hi]
	ptr := d.g.ptr

	// Start from the first vertex of minimum degree.
	root := vs[0]
	for _, v := range vs[1:] {
		if ptr[v+1]-ptr[v] < ptr[root+1]-ptr[root] {
			root = v
		}
	}
	reached := d.bfs(root, id)
	if reached < size {
		d.splitComponent(lo, hi, reached)
		return
	}
	// George–Liu: restart from the far end while the depth grows. The last search's level
	// structure (from the far end of the pseudo-diameter, as deep as the root's or nearly)
	// gives the separator.
	depth := len(d.lptr) - 1
	for range maxPeripheralSweeps {
		d.bfs(d.farVertex(depth), id)
		nd := len(d.lptr) - 1
		if nd <= depth {
			break
		}
		depth = nd
	}
	best := separator{}
	if len(d.lptr)-1 >= 3 {
		best = d.chooseLevel(len(d.lptr)-1, size)
	}
	if best.width == 0 {
		d.orderLeaf(lo, hi) // no level separates two non-empty sides
		return
	}
	sep := best.level
	d.thin(sep, id)
	d.partition(lo, hi, sep)
}

// partition rearranges verts[lo:hi] stably into A (level < sep), B (level > sep) and S (level
// == sep), labels A with lo, B with its own lo and S with -1, and pushes A and B.
func (d *dissector) partition(lo, hi int, sep int32) {
	vs := d.verts[lo:hi]
	level := d.level
	tmp := d.tmp[:len(vs)]
	copy(tmp, vs)
	k := 0
	for _, v := range tmp {
		if level[v] < sep {
			vs[k] = v
			k++
		}
	}
	na := k
	for _, v := range tmp {
		if level[v] > sep {
			vs[k] = v
			k++
		}
	}
	nb := k - na
	for _, v := range tmp {
		if level[v] == sep {
			vs[k] = v
			k++
		}
	}
	idB := int32(lo + na)
	for _, v := range vs[na : na+nb] {
		d.label[v] = idB
	}
	for _, v := range vs[na+nb:] {
		d.label[v] = -1
	}
	d.todo = append(d.todo, [2]int32{int32(lo), int32(lo + na)}, [2]int32{idB, int32(lo + na + nb)})
}

// splitComponent splits the disconnected part verts[lo:hi] into the component the latest
// search reached (reached vertices, marked with the current stamp) and the rest, keeping the
// relative order within each, and pushes both.
func (d *dissector) splitComponent(lo, hi, reached int) {
	vs := d.verts[lo:hi]
	tmp := d.tmp[:len(vs)]
	copy(tmp, vs)
	st := d.stamp
	k := 0
	for _, v := range tmp {
		if d.seen[v] == st {
			vs[k] = v
			k++
		}
	}
	for _, v := range tmp {
		if d.seen[v] != st {
			vs[k] = v
			k++
		}
	}
	idRest := int32(lo + reached)
	for _, v := range vs[reached:] {
		d.label[v] = idRest
	}
	d.todo = append(d.todo, [2]int32{int32(lo), idRest}, [2]int32{idRest, int32(hi)})
}

// separator describes a candidate separator level of a level structure.
type separator struct {
	level, width, imbalance int32 // width 0: none
	balanced                bool
}

// better reports whether c is a better separator than o: balanced first, then narrower, then
// better balanced; among unbalanced ones, better balanced first.
func (c separator) better(o separator) bool {
	switch {
	case o.width == 0:
		return c.width > 0
	case c.width == 0:
		return false
	case c.balanced != o.balanced:
		return c.balanced
	case c.balanced:
		return c.width < o.width || (c.width == o.width && c.imbalance < o.imbalance)
	default:
		return c.imbalance < o.imbalance || (c.imbalance == o.imbalance && c.width < o.width)
	}
}

// farVertex returns a vertex of minimum degree (the first) in the last level of the latest
// level structure, of the given depth.
func (d *dissector) farVertex(depth int) int32 {
	ptr := d.g.ptr
	last := d.queue[d.lptr[depth-1]:d.lptr[depth]]
	cand := last[0]
	for _, v := range last[1:] {
		if ptr[v+1]-ptr[v] < ptr[cand+1]-ptr[cand] {
			cand = v
		}
	}
	return cand
}

// chooseLevel returns the best separator level of the latest level structure (depth ≥ 3
// levels, size vertices) among levels 1..depth-2, by separator.better: the narrowest level
// whose sides are balanced (the smaller holding at least ndBalance of the two), ties to the
// better balance; if none is balanced, the best balanced one, ties to the narrower.
func (d *dissector) chooseLevel(depth, size int) separator {
	lp := d.lptr
	var best separator
	for l := 1; l <= depth-2; l++ {
		a := lp[l]
		w := lp[l+1] - lp[l]
		b := int32(size) - a - w
		imb := a - b
		if imb < 0 {
			imb = -imb
		}
		c := separator{level: int32(l), width: w, imbalance: imb,
			balanced: float64(min(a, b)) >= ndBalance*float64(a+b)}
		if c.better(best) {
			best = c
		}
	}
	return best
}

// thin makes level sep of the latest level structure of part id a minimal separator: a
// separator vertex without a neighbour in B (level > sep) moves to A (its level becomes
// sep-1), then one without a neighbour in A moves to B (level sep+1). Each move is checked
// against the levels as they stand, so the result still separates A from B.
func (d *dissector) thin(sep, id int32) {
	ptr, adj, label, level := d.g.ptr, d.g.adj, d.label, d.level
	lv := d.queue[d.lptr[sep]:d.lptr[sep+1]]
	for _, v := range lv {
		far := false
		for _, w := range adj[ptr[v]:ptr[v+1]] {
			if label[w] == id && level[w] > sep {
				far = true
				break
			}
		}
		if !far {
			level[v] = sep - 1
		}
	}
	for _, v := range lv {
		if level[v] != sep {
			continue
		}
		near := false
		for _, w := range adj[ptr[v]:ptr[v+1]] {
			if label[w] == id && level[w] < sep {
				near = true
				break
			}
		}
		if !near {
			level[v] = sep + 1
		}
	}
}

// maxLeafUniverse bounds the leaf plus halo vertices that orderLeaf handles with bitsets; a
// larger leaf keeps its order.
const maxLeafUniverse = 1024

// orderLeaf orders the leaf verts[lo:hi] by exact minimum degree on its elimination graph,
// ties to the earlier vertex of the leaf. The leaf's halo (its neighbours outside it, all in
// separators numbered after it) is part of the graph, so a fill edge to the halo counts in a
// degree, but is never eliminated. Adjacency is held as one bitset per leaf vertex over leaf
// and halo.
func (d *dissector) orderLeaf(lo, hi int) {
	vs := d.verts[lo:hi]
	p := len(vs)
	if p <= 2 {
		return
	}
	ptr, adj, loc := d.g.ptr, d.g.adj, d.level
	d.stamp++
	st := d.stamp
	for i, v := range vs {
		d.seen[v] = st
		loc[v] = int32(i)
	}
	u := p
	for _, v := range vs {
		for _, w := range adj[ptr[v]:ptr[v+1]] {
			if d.seen[w] != st {
				d.seen[w] = st
				loc[w] = int32(u)
				u++
			}
		}
	}
	if u > maxLeafUniverse {
		return
	}
	nw := (u + 63) / 64
	if cap(d.bits) < p*nw {
		d.bits = make([]uint64, p*nw)
		d.deg = make([]int32, maxLeafUniverse)
	}
	bits := d.bits[:p*nw]
	clear(bits)
	deg := d.deg[:p]
	for i, v := range vs {
		b := bits[i*nw : i*nw+nw]
		for _, w := range adj[ptr[v]:ptr[v+1]] {
			j := loc[w]
			b[j>>6] |= 1 << (j & 63)
		}
		b[i>>6] &^= 1 << (i & 63)
		deg[i] = int32(popcount(b))
	}
	order := d.tmp[:p]
	const done = math.MaxInt32
	for step := range p {
		best := -1
		bd := int32(done)
		for i, dg := range deg {
			if dg < bd {
				best, bd = i, dg
			}
		}
		order[step] = vs[best]
		deg[best] = done
		bv := bits[best*nw : best*nw+nw]
		// The neighbours of best become a clique: each gains best's other neighbours.
		for wi, word := range bv {
			for word != 0 {
				t := wi<<6 | trailingZeros(word)
				word &= word - 1
				if t >= p || deg[t] == done {
					continue
				}
				bt := bits[t*nw : t*nw+nw]
				for q := range bt {
					bt[q] |= bv[q]
				}
				bt[t>>6] &^= 1 << (t & 63)
				bt[best>>6] &^= 1 << (best & 63)
				deg[t] = int32(popcount(bt))
			}
		}
	}
	copy(vs, order)
}

// popcount returns the number of set bits in b.
func popcount(b []uint64) int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// trailingZeros returns the index of the lowest set bit of w ≠ 0.
func trailingZeros(w uint64) int { return bits.TrailingZeros64(w) }
