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
// Column c of SolveBatch is bit-identical to Solve of that column alone: every kernel (k = 1,
// 4, 8 and any other k) performs, for each element of each column, the same floating-point
// operations in the same order, only interleaved differently across elements and columns.
// That canonical order is:
//
//   - forward, supernodes in increasing order, columns j in increasing order: x_j ← x_j / l_jj
//     once all earlier columns are applied, and every later row i of the supernode gets
//     x_i ← x_i − l_ij·x_j. So each x_i receives its subtractions in increasing j.
//   - backward, supernodes in decreasing order, columns j in decreasing order:
//     x_j ← (x_j − Σ_{i>j} l_ij·x_i) / l_jj, the terms subtracted one by one in decreasing i.
//
// solveRef (solve_ref.go) is that order written out column by column, the reference the tests
// hold every kernel to, bit for bit. Every product is converted explicitly (float64(l*x)) so
// that no compiler may fuse it with the subtraction into an FMA in one path and not in
// another: that rounding is part of the order.
//
// step below is the one driver: it walks a supernode's groups and hands each to the kernel of
// the solve's k, which solves the group's triangle and sweeps its columns over the rows after
// it. The kernels are generated (solve_gen.go, from the template in internal/gen) for k = 1
// (each group width unrolled), 4 and 8 (the lanes unrolled, one or two columns per sweep) and
// any other k (the lanes in a loop); on amd64 with AVX, SolveBatch takes for k = 4 the same
// kernels in assembly instead (kernels, avx.go and avx_amd64.s: a row's four lanes in one
// register, the same operations in the same order). A supernode of more than four columns
// first gathers all its rows, its own and those below it, into one contiguous block (and
// scatters the rows below back after the forward step); a smaller one, a single group, reads
// and updates the rows below in place through their indices, which is cheaper than moving them
// twice. Neither changes an operation.
//
// Measured on the unit square at 1024 cells (37M entries in L), one core: Solve 36 ms,
// SolveBatch 28 ms per column for k = 4 and 8. The batched kernels are compute-bound in scalar
// Go (about 1.5 cycles per multiply-subtract), not bandwidth-bound, which is why batching
// gains less than the bytes it saves. The assembly kernels for k = 4 halve the time: at 1024
// cells on a shared two-core Xeon (Sapphire Rapids) VM, 32–36 ms per column against 68–71 ms
// with the Go kernels in the same run (BenchmarkSolveBatch4 and BenchmarkSolveBatch4Go).

//go:generate go run ./internal/gen -o solve_gen.go

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
	t []float64 // maxFront·k: the gathered rows of a supernode
}

// NewWorkspace returns a Workspace for solves with up to k right-hand sides at once. It panics
// when k < 1.
func (f *Factor) NewWorkspace(k int) *Workspace {
	if k < 1 {
		panic(errNewWSK)
	}
	return &Workspace{k: k, n: f.n, y: make([]float64, f.n*k), t: make([]float64, f.maxFront*k)}
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
	gather(y, b, f.perm, k) // y[i·k+c] = b[perm[i]·k+c]
	fwd, bwd := kernels(k)
	ns := len(f.super) - 1
	for s := range ns {
		f.step(s, k, fwd, true, y, ws.t)
	}
	for s := ns - 1; s >= 0; s-- {
		f.step(s, k, bwd, false, y, ws.t)
	}
	scatter(x, y, f.perm, k) // x[perm[i]·k+c] = y[i·k+c]
}

// A kernel is the forward or the backward step on one group of w ≤ 4 columns of a supernode
// for k interleaved right-hand sides (solve_gen.go): tri is the group's w×w triangle and rest
// its values in the rows after it, w a row; x[:w·k] are the group's own rows. The rows after
// it are x[w·k:] when below is nil (gathered), else y[below[q]·k:] (in place). Each kernel is
// written for one k and ignores its last argument, except the one for any k.
type kernel func(tri, rest []float64, w int, x, y []float64, below []int32, k int)

// step is the forward (or backward) step on supernode s for k right-hand sides in y: its
// groups in increasing (decreasing) order, each through kern.
func (f *Factor) step(s, k int, kern kernel, forward bool, y, tbuf []float64) {
	fc, nc, below, l := f.snode(s)
	nr := nc + len(below)
	xs := y[fc*k : (fc+nc)*k]
	if nc <= 4 { // one group: the rows below in place rather than gathered
		w, tri, rest := group(l, nc, nr, 0)
		kern(tri, rest, w, xs, y, below, k)
		return
	}
	t := tbuf[:nr*k] // the supernode's rows, its own then those below
	copy(t, xs)
	gather(t[nc*k:], y, below, k)
	ng := (nc + 3) / 4
	for i := range ng {
		g := i
		if !forward {
			g = ng - 1 - i
		}
		w, tri, rest := group(l, nc, nr, 4*g)
		kern(tri, rest, w, t[4*g*k:], nil, nil, k)
	}
	copy(xs, t)
	if forward {
		scatter(y, t[nc*k:], below, k)
	}
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
// g0..g0+w-1) and the rows after it (g0+w..nr-1: the supernode's own, then those below it).
func group(l []float64, nc, nr, g0 int) (w int, tri, rest []float64) {
	w = min(4, nc-g0)
	b := l[groupOffset(g0/4, nr) : groupOffset(g0/4, nr)+w*(nr-g0)]
	return w, b[:w*w], b[w*w:]
}
