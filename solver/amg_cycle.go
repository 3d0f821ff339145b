package solver

import "mcfem/sparse"

// The AMG V-cycle: the levels' sweeps (sparse.SweepForward and SweepBackward, which run the
// kernels below for 1, 2 or 4 lanes), the restriction (sparse.SpMM) and the coarsest level's
// solve. They work on the workspace vector X, which holds every level's solution (level l's
// from off_l on) and whose indices the matrices' columns are.
//
// A cycle serves w ∈ {1, 2, 4} vectors at once (lanes); the workspace stores them interleaved
// with stride w (entry i of lane q at [i*w+q]). Only the fine level's right-hand side is read
// with the caller's stride k. Every lane goes through the same operations in the same order
// as a single vector, so a vector's result does not depend on k or on its lane. The row
// updates of level l (x = level l's part of X, xc = the next level's), with their order of
// operations:
//
//	forward sweep from 0   x_i = b_i/a_ii − Σ_{j<i−1} ã_ij x_j − ã_{i,i−1} x_{i−1}                   i ascending
//	backward + correction  x_i = x_i − Σ_J (D⁻¹LP)_iJ xc_J − Σ_{j>i+1} ã_ij x_j − ã_{i,i+1} x_{i+1}  i descending
//	restriction            b_c,I = Σ_j (−PᵀU)_Ij x_j
//
// The value computed just before (x_{i−1} going forward, x_{i+1} going backward) comes last
// and stays in a register. With the entries divided by a_ii beforehand, the dependency chain
// from row to row is one multiply and one subtraction instead of a store, a reload, two
// multiplies and a subtraction: the forward sweep went from 1.27 to 0.50 SpMV-equivalents at
// n = 256. The sweeps index the CSR arrays directly instead of slicing each row: rows here
// hold one to a few entries, and the per-row slice arithmetic cost more than the entries (the
// forward sweep took 15 % less time at n = 256); the restriction's rows are long and the
// sliced SpMM kernels serve. The single-lane kernels index X without a stride: multiplying
// every column by k cost 20–40 %.

// cycle runs one V-cycle for each of k interleaved vectors, z = M⁻¹ r: four lanes at a time;
// a rest of three in one four-lane pass with an idle lane, of two or one in a two- or one-lane
// pass. (Per vector, at n = 256, a four-lane pass costs about 0.57 of a single cycle, a
// four-lane pass with three lanes used 0.73, a two-lane pass 0.85.)
func (m *AMG) cycle(z, r []float64, k int, ws *AMGWorkspace) {
	t := 0
	for ; t+4 <= k; t += 4 {
		m.cycleLanes(z, r, k, t, 4, 4, ws)
	}
	switch k - t {
	case 3:
		m.cycleLanes(z, r, k, t, 4, 3, ws)
	case 2:
		m.cycleLanes(z, r, k, t, 2, 2, ws)
	case 1:
		m.cycleLanes(z, r, k, t, 1, 1, ws)
	}
}

// cycleLanes runs the V-cycle of the AMG doc comment in a pass of w ∈ {1, 2, 4} lanes for the
// vectors t…t+used−1 of the k interleaved ones (used < w only as 3 of 4), with the workspace
// vectors at stride w: down, x₁ = (D+L)⁻¹ b and b_c = −PᵀU x₁ per level; the coarsest level
// solved; up, x₃ = x₁ − D⁻¹LP x_c − D⁻¹U x₃ per level; finally z = x₃ of the fine level.
func (m *AMG) cycleLanes(z, r []float64, k, t, w, used int, ws *AMGWorkspace) {
	nl := len(m.levels)
	x := ws.x
	b, kb, tb, nb := r, k, t, used // the fine right-hand side has the caller's stride
	for l := range nl - 1 {
		lev := &m.levels[l]
		bc := ws.b[l+1][:m.levels[l+1].n*w]
		sparse.SweepForward(w, x, lev.off, &lev.down, b, kb, tb, nb)
		sparse.SpMM(bc, x, w, lev.restrict.rowPtr, lev.restrict.col, lev.restrict.val)
		b, kb, tb, nb = bc, w, 0, w
	}
	m.levels[nl-1].coarseSolve(x, w, b, kb, tb, nb)
	for l := nl - 2; l >= 0; l-- {
		sparse.SweepBackward(w, x, m.levels[l].off, &m.levels[l].up)
	}
	if k == 1 {
		copy(z, x[:len(z)])
		return
	}
	for i := range m.levels[0].n {
		copy(z[i*k+t:i*k+t+used], x[i*w:i*w+used])
	}
}

// coarseSolve sets x = A⁻¹ b on the coarsest level for the first used lanes of x (stride w;
// b with stride kb from offset tb: the caller's r when the hierarchy has one level): with the
// dense Cholesky factor when there is one, otherwise approximately by amgCoarseSweeps
// symmetric Gauss–Seidel sweeps from zero.
func (l *amgLevel) coarseSolve(x []float64, w int, b []float64, kb, tb, used int) {
	for q := range used {
		if l.chol != nil {
			cholSolve(x[w*l.off:], w, q, b, kb, tb+q, l.chol, l.cholInv)
			continue
		}
		for i := range l.n {
			x[(l.off+i)*w+q] = 0
		}
		for range amgCoarseSweeps {
			sweep(x, w, q, b, kb, tb+q, l, false)
			sweep(x, w, q, b, kb, tb+q, l, true)
		}
	}
}

// sweep does one Gauss–Seidel sweep on A x = b from the current x for lane t of w (X with
// stride w; b with stride kb, its lane at tb), forward or backward. It serves a coarsest
// level too large to factorise, whose backward sweep (up) holds the upper triangle alone:
//
//	forward   x_i = b_i/a_ii − Σ_{j<i−1} ã_ij x_j − Σ_{j>i+1} ã_ij x_j − ã_{i,i+1} x_{i+1} − ã_{i,i−1} x_{i−1}
//	backward  x_i = b_i/a_ii − Σ_{j<i−1} ã_ij x_j − ã_{i,i−1} x_{i−1} − Σ_{j>i+1} ã_ij x_j − ã_{i,i+1} x_{i+1}
func sweep(x []float64, w, t int, b []float64, kb, tb int, l *amgLevel, backward bool) {
	n := l.n
	xl := x[w*l.off:]
	lo, up := &l.down, &l.up
	row := func(i int) {
		s := float64(b[i*kb+tb] * lo.Scale[i])
		for e := lo.RowPtr[i]; e < lo.RowPtr[i+1]; e++ {
			s -= float64(lo.Val[e] * x[int(lo.Col[e])*w+t])
		}
		if backward && i > 0 {
			s -= float64(lo.Near[i] * xl[(i-1)*w+t])
		}
		for e := up.RowPtr[i]; e < up.RowPtr[i+1]; e++ {
			s -= float64(up.Val[e] * x[int(up.Col[e])*w+t])
		}
		if i+1 < n {
			s -= float64(up.Near[i] * xl[(i+1)*w+t])
		}
		if !backward && i > 0 {
			s -= float64(lo.Near[i] * xl[(i-1)*w+t])
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
			s -= float64(v * x[j*w+t])
		}
		x[i*w+t] = s * inv[i]
	}
	for i := n - 1; i >= 0; i-- {
		xi := x[i*w+t] * inv[i]
		x[i*w+t] = xi
		for j, v := range c[i*n : i*n+i] {
			x[j*w+t] -= float64(v * xi)
		}
	}
}
