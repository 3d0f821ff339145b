package chol

// Triangular solves with the supernodal factor.
//
// x = A⁻¹ b is computed as y = P b, L z = y (forward), Lᵀ w = z (backward), x = Pᵀ w. The k
// right-hand sides of SolveBatch are interleaved (entry i of column c at i·k + c) so that one
// pass over L serves all of them.
//
// Storage (see Factor): the columns of a supernode come in groups of four, [g0, g0+w) with
// w = 4 except perhaps in the last group, and a group is stored by rows: for each local row
// r = g0..nr-1 the w values l_{r,g0..g0+w-1} are contiguous (zero above the diagonal). The
// forward pass thus reads L as one ascending stream and the backward pass as one descending
// stream, with no short column jumps for the prefetchers to lose.
//
// Column c of SolveBatch is bit-identical to Solve of that column alone: every code path (k =
// 1, 4, 8 and the generic one) performs, for each element of each column, the same
// floating-point operations in the same order, only interleaved differently across elements
// and columns. That canonical order is:
//
//   - forward, supernodes in increasing order, columns j in increasing order: x_j ← x_j / l_jj
//     once all earlier columns are applied, and every later row i of the supernode gets
//     x_i ← x_i − l_ij·x_j. So each x_i receives its subtractions in increasing j.
//   - backward, supernodes in decreasing order, columns j in decreasing order:
//     x_j ← (x_j − Σ_{i>j} l_ij·x_i) / l_jj, the terms subtracted one by one in decreasing i.
//
// Every product is converted explicitly (float64(l*x)) so that no compiler may fuse it with
// the subtraction into an FMA in one path and not in another: that rounding is part of the
// order. For a supernode of more than four columns the rows below it are gathered into a
// contiguous buffer before the step on it (and scattered back after the forward one); a
// smaller one, a single group, reads and updates them in place through its row indices, which
// is cheaper than moving them twice. Neither changes an operation.
//
// Measured on the unit square at 1024 cells (37M entries in L), one core: Solve 36 ms,
// SolveBatch 28 ms per column for k = 4 and 8. The batched kernels are compute-bound in scalar
// Go (about 1.5 cycles per multiply-subtract), not bandwidth-bound, which is why batching
// gains less than the bytes it saves.

const (
	errWorkspace = "chol: nil Workspace, or one made for fewer right-hand sides or another factor size"
	errBatchK    = "chol: SolveBatch needs k ≥ 1"
	errSolveLen  = "chol: Solve vector length does not match N·k"
	errNewWSK    = "chol: NewWorkspace needs k ≥ 1"
)

// Workspace holds the scratch vectors of a solve with up to k right-hand sides. A Workspace
// belongs to one goroutine at a time.
type Workspace struct {
	k int
	n int
	y []float64 // n·k: the permuted right-hand sides, then the solution
	t []float64 // maxBelow·k: the gathered rows below a supernode
}

// NewWorkspace returns a Workspace for solves with up to k right-hand sides at once. It panics
// when k < 1.
func (f *Factor) NewWorkspace(k int) *Workspace {
	if k < 1 {
		panic(errNewWSK)
	}
	return &Workspace{k: k, n: f.n, y: make([]float64, f.n*k), t: make([]float64, f.maxBelow*k)}
}

// Solve sets x = A⁻¹ b. x and b have length N; they may be the same slice. It allocates
// nothing. It panics on a length mismatch or a nil or unsuitable workspace.
func (f *Factor) Solve(x, b []float64, ws *Workspace) { f.SolveBatch(x, b, 1, ws) }

// SolveBatch solves A X = B for k right-hand sides stored interleaved: entry i of column c is
// b[i·k+c], and likewise for x. x and b have length N·k and may be the same slice. Column c of
// x is bit-identical to Solve of column c of b. The workspace must have been made by this
// factor (or one of the same size) for at least k right-hand sides. It allocates nothing. k =
// 1, 4 and 8 have specialised kernels; any k ≥ 1 works.
func (f *Factor) SolveBatch(x, b []float64, k int, ws *Workspace) {
	if k < 1 {
		panic(errBatchK)
	}
	n := f.n
	if len(x) != n*k || len(b) != n*k {
		panic(errSolveLen)
	}
	if ws == nil || ws.k < k || ws.n != n {
		panic(errWorkspace)
	}
	y := ws.y[:n*k]
	permuteIn(y, b, f.perm, k)
	ns := len(f.super) - 1
	switch k {
	case 1:
		for s := range ns {
			f.forward1(s, y, ws.t)
		}
		for s := ns - 1; s >= 0; s-- {
			f.backward1(s, y, ws.t)
		}
	case 4:
		for s := range ns {
			f.forward4(s, y, ws.t)
		}
		for s := ns - 1; s >= 0; s-- {
			f.backward4(s, y, ws.t)
		}
	case 8:
		for s := range ns {
			f.forward8(s, y, ws.t)
		}
		for s := ns - 1; s >= 0; s-- {
			f.backward8(s, y, ws.t)
		}
	default:
		for s := range ns {
			f.forwardK(s, k, y, ws.t)
		}
		for s := ns - 1; s >= 0; s-- {
			f.backwardK(s, k, y, ws.t)
		}
	}
	permuteOut(x, y, f.perm, k)
}

// groupOffset returns the offset of group g (columns 4g..) in the values of a supernode with
// nr rows: the groups before it are full, 4·(nr − 4h) values each for h < g.
func groupOffset(g, nr int) int { return 4*g*nr - 8*g*(g-1) }

// blockSize returns the number of values stored for a supernode of nc columns and nr rows.
func blockSize(nc, nr int) int {
	last := (nc - 1) / 4
	return groupOffset(last, nr) + (nc-4*last)*(nr-4*last)
}

