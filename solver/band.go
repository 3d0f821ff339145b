package solver

import "mcfem/sparse"

// band is a symmetric matrix stored by diagonals: the main diagonal d and the upper
// diagonals u[t] at the positive offsets off[t] (ascending), with u[t][i] = a(i, i+off[t]) =
// a(i+off[t], i). On a structured grid numbered line by line (UnitSquare: offsets 1 and the
// line length) the five-point rows of K are then three streams of values, 24 bytes per row,
// instead of the CSR's 5·12 + 4 = 64: no column indices, and each off-diagonal value read
// once for the two rows that share it. Entries of a diagonal that the CSR pattern lacks are
// stored as zeros.
//
// The kernels evaluate each row in the CSR's column order (sorted columns: the lower
// diagonals from the farthest in, the main one, then the upper ones), so they give the CSR
// kernels' sums bit for bit (an added zero changes at most the sign of a zero sum).
type band struct {
	n   int
	off []int       // positive offsets, ascending; 2 of them (the kernels' case)
	d   []float64   // main diagonal
	u   [][]float64 // u[t][i] = a(i, i+off[t]); zero for i+off[t] ≥ n
	// the CSR the values were copied from, to detect a mismatched matrix
	val *float64
	col *int32
	nnz int
}

// bandOffsets is the number of upper diagonals the band kernels handle.
const bandOffsets = 2

// newBand returns a's band form, reusing old's arrays when the shape matches, or nil when a
// does not qualify: not exactly bandOffsets distinct upper offsets, not symmetric bit for bit,
// or the band form would store more than 1.25 entries per nonzero of a (padding zeros).
func newBand(a *sparse.CSR, old *band) *band {
	n := a.N
	if n < 2 || a.NNZ() == 0 {
		return nil
	}
	var off [bandOffsets]int
	nOff := 0
	for i := range n {
		lo, hi := a.RowPtr[i], a.RowPtr[i+1]
		for _, c := range a.Col[lo:hi] {
			o := int(c) - i
			if o <= 0 {
				continue
			}
			found := false
			for t := range nOff {
				if off[t] == o {
					found = true
					break
				}
			}
			if !found {
				if nOff == bandOffsets {
					return nil
				}
				off[nOff] = o
				nOff++
			}
		}
	}
	if nOff != bandOffsets {
		return nil
	}
	if off[0] > off[1] {
		off[0], off[1] = off[1], off[0]
	}
	stored := 2*(n-off[0]) + 2*(n-off[1]) + n
	if 4*stored > 5*a.NNZ() {
		return nil
	}
	b := old
	if b == nil || b.n != n {
		b = &band{n: n, off: make([]int, bandOffsets), d: make([]float64, n), u: make([][]float64, bandOffsets)}
		for t := range b.u {
			b.u[t] = make([]float64, n)
		}
	}
	copy(b.off, off[:])
	clear(b.d)
	for t := range b.u {
		clear(b.u[t])
	}
	for i := range n {
		lo, hi := a.RowPtr[i], a.RowPtr[i+1]
		v := a.Val[lo:hi]
		for k, c := range a.Col[lo:hi] {
			o := int(c) - i
			switch {
			case o == 0:
				b.d[i] = v[k]
			case o == b.off[0]:
				b.u[0][i] = v[k]
			case o == b.off[1]:
				b.u[1][i] = v[k]
			}
		}
	}
	// Symmetry bit for bit: every lower entry equals the stored upper one, and no column
	// is repeated (a repeated column would be summed by the CSR kernels, not here).
	for i := range n {
		lo, hi := a.RowPtr[i], a.RowPtr[i+1]
		v := a.Val[lo:hi]
		prev := int32(-1)
		for k, c := range a.Col[lo:hi] {
			if c <= prev {
				return nil
			}
			prev = c
			o := i - int(c)
			if o <= 0 {
				continue
			}
			t := 0
			if o != b.off[0] {
				t = 1
				if o != b.off[1] {
					return nil
				}
			}
			if b.u[t][int(c)] != v[k] {
				return nil
			}
		}
	}
	b.val, b.col, b.nnz = &a.Val[0], &a.Col[0], a.NNZ()
	return b
}

