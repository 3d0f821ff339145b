package chol

import (
	"mcfem/sparse"
	"slices"
)

// Symbolic analysis: from the fill-reducing ordering to the supernodal storage layout.
//
//  1. The elimination tree of P A Pᵀ (Liu's algorithm with path-compressed ancestors).
//  2. Column counts of L by row subtrees: row k of L is the union of the tree paths from the
//     nonzeros of row k of A up to k, walked once each with a marker (O(nnz(L)) time).
//  3. A postorder of the tree, so that every subtree is a contiguous range of columns ending
//     at its root, and fundamental supernodes: column j-1 joins column j's supernode when j
//     is its parent and its count is one more (the same rows below).
//  4. Relaxed amalgamation (amalgamate): a child supernode is merged into its parent when
//     the explicit zeros that the merged dense block stores are few enough (relaxAllowed),
//     and the columns are renumbered so that merged blocks are contiguous and the block tree
//     is in postorder, as the multifrontal stack needs. Every renumbering is a topological
//     order of the elimination tree, so the tree and the fill of L stay the same.
//  5. Row structures, one sorted index list per supernode (its own columns first): the rows
//     of A below the supernode and the rows of its children's structures below it, and the
//     value layout (see Factor).

// relaxAllowed reports whether a supernode of nc columns holding the fraction z of explicit
// zeros may be formed by amalgamation: up to 50% zeros up to 4 columns, 30% up to 16, 10% up
// to 48 and 5% beyond. On the unit squares this stores 15% more entries than L has nonzeros
// but halves the number of supernodes, which the one-right-hand-side solve needs (its cost
// per supernode is high); stricter thresholds (20%/10%/5%/2%) save 10% of the entries but
// make that solve 20% slower, and looser ones (80%/…) cost more entries than they save time.
func relaxAllowed(nc int, z float64) bool {
	switch {
	case nc <= 4:
		return z < 0.5
	case nc <= 16:
		return z < 0.3
	case nc <= 48:
		return z < 0.1
	default:
		return z < 0.05
	}
}

// permMatrix is P A Pᵀ as a full symmetric matrix in compressed rows (both triangles), built
// from A's lower triangle; the column indices within a row are in no particular order.
type permMatrix struct {
	ptr []int
	idx []int32
	val []float64
}

// permute returns P A Pᵀ for the inverse permutation pinv (pinv[old] = new).
func permute(a *sparse.CSR, pinv []int32) *permMatrix {
	n := a.N
	ptr := make([]int, n+1)
	for i := range n {
		pi := pinv[i]
		lo, hi := a.RowPtr[i], a.RowPtr[i+1]
		for _, j := range a.Col[lo:hi] {
			if int(j) > i {
				continue
			}
			ptr[pi+1]++
			if int(j) != i {
				ptr[pinv[j]+1]++
			}
		}
	}
	for i := range n {
		ptr[i+1] += ptr[i]
	}
	next := slices.Clone(ptr[:n])
	idx := make([]int32, ptr[n])
	val := make([]float64, ptr[n])
	for i := range n {
		pi := pinv[i]
		lo, hi := a.RowPtr[i], a.RowPtr[i+1]
		vals := a.Val[lo:hi]
		for k, j := range a.Col[lo:hi] {
			if int(j) > i {
				continue
			}
			v := vals[k]
			pj := pinv[j]
			idx[next[pi]] = pj
			val[next[pi]] = v
			next[pi]++
			if int(j) != i {
				idx[next[pj]] = pi
				val[next[pj]] = v
				next[pj]++
			}
		}
	}
	return &permMatrix{ptr: ptr, idx: idx, val: val}
}

// etree returns the elimination tree of the symmetric matrix m: parent[j] > j, or -1 at a
// root.
func etree(m *permMatrix) []int32 {
	n := len(m.ptr) - 1
	parent := make([]int32, n)
	anc := make([]int32, n)
	for k := range n {
		parent[k] = -1
		anc[k] = -1
		for _, i := range m.idx[m.ptr[k]:m.ptr[k+1]] {
			for i >= 0 && int(i) < k {
				next := anc[i]
				anc[i] = int32(k)
				if next < 0 {
					parent[i] = int32(k)
				}
				i = next
			}
		}
	}
	return parent
}

// postorder returns a postorder of the forest parent (children visited in increasing order):
// post[k] is the k-th node.
func postorder(parent []int32) []int32 {
	n := len(parent)
	head := make([]int32, n)
	next := make([]int32, n)
	for j := range head {
		head[j] = -1
	}
	for j := n - 1; j >= 0; j-- {
		if p := parent[j]; p >= 0 {
			next[j] = head[p]
			head[p] = int32(j)
		}
	}
	post := make([]int32, 0, n)
	var stack []int32
	for j := range n {
		if parent[j] >= 0 {
			continue
		}
		stack = append(stack, int32(j))
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			if c := head[p]; c >= 0 {
				head[p] = next[c]
				stack = append(stack, c)
			} else {
				stack = stack[:len(stack)-1]
				post = append(post, p)
			}
		}
	}
	return post
}