// snode returns supernode s: its first column, its number of columns, the rows below its own
// columns and its values.
func (f *Factor) snode(s int) (fc, nc int, below []int32, l []float64) {
	fc = int(f.super[s])
	nc = int(f.super[s+1]) - fc
	below = f.rows[f.rowPtr[s]+nc : f.rowPtr[s+1]]
	l = f.val[f.valPtr[s]:f.valPtr[s+1]]
	return fc, nc, below, l
}

// group returns the values of the group of columns g0..g0+w-1 (g0 a multiple of 4) of a
// supernode with nc columns, nr rows and values l, split into the w×w triangle (rows
// g0..g0+w-1), the own rows after it (g0+w..nc-1) and the rows below the supernode.
func group(l []float64, nc, nr, g0 int) (w int, tri, own, below []float64) {
	w = min(4, nc-g0)
	b := l[groupOffset(g0/4, nr) : groupOffset(g0/4, nr)+w*(nr-g0)]
	return w, b[:w*w], b[w*w : w*(nc-g0)], b[w*(nc-g0):]
}

// gather sets t[q·k+c] = y[below[q]·k+c].
func gather(t, y []float64, below []int32, k int) {
	switch k {
	case 1:
		t = t[:len(below)]
		for q, r := range below {
			t[q] = y[r]
		}
	case 4:
		t = t[:4*len(below)]
		for q, r := range below {
			src := y[4*int(r) : 4*int(r)+4 : 4*int(r)+4]
			dst := t[4*q : 4*q+4 : 4*q+4]
			dst[0], dst[1], dst[2], dst[3] = src[0], src[1], src[2], src[3]
		}
	case 8:
		t = t[:8*len(below)]
		for q, r := range below {
			src := y[8*int(r) : 8*int(r)+8 : 8*int(r)+8]
			dst := t[8*q : 8*q+8 : 8*q+8]
			dst[0], dst[1], dst[2], dst[3] = src[0], src[1], src[2], src[3]
			dst[4], dst[5], dst[6], dst[7] = src[4], src[5], src[6], src[7]
		}
	default:
		for q, r := range below {
			copy(t[q*k:q*k+k], y[int(r)*k:int(r)*k+k])
		}
	}
}

// scatter sets y[below[q]·k+c] = t[q·k+c].
func scatter(y, t []float64, below []int32, k int) {
	switch k {
	case 1:
		t = t[:len(below)]
		for q, r := range below {
			y[r] = t[q]
		}
	case 4:
		t = t[:4*len(below)]
		for q, r := range below {
			dst := y[4*int(r) : 4*int(r)+4 : 4*int(r)+4]
			src := t[4*q : 4*q+4 : 4*q+4]
			dst[0], dst[1], dst[2], dst[3] = src[0], src[1], src[2], src[3]
		}
	case 8:
		t = t[:8*len(below)]
		for q, r := range below {
			dst := y[8*int(r) : 8*int(r)+8 : 8*int(r)+8]
			src := t[8*q : 8*q+8 : 8*q+8]
			dst[0], dst[1], dst[2], dst[3] = src[0], src[1], src[2], src[3]
			dst[4], dst[5], dst[6], dst[7] = src[4], src[5], src[6], src[7]
		}
	default:
		for q, r := range below {
			copy(y[int(r)*k:int(r)*k+k], t[q*k:q*k+k])
		}
	}
}

// permuteIn sets y[i·k+c] = b[perm[i]·k+c]; permuteOut sets x[perm[i]·k+c] = y[i·k+c].
func permuteIn(y, b []float64, perm []int32, k int) { gather(y, b, perm, k) }

func permuteOut(x, y []float64, perm []int32, k int) { scatter(x, y, perm, k) }

// ---- generic k: the reference for the canonical order ----

// triFwd solves the w×w diagonal triangle of a group forward: xg holds the group's w rows
// (k values each).
func triFwd(tri []float64, w int, xg []float64, k int) {
	for q := range w {
		xq := xg[q*k : q*k+k]
		for p := range q {
			lv := tri[w*q+p]
			xp := xg[p*k : p*k+k]
			for c := range xq {
				xq[c] -= float64(lv * xp[c])
			}
		}
		d := tri[w*q+q]
		for c := range xq {
			xq[c] /= d
		}
	}
}

// triBwd solves the w×w diagonal triangle of a group backward.
func triBwd(tri []float64, w int, xg []float64, k int) {
	for q := w - 1; q >= 0; q-- {
		xq := xg[q*k : q*k+k]
		for r := w - 1; r > q; r-- {
			lv := tri[w*r+q]
			xr := xg[r*k : r*k+k]
			for c := range xq {
				xq[c] -= float64(lv * xr[c])
			}
		}
		d := tri[w*q+q]
		for c := range xq {
			xq[c] /= d
		}
	}
}

// passFwdK applies column p of a group (rows tuples of width w in b) to the rows tgt: row q
// of tgt (k values) gets tgt_q −= b[q·w+p]·xp.
func passFwdK(b []float64, w, p int, xp, tgt []float64, k int) {
	for q := 0; q*w < len(b); q++ {
		lv := b[q*w+p]
		ti := tgt[q*k : q*k+k]
		for c := range ti {
			ti[c] -= float64(lv * xp[c])
		}
	}
}

// passBwdK accumulates into xp (k values) the subtractions of column p of a group against the
// rows src, in decreasing row order.
func passBwdK(b []float64, w, p int, xp, src []float64, k int) {
	for q := len(b)/w - 1; q >= 0; q-- {
		lv := b[q*w+p]
		si := src[q*k : q*k+k]
		for c := range xp {
			xp[c] -= float64(lv * si[c])
		}
	}
}

