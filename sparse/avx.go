package sparse

// Wrappers of the assembly kernels (avx_amd64.s): they check the lengths of the row-indexed
// arrays and the first row pointer; the kernels check every further row pointer against
// len(col) and every column index against the rows of x, so a bad call panics like the Go
// kernels' bounds checks instead of reading out of bounds.

const (
	errAVXLen = "sparse: four-lane kernel: vector or matrix arrays too short"
	errAVXCol = "sparse: four-lane kernel: row pointer or column index out of range"
)

// avxArgs are the arguments of every assembly kernel, in one layout: avx_amd64.s reads the
// fields at their go_asm.h offsets, so the kernels share their prologue.
type avxArgs struct {
	y, x    *float64 // the rows written (y, or the swept rows of X) and the vector gathered
	xrows   int      // rows of x: every column index must be below
	rowPtr  *int32   // n+1 row pointers
	col     *int32   // column indices (nil when empty)
	val     *float64 // values (nil when empty)
	ncol    int      // len(col): every row pointer must be at most
	n       int      // rows
	d       *float64 // spmmDot: the lanes' dot products
	b       *float64 // sweepForward: the first row's lane 0 of b
	bstride int      // sweepForward: bytes from a row of b to the next
	scale   *float64 // sweepForward: Sweep.Scale
	near    *float64 // sweeps: Sweep.Near
}

// csrArgs checks the arguments common to every kernel — the row pointers start inside col,
// val is as long as col, y holds lanes·n values and x at least xrows·lanes — and returns them
// for the n ≥ 1 rows of rowPtr (n = 0: nothing to do).
func csrArgs(lanes int, y, x []float64, xrows int, rowPtr, col []int32, val []float64) (avxArgs, int) {
	n := len(rowPtr) - 1
	if n < 1 {
		return avxArgs{}, 0
	}
	if rowPtr[0] < 0 || len(val) < len(col) || len(y) < lanes*n || xrows < 1 || len(x) < lanes*xrows {
		panic(errAVXLen)
	}
	return avxArgs{y: &y[0], x: &x[0], xrows: xrows, rowPtr: &rowPtr[0], col: colPtr(col), val: valPtr(val),
		ncol: len(col), n: n}, n
}

// spmmFast runs the assembly SpMM for 4 or 8 lanes: with the column dots into d (square A,
// x with the rows of y) when d is not nil.
func spmmFast(lanes int, y, x []float64, rowPtr, col []int32, val, d []float64) {
	xrows := len(x) / lanes
	if d != nil {
		clear(d[:lanes])
		xrows = len(rowPtr) - 1
	}
	a, n := csrArgs(lanes, y, x, xrows, rowPtr, col, val)
	if n == 0 {
		return
	}
	var ok bool
	switch {
	case d != nil:
		a.d = &d[0]
		ok = lanes == 4 && spmmDot4AVX(&a) || lanes == 8 && spmmDot8AVX(&a)
	case lanes == 4:
		ok = spmm4AVX(&a)
	default:
		ok = spmm8AVX(&a)
	}
	if !ok {
		panic(errAVXCol)
	}
}

// sweepFast runs the assembly four-lane sweep: forward with b (all four lanes of b used),
// backward when b is nil.
func sweepFast(x []float64, off int, s *Sweep, b []float64, kb, tb int) {
	n := len(s.RowPtr) - 1
	if n < 1 {
		return
	}
	xl := x[4*off : 4*(off+n)]
	a, _ := csrArgs(4, xl, x, len(x)/4, s.RowPtr, s.Col, s.Val)
	a.near = &s.Near[:n][0]
	if b == nil {
		if !sweepBackward4AVX(&a) {
			panic(errAVXCol)
		}
		return
	}
	if kb < 4 || tb < 0 || (n-1)*kb+tb+4 > len(b) {
		panic(errAVXLen)
	}
	a.b, a.bstride, a.scale = &b[tb], 8*kb, &s.Scale[:n][0]
	if !sweepForward4AVX(&a) {
		panic(errAVXCol)
	}
}

// colPtr and valPtr return the first element's address, or nil for an empty array (the row
// pointers then are all 0, so the kernel never dereferences it).
func colPtr(c []int32) *int32 {
	if len(c) == 0 {
		return nil
	}
	return &c[0]
}

func valPtr(v []float64) *float64 {
	if len(v) == 0 {
		return nil
	}
	return &v[0]
}
