package sparse

// Wrappers of the assembly four-lane kernels (avx_amd64.s): they check the lengths of the
// row-indexed arrays and the first row pointer; the kernels check every further row pointer
// against len(col) and every column index against the rows of x, so a bad call panics like
// the Go kernels' bounds checks instead of reading out of bounds.

const (
	errAVXLen = "sparse: four-lane kernel: vector or matrix arrays too short"
	errAVXCol = "sparse: four-lane kernel: row pointer or column index out of range"
)

// spmmArgs checks the arguments of an SpMM kernel with the given lanes — y and x hold the n
// rows of rowPtr (x at least one row; with dot, n rows), the row pointers start inside col,
// val is as long as col — and returns n, 0 for no rows.
func spmmArgs(y, x []float64, rowPtr, col []int32, val []float64, lanes int, dot bool) int {
	n := len(rowPtr) - 1
	if n < 1 {
		return 0
	}
	checkCSRArgs(rowPtr, col, val)
	xrows := 1
	if dot {
		xrows = n
	}
	if len(y) < lanes*n || len(x) < lanes*xrows {
		panic(errAVXLen)
	}
	return n
}

// checkCSRArgs panics unless the rows' pointers start inside col and val is as long as col.
func checkCSRArgs(rowPtr, col []int32, val []float64) {
	if rowPtr[0] < 0 || len(val) < len(col) {
		panic(errAVXLen)
	}
}

// spmm4DotFast is spmm4Dot with the AVX kernel.
func spmm4DotFast(y, x []float64, rowPtr, col []int32, val []float64, d *[4]float64) {
	*d = [4]float64{}
	if n := spmmArgs(y, x, rowPtr, col, val, 4, true); n > 0 &&
		!spmm4DotAVX(&y[0], &x[0], len(x)/4, &rowPtr[0], colPtr(col), valPtr(val), len(col), n, d) {
		panic(errAVXCol)
	}
}

// spmm8DotFast is spmm8Dot with the AVX kernel.
func spmm8DotFast(y, x []float64, rowPtr, col []int32, val []float64, d *[8]float64) {
	*d = [8]float64{}
	if n := spmmArgs(y, x, rowPtr, col, val, 8, true); n > 0 &&
		!spmm8DotAVX(&y[0], &x[0], len(x)/8, &rowPtr[0], colPtr(col), valPtr(val), len(col), n, d) {
		panic(errAVXCol)
	}
}

// spmm4Fast is y = S x for four lanes with the AVX kernel (the restriction).
func spmm4Fast(y, x []float64, rowPtr, col []int32, val []float64) {
	if n := spmmArgs(y, x, rowPtr, col, val, 4, false); n > 0 &&
		!spmm4AVX(&y[0], &x[0], len(x)/4, &rowPtr[0], colPtr(col), valPtr(val), len(col), n) {
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