// forwardK is the forward step on supernode s for any k.
func (f *Factor) forwardK(s, k int, y, tbuf []float64) {
	fc, nc, below, l := f.snode(s)
	nr := nc + len(below)
	xs := y[fc*k : (fc+nc)*k]
	t := tbuf[:len(below)*k]
	gather(t, y, below, k)
	for g0 := 0; g0 < nc; g0 += 4 {
		w, tri, own, bl := group(l, nc, nr, g0)
		triFwd(tri, w, xs[g0*k:(g0+w)*k], k)
		for p := range w {
			xp := xs[(g0+p)*k : (g0+p+1)*k]
			passFwdK(own, w, p, xp, xs[(g0+w)*k:], k)
			passFwdK(bl, w, p, xp, t, k)
		}
	}
	scatter(y, t, below, k)
}

// backwardK is the backward step on supernode s for any k.
func (f *Factor) backwardK(s, k int, y, tbuf []float64) {
	fc, nc, below, l := f.snode(s)
	nr := nc + len(below)
	xs := y[fc*k : (fc+nc)*k]
	t := tbuf[:len(below)*k]
	gather(t, y, below, k)
	for g0 := (nc - 1) &^ 3; g0 >= 0; g0 -= 4 {
		w, tri, own, bl := group(l, nc, nr, g0)
		for p := range w {
			xp := xs[(g0+p)*k : (g0+p+1)*k]
			passBwdK(bl, w, p, xp, t, k)
			passBwdK(own, w, p, xp, xs[(g0+w)*k:], k)
		}
		triBwd(tri, w, xs[g0*k:(g0+w)*k], k)
	}
}

// ---- k = 1 ----

// forward1 is forwardK for k = 1: a full group's four columns in one sweep.
func (f *Factor) forward1(s int, y, tbuf []float64) {
	fc, nc, below, l := f.snode(s)
	nr := nc + len(below)
	xs := y[fc : fc+nc]
	if nc <= 4 { // one group: update the rows below in place rather than gathered
		w, tri, _, bl := group(l, nc, nr, 0)
		if w < 4 {
			x0, x1, x2 := triFwdSmall1(tri, w, xs)
			passSmallFwd1Ind(bl, w, x0, x1, x2, y, below)
			return
		}
		tri = tri[:16]
		x0 := xs[0] / tri[0]
		x1 := (xs[1] - float64(tri[4]*x0)) / tri[5]
		x2 := (xs[2] - float64(tri[8]*x0) - float64(tri[9]*x1)) / tri[10]
		x3 := (xs[3] - float64(tri[12]*x0) - float64(tri[13]*x1) - float64(tri[14]*x2)) / tri[15]
		xs[0], xs[1], xs[2], xs[3] = x0, x1, x2, x3
		pass4Fwd1Ind(bl, x0, x1, x2, x3, y, below)
		return
	}
	t := tbuf[:len(below)]
	gather(t, y, below, 1)
	for g0 := 0; g0 < nc; g0 += 4 {
		w, tri, own, bl := group(l, nc, nr, g0)
		if w < 4 { // the last group: no own rows follow it
			x0, x1, x2 := triFwdSmall1(tri, w, xs[g0:])
			passSmallFwd1(bl, w, x0, x1, x2, t)
			continue
		}
		tri = tri[:16]
		x0 := xs[g0] / tri[0]
		x1 := (xs[g0+1] - float64(tri[4]*x0)) / tri[5]
		x2 := (xs[g0+2] - float64(tri[8]*x0) - float64(tri[9]*x1)) / tri[10]
		x3 := (xs[g0+3] - float64(tri[12]*x0) - float64(tri[13]*x1) - float64(tri[14]*x2)) / tri[15]
		xs[g0], xs[g0+1], xs[g0+2], xs[g0+3] = x0, x1, x2, x3
		pass4Fwd1(own, x0, x1, x2, x3, xs[g0+4:])
		pass4Fwd1(bl, x0, x1, x2, x3, t)
	}
	scatter(y, t, below, 1)
}

// pass4Fwd1 applies the four columns of a full group to the rows tgt (k = 1).
func pass4Fwd1(b []float64, x0, x1, x2, x3 float64, tgt []float64) {
	tgt = tgt[:len(b)/4]
	for q, v := range tgt {
		r := b[4*q : 4*q+4 : 4*q+4]
		tgt[q] = v - float64(r[0]*x0) - float64(r[1]*x1) - float64(r[2]*x2) - float64(r[3]*x3)
	}
}

// pass4Fwd1Ind is pass4Fwd1 on the rows y[below[q]] in place.
func pass4Fwd1Ind(b []float64, x0, x1, x2, x3 float64, y []float64, below []int32) {
	b = b[:4*len(below)]
	for q, r := range below {
		u := b[4*q : 4*q+4 : 4*q+4]
		y[r] = y[r] - float64(u[0]*x0) - float64(u[1]*x1) - float64(u[2]*x2) - float64(u[3]*x3)
	}
}

