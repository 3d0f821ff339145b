package solver

import "mcfem/sparse"

// Kernels of the AMG cycle: Gauss–Seidel sweeps over the split, diagonally scaled operator
// (ã_ij = a_ij / a_ii), the restriction, the dense Cholesky solve. They work on the workspace
// vector X, which holds every level's solution (level l's from off_l on) and whose indices the
// matrices' columns are.
//
// A cycle serves w ∈ {1, 2, 4} vectors at once (lanes); the workspace stores them interleaved
// with stride w (entry i of lane q at [i*w+q]), the constant stride of each kernel …1, …2, …4.
// Only the fine level's right-hand side is read with the caller's stride k. Every lane goes
// through the same operations in the same order as a single vector, so a vector's result does
// not depend on k or on its lane. The row updates of level l (x = level l's part of X, xc =
// the next level's), with their order of operations:
//
//	forward sweep from 0   x_i = b_i/a_ii − Σ_{j<i−1} ã_ij x_j − ã_{i,i−1} x_{i−1}                   i ascending
//	backward + correction  x_i = x_i − Σ_J (D⁻¹LP)_iJ xc_J − Σ_{j>i+1} ã_ij x_j − ã_{i,i+1} x_{i+1}  i descending
//	restriction            b_c,I = Σ_j (−PᵀU)_Ij x_j
//
// The value computed just before (x_{i−1} going forward, x_{i+1} going backward) comes last
// and stays in a register. With the entries divided by a_ii beforehand, the dependency chain
// from row to row is one multiply and one subtraction instead of a store, a reload, two
// multiplies and a subtraction: the forward sweep went from 1.27 to 0.50 SpMV-equivalents at
// n = 256. The sweeps index the CSR arrays
// directly instead of slicing each row: rows here hold one to a few entries, and the per-row
// slice arithmetic cost more than the entries (the forward sweep took 15 % less time at
// n = 256); the restriction's rows are long and the sliced SpMV kernel serves. The single-lane
// kernels index X without a stride: multiplying every column by k cost 20–40 %.

// gsLower1 is the forward Gauss–Seidel sweep from x = 0, x = (D + L)⁻¹ b, for one lane; b is
// read with stride kb from offset tb.
func gsLower1(x, b []float64, kb, tb int, l *amgLevel) {
	n := l.n
	rowPtr, col := l.lower.rowPtr[:n+1], l.lower.col
	val := l.lower.val[:len(col)]
	xl := x[l.off : l.off+n]
	invDiag, sub := l.invDiag[:n], l.sub[:n]
	prev := 0.0 // x_{i−1}; sub[0] = 0
	lo := rowPtr[0]
	for i := range n {
		hi := rowPtr[i+1]
		s := b[i*kb+tb] * invDiag[i]
		for e := lo; e < hi; e++ {
			s -= val[e] * x[col[e]]
		}
		s -= sub[i] * prev
		xl[i] = s
		prev = s
		lo = hi
	}
}

// gsLower2 is gsLower1 for two lanes (X stride 2).
func gsLower2(x, b []float64, kb, tb int, l *amgLevel) {
	n := l.n
	rowPtr, col := l.lower.rowPtr[:n+1], l.lower.col
	val := l.lower.val[:len(col)]
	xl := x[2*l.off : 2*(l.off+n)]
	invDiag, sub := l.invDiag[:n], l.sub[:n]
	var p0, p1 float64
	lo := rowPtr[0]
	for i := range n {
		hi := rowPtr[i+1]
		bi := b[i*kb+tb : i*kb+tb+2 : i*kb+tb+2]
		d := invDiag[i]
		s0, s1 := bi[0]*d, bi[1]*d
		for e := lo; e < hi; e++ {
			a := val[e]
			c := 2 * int(col[e])
			xj := x[c : c+2 : c+2]
			s0 -= a * xj[0]
			s1 -= a * xj[1]
		}
		a := sub[i]
		s0 -= a * p0
		s1 -= a * p1
		xi := xl[2*i : 2*i+2 : 2*i+2]
		xi[0], xi[1] = s0, s1
		p0, p1 = s0, s1
		lo = hi
	}
}

