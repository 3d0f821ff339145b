package sparse

const errMulMultiLen = "sparse: MulMulti block length does not match N·k"

// MulMulti computes Y = A X for k vectors stored interleaved: vector j's entry i is
// x[i*k+j], so one pass over the matrix serves all k vectors and each stored entry is read once
// for k multiply-adds. It panics if k < 1 or len(x), len(y) differ from N·k; y and x must not
// overlap.
func (a *CSR) MulMulti(y, x []float64, k int) {
	a.Check()
	if k < 1 || len(x) != a.N*k || len(y) != a.N*k {
		panic(errMulMultiLen)
	}
	SpMM(y, x, k, a.RowPtr, a.Col, a.Val)
}

// spmm is the multi-vector SpMV kernel, with unrolled paths for the common block sizes.
func SpMM(y, x []float64, k int, rowPtr, col []int32, val []float64) {
	switch k {
	case 1:
		SpMV(y, x, rowPtr, col, val)
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

// SpMMDot computes Y = A X and d[j] = x_jᵀy_j in the same pass, like SpMVDot per column.
func SpMMDot(y, x []float64, k int, rowPtr, col []int32, val []float64, d []float64) {
	switch k {
	case 1:
		d[0] = SpMVDot(y, x, rowPtr, col, val)
	case 4:
		spmm4Dot(y, x, rowPtr, col, val, (*[4]float64)(d))
	case 8:
		spmm8Dot(y, x, rowPtr, col, val, (*[8]float64)(d))
	default:
		SpMM(y, x, k, rowPtr, col, val)
		ColDots(d, x, y, k)
	}
}

// spmm8Dot is spmm8 fused with the column dot products xᵀy (no second pass over x and y),
// summing like SpMVDot per column.
func spmm8Dot(y, x []float64, rowPtr, col []int32, val []float64, d *[8]float64) {
	if useAVX {
		spmm8DotFast(y, x, rowPtr, col, val, d)
		return
	}
	var d0, d1, d2, d3, d4, d5, d6, d7 float64
	lo := rowPtr[0]
	rowPtr = rowPtr[1:]
	for i, hi := range rowPtr {
		var s0, s1, s2, s3, s4, s5, s6, s7 float64
		c := col[lo:hi]
		v := val[lo:hi]
		for e, j := range c {
			xj := (*[8]float64)(x[int(j)*8:])
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
		yi := (*[8]float64)(y[i*8:])
		xi := (*[8]float64)(x[i*8:])
		yi[0], yi[1], yi[2], yi[3], yi[4], yi[5], yi[6], yi[7] = s0, s1, s2, s3, s4, s5, s6, s7
		d0 += xi[0] * s0
		d1 += xi[1] * s1
		d2 += xi[2] * s2
		d3 += xi[3] * s3
		d4 += xi[4] * s4
		d5 += xi[5] * s5
		d6 += xi[6] * s6
		d7 += xi[7] * s7
		lo = hi
	}
	*d = [8]float64{d0, d1, d2, d3, d4, d5, d6, d7}
}

// spmm4Dot is spmm4 fused with the column dot products xᵀy, like SpMVDot per column.
func spmm4Dot(y, x []float64, rowPtr, col []int32, val []float64, d *[4]float64) {
	if useAVX {
		spmm4DotFast(y, x, rowPtr, col, val, d)
		return
	}
	var d0, d1, d2, d3 float64
	lo := rowPtr[0]
	rowPtr = rowPtr[1:]
	for i, hi := range rowPtr {
		var s0, s1, s2, s3 float64
		c := col[lo:hi]
		v := val[lo:hi]
		for e, j := range c {
			xj := (*[4]float64)(x[int(j)*4:])
			a := v[e]
			s0 += a * xj[0]
			s1 += a * xj[1]
			s2 += a * xj[2]
			s3 += a * xj[3]
		}
		yi := (*[4]float64)(y[i*4:])
		xi := (*[4]float64)(x[i*4:])
		yi[0], yi[1], yi[2], yi[3] = s0, s1, s2, s3
		d0 += xi[0] * s0
		d1 += xi[1] * s1
		d2 += xi[2] * s2
		d3 += xi[3] * s3
		lo = hi
	}
	*d = [4]float64{d0, d1, d2, d3}
}

// SpMM4 computes y = S x for four interleaved vectors (entry i of vector j at 4i+j). S may be
// rectangular: row i of y takes the columns col of x's rows, so x needs as many rows as S has
// columns. The assembly kernel runs when the processor has AVX, with the Go loop's bits.
func SpMM4(y, x []float64, rowPtr, col []int32, val []float64) {
	if useAVX {
		spmm4Fast(y, x, rowPtr, col, val)
		return
	}
	lo := rowPtr[0]
	for i, hi := range rowPtr[1:] {
		var a0, a1, a2, a3 float64
		v := val[lo:hi]
		for e, j := range col[lo:hi] {
			a := v[e]
			c := 4 * int(j)
			xj := x[c : c+4 : c+4]
			a0 += a * xj[0]
			a1 += a * xj[1]
			a2 += a * xj[2]
			a3 += a * xj[3]
		}
		yi := y[4*i : 4*i+4 : 4*i+4]
		yi[0], yi[1], yi[2], yi[3] = a0, a1, a2, a3
		lo = hi
	}
}

// ColDots sets d[j] = Σ_i x[i·k+j]·y[i·k+j], summed in row order like dot.
func ColDots(d, x, y []float64, k int) {
	switch k {
	case 4:
		colDots4((*[4]float64)(d), x, y)
		return
	case 8:
		colDots8((*[8]float64)(d), x, y)
		return
	}
	clear(d)
	d = d[:k]
	y = y[:len(x)]
	for i := 0; i < len(x); i += k {
		xi, yi := x[i:i+k], y[i:i+k]
		for j := range d {
			d[j] += xi[j] * yi[j]
		}
	}
}

// colDots4 and colDots8 are colDots for k = 4 and 8, in the same order of operations.
func colDots4(d *[4]float64, x, y []float64) {
	var d0, d1, d2, d3 float64
	y = y[:len(x)]
	for i := 0; i+4 <= len(x); i += 4 {
		xi, yi := (*[4]float64)(x[i:]), (*[4]float64)(y[i:])
		d0 += xi[0] * yi[0]
		d1 += xi[1] * yi[1]
		d2 += xi[2] * yi[2]
		d3 += xi[3] * yi[3]
	}
	*d = [4]float64{d0, d1, d2, d3}
}

func colDots8(d *[8]float64, x, y []float64) {
	var s [8]float64
	y = y[:len(x)]
	for i := 0; i+8 <= len(x); i += 8 {
		xi, yi := (*[8]float64)(x[i:]), (*[8]float64)(y[i:])
		for j := range 8 {
			s[j] += xi[j] * yi[j]
		}
	}
	*d = s
}