// backward1 is backwardK for k = 1: a full group's four columns in one sweep.
func (f *Factor) backward1(s int, y, tbuf []float64) {
	fc, nc, below, l := f.snode(s)
	nr := nc + len(below)
	xs := y[fc : fc+nc]
	if nc <= 4 { // one group: read the rows below in place rather than gathered
		w, tri, _, bl := group(l, nc, nr, 0)
		if w < 4 {
			s0, s1, s2 := passSmallBwd1Ind(bl, w, xs, y, below)
			triBwdSmall1(tri, w, s0, s1, s2, xs)
			return
		}
		s0, s1, s2, s3 := pass4Bwd1Ind(bl, xs[0], xs[1], xs[2], xs[3], y, below)
		tri = tri[:16]
		x3 := s3 / tri[15]
		s2 -= float64(tri[14] * x3)
		x2 := s2 / tri[10]
		s1 -= float64(tri[13] * x3)
		s1 -= float64(tri[9] * x2)
		x1 := s1 / tri[5]
		s0 -= float64(tri[12] * x3)
		s0 -= float64(tri[8] * x2)
		s0 -= float64(tri[4] * x1)
		x0 := s0 / tri[0]
		xs[0], xs[1], xs[2], xs[3] = x0, x1, x2, x3
		return
	}
	t := tbuf[:len(below)]
	gather(t, y, below, 1)
	for g0 := (nc - 1) &^ 3; g0 >= 0; g0 -= 4 {
		w, tri, own, bl := group(l, nc, nr, g0)
		if w < 4 { // the last group: no own rows follow it
			s0, s1, s2 := passSmallBwd1(bl, w, xs[g0:], t)
			triBwdSmall1(tri, w, s0, s1, s2, xs[g0:])
			continue
		}
		s0, s1, s2, s3 := pass4Bwd1(bl, xs[g0], xs[g0+1], xs[g0+2], xs[g0+3], t)
		s0, s1, s2, s3 = pass4Bwd1(own, s0, s1, s2, s3, xs[g0+4:])
		tri = tri[:16]
		x3 := s3 / tri[15]
		s2 -= float64(tri[14] * x3)
		x2 := s2 / tri[10]
		s1 -= float64(tri[13] * x3)
		s1 -= float64(tri[9] * x2)
		x1 := s1 / tri[5]
		s0 -= float64(tri[12] * x3)
		s0 -= float64(tri[8] * x2)
		s0 -= float64(tri[4] * x1)
		x0 := s0 / tri[0]
		xs[g0], xs[g0+1], xs[g0+2], xs[g0+3] = x0, x1, x2, x3
	}
}

// pass4Bwd1 subtracts from s0..s3 the four columns of a full group against the rows src, in
// decreasing row order (k = 1), and returns them.
func pass4Bwd1(b []float64, s0, s1, s2, s3 float64, src []float64) (float64, float64, float64, float64) {
	n := len(b) / 4
	src = src[:n]
	for q := n - 1; q >= 0; q-- {
		r := b[4*q : 4*q+4 : 4*q+4]
		v := src[q]
		s0 -= float64(r[0] * v)
		s1 -= float64(r[1] * v)
		s2 -= float64(r[2] * v)
		s3 -= float64(r[3] * v)
	}
	return s0, s1, s2, s3
}

// pass4Bwd1Ind is pass4Bwd1 against the rows y[below[q]].
func pass4Bwd1Ind(b []float64, s0, s1, s2, s3 float64, y []float64, below []int32) (float64, float64, float64, float64) {
	b = b[:4*len(below)]
	for q := len(below) - 1; q >= 0; q-- {
		u := b[4*q : 4*q+4 : 4*q+4]
		v := y[below[q]]
		s0 -= float64(u[0] * v)
		s1 -= float64(u[1] * v)
		s2 -= float64(u[2] * v)
		s3 -= float64(u[3] * v)
	}
	return s0, s1, s2, s3
}

// triFwdSmall1 solves the w×w triangle (w < 4) of a last group forward for k = 1 and
// returns the w solved values (zero beyond w).
func triFwdSmall1(tri []float64, w int, xs []float64) (x0, x1, x2 float64) {
	x0 = xs[0] / tri[0]
	xs[0] = x0
	if w > 1 {
		x1 = (xs[1] - float64(tri[w]*x0)) / tri[w+1]
		xs[1] = x1
	}
	if w > 2 {
		x2 = (xs[2] - float64(tri[6]*x0) - float64(tri[7]*x1)) / tri[8]
		xs[2] = x2
	}
	return x0, x1, x2
}

// triBwdSmall1 finishes the backward step of a last group of w < 4 columns for k = 1: s0..s2
// hold the values less the rows after the group.
func triBwdSmall1(tri []float64, w int, s0, s1, s2 float64, xs []float64) {
	if w > 2 {
		x2 := s2 / tri[8]
		xs[2] = x2
		s1 -= float64(tri[7] * x2)
		s0 -= float64(tri[6] * x2)
	}
	if w > 1 {
		x1 := s1 / tri[w+1]
		xs[1] = x1
		s0 -= float64(tri[w] * x1)
	}
	xs[0] = s0 / tri[0]
}

// passSmallFwd1 applies the w < 4 columns of a last group to the rows tgt (k = 1).
func passSmallFwd1(b []float64, w int, x0, x1, x2 float64, tgt []float64) {
	n := len(b) / w
	tgt = tgt[:n]
	switch w {
	case 1:
		b = b[:n]
		for q, v := range tgt {
			tgt[q] = v - float64(b[q]*x0)
		}
	case 2:
		for q, v := range tgt {
			r := b[2*q : 2*q+2 : 2*q+2]
			tgt[q] = v - float64(r[0]*x0) - float64(r[1]*x1)
		}
	case 3:
		for q, v := range tgt {
			r := b[3*q : 3*q+3 : 3*q+3]
			tgt[q] = v - float64(r[0]*x0) - float64(r[1]*x1) - float64(r[2]*x2)
		}
	}
}

// passSmallFwd1Ind is passSmallFwd1 on the rows y[below[q]] in place.
func passSmallFwd1Ind(b []float64, w int, x0, x1, x2 float64, y []float64, below []int32) {
	switch w {
	case 1:
		b = b[:len(below)]
		for q, r := range below {
			y[r] -= float64(b[q] * x0)
		}
	case 2:
		b = b[:2*len(below)]
		for q, r := range below {
			u := b[2*q : 2*q+2 : 2*q+2]
			y[r] = y[r] - float64(u[0]*x0) - float64(u[1]*x1)
		}
	case 3:
		b = b[:3*len(below)]
		for q, r := range below {
			u := b[3*q : 3*q+3 : 3*q+3]
			y[r] = y[r] - float64(u[0]*x0) - float64(u[1]*x1) - float64(u[2]*x2)
		}
	}
}