// colCounts returns the number of nonzeros of each column of L (diagonal included) for the
// matrix m with elimination tree parent.
func colCounts(m *permMatrix, parent []int32) []int32 {
	n := len(parent)
	cc := make([]int32, n)
	mark := make([]int32, n)
	for j := range cc {
		cc[j] = 1
		mark[j] = -1
	}
	for k := range n {
		k32 := int32(k)
		mark[k] = k32
		for _, i := range m.idx[m.ptr[k]:m.ptr[k+1]] {
			for j := i; j < k32 && mark[j] != k32; j = parent[j] {
				cc[j]++
				mark[j] = k32
			}
		}
	}
	return cc
}

// symbolic is the result of the analysis.
type symbolic struct {
	perm      []int32 // perm[new] = old
	a         *permMatrix
	super     []int32 // supernode s has columns super[s]..super[s+1]-1
	sparent   []int32 // parent supernode, -1 at a root
	rowPtr    []int   // rows of supernode s: rows[rowPtr[s]:rowPtr[s+1]]
	rows      []int32
	valPtr    []int // values of supernode s: val[valPtr[s]:valPtr[s+1]]
	flops     float64
	nnz       int64 // entries of L in the supernodal structure
	maxFront  int   // largest supernode row count
	stackPeak int   // largest total of the update matrices held at once (float64s)
}

// analyse runs the symbolic analysis of a under the fill-reducing ordering perm.
//
// The matrix is permuted twice: once to find the elimination tree and the column counts, once
// in the final order for the numeric phase. In between, the tree and the counts are only
// relabelled: the postorder and the amalgamation order are both topological orders of the
// tree, under which the tree and the fill stay the same up to the numbering.
func analyse(a *sparse.CSR, perm []int32) *symbolic {
	n := a.N
	pm := permute(a, invert(perm))
	parent := etree(pm)
	cc := colCounts(pm, parent)
	post := postorder(parent)
	parent = relabel(parent, post)
	ccp := make([]int32, n)
	for k, j := range post {
		ccp[k] = cc[j]
	}
	order, super := amalgamate(parent, ccp)
	parent = relabel(parent, order)
	final := make([]int32, n)
	for k, j := range order {
		final[k] = perm[post[j]]
	}
	sy := &symbolic{perm: final, a: permute(a, invert(final)), super: super}
	sy.structure(parent)
	return sy
}

// relabel returns the forest parent under the new numbering order (order[new] = old).
func relabel(parent, order []int32) []int32 {
	inv := invert(order)
	p := make([]int32, len(parent))
	for k, j := range order {
		p[k] = -1
		if q := parent[j]; q >= 0 {
			p[k] = inv[q]
		}
	}
	return p
}

// invert returns the inverse of the permutation p.
func invert(p []int32) []int32 {
	inv := make([]int32, len(p))
	for i, v := range p {
		inv[v] = int32(i)
	}
	return inv
}

// amalgamate finds the fundamental supernodes of the matrix with elimination tree parent and
// column counts cc (columns in a postorder), merges them by relaxed amalgamation and returns
// the new column order, order[new] = old, in which every merged supernode is a contiguous
// range, together with those ranges (super).
//
// Children before parents, each child of a supernode is merged into it when the merged dense
// block would satisfy relaxAllowed; a merged block stores ncG·nrG − ncG(ncG−1)/2 entries (its
// own columns' rows are those of the parent plus the parent's rows below) of which the sum of
// the members' true column counts are nonzero. Any child may merge, not only the one whose
// columns end where the parent's begin: the new order lists the merged tree in postorder, each
// block's members in increasing order. That is a topological order of the elimination tree
// (every column still precedes its parent), so the tree and the fill are unchanged, only the
// numbering.
func amalgamate(parent, cc []int32) (order, super []int32) {
	n := len(parent)
	if n == 0 {
		return nil, []int32{0}
	}
	first := []int32{0}
	for j := 1; j < n; j++ {
		if parent[j-1] != int32(j) || cc[j-1] != cc[j]+1 {
			first = append(first, int32(j))
		}
	}
	ns := len(first)
	first = append(first, int32(n))
	colSuper := make([]int32, n)
	below := make([]int64, ns)   // rows below the supernode's own columns
	ncols := make([]int64, ns)   // columns of the block the supernode heads
	entries := make([]int64, ns) // true nonzeros of the block's columns
	for s := range ns {
		below[s] = int64(cc[first[s+1]-1]) - 1
		ncols[s] = int64(first[s+1] - first[s])
		for j := first[s]; j < first[s+1]; j++ {
			colSuper[j] = int32(s)
			entries[s] += int64(cc[j])
		}
	}
	sparent := make([]int32, ns)
	head := make([]int32, ns)
	next := make([]int32, ns)
	for s := range head {
		head[s] = -1
	}
	for s := ns - 1; s >= 0; s-- {
		sparent[s] = -1
		if p := parent[first[s+1]-1]; p >= 0 {
			ps := colSuper[p]
			sparent[s] = ps
			next[s] = head[ps]
			head[ps] = int32(s)
		}
	}
	merged := make([]bool, ns)
	for s := range ns {
		for c := head[s]; c >= 0; c = next[c] {
			nc := ncols[s] + ncols[c]
			nr := nc + below[s]
			stored := nc*nr - nc*(nc-1)/2
			tr := entries[s] + entries[c]
			if relaxAllowed(int(nc), 1-float64(tr)/float64(stored)) {
				ncols[s] = nc
				entries[s] = tr
				merged[c] = true
			}
		}
	}
	// Blocks: grp[s] is the supernode heading s's block; members listed in increasing order.
	grp := make([]int32, ns)
	for s := ns - 1; s >= 0; s-- {
		grp[s] = int32(s)
		if merged[s] {
			grp[s] = grp[sparent[s]]
		}
	}
	mhead := make([]int32, ns)
	mnext := make([]int32, ns)
	for s := range mhead {
		mhead[s] = -1
	}
	for s := ns - 1; s >= 0; s-- {
		g := grp[s]
		mnext[s] = mhead[g]
		mhead[g] = int32(s)
	}
	// Children of each block (blocks whose head's parent lies in it), increasing.
	for s := range head {
		head[s] = -1
	}
	for s := ns - 1; s >= 0; s-- {
		if grp[s] == int32(s) && sparent[s] >= 0 {
			g := grp[sparent[s]]
			next[s] = head[g]
			head[g] = int32(s)
		}
	}
	order = make([]int32, 0, n)
	super = make([]int32, 0, ns+1)
	var stack []int32
	for r := range ns {
		if grp[r] != int32(r) || sparent[r] >= 0 {
			continue
		}
		stack = append(stack, int32(r))
		for len(stack) > 0 {
			g := stack[len(stack)-1]
			if c := head[g]; c >= 0 {
				head[g] = next[c]
				stack = append(stack, c)
				continue
			}
			stack = stack[:len(stack)-1]
			super = append(super, int32(len(order)))
			for m := mhead[g]; m >= 0; m = mnext[m] {
				for j := first[m]; j < first[m+1]; j++ {
					order = append(order, j)
				}
			}
		}
	}
	super = append(super, int32(n))
	return order, super
}

