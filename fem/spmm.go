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

func spmm4(y, x []float64, rowPtr, col []int32, val []float64) {
	lo := rowPtr[0]
	rowPtr = rowPtr[1:]
	for i, hi := range rowPtr {
		var s0, s1, s2, s3 float64
		c := col[lo:hi]
		v := val[lo:hi]
		for e, j := range c {
			xj := x[int(j)*4 : int(j)*4+4 : int(j)*4+4]
			a := v[e]
			s0 += a * xj[0]
			s1 += a * xj[1]
			s2 += a * xj[2]
			s3 += a * xj[3]
		}
		yi := y[i*4 : i*4+4 : i*4+4]
		yi[0], yi[1], yi[2], yi[3] = s0, s1, s2, s3
		lo = hi
	}
}

func spmm8(y, x []float64, rowPtr, col []int32, val []float64) {
	lo := rowPtr[0]
	rowPtr = rowPtr[1:]
	for i, hi := range rowPtr {
		var s0, s1, s2, s3, s4, s5, s6, s7 float64
		c := col[lo:hi]
		v := val[lo:hi]
		for e, j := range c {
			xj := x[int(j)*8 : int(j)*8+8 : int(j)*8+8]
			a := v[e]
			s0 += a * xj[0]
			s1 += a * xj[1]
			s2 += a * xj[2]
			s3 += a * xj[3]
			s4 += a * xj[4]
			s5 += a * xj[5]
			s6 += a * xj[6]
			s7 += a * xj[7]
		}
		yi := y[i*8 : i*8+8 : i*8+8]
		yi[0], yi[1], yi[2], yi[3], yi[4], yi[5], yi[6], yi[7] = s0, s1, s2, s3, s4, s5, s6, s7
		lo = hi
	}
}
