package chol

// Wrappers of the assembly kernels for k = 4 (avx_amd64.s): they have the signature of a
// kernel, check the lengths of the group's arrays and hand them over in one avxArgs; the
// assembly checks every row index of below against the rows of y, so a bad call panics like
// the Go kernels' bounds checks instead of reading out of bounds.
//
// Each assembly kernel is fwd4 or bwd4 (solve_gen.go) with the four lanes of a row in one YMM
// register: the same operations in the same order on each lane — a product rounded by VMULPD,
// then VSUBPD; VDIVPD by the diagonal; never a fused multiply-add — so the results are the Go
// kernels' bit for bit. One difference in the schedule, not in the operations: the sweep over
// the rows after the group takes all w columns of the group in one pass (the Go kernels take
// two at a time), which changes no element's sequence of operations: forward, each row still
// receives its subtractions in increasing column; backward, each column's sum is its own
// accumulator, still less the rows in decreasing order.

const (
	errAVXLen = "chol: four-lane kernel: group width or array lengths inconsistent"
	errAVXRow = "chol: four-lane kernel: row index out of range"
)

// avxArgs are the arguments of both assembly kernels: avx_amd64.s reads the fields at their
// go_asm.h offsets.
type avxArgs struct {
	tri   *float64 // the group's w×w triangle, w values a row
	rest  *float64 // its values in the n rows after it, w a row (nil when n = 0)
	x     *float64 // the group's w rows, 4 lanes each; gathered (below nil), the n rows after
	y     *float64 // in place: the right-hand sides, rows below[q]
	below *int32   // in place: the n rows after the group; nil: gathered
	w     int      // the group's width, 1..4
	n     int      // rows after the group
	yrows int      // in place: rows of y, above every below[q]
}

// set checks a kernel's arguments and sets a to them for the assembly. (Filled in place,
// field by field, rather than returned: a copied struct costs a store-forwarding stall on
// every call when the assembly reads its fields back.)
func (a *avxArgs) set(tri, rest []float64, w int, x, y []float64, below []int32) {
	if w < 1 || w > 4 || len(tri) < w*w || len(x) < 4*w {
		panic(errAVXLen)
	}
	a.tri, a.x, a.w = &tri[0], &x[0], w
	if below == nil {
		a.n = len(x)/4 - w
	} else if len(below) > 0 {
		a.n, a.below, a.y, a.yrows = len(below), &below[0], firstOf(y), len(y)/4
	}
	if len(rest) < a.n*w {
		panic(errAVXLen)
	}
	if a.n > 0 {
		a.rest = &rest[0]
	}
}

// firstOf returns the address of v's first element, or nil when v is empty.
func firstOf(v []float64) *float64 {
	if len(v) == 0 {
		return nil
	}
	return &v[0]
}

// fwd4Fast is fwd4 in assembly (a kernel; only for useAVX).
func fwd4Fast(tri, rest []float64, w int, x, y []float64, below []int32, _ int) {
	var a avxArgs
	a.set(tri, rest, w, x, y, below)
	if !fwd4AVX(&a) {
		panic(errAVXRow)
	}
}

// bwd4Fast is bwd4 in assembly (a kernel; only for useAVX).
func bwd4Fast(tri, rest []float64, w int, x, y []float64, below []int32, _ int) {
	var a avxArgs
	a.set(tri, rest, w, x, y, below)
	if !bwd4AVX(&a) {
		panic(errAVXRow)
	}
}

// kernels returns the forward and backward kernels for k right-hand sides: those of
// kernelsFor (solve_gen.go), but the assembly ones for k = 4 when useAVX.
func kernels(k int) (fwd, bwd kernel) {
	if k == 4 && useAVX {
		return fwd4Fast, bwd4Fast
	}
	return kernelsFor(k)
}