// of reports whether b is the band form of a: built from a's arrays, and still holding a's
// values in a spot check of eight rows spread over the matrix (callers rebuild it, through
// Worker.SetMatrix, whenever the values change; the check catches a forgotten rebuild after
// a re-assembly, which would otherwise make CG converge to the old matrix's solution).
func (b *band) of(a *sparse.CSR) bool {
	if b == nil || b.n != a.N || a.NNZ() != b.nnz || b.nnz == 0 || &a.Val[0] != b.val || &a.Col[0] != b.col {
		return false
	}
	for t := range 8 {
		i := t * (b.n - 1) / 7
		lo, hi := a.RowPtr[i], a.RowPtr[i+1]
		v := a.Val[lo:hi]
		for k, c := range a.Col[lo:hi] {
			if b.at(i, int(c)) != v[k] {
				return false
			}
		}
	}
	return true
}

// at returns the stored entry (i, j), zero off the band.
func (b *band) at(i, j int) float64 {
	if j < i {
		i, j = j, i
	}
	switch j - i {
	case 0:
		return b.d[i]
	case b.off[0]:
		return b.u[0][i]
	case b.off[1]:
		return b.u[1][i]
	}
	return 0
}

// row returns row i of the band times p, in the CSR's column order, with range checks:
// for the few rows near the ends.
func (b *band) row(p []float64, i int) float64 {
	o0, o1 := b.off[0], b.off[1]
	u0, u1 := b.u[0], b.u[1]
	var s float64
	if i >= o1 {
		s += float64(u1[i-o1] * p[i-o1])
	}
	if i >= o0 {
		s += float64(u0[i-o0] * p[i-o0])
	}
	s += float64(b.d[i] * p[i])
	if i+o0 < b.n {
		s += float64(u0[i] * p[i+o0])
	}
	if i+o1 < b.n {
		s += float64(u1[i] * p[i+o1])
	}
	return s
}

// mulDot computes q = A p and returns pᵀq, like sparse.SpMVDot.
func (b *band) mulDot(q, p []float64) float64 {
	return b.fusedDot(q, p, nil, nil, nil, 0, 0)
}

