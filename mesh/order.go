package mesh

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Node orderings.
//
// A permutation is held as perm[new] = old: perm lists the old node indices in their new order,
// so the node that becomes node i is perm[i]. RCM and Shuffle return that form and Permute
// takes it, so m.Permute(m.RCM()) is the reordered mesh. Its inverse, inv[perm[i]] = i, maps old
// indices to new ones and is what rewrites the triangle connectivity.

const (
	errPermLen     = "mesh: Permute needs one entry per node (len(perm) != NumNodes)"
	errPermInvalid = "mesh: Permute needs a permutation of 0..NumNodes-1 (index out of range or repeated)"
	errPermMesh    = "mesh: Permute on an inconsistent mesh (Boundary length or triangle index out of range)"
	errShuffleN    = "mesh: Shuffle needs 0 ≤ n ≤ MaxInt32"
	errGraphSize   = "mesh: node graph has more than MaxInt32 adjacencies, too many for int32 indices"
	errGraphIndex  = "mesh: triangle references a node out of range"
)

// Permute returns a copy of m with its nodes renumbered by perm, given as perm[new] = old: new
// node i is old node perm[i], with its coordinates and boundary flag, and every triangle corner
// v is rewritten to the new index of v. m is not changed and shares no memory with the result.
//
// The triangle order and the corner order within each triangle are unchanged: triangle t of the
// result is triangle t of m, with the same counter-clockwise corners and bit-for-bit the same
// signed area. Per-triangle data (a diffusivity field, triangle indices in error messages) thus
// stays valid across a renumbering, and the reordering is a pure node relabelling. (Sorting
// the triangles by their smallest new node would help the locality of the assembly scatter,
// but would silently misalign such data; it belongs in a separate, explicit step.)
//
// If inv is the inverse of perm (inv[perm[i]] = i), m.Permute(perm).Permute(inv) equals m.
// Permute panics when perm is not a permutation of 0..NumNodes-1, or when len(m.Boundary)
// differs from NumNodes or a triangle references a node out of range.
func (m *Mesh) Permute(perm []int32) *Mesh {
	n := m.NumNodes()
	if len(perm) != n {
		panic(errPermLen)
	}
	if len(m.Boundary) != n {
		panic(errPermMesh)
	}
	inv := make([]int32, n)
	for i := range inv {
		inv[i] = -1
	}
	for i, old := range perm {
		if old < 0 || int(old) >= n || inv[old] >= 0 {
			panic(errPermInvalid)
		}
		inv[old] = int32(i)
	}

	p := &Mesh{
		Coords:   make([]float64, 2*n),
		Tri:      make([]int32, len(m.Tri)),
		Boundary: make([]bool, n),
	}
	coords, bnd := m.Coords[:2*n], m.Boundary[:n]
	for i, old := range perm {
		p.Coords[2*i] = coords[2*old]
		p.Coords[2*i+1] = coords[2*old+1]
		p.Boundary[i] = bnd[old]
	}
	for k, v := range m.Tri {
		if v < 0 || int(v) >= n {
			panic(errPermMesh)
		}
		p.Tri[k] = inv[v]
	}
	return p
}

// Shuffle returns a uniformly random permutation of 0..n-1 drawn from rng: a node order as bad
// for locality as a mesh generator's can be, for tests and benchmarks. It panics when n < 0 or
// n > MaxInt32.
func Shuffle(n int, rng *rand.Rand) []int32 {
	if n < 0 || n > math.MaxInt32 {
		panic(errShuffleN)
	}
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	rng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	return perm
}

// Bandwidth returns the bandwidth and the profile of m's node graph in the current node order
// (nodes are adjacent when they share a triangle edge; in a triangle every two corners do):
//
//	bandwidth = max |i − j| over the edges (i, j)
//	profile   = Σ_i (i − min{ j : j adjacent to i or j = i, j ≤ i })
//
// The profile is the number of entries strictly left of the diagonal in the envelope of the
// lower triangle of the node-graph matrix. A mesh without triangles has bandwidth 0 and
// profile 0. It allocates one int32 per node and panics on a node index out of range.
func (m *Mesh) Bandwidth() (bandwidth int, profile int64) {
	n := m.NumNodes()
	low := make([]int32, n) // low[i] = smallest node adjacent to i or i itself
	for i := range low {
		low[i] = int32(i)
	}
	tri := m.Tri[:3*m.NumTris()]
	for t := 0; t < len(tri); t += 3 {
		c := tri[t : t+3 : t+3]
		a, b, d := c[0], c[1], c[2]
		lo, hi := min(a, b, d), max(a, b, d)
		bandwidth = max(bandwidth, int(hi-lo))
		// Every corner is adjacent to the smallest one (or is it), and lo ≤ each corner.
		low[a] = min(low[a], lo)
		low[b] = min(low[b], lo)
		low[d] = min(low[d], lo)
	}
	for i, l := range low {
		profile += int64(i) - int64(l)
	}
	return bandwidth, profile
}

