package fem

const errMulMultiLen = "fem: MulMulti block length does not match N·k"

// MulMulti computes Y = A X for k vectors stored interleaved: vector j's entry i is
// x[i*k+j], so one pass over the matrix serves all k vectors and each stored entry is read once
// for k multiply-adds. It panics if k < 1 or len(x), len(y) differ from N·k; y and x must not
// overlap.
func (a *CSR) MulMulti(y, x []float64, k int) {
	a.check()
	if k < 1 || len(x) != a.N*k || len(y) != a.N*k {
		panic(errMulMultiLen)
	}
	spmm(y, x, k, a.RowPtr, a.Col, a.Val)
}

// spmm is the multi-vector SpMV kernel, with unrolled paths for the common block sizes.
func spmm(y, x []float64, k int, rowPtr, col []int32, val []float64) {
	switch k {
	case 1:
		spmv(y, x, rowPtr, col, val)
	case 4:
		spmm4(y, x, rowPtr, col, val)
	case 8:
		spmm8(y, x, rowPtr, col, val)
	default:
		spmmGeneric(y, x, k, rowPtr, col, val)
	}
}

func spmmGeneric(y, x []float64, k int, rowPtr, col []int32, val []float64) {
	lo := rowPtr[0]
	rowPtr = rowPtr[1:]
	for i, hi := range rowPtr {
		yi := y[i*k : i*k+k]
		clear(yi)
		c := col[lo:hi]
		v := val[lo:hi]
		for e, j := range c {
			xj := x[int(j)*k : int(j)*k+k]
			a := v[e]
			for t := range yi {
				yi[t] += a * xj[t]
			}
		}
		lo = hi
	}
}

// spmm4 and spmm8 are the fused kernels with the dot products discarded: one inner loop
// each, kept in pcg_batch.go (the extra n·k multiply-adds cost nothing next to the matrix pass).
func spmm4(y, x []float64, rowPtr, col []int32, val []float64) {
	var d [4]float64
	spmm4Dot(y, x, rowPtr, col, val, &d)
}

func spmm8(y, x []float64, rowPtr, col []int32, val []float64) {
	var d [8]float64
	spmm8Dot(y, x, rowPtr, col, val, &d)
}