// gsLower4 is gsLower1 for four lanes (X stride 4). b holds nb ∈ {3, 4} lanes; with 3 the
// fourth lane starts from b = 0 and stays zero (a batch whose k leaves three lanes runs them
// in one four-lane pass).
func gsLower4(x, b []float64, kb, tb, nb int, l *amgLevel) {
	if useAVX && nb == 4 {
		gsLower4Fast(x, b, kb, tb, l)
		return
	}
	n := l.n
	rowPtr, col := l.lower.rowPtr[:n+1], l.lower.col
	val := l.lower.val[:len(col)]
	xl := x[4*l.off : 4*(l.off+n)]
	invDiag, sub := l.invDiag[:n], l.sub[:n]
	var p0, p1, p2, p3 float64
	lo := rowPtr[0]
	for i := range n {
		hi := rowPtr[i+1]
		d := invDiag[i]
		var s0, s1, s2, s3 float64
		if nb == 4 {
			bi := b[i*kb+tb : i*kb+tb+4 : i*kb+tb+4]
			s0, s1, s2, s3 = bi[0]*d, bi[1]*d, bi[2]*d, bi[3]*d
		} else {
			bi := b[i*kb+tb : i*kb+tb+3 : i*kb+tb+3]
			s0, s1, s2 = bi[0]*d, bi[1]*d, bi[2]*d
		}
		for e := lo; e < hi; e++ {
			a := val[e]
			c := 4 * int(col[e])
			xj := x[c : c+4 : c+4]
			s0 -= a * xj[0]
			s1 -= a * xj[1]
			s2 -= a * xj[2]
			s3 -= a * xj[3]
		}
		a := sub[i]
		s0 -= a * p0
		s1 -= a * p1
		s2 -= a * p2
		s3 -= a * p3
		xi := xl[4*i : 4*i+4 : 4*i+4]
		xi[0], xi[1], xi[2], xi[3] = s0, s1, s2, s3
		p0, p1, p2, p3 = s0, s1, s2, s3
		lo = hi
	}
}

// gsBack1 is the backward sweep with the coarse-grid correction folded in,
// x = x − D⁻¹LP xc − D⁻¹U x (i descending), for one lane.
func gsBack1(x []float64, l *amgLevel) {
	n := l.n
	rowPtr, col := l.back.rowPtr[:n+1], l.back.col
	val := l.back.val[:len(col)]
	xl := x[l.off : l.off+n]
	sup := l.sup[:n]
	prev := 0.0 // x_{i+1}; sup[n−1] = 0
	hi := rowPtr[n]
	for i := n - 1; i >= 0; i-- {
		lo := rowPtr[i]
		s := xl[i]
		for e := lo; e < hi; e++ {
			s -= val[e] * x[col[e]]
		}
		s -= sup[i] * prev
		xl[i] = s
		prev = s
		hi = lo
	}
}

// gsBack2 is gsBack1 for two lanes (X stride 2).
func gsBack2(x []float64, l *amgLevel) {
	n := l.n
	rowPtr, col := l.back.rowPtr[:n+1], l.back.col
	val := l.back.val[:len(col)]
	xl := x[2*l.off : 2*(l.off+n)]
	sup := l.sup[:n]
	var p0, p1 float64
	hi := rowPtr[n]
	for i := n - 1; i >= 0; i-- {
		lo := rowPtr[i]
		xi := xl[2*i : 2*i+2 : 2*i+2]
		s0, s1 := xi[0], xi[1]
		for e := lo; e < hi; e++ {
			a := val[e]
			c := 2 * int(col[e])
			xj := x[c : c+2 : c+2]
			s0 -= a * xj[0]
			s1 -= a * xj[1]
		}
		a := sup[i]
		s0 -= a * p0
		s1 -= a * p1
		xi[0], xi[1] = s0, s1
		p0, p1 = s0, s1
		hi = lo
	}
}