// RCM returns the reverse Cuthill–McKee ordering of m's node graph as perm[new] = old (see
// Permute). Nodes are adjacent when they share a triangle edge.
//
// Each connected component is numbered in turn, components taken in the order of their
// smallest-degree node (ties: smallest index), which starts the search for a root. The root is
// a pseudo-peripheral node found by George and Liu's algorithm: from r = the start node, build
// the BFS level structure of r; take the node x of smallest degree in its last level (ties:
// smallest index) and build x's; if it is deeper than r's, r = x and repeat, else r is the
// root. The Cuthill–McKee order is the breadth-first order from the root that appends the
// unnumbered neighbours of each node in increasing degree (ties: smallest index); the whole
// sequence is then reversed. Isolated nodes (in no triangle) are components of their own.
//
// Every level of a level structure is numbered contiguously and an edge joins nodes of the same
// or adjacent levels, so the bandwidth of the result is below w_k + w_{k+1} for the widest pair
// of adjacent levels; on a structured grid the levels are its diagonals.
//
// The result is deterministic: it depends only on the triangles, not on map order or
// scheduling. Time and memory are O(nodes + edges): the adjacency lists are built once, sorted
// by (degree, index) with a counting sort, so that every breadth-first search is already in
// Cuthill–McKee order and the root's level structure, kept from the search, is the ordering
// (no separate sweep); the arrays are int32. It panics when a triangle references a node out
// of range or the graph has more than MaxInt32 adjacencies (K would not fit int32 indices
// either).
func (m *Mesh) RCM() []int32 {
	n := m.NumNodes()
	g := newNodeGraph(m)
	perm := make([]int32, n)
	scratch := make([]int32, n)
	// seen marks the numbered nodes and, during a breadth-first search, the nodes it reached.
	// One array serves both: a search stays inside the current component, which has no
	// numbered node, and clears its own marks when done.
	seen := make([]bool, n)
	head := 0
	for _, s := range g.order {
		if seen[s] {
			continue
		}
		size := g.cuthillMcKee(s, perm[head:], scratch[:n-head], seen)
		for _, v := range perm[head : head+size] {
			seen[v] = true
		}
		head += size
	}
	slices.Reverse(perm)
	return perm
}

// nodeGraph is the node adjacency of a mesh in CSR form: the neighbours of v are
// adj[ptr[v]:ptr[v+1]], sorted by increasing (degree, index); order lists all nodes by
// increasing (degree, index).
type nodeGraph struct {
	ptr   []int32
	adj   []int32
	order []int32
}

// degree returns the number of neighbours of v.
func (g *nodeGraph) degree(v int32) int32 { return g.ptr[v+1] - g.ptr[v] }

