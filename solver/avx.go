package solver

// Wrappers of the assembly four-lane kernels (avx_amd64.s): they check the lengths of the
// row-indexed arrays and the first row pointer; the kernels check every further row pointer
// against len(col) and every column index against the rows of x, so a bad call panics like
// the Go kernels' bounds checks instead of reading out of bounds.

const (
	errAVXLen = "solver: four-lane kernel: vector or matrix arrays too short"
	errAVXCol = "solver: four-lane kernel: row pointer or column index out of range"
)

// checkCSRArgs panics unless the rows' pointers start inside col and val is as long as col.
func checkCSRArgs(rowPtr, col []int32, val []float64) {
	if rowPtr[0] < 0 || len(val) < len(col) {
		panic(errAVXLen)
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

// gsLower4Fast is gsLower4 (all four lanes of b used) with the AVX kernel.
func gsLower4Fast(x, b []float64, kb, tb int, l *amgLevel) {
	n := l.n
	if n == 0 {
		return
	}
	rowPtr, col, val := l.lower.rowPtr[:n+1], l.lower.col, l.lower.val
	checkCSRArgs(rowPtr, col, val)
	xl := x[4*l.off : 4*(l.off+n)]
	invDiag, sub := l.invDiag[:n], l.sub[:n]
	if kb < 4 || tb < 0 || (n-1)*kb+tb+4 > len(b) {
		panic(errAVXLen)
	}
	if !gsLower4AVX(&xl[0], &x[0], len(x)/4, &b[tb], 8*kb, &rowPtr[0], colPtr(col), valPtr(val), len(col), &invDiag[0], &sub[0], n) {
		panic(errAVXCol)
	}
}

// gsBack4Fast is gsBack4 with the AVX kernel.
func gsBack4Fast(x []float64, l *amgLevel) {
	n := l.n
	if n == 0 {
		return
	}
	rowPtr, col, val := l.back.rowPtr[:n+1], l.back.col, l.back.val
	checkCSRArgs(rowPtr, col, val)
	xl := x[4*l.off : 4*(l.off+n)]
	sup := l.sup[:n]
	if !gsBack4AVX(&xl[0], &x[0], len(x)/4, &rowPtr[0], colPtr(col), valPtr(val), len(col), &sup[0], n) {
		panic(errAVXCol)
	}
}