// fusedDot computes q = A p and returns pᵀq, like sparse.SpMVDot; with x non-nil it first brings
// every node j to this iteration, just before the first row that reads p_j:
//
//	x_j += α p_j,  p_j = D⁻¹_j r_j + β p_j
//
// (the x update of the previous iteration and the new direction, fused into the SpMV's
// sweep: a node is updated off[1] rows ahead of the row being multiplied, while its values
// are still in cache). Per node the operations are those of jacobiUpdate1 and
// jacobiDirection1, so the iterates are bit-identical to the unfused sweeps.
func (b *band) fusedDot(q, p, x, r, invDiag []float64, alpha, beta float64) float64 {
	n := b.n
	o0, o1 := b.off[0], b.off[1]
	q = q[:n]
	p = p[:n]
	update := x != nil
	if update {
		x = x[:n]
		r = r[:n]
		invDiag = invDiag[:n]
		for j := range min(o1, n) {
			x[j], p[j] = advance(x[j], p[j], r[j], invDiag[j], alpha, beta)
		}
	}
	var pq float64
	head := min(o1, n)
	tail := max(n-o1, head)
	// Rows [0, head): the lower o1 diagonal is out of range.
	for i := range head {
		if j := i + o1; update && j < n {
			x[j], p[j] = advance(x[j], p[j], r[j], invDiag[j], alpha, beta)
		}
		s := b.row(p, i)
		q[i] = s
		pq += float64(p[i] * s)
	}
	// Rows [head, tail): all five terms in range.
	if tail > head {
		m := tail - head
		d := b.d[head:tail]
		qm := q[head:tail]
		pc := p[head:tail]               // p_i
		pl1 := p[head-o1 : tail-o1]      // p_{i-o1}
		pl0 := p[head-o0 : tail-o0]      // p_{i-o0}
		pu0 := p[head+o0 : tail+o0]      // p_{i+o0}
		pu1 := p[head+o1 : tail+o1]      // p_{i+o1}
		ul1 := b.u[1][head-o1 : tail-o1] // a(i-o1, i)
		ul0 := b.u[0][head-o0 : tail-o0] // a(i-o0, i)
		uu0 := b.u[0][head:tail]         // a(i, i+o0)
		uu1 := b.u[1][head:tail]         // a(i, i+o1)
		if update {
			xu := x[head+o1 : tail+o1]
			ru := r[head+o1 : tail+o1]
			du := invDiag[head+o1 : tail+o1]
			_, _, _ = xu[m-1], ru[m-1], du[m-1]
			_, _, _, _, _ = pl1[m-1], pl0[m-1], pu0[m-1], pu1[m-1], pc[m-1]
			_, _, _, _, _ = ul1[m-1], ul0[m-1], uu0[m-1], uu1[m-1], qm[m-1]
			for i := range m {
				var pj float64
				xu[i], pj = advance(xu[i], pu1[i], ru[i], du[i], alpha, beta)
				pu1[i] = pj
				var s float64 // from +0, as the CSR kernels (a sum of −0 terms stays +0)
				s += float64(ul1[i] * pl1[i])
				s += float64(ul0[i] * pl0[i])
				s += float64(d[i] * pc[i])
				s += float64(uu0[i] * pu0[i])
				s += float64(uu1[i] * pj)
				qm[i] = s
				pq += float64(pc[i] * s)
			}
		} else {
			_, _, _, _, _ = pl1[m-1], pl0[m-1], pu0[m-1], pu1[m-1], pc[m-1]
			_, _, _, _, _ = ul1[m-1], ul0[m-1], uu0[m-1], uu1[m-1], qm[m-1]
			for i := range m {
				var s float64
				s += float64(ul1[i] * pl1[i])
				s += float64(ul0[i] * pl0[i])
				s += float64(d[i] * pc[i])
				s += float64(uu0[i] * pu0[i])
				s += float64(uu1[i] * pu1[i])
				qm[i] = s
				pq += float64(pc[i] * s)
			}
		}
	}
	// Rows [tail, n): the upper o1 diagonal is out of range (every node already updated).
	for i := tail; i < n; i++ {
		s := b.row(p, i)
		q[i] = s
		pq += float64(p[i] * s)
	}
	return pq
}

// advance brings node j to this iteration: x_j + αp_j and the new direction D⁻¹_j r_j + βp_j
// (jacobiUpdate1's x update and jacobiDirection1's p, in their order of operations).
func advance(xj, pj, rj, dj, alpha, beta float64) (float64, float64) {
	return xj + float64(alpha*pj), float64(dj*rj) + float64(beta*pj)
}

// jacobiResidual does r −= αq and returns rᵀD⁻¹r and rᵀr of the new r (jacobiUpdate1
// without the x update, which the band iteration applies in its next SpMV sweep), in one
// sweep.
func jacobiResidual(r, q, invDiag []float64, alpha float64) (rz, rr float64) {
	q = q[:len(r)]
	invDiag = invDiag[:len(r)]
	for i := range r {
		ri := r[i] - float64(alpha*q[i])
		r[i] = ri
		rz += float64(ri * invDiag[i] * ri)
		rr += float64(ri * ri)
	}
	return rz, rr
}

// axpy does x += αp: the band iteration's last x update.
func axpy(x, p []float64, alpha float64) {
	p = p[:len(x)]
	for i := range x {
		x[i] += float64(alpha * p[i])
	}
}