// newNodeGraph builds the node graph of m in O(nodes + corners) time, with no maps and no
// comparison sort, in passes that stream over the triangles or the nodes:
//
//  1. count 2 slots per triangle corner and give each node that many (its neighbours with
//     repeats: an interior edge is seen from both of its triangles);
//  2. stream the triangles, writing each corner's two other corners into its slots;
//  3. per node, drop the repeats with a stamp array, compacting in place: the degrees;
//  4. counting-sort the nodes by degree (stable, so ties stay in index order);
//  5. visit the nodes w in that order and append w to each neighbour's list, which leaves
//     every list sorted by (degree, index).
//
// Streaming over the triangles rather than following node-to-triangle links keeps the reads
// sequential when the node order is bad, which is when RCM is needed.
func newNodeGraph(m *Mesh) *nodeGraph {
	n := m.NumNodes()
	tri := m.Tri[:3*m.NumTris()]

	// 1. Slots with repeats, 2 per corner; offsets are int, as their total may exceed
	// MaxInt32. An inclusive prefix sum leaves rawPtr[v] at the end of v's slots; step 2
	// fills them backwards, which leaves it at their start, and rawPtr[n] is the total.
	rawPtr := make([]int, n+1)
	for _, v := range tri {
		if v < 0 || int(v) >= n {
			panic(errGraphIndex)
		}
		rawPtr[v] += 2
	}
	for v := 1; v < n; v++ {
		rawPtr[v] += rawPtr[v-1]
	}
	rawPtr[n] = 2 * len(tri)
	// 2. Fill. A repeated corner (a degenerate triangle) gives itself as a neighbour; step 3
	// drops it.
	raw := make([]int32, 2*len(tri))
	for t := 0; t < len(tri); t += 3 {
		c := tri[t : t+3 : t+3]
		a, b, d := c[0], c[1], c[2]
		k := rawPtr[a] - 2
		raw[k], raw[k+1] = b, d
		rawPtr[a] = k
		k = rawPtr[b] - 2
		raw[k], raw[k+1] = a, d
		rawPtr[b] = k
		k = rawPtr[d] - 2
		raw[k], raw[k+1] = a, b
		rawPtr[d] = k
	}
	// 3. Distinct neighbours, compacted to the front of raw: those of v are raw[ptr[v]:ptr[v+1]].
	// The write position never passes the read position, so the compaction is in place.
	ptr := make([]int32, n+1)
	stamp := make([]int32, n) // stamp[w] = v+1 once w is in v's list
	var maxDeg int32
	e := 0
	for v := range int32(n) {
		lo := e
		for _, w := range raw[rawPtr[v]:rawPtr[v+1]] {
			if w != v && stamp[w] != v+1 {
				stamp[w] = v + 1
				raw[e] = w
				e++
			}
		}
		if e > math.MaxInt32 {
			panic(errGraphSize)
		}
		ptr[v+1] = int32(e)
		maxDeg = max(maxDeg, int32(e-lo))
	}
	uniq := raw[:e]

	// 4. Nodes by (degree, index).
	count := make([]int32, maxDeg+2)
	for v := range n {
		count[ptr[v+1]-ptr[v]+1]++
	}
	for d := range maxDeg + 1 {
		count[d+1] += count[d]
	}
	order := make([]int32, n)
	for v := range int32(n) {
		d := ptr[v+1] - ptr[v]
		order[count[d]] = v
		count[d]++
	}

	// 5. Lists sorted by (degree, index): the graph is symmetric, so appending w to the list
	// of each of its neighbours, w in that order, rebuilds every list sorted.
	adj := make([]int32, e)
	fill := stamp // reuse: fill[v] = next free position of v's list
	copy(fill, ptr[:n])
	for _, w := range order {
		for _, v := range uniq[ptr[w]:ptr[w+1]] {
			adj[fill[v]] = w
			fill[v]++
		}
	}
	return &nodeGraph{ptr: ptr, adj: adj, order: order}
}

// levels builds the BFS level structure rooted at root inside root's component, whose nodes
// must be unmarked in seen: q[:size] receives the nodes level by level, the last level being
// q[last:size], and depth is the number of levels. The marks it sets in seen are cleared again
// before it returns. q must have room for the component.
func (g *nodeGraph) levels(root int32, q []int32, seen []bool) (size, depth, last int) {
	q[0] = root
	seen[root] = true
	size = 1
	for lo, hi := 0, 1; lo < hi; lo, hi = hi, size {
		last = lo
		depth++
		for _, v := range q[lo:hi] {
			for _, w := range g.adj[g.ptr[v]:g.ptr[v+1]] {
				if !seen[w] {
					seen[w] = true
					q[size] = w
					size++
				}
			}
		}
	}
	for _, v := range q[:size] {
		seen[v] = false
	}
	return size, depth, last
}

// cuthillMcKee writes the Cuthill–McKee order of start's component into q and returns the
// component's size. The root is the pseudo-peripheral node of George and Liu (see RCM). The
// adjacency lists are sorted by (degree, index), so a level structure built by levels is
// already in Cuthill–McKee order: the searches alternate between q and scratch, and the one
// of the final root is the answer. q and scratch must have room for the component.
func (g *nodeGraph) cuthillMcKee(start int32, q, scratch []int32, seen []bool) int {
	cur, alt := q, scratch // cur holds the level structure of the current root
	size, depth, last := g.levels(start, cur, seen)
	inQ := true
	for {
		x := cur[last]
		for _, v := range cur[last+1 : size] {
			if dv, dx := g.degree(v), g.degree(x); dv < dx || dv == dx && v < x {
				x = v
			}
		}
		xsize, xdepth, xlast := g.levels(x, alt, seen)
		if xdepth <= depth {
			break
		}
		cur, alt, inQ = alt, cur, !inQ
		size, depth, last = xsize, xdepth, xlast
	}
	if !inQ {
		copy(q, cur[:size])
	}
	return size
}