// structure computes the supernodal tree, the row structures and the value layout.
func (sy *symbolic) structure(parent []int32) {
	n := len(parent)
	ns := len(sy.super) - 1
	colSuper := make([]int32, n)
	for s := range ns {
		for j := sy.super[s]; j < sy.super[s+1]; j++ {
			colSuper[j] = int32(s)
		}
	}
	sy.sparent = make([]int32, ns)
	head := make([]int32, ns)
	next := make([]int32, ns)
	nchild := make([]int32, ns)
	for s := range head {
		head[s] = -1
	}
	for s := ns - 1; s >= 0; s-- {
		p := parent[sy.super[s+1]-1]
		if p < 0 {
			sy.sparent[s] = -1
			continue
		}
		ps := colSuper[p]
		sy.sparent[s] = ps
		next[s] = head[ps]
		head[ps] = int32(s)
		nchild[ps]++
	}

	pm := sy.a
	marker := make([]int32, n)
	for i := range marker {
		marker[i] = -1
	}
	sy.rowPtr = make([]int, ns+1)
	sy.valPtr = make([]int, ns+1)
	rows := make([]int32, 0, 2*n)
	var sizes []int // the multifrontal stack of update-matrix sizes
	cur := 0
	for s := range ns {
		s32 := int32(s)
		f, l := sy.super[s], sy.super[s+1]-1
		start := len(rows)
		for j := f; j <= l; j++ {
			rows = append(rows, j)
			marker[j] = s32
		}
		for j := f; j <= l; j++ {
			for _, i := range pm.idx[pm.ptr[j]:pm.ptr[j+1]] {
				if i > l && marker[i] != s32 {
					marker[i] = s32
					rows = append(rows, i)
				}
			}
		}
		for c := head[s]; c >= 0; c = next[c] {
			for _, i := range rows[sy.rowPtr[c]:sy.rowPtr[c+1]] {
				if i > l && marker[i] != s32 {
					marker[i] = s32
					rows = append(rows, i)
				}
			}
		}
		nc := int(l - f + 1)
		slices.Sort(rows[start+nc:])
		sy.rowPtr[s+1] = len(rows)
		nr := len(rows) - start
		sy.valPtr[s+1] = sy.valPtr[s] + blockSize(nc, nr)
		sy.nnz += int64(nc*nr - nc*(nc-1)/2)
		for j := range nc {
			c := float64(nr - j)
			sy.flops += float64(c * c)
		}
		sy.maxFront = max(sy.maxFront, nr)
		m := nr - nc
		// Stack: the children's updates are consumed, then this supernode's is pushed.
		for range nchild[s] {
			cur -= sizes[len(sizes)-1]
			sizes = sizes[:len(sizes)-1]
		}
		if m > 0 { // then the last column has a parent: sy.sparent[s] >= 0
			sz := m * (m + 1) / 2
			sizes = append(sizes, sz)
			cur += sz
			sy.stackPeak = max(sy.stackPeak, cur)
		}
	}
	sy.rows = rows
}