// passSmallBwd1 returns the first w < 4 values of xs less the columns of a last group against
// the rows src, in decreasing row order (k = 1); zero beyond w.
func passSmallBwd1(b []float64, w int, xs, src []float64) (s0, s1, s2 float64) {
	n := len(b) / w
	src = src[:n]
	switch w {
	case 1:
		s0 = xs[0]
		b = b[:n]
		for q := n - 1; q >= 0; q-- {
			s0 -= float64(b[q] * src[q])
		}
	case 2:
		s0, s1 = xs[0], xs[1]
		for q := n - 1; q >= 0; q-- {
			r := b[2*q : 2*q+2 : 2*q+2]
			v := src[q]
			s0 -= float64(r[0] * v)
			s1 -= float64(r[1] * v)
		}
	case 3:
		s0, s1, s2 = xs[0], xs[1], xs[2]
		for q := n - 1; q >= 0; q-- {
			r := b[3*q : 3*q+3 : 3*q+3]
			v := src[q]
			s0 -= float64(r[0] * v)
			s1 -= float64(r[1] * v)
			s2 -= float64(r[2] * v)
		}
	}
	return s0, s1, s2
}

// passSmallBwd1Ind is passSmallBwd1 against the rows y[below[q]].
func passSmallBwd1Ind(b []float64, w int, xs, y []float64, below []int32) (s0, s1, s2 float64) {
	n := len(below)
	switch w {
	case 1:
		s0 = xs[0]
		b = b[:n]
		for q := n - 1; q >= 0; q-- {
			s0 -= float64(b[q] * y[below[q]])
		}
	case 2:
		s0, s1 = xs[0], xs[1]
		b = b[:2*n]
		for q := n - 1; q >= 0; q-- {
			r := b[2*q : 2*q+2 : 2*q+2]
			v := y[below[q]]
			s0 -= float64(r[0] * v)
			s1 -= float64(r[1] * v)
		}
	case 3:
		s0, s1, s2 = xs[0], xs[1], xs[2]
		b = b[:3*n]
		for q := n - 1; q >= 0; q-- {
			r := b[3*q : 3*q+3 : 3*q+3]
			v := y[below[q]]
			s0 -= float64(r[0] * v)
			s1 -= float64(r[1] * v)
			s2 -= float64(r[2] * v)
		}
	}
	return s0, s1, s2
}

// ---- k = 4 ----

// forward4 is forwardK for k = 4: two columns of a group per sweep.
func (f *Factor) forward4(s int, y, tbuf []float64) {
	const k = 4
	fc, nc, below, l := f.snode(s)
	nr := nc + len(below)
	xs := y[fc*k : (fc+nc)*k]
	if nc <= 4 { // one group: update the rows below in place rather than gathered
		w, tri, _, bl := group(l, nc, nr, 0)
		triFwd4(tri, w, xs)
		p := 0
		for ; p+2 <= w; p += 2 {
			pass2Fwd4Ind(bl, w, p, xs[p*k:(p+2)*k], y, below)
		}
		if p < w {
			pass1Fwd4Ind(bl, w, p, xs[p*k:(p+1)*k], y, below)
		}
		return
	}
	t := tbuf[:len(below)*k]
	gather(t, y, below, k)
	for g0 := 0; g0 < nc; g0 += 4 {
		w, tri, own, bl := group(l, nc, nr, g0)
		triFwd4(tri, w, xs[g0*k:(g0+w)*k])
		xo := xs[(g0+w)*k:]
		p := 0
		for ; p+2 <= w; p += 2 {
			xp := xs[(g0+p)*k : (g0+p+2)*k]
			pass2Fwd4(own, w, p, xp, xo)
			pass2Fwd4(bl, w, p, xp, t)
		}
		if p < w {
			xp := xs[(g0+p)*k : (g0+p+1)*k]
			passFwdK(own, w, p, xp, xo, k)
			passFwdK(bl, w, p, xp, t, k)
		}
	}
	scatter(y, t, below, k)
}

// pass2Fwd4 applies columns p and p+1 of a group (xp: their 2×4 values) to the rows tgt.
func pass2Fwd4(b []float64, w, p int, xp, tgt []float64) {
	xp = xp[:8]
	a0, a1, a2, a3 := xp[0], xp[1], xp[2], xp[3]
	e0, e1, e2, e3 := xp[4], xp[5], xp[6], xp[7]
	n := len(b) / w
	tgt = tgt[:4*n]
	for q := range n {
		u0, u1 := b[q*w+p], b[q*w+p+1]
		ti := tgt[4*q : 4*q+4 : 4*q+4]
		ti[0] = ti[0] - float64(u0*a0) - float64(u1*e0)
		ti[1] = ti[1] - float64(u0*a1) - float64(u1*e1)
		ti[2] = ti[2] - float64(u0*a2) - float64(u1*e2)
		ti[3] = ti[3] - float64(u0*a3) - float64(u1*e3)
	}
}

// pass2Fwd4Ind is pass2Fwd4 on the rows y[below[q]] in place.
func pass2Fwd4Ind(b []float64, w, p int, xp, y []float64, below []int32) {
	xp = xp[:8]
	a0, a1, a2, a3 := xp[0], xp[1], xp[2], xp[3]
	e0, e1, e2, e3 := xp[4], xp[5], xp[6], xp[7]
	for q, r := range below {
		u0, u1 := b[q*w+p], b[q*w+p+1]
		ti := y[4*int(r) : 4*int(r)+4 : 4*int(r)+4]
		ti[0] = ti[0] - float64(u0*a0) - float64(u1*e0)
		ti[1] = ti[1] - float64(u0*a1) - float64(u1*e1)
		ti[2] = ti[2] - float64(u0*a2) - float64(u1*e2)
		ti[3] = ti[3] - float64(u0*a3) - float64(u1*e3)
	}
}