// gsBack4 is gsBack1 for four lanes (X stride 4).
func gsBack4(x []float64, l *amgLevel) {
	if useAVX {
		gsBack4Fast(x, l)
		return
	}
	n := l.n
	rowPtr, col := l.back.rowPtr[:n+1], l.back.col
	val := l.back.val[:len(col)]
	xl := x[4*l.off : 4*(l.off+n)]
	sup := l.sup[:n]
	var p0, p1, p2, p3 float64
	hi := rowPtr[n]
	for i := n - 1; i >= 0; i-- {
		lo := rowPtr[i]
		xi := xl[4*i : 4*i+4 : 4*i+4]
		s0, s1, s2, s3 := xi[0], xi[1], xi[2], xi[3]
		for e := lo; e < hi; e++ {
			a := val[e]
			c := 4 * int(col[e])
			xj := x[c : c+4 : c+4]
			s0 -= a * xj[0]
			s1 -= a * xj[1]
			s2 -= a * xj[2]
			s3 -= a * xj[3]
		}
		a := sup[i]
		s0 -= a * p0
		s1 -= a * p1
		s2 -= a * p2
		s3 -= a * p3
		xi[0], xi[1], xi[2], xi[3] = s0, s1, s2, s3
		p0, p1, p2, p3 = s0, s1, s2, s3
		hi = lo
	}
}

// restrict2 is the restriction y = S x for two lanes (stride 2); one lane uses spmv.
func restrict2(y, x []float64, s *rect) {
	lo := s.rowPtr[0]
	for i, hi := range s.rowPtr[1:] {
		var a0, a1 float64
		v := s.val[lo:hi]
		for e, j := range s.col[lo:hi] {
			a := v[e]
			c := 2 * int(j)
			xj := x[c : c+2 : c+2]
			a0 += a * xj[0]
			a1 += a * xj[1]
		}
		yi := y[2*i : 2*i+2 : 2*i+2]
		yi[0], yi[1] = a0, a1
		lo = hi
	}
}

// restrict4 is the restriction for four lanes (stride 4).
func restrict4(y, x []float64, s *rect) {
	sparse.SpMM4(y, x, s.rowPtr, s.col, s.val)
}

// sweep does one Gauss–Seidel sweep on A x = b from the current x for lane t of w (X with
// stride w; b with stride kb, its lane at tb), forward or backward. It serves a coarsest level too large to factorise,
// where back holds the upper triangle alone:
//
//	forward   x_i = b_i/a_ii − Σ_{j<i−1} ã_ij x_j − Σ_{j>i+1} ã_ij x_j − ã_{i,i+1} x_{i+1} − ã_{i,i−1} x_{i−1}
//	backward  x_i = b_i/a_ii − Σ_{j<i−1} ã_ij x_j − ã_{i,i−1} x_{i−1} − Σ_{j>i+1} ã_ij x_j − ã_{i,i+1} x_{i+1}
func sweep(x []float64, w, t int, b []float64, kb, tb int, l *amgLevel, backward bool) {
	n := l.n
	xl := x[w*l.off:]
	row := func(i int) {
		s := b[i*kb+tb] * l.invDiag[i]
		for e := l.lower.rowPtr[i]; e < l.lower.rowPtr[i+1]; e++ {
			s -= l.lower.val[e] * x[int(l.lower.col[e])*w+t]
		}
		if backward && i > 0 {
			s -= l.sub[i] * xl[(i-1)*w+t]
		}
		for e := l.back.rowPtr[i]; e < l.back.rowPtr[i+1]; e++ {
			s -= l.back.val[e] * x[int(l.back.col[e])*w+t]
		}
		if i+1 < n {
			s -= l.sup[i] * xl[(i+1)*w+t]
		}
		if !backward && i > 0 {
			s -= l.sub[i] * xl[(i-1)*w+t]
		}
		xl[i*w+t] = s
	}
	if backward {
		for i := n - 1; i >= 0; i-- {
			row(i)
		}
		return
	}
	for i := range n {
		row(i)
	}
}

// cholSolve sets x = (L Lᵀ)⁻¹ b for lane t of x (stride w; b with stride kb, its lane at tb)
// with the dense row-major factor L (n×n, lower triangle) and inv_i = 1/L_ii: forward
// substitution by rows of L, backward substitution by columns of Lᵀ (again rows of L), both
// reading L contiguously.
func cholSolve(x []float64, w, t int, b []float64, kb, tb int, c, inv []float64) {
	n := len(inv)
	for i := range n {
		s := b[i*kb+tb]
		for j, v := range c[i*n : i*n+i] {
			s -= v * x[j*w+t]
		}
		x[i*w+t] = s * inv[i]
	}
	for i := n - 1; i >= 0; i-- {
		xi := x[i*w+t] * inv[i]
		x[i*w+t] = xi
		for j, v := range c[i*n : i*n+i] {
			x[j*w+t] -= v * xi
		}
	}
}