// pass1Fwd4Ind applies column p of a group (xp: its 4 values) to the rows y[below[q]].
func pass1Fwd4Ind(b []float64, w, p int, xp, y []float64, below []int32) {
	xp = xp[:4]
	a0, a1, a2, a3 := xp[0], xp[1], xp[2], xp[3]
	for q, r := range below {
		u := b[q*w+p]
		ti := y[4*int(r) : 4*int(r)+4 : 4*int(r)+4]
		ti[0] -= float64(u * a0)
		ti[1] -= float64(u * a1)
		ti[2] -= float64(u * a2)
		ti[3] -= float64(u * a3)
	}
}

// backward4 is backwardK for k = 4: two columns of a group per sweep.
func (f *Factor) backward4(s int, y, tbuf []float64) {
	const k = 4
	fc, nc, below, l := f.snode(s)
	nr := nc + len(below)
	xs := y[fc*k : (fc+nc)*k]
	if nc <= 4 { // one group: read the rows below in place rather than gathered
		w, tri, _, bl := group(l, nc, nr, 0)
		p := 0
		for ; p+2 <= w; p += 2 {
			pass2Bwd4Ind(bl, w, p, xs[p*k:(p+2)*k], y, below)
		}
		if p < w {
			pass1Bwd4Ind(bl, w, p, xs[p*k:(p+1)*k], y, below)
		}
		triBwd4(tri, w, xs)
		return
	}
	t := tbuf[:len(below)*k]
	gather(t, y, below, k)
	for g0 := (nc - 1) &^ 3; g0 >= 0; g0 -= 4 {
		w, tri, own, bl := group(l, nc, nr, g0)
		xo := xs[(g0+w)*k:]
		p := 0
		for ; p+2 <= w; p += 2 {
			xp := xs[(g0+p)*k : (g0+p+2)*k]
			pass2Bwd4(bl, w, p, xp, t)
			pass2Bwd4(own, w, p, xp, xo)
		}
		if p < w {
			xp := xs[(g0+p)*k : (g0+p+1)*k]
			passBwdK(bl, w, p, xp, t, k)
			passBwdK(own, w, p, xp, xo, k)
		}
		triBwd4(tri, w, xs[g0*k:(g0+w)*k])
	}
}

// triFwd4 is triFwd for k = 4.
func triFwd4(tri []float64, w int, xg []float64) {
	for q := range w {
		xq := xg[4*q : 4*q+4 : 4*q+4]
		s0, s1, s2, s3 := xq[0], xq[1], xq[2], xq[3]
		for p := range q {
			lv := tri[w*q+p]
			xp := xg[4*p : 4*p+4 : 4*p+4]
			s0 -= float64(lv * xp[0])
			s1 -= float64(lv * xp[1])
			s2 -= float64(lv * xp[2])
			s3 -= float64(lv * xp[3])
		}
		d := tri[w*q+q]
		xq[0], xq[1], xq[2], xq[3] = s0/d, s1/d, s2/d, s3/d
	}
}

// triBwd4 is triBwd for k = 4.
func triBwd4(tri []float64, w int, xg []float64) {
	for q := w - 1; q >= 0; q-- {
		xq := xg[4*q : 4*q+4 : 4*q+4]
		s0, s1, s2, s3 := xq[0], xq[1], xq[2], xq[3]
		for r := w - 1; r > q; r-- {
			lv := tri[w*r+q]
			xr := xg[4*r : 4*r+4 : 4*r+4]
			s0 -= float64(lv * xr[0])
			s1 -= float64(lv * xr[1])
			s2 -= float64(lv * xr[2])
			s3 -= float64(lv * xr[3])
		}
		d := tri[w*q+q]
		xq[0], xq[1], xq[2], xq[3] = s0/d, s1/d, s2/d, s3/d
	}
}

// pass2Bwd4 subtracts from xp (columns p and p+1, 2×4 values) those columns of a group
// against the rows src, in decreasing row order.
func pass2Bwd4(b []float64, w, p int, xp, src []float64) {
	xp = xp[:8]
	s0, s1, s2, s3 := xp[0], xp[1], xp[2], xp[3]
	r0, r1, r2, r3 := xp[4], xp[5], xp[6], xp[7]
	n := len(b) / w
	src = src[:4*n]
	for q := n - 1; q >= 0; q-- {
		u0, u1 := b[q*w+p], b[q*w+p+1]
		si := src[4*q : 4*q+4 : 4*q+4]
		v0, v1, v2, v3 := si[0], si[1], si[2], si[3]
		s0 -= float64(u0 * v0)
		s1 -= float64(u0 * v1)
		s2 -= float64(u0 * v2)
		s3 -= float64(u0 * v3)
		r0 -= float64(u1 * v0)
		r1 -= float64(u1 * v1)
		r2 -= float64(u1 * v2)
		r3 -= float64(u1 * v3)
	}
	xp[0], xp[1], xp[2], xp[3] = s0, s1, s2, s3
	xp[4], xp[5], xp[6], xp[7] = r0, r1, r2, r3
}

// pass2Bwd4Ind is pass2Bwd4 against the rows y[below[q]].
func pass2Bwd4Ind(b []float64, w, p int, xp, y []float64, below []int32) {
	xp = xp[:8]
	s0, s1, s2, s3 := xp[0], xp[1], xp[2], xp[3]
	r0, r1, r2, r3 := xp[4], xp[5], xp[6], xp[7]
	for q := len(below) - 1; q >= 0; q-- {
		u0, u1 := b[q*w+p], b[q*w+p+1]
		r := int(below[q])
		si := y[4*r : 4*r+4 : 4*r+4]
		v0, v1, v2, v3 := si[0], si[1], si[2], si[3]
		s0 -= float64(u0 * v0)
		s1 -= float64(u0 * v1)
		s2 -= float64(u0 * v2)
		s3 -= float64(u0 * v3)
		r0 -= float64(u1 * v0)
		r1 -= float64(u1 * v1)
		r2 -= float64(u1 * v2)
		r3 -= float64(u1 * v3)
	}
	xp[0], xp[1], xp[2], xp[3] = s0, s1, s2, s3
	xp[4], xp[5], xp[6], xp[7] = r0, r1, r2, r3
}

// pass1Bwd4Ind subtracts from xp (column p, 4 values) that column of a group against the rows
// y[below[q]], in decreasing row order.
func pass1Bwd4Ind(b []float64, w, p int, xp, y []float64, below []int32) {
	xp = xp[:4]
	s0, s1, s2, s3 := xp[0], xp[1], xp[2], xp[3]
	for q := len(below) - 1; q >= 0; q-- {
		u := b[q*w+p]
		r := int(below[q])
		si := y[4*r : 4*r+4 : 4*r+4]
		s0 -= float64(u * si[0])
		s1 -= float64(u * si[1])
		s2 -= float64(u * si[2])
		s3 -= float64(u * si[3])
	}
	xp[0], xp[1], xp[2], xp[3] = s0, s1, s2, s3
}

// ---- k = 8 ----

// forward8 is forwardK for k = 8: one column of a group per sweep.
func (f *Factor) forward8(s int, y, tbuf []float64) {
	const k = 8
	fc, nc, below, l := f.snode(s)
	nr := nc + len(below)
	xs := y[fc*k : (fc+nc)*k]
	if nc <= 4 { // one group: update the rows below in place rather than gathered
		w, tri, _, bl := group(l, nc, nr, 0)
		triFwd8(tri, w, xs)
		for p := range w {
			pass1Fwd8Ind(bl, w, p, xs[p*k:(p+1)*k], y, below)
		}
		return
	}
	t := tbuf[:len(below)*k]
	gather(t, y, below, k)
	for g0 := 0; g0 < nc; g0 += 4 {
		w, tri, own, bl := group(l, nc, nr, g0)
		triFwd8(tri, w, xs[g0*k:(g0+w)*k])
		xo := xs[(g0+w)*k:]
		p := 0
		for ; p+2 <= w; p += 2 {
			xp := xs[(g0+p)*k : (g0+p+2)*k]
			pass2Fwd8(own, w, p, xp, xo)
			pass2Fwd8(bl, w, p, xp, t)
		}
		if p < w {
			xp := xs[(g0+p)*k : (g0+p+1)*k]
			pass1Fwd8(own, w, p, xp, xo)
			pass1Fwd8(bl, w, p, xp, t)
		}
	}
	scatter(y, t, below, k)
}

// pass2Fwd8 applies columns p and p+1 of a group (xp: their 2×8 values) to the rows tgt.
func pass2Fwd8(b []float64, w, p int, xp, tgt []float64) {
	xp = xp[:16]
	a0, a1, a2, a3 := xp[0], xp[1], xp[2], xp[3]
	a4, a5, a6, a7 := xp[4], xp[5], xp[6], xp[7]
	e0, e1, e2, e3 := xp[8], xp[9], xp[10], xp[11]
	e4, e5, e6, e7 := xp[12], xp[13], xp[14], xp[15]
	n := len(b) / w
	tgt = tgt[:8*n]
	for q := range n {
		u0, u1 := b[q*w+p], b[q*w+p+1]
		ti := tgt[8*q : 8*q+8 : 8*q+8]
		ti[0] = ti[0] - float64(u0*a0) - float64(u1*e0)
		ti[1] = ti[1] - float64(u0*a1) - float64(u1*e1)
		ti[2] = ti[2] - float64(u0*a2) - float64(u1*e2)
		ti[3] = ti[3] - float64(u0*a3) - float64(u1*e3)
		ti[4] = ti[4] - float64(u0*a4) - float64(u1*e4)
		ti[5] = ti[5] - float64(u0*a5) - float64(u1*e5)
		ti[6] = ti[6] - float64(u0*a6) - float64(u1*e6)
		ti[7] = ti[7] - float64(u0*a7) - float64(u1*e7)
	}
}

// pass1Fwd8 is passFwdK for k = 8.
func pass1Fwd8(b []float64, w, p int, xp, tgt []float64) {
	xp = xp[:8]
	a0, a1, a2, a3 := xp[0], xp[1], xp[2], xp[3]
	a4, a5, a6, a7 := xp[4], xp[5], xp[6], xp[7]
	n := len(b) / w
	tgt = tgt[:8*n]
	if n == 0 {
		return
	}
	b = b[p:]
	for q := range n {
		u := b[q*w]
		ti := tgt[8*q : 8*q+8 : 8*q+8]
		ti[0] -= float64(u * a0)
		ti[1] -= float64(u * a1)
		ti[2] -= float64(u * a2)
		ti[3] -= float64(u * a3)
		ti[4] -= float64(u * a4)
		ti[5] -= float64(u * a5)
		ti[6] -= float64(u * a6)
		ti[7] -= float64(u * a7)
	}
}

// backward8 is backwardK for k = 8: one column of a group per sweep.
func (f *Factor) backward8(s int, y, tbuf []float64) {
	const k = 8
	fc, nc, below, l := f.snode(s)
	nr := nc + len(below)
	xs := y[fc*k : (fc+nc)*k]
	if nc <= 4 { // one group: read the rows below in place rather than gathered
		w, tri, _, bl := group(l, nc, nr, 0)
		for p := range w {
			pass1Bwd8Ind(bl, w, p, xs[p*k:(p+1)*k], y, below)
		}
		triBwd8(tri, w, xs)
		return
	}
	t := tbuf[:len(below)*k]
	gather(t, y, below, k)
	for g0 := (nc - 1) &^ 3; g0 >= 0; g0 -= 4 {
		w, tri, own, bl := group(l, nc, nr, g0)
		xo := xs[(g0+w)*k:]
		for p := range w {
			xp := xs[(g0+p)*k : (g0+p+1)*k]
			pass1Bwd8(bl, w, p, xp, t)
			pass1Bwd8(own, w, p, xp, xo)
		}
		triBwd8(tri, w, xs[g0*k:(g0+w)*k])
	}
}

// triFwd8 is triFwd for k = 8.
func triFwd8(tri []float64, w int, xg []float64) {
	for q := range w {
		xq := xg[8*q : 8*q+8 : 8*q+8]
		s0, s1, s2, s3 := xq[0], xq[1], xq[2], xq[3]
		s4, s5, s6, s7 := xq[4], xq[5], xq[6], xq[7]
		for p := range q {
			lv := tri[w*q+p]
			xp := xg[8*p : 8*p+8 : 8*p+8]
			s0 -= float64(lv * xp[0])
			s1 -= float64(lv * xp[1])
			s2 -= float64(lv * xp[2])
			s3 -= float64(lv * xp[3])
			s4 -= float64(lv * xp[4])
			s5 -= float64(lv * xp[5])
			s6 -= float64(lv * xp[6])
			s7 -= float64(lv * xp[7])
		}
		d := tri[w*q+q]
		xq[0], xq[1], xq[2], xq[3] = s0/d, s1/d, s2/d, s3/d
		xq[4], xq[5], xq[6], xq[7] = s4/d, s5/d, s6/d, s7/d
	}
}

// triBwd8 is triBwd for k = 8.
func triBwd8(tri []float64, w int, xg []float64) {
	for q := w - 1; q >= 0; q-- {
		xq := xg[8*q : 8*q+8 : 8*q+8]
		s0, s1, s2, s3 := xq[0], xq[1], xq[2], xq[3]
		s4, s5, s6, s7 := xq[4], xq[5], xq[6], xq[7]
		for r := w - 1; r > q; r-- {
			lv := tri[w*r+q]
			xr := xg[8*r : 8*r+8 : 8*r+8]
			s0 -= float64(lv * xr[0])
			s1 -= float64(lv * xr[1])
			s2 -= float64(lv * xr[2])
			s3 -= float64(lv * xr[3])
			s4 -= float64(lv * xr[4])
			s5 -= float64(lv * xr[5])
			s6 -= float64(lv * xr[6])
			s7 -= float64(lv * xr[7])
		}
		d := tri[w*q+q]
		xq[0], xq[1], xq[2], xq[3] = s0/d, s1/d, s2/d, s3/d
		xq[4], xq[5], xq[6], xq[7] = s4/d, s5/d, s6/d, s7/d
	}
}

// pass1Bwd8 is passBwdK for k = 8.
func pass1Bwd8(b []float64, w, p int, xp, src []float64) {
	xp = xp[:8]
	s0, s1, s2, s3 := xp[0], xp[1], xp[2], xp[3]
	s4, s5, s6, s7 := xp[4], xp[5], xp[6], xp[7]
	n := len(b) / w
	src = src[:8*n]
	if n == 0 {
		return
	}
	b = b[p:]
	for q := n - 1; q >= 0; q-- {
		u := b[q*w]
		si := src[8*q : 8*q+8 : 8*q+8]
		s0 -= float64(u * si[0])
		s1 -= float64(u * si[1])
		s2 -= float64(u * si[2])
		s3 -= float64(u * si[3])
		s4 -= float64(u * si[4])
		s5 -= float64(u * si[5])
		s6 -= float64(u * si[6])
		s7 -= float64(u * si[7])
	}
	xp[0], xp[1], xp[2], xp[3] = s0, s1, s2, s3
	xp[4], xp[5], xp[6], xp[7] = s4, s5, s6, s7
}

// pass1Fwd8Ind is pass1Fwd8 on the rows y[below[q]] in place.
func pass1Fwd8Ind(b []float64, w, p int, xp, y []float64, below []int32) {
	xp = xp[:8]
	a0, a1, a2, a3 := xp[0], xp[1], xp[2], xp[3]
	a4, a5, a6, a7 := xp[4], xp[5], xp[6], xp[7]
	for q, r := range below {
		u := b[q*w+p]
		ti := y[8*int(r) : 8*int(r)+8 : 8*int(r)+8]
		ti[0] -= float64(u * a0)
		ti[1] -= float64(u * a1)
		ti[2] -= float64(u * a2)
		ti[3] -= float64(u * a3)
		ti[4] -= float64(u * a4)
		ti[5] -= float64(u * a5)
		ti[6] -= float64(u * a6)
		ti[7] -= float64(u * a7)
	}
}

// pass1Bwd8Ind is pass1Bwd8 against the rows y[below[q]].
func pass1Bwd8Ind(b []float64, w, p int, xp, y []float64, below []int32) {
	xp = xp[:8]
	s0, s1, s2, s3 := xp[0], xp[1], xp[2], xp[3]
	s4, s5, s6, s7 := xp[4], xp[5], xp[6], xp[7]
	for q := len(below) - 1; q >= 0; q-- {
		u := b[q*w+p]
		r := int(below[q])
		si := y[8*r : 8*r+8 : 8*r+8]
		s0 -= float64(u * si[0])
		s1 -= float64(u * si[1])
		s2 -= float64(u * si[2])
		s3 -= float64(u * si[3])
		s4 -= float64(u * si[4])
		s5 -= float64(u * si[5])
		s6 -= float64(u * si[6])
		s7 -= float64(u * si[7])
	}
	xp[0], xp[1], xp[2], xp[3] = s0, s1, s2, s3
	xp[4], xp[5], xp[6], xp[7] = s4, s5, s6, s7
}
