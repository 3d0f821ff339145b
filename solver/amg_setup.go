package solver

import (
	"fmt"
	"math"
	"slices"

	"mcfem/sparse"
)

// Set-up of the smoothed-aggregation hierarchy (Vaněk, Mandel, Brezina 1996): strength of
// connection, greedy aggregation, the smoothed prolongator and the Galerkin product. Every
// sparse product is row by row with a dense marker array over the columns (no maps), so a
// level costs O(nnz) time and memory.

// NewAMG builds the smoothed-aggregation hierarchy of the symmetric positive definite matrix a
// (columns in any order; exact zeros are ignored). a is read, not kept: the AMG stays usable if
// a's values change later, but then approximates the old matrix (rebuild it).
//
// It returns an error if a diagonal entry is missing, not positive or not finite, an entry is
// not finite, or a coarse operator is not numerically positive definite — each a sign that a
// is not SPD. Symmetry is assumed, not checked. It panics if a's arrays are inconsistent.
func NewAMG(a *sparse.CSR, opt AMGOptions) (*AMG, error) {
	a.Check()
	opt = opt.withDefaults()
	m := &AMG{}
	op := &rect{rows: a.N, cols: a.N, rowPtr: a.RowPtr, col: a.Col, val: a.Val}
	off := 0
	for {
		lev, upper, diag, err := newLevel(op, len(m.levels))
		if err != nil {
			return nil, err
		}
		lev.off = off
		shiftCols(lev.down.Col, off)
		var agg []int32
		nc := 0
		if lev.n > opt.MaxCoarse && len(m.levels)+1 < opt.MaxLevels {
			agg, nc = aggregate(op, diag, opt.Theta)
		}
		if nc == 0 || float64(nc) > amgMinCoarsening*float64(lev.n) { // coarsest level
			m.levels = append(m.levels, lev.coarsest(&upper))
			break
		}
		omega := 4 / (3 * powerRadius(op, diag, amgPowerIters))
		p := smoothedProlongator(op, diag, agg, nc, omega)
		if galerkinWork(op, &p) > amgMaxGalerkinWork*int64(max(a.NNZ(), 1)) { // coarse operators turning dense
			m.levels = append(m.levels, lev.coarsest(&upper))
			break
		}
		lp := lowerTimes(op, &p)
		lev.restrict = transpose(&lp)
		scaleRows(&lev.restrict, -1, nil)
		shiftCols(lev.restrict.col, off)
		scaleRows(&lp, 1, lev.down.Scale)
		back := concatRows(&lp, off+lev.n, &upper, off)
		lev.up = back.sweep(lev.up.Near, nil)
		m.levels = append(m.levels, lev)
		pt := transpose(&p)
		op = galerkin(op, &p, &pt)
		off += lev.n
	}
	c := &m.levels[len(m.levels)-1]
	if c.n <= amgMaxDense {
		var err error
		if c.chol, c.cholInv, err = cholesky(op); err != nil {
			return nil, fmt.Errorf("solver: AMG level %d: %w", len(m.levels)-1, err)
		}
	}
	return m, nil
}

// coarsest returns l as the coarsest level, whose backward sweep is the upper triangle alone.
func (l amgLevel) coarsest(upper *rect) amgLevel {
	shiftCols(upper.col, l.off)
	l.up = upper.sweep(l.up.Near, nil)
	return l
}

// cholesky returns the dense Cholesky factor L of the n×n operator a (row-major, lower
// triangle; the strict upper triangle is left holding a's entries) and 1/L_ii. It returns an
// error if a pivot is not positive relative to its diagonal entry: a is not numerically SPD.
func cholesky(a *rect) (c, inv []float64, err error) {
	n := a.rows
	c = make([]float64, n*n)
	for i := range n {
		lo, hi := a.rowPtr[i], a.rowPtr[i+1]
		for k, j := range a.col[lo:hi] {
			c[i*n+int(j)] += a.val[int(lo)+k]
		}
	}
	inv = make([]float64, n)
	for j := range n {
		rj := c[j*n : j*n+j]
		ajj := c[j*n+j]
		d := ajj - dot(rj, rj)
		if !(d > 1e-14*ajj) {
			return nil, nil, fmt.Errorf("coarsest operator (n = %d) is not positive definite: pivot %d is %g", n, j, d)
		}
		d = math.Sqrt(d)
		c[j*n+j] = d
		inv[j] = 1 / d
		for i := j + 1; i < n; i++ {
			ri := c[i*n : i*n+j]
			c[i*n+j] = (c[i*n+j] - dot(ri, rj)) * inv[j]
		}
	}
	return c, inv, nil
}

// aggregate groups the unknowns of a into aggregates along strong couplings
//
//	|a_ij| > θ √(a_ii a_jj),  i ≠ j, a_ij ≠ 0   (every nonzero if θ < 0)
//
// and returns the aggregate of every unknown (-1 for an unknown with no strong coupling,
// which belongs to no aggregate) and the number of aggregates. The greedy passes, in the
// unknowns' order:
//
//  1. an unknown whose strong neighbours are all free forms an aggregate with them;
//  2. a free unknown joins the aggregate of pass 1 it is most strongly coupled to;
//  3. a free unknown still left forms an aggregate with its free strong neighbours.
//
// On a structured 5-point-like graph pass 1 leaves plus-shaped aggregates of 5 and pass 2
// grows them to about 3×3.
func aggregate(a *rect, diag []float64, theta float64) ([]int32, int) {
	n := a.rows
	// Strong neighbours in CSR form.
	sPtr := make([]int32, n+1)
	sCol := make([]int32, 0, a.nnz()-n)
	t2 := theta * theta
	for i := range n {
		lo, hi := a.rowPtr[i], a.rowPtr[i+1]
		v := a.val[lo:hi]
		di := diag[i]
		for k, j := range a.col[lo:hi] {
			if strong(v[k], di, diag[j], t2, theta < 0) && int(j) != i {
				sCol = append(sCol, j)
			}
		}
		sPtr[i+1] = int32(len(sCol))
	}

	const free = -1
	agg := make([]int32, n)
	for i := range agg {
		agg[i] = free
	}
	nagg := int32(0)
	// Pass 1.
	for i := range n {
		nb := sCol[sPtr[i]:sPtr[i+1]]
		if agg[i] != free || len(nb) == 0 {
			continue
		}
		ok := true
		for _, j := range nb {
			if agg[j] != free {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		agg[i] = nagg
		for _, j := range nb {
			agg[j] = nagg
		}
		nagg++
	}
	// Pass 2: joins are marked -2-aggregate so that they do not chain within the pass.
	for i := range n {
		if agg[i] != free || sPtr[i] == sPtr[i+1] {
			continue
		}
		lo, hi := a.rowPtr[i], a.rowPtr[i+1]
		v := a.val[lo:hi]
		best, bestJ := 0.0, int32(-1)
		for k, j := range a.col[lo:hi] {
			if agg[j] < 0 || int(j) == i {
				continue
			}
			if s := v[k] * v[k] / diag[j]; s > best && strong(v[k], diag[i], diag[j], t2, theta < 0) {
				best, bestJ = s, j
			}
		}
		if bestJ >= 0 {
			agg[i] = -2 - agg[bestJ]
		}
	}
	// Pass 3.
	for i := range n {
		if agg[i] != free || sPtr[i] == sPtr[i+1] {
			continue
		}
		agg[i] = nagg
		for _, j := range sCol[sPtr[i]:sPtr[i+1]] {
			if agg[j] == free {
				agg[j] = nagg
			}
		}
		nagg++
	}
	for i, g := range agg {
		if g <= -2 {
			agg[i] = -2 - g
		}
	}
	return agg, int(nagg)
}

// strong reports whether the coupling v between unknowns with diagonals di, dj is strong:
// v² > θ² di dj, or v ≠ 0 when all is set.
func strong(v, di, dj, theta2 float64, all bool) bool {
	if all {
		return v != 0
	}
	return v != 0 && v*v > theta2*di*dj
}

// smoothedProlongator returns P = (I − ω D⁻¹A) P₀ where P₀ is the tentative prolongator of
// the aggregation: P₀[i, agg[i]] = 1/√|agg[i]| (columns of unit norm; zero rows for unknowns
// in no aggregate). Row i of P is
//
//	P[i, J] = [agg[i] = J]/√|J| − ω/a_ii Σ_{j ∈ J} a_ij/√|J|
//
// gathered over row i of A with a marker array over the aggregates; exact zeros are dropped.
func smoothedProlongator(a *rect, diag []float64, agg []int32, nc int, omega float64) rect {
	n := a.rows
	scale := make([]float64, nc)
	for _, g := range agg {
		if g >= 0 {
			scale[g]++
		}
	}
	for g, s := range scale {
		scale[g] = 1 / math.Sqrt(s)
	}
	p := rect{rows: n, cols: nc, rowPtr: make([]int32, n+1), col: make([]int32, 0, 3*n), val: make([]float64, 0, 3*n)}
	rb := newRowBuilder(&p)
	for i := range n {
		rb.begin()
		if g := agg[i]; g >= 0 {
			rb.add(g, scale[g])
		}
		w := -omega / diag[i]
		lo, hi := a.rowPtr[i], a.rowPtr[i+1]
		v := a.val[lo:hi]
		for k, j := range a.col[lo:hi] {
			if g := agg[j]; g >= 0 && v[k] != 0 {
				rb.add(g, float64(w*v[k]*scale[g]))
			}
		}
		// Drop exact zeros (an unknown whose couplings to an aggregate cancel).
		p.rowPtr[i+1] = rb.end(true)
	}
	p.col, p.val = slices.Clip(p.col), slices.Clip(p.val)
	return p
}

// transpose returns sᵀ, rows in increasing column order of s.
func transpose(s *rect) rect {
	t := rect{rows: s.cols, cols: s.rows, rowPtr: make([]int32, s.cols+1),
		col: make([]int32, s.nnz()), val: make([]float64, s.nnz())}
	for _, j := range s.col {
		t.rowPtr[j+1]++
	}
	for j := range s.cols {
		t.rowPtr[j+1] += t.rowPtr[j]
	}
	next := slices.Clone(t.rowPtr[:s.cols])
	for i := range s.rows {
		lo, hi := s.rowPtr[i], s.rowPtr[i+1]
		v := s.val[lo:hi]
		for k, j := range s.col[lo:hi] {
			q := next[j]
			t.col[q] = int32(i)
			t.val[q] = v[k]
			next[j]++
		}
	}
	return t
}

// galerkinWork returns the multiply-adds galerkin(a, p, pᵀ) would do:
//
//	Σ_i nnz(P_i) Σ_{j ∈ row i of A} nnz(P_j)
func galerkinWork(a, p *rect) int64 {
	var w int64
	for i := range a.rows {
		var s int64
		for _, j := range a.col[a.rowPtr[i]:a.rowPtr[i+1]] {
			s += int64(p.rowPtr[j+1] - p.rowPtr[j])
		}
		w += int64(p.rowPtr[i+1]-p.rowPtr[i]) * s
	}
	return w
}

// galerkin returns the coarse operator R A P (R = Pᵀ) row by row without forming A P:
// coarse row I accumulates r_Ii a_ij p_jK over the fine rows i of R's row I, their entries j
// and the entries K of P's row j, in a marker array over the coarse unknowns. It costs
// nnz(P)·(entries per row of A)·(entries per row of P) multiply-adds and no temporary matrix.
func galerkin(a, p, r *rect) *rect {
	nc := p.cols
	c := &rect{rows: nc, cols: nc, rowPtr: make([]int32, nc+1),
		col: make([]int32, 0, 12*nc), val: make([]float64, 0, 12*nc)}
	rb := newRowBuilder(c)
	for ci := range nc {
		rb.begin()
		rlo, rhi := r.rowPtr[ci], r.rowPtr[ci+1]
		rv := r.val[rlo:rhi]
		for ri, i := range r.col[rlo:rhi] {
			alo, ahi := a.rowPtr[i], a.rowPtr[i+1]
			rb.addProducts(rv[ri], a.col[alo:ahi], a.val[alo:ahi], int32(a.cols), p)
		}
		c.rowPtr[ci+1] = rb.end(false)
	}
	return c
}

// powerRadius estimates ρ(D⁻¹A) by iters power iterations x ← D⁻¹A x from a fixed
// pseudo-random start. D⁻¹A is similar to the symmetric D^{-1/2} A D^{-1/2}, and the estimate
// is the latter's Rayleigh quotient at D^{1/2} x, (x, A x) / (x, D x): a lower bound converging
// from below.
func powerRadius(a *rect, diag []float64, iters int) float64 {
	n := a.rows
	x := make([]float64, n)
	y := make([]float64, n)
	h := uint64(0x9e3779b97f4a7c15) // xorshift64*
	for i := range x {
		h ^= h >> 12
		h ^= h << 25
		h ^= h >> 27
		x[i] = float64(float64((h*2685821657736338717)>>11)/(1<<53)) - 0.5
	}
	diag = diag[:n]
	inv := make([]float64, n)
	for i, d := range diag {
		inv[i] = 1 / d
	}
	rho := 0.0
	for range iters {
		// y = A x with xᵀA x and xᵀD x in the same sweep.
		var xax, xdx float64
		lo := a.rowPtr[0]
		for i, hi := range a.rowPtr[1 : n+1] {
			c, v := a.col[lo:hi], a.val[lo:hi]
			var s float64
			for e, j := range c {
				s += float64(v[e] * x[j])
			}
			y[i] = s
			xi := x[i]
			xax += float64(xi * s)
			xdx += float64(xi * diag[i] * xi)
			lo = hi
		}
		if !(xdx > 0) {
			return rho
		}
		rho = xax / xdx
		scale := 1 / math.Sqrt(xdx)
		for i, v := range y {
			x[i] = v * inv[i] * scale
		}
	}
	return rho
}

// lowerTimes returns L P for the strict lower triangle L of a (entries a_ij, j < i, exact
// zeros skipped) and the prolongator p, row by row with a marker array over p's columns;
// exact zeros of the product are dropped.
func lowerTimes(a, p *rect) rect {
	n, nc := a.rows, p.cols
	c := rect{rows: n, cols: nc, rowPtr: make([]int32, n+1),
		col: make([]int32, 0, 4*n), val: make([]float64, 0, 4*n)}
	rb := newRowBuilder(&c)
	for i := range n {
		rb.begin()
		alo, ahi := a.rowPtr[i], a.rowPtr[i+1]
		rb.addProducts(1, a.col[alo:ahi], a.val[alo:ahi], int32(i), p)
		c.rowPtr[i+1] = rb.end(true)
	}
	return c
}

// rowBuilder builds the rows of a sparse matrix one after the other, summing the terms of a
// row that fall on the same column in place: a marker array over the columns holds each
// column's position in the row being built.
type rowBuilder struct {
	c      *rect
	marker []int32 // column g's entry is at marker[g] if that is ≥ start
	start  int32   // the row's first position in c
}

// newRowBuilder returns a builder appending to c.
func newRowBuilder(c *rect) rowBuilder {
	marker := make([]int32, c.cols)
	for i := range marker {
		marker[i] = -1
	}
	return rowBuilder{c: c, marker: marker}
}

// begin starts the next row.
func (b *rowBuilder) begin() { b.start = int32(len(b.c.col)) }

// add adds v to entry g of the row.
func (b *rowBuilder) add(g int32, v float64) {
	if pos := b.marker[g]; pos >= b.start {
		b.c.val[pos] += v
		return
	}
	b.marker[g] = int32(len(b.c.col))
	b.c.col = append(b.c.col, g)
	b.c.val = append(b.c.val, v)
}

// addProducts adds f·a_j·(row j of p) to the row for the entries a_j of acol, aval with
// column j < jmax, skipping those whose f·a_j is an exact zero (add's loop, inline).
func (b *rowBuilder) addProducts(f float64, acol []int32, aval []float64, jmax int32, p *rect) {
	c, marker, start := b.c, b.marker, b.start
	aval = aval[:len(acol)]
	for ai, j := range acol {
		fa := f * aval[ai]
		if j >= jmax || fa == 0 {
			continue
		}
		lo, hi := p.rowPtr[j], p.rowPtr[j+1]
		pv := p.val[lo:hi]
		for k, g := range p.col[lo:hi] {
			if pos := marker[g]; pos >= start {
				c.val[pos] += float64(fa * pv[k])
				continue
			}
			marker[g] = int32(len(c.col))
			c.col = append(c.col, g)
			c.val = append(c.val, fa*pv[k])
		}
	}
}

// end ends the row, without its exact zeros if dropZeros, and returns its end in c.
func (b *rowBuilder) end(drop bool) int32 {
	if drop {
		return dropZeros(b.c, b.start)
	}
	return int32(len(b.c.col))
}

// dropZeros removes the exact zeros from the entries of c from position start on (the row
// being built) and returns the row's new end.
func dropZeros(c *rect, start int32) int32 {
	out := start
	for k := start; k < int32(len(c.col)); k++ {
		if c.val[k] != 0 {
			c.col[out], c.val[out] = c.col[k], c.val[k]
			out++
		}
	}
	c.col, c.val = c.col[:out], c.val[:out]
	return out
}

// scaleRows multiplies row i of s by f·d_i (by f alone when d is nil).
func scaleRows(s *rect, f float64, d []float64) {
	for i := range s.rows {
		w := f
		if d != nil {
			w *= d[i]
		}
		lo, hi := s.rowPtr[i], s.rowPtr[i+1]
		v := s.val[lo:hi]
		for k := range v {
			v[k] *= w
		}
	}
}

// newLevel checks the operator a of level index (diagonal present, positive and finite; every
// entry finite) and returns it split and scaled: an amgLevel whose forward sweep (down) is
// complete but for the column shift and whose backward sweep (up) has Near, the scaled upper
// triangle a_ij/a_ii for j > i+1 (for up), and the diagonal.
func newLevel(a *rect, index int) (l amgLevel, upper rect, diag []float64, err error) {
	n := a.rows
	diag = make([]float64, n)
	invDiag, sub, sup := make([]float64, n), make([]float64, n), make([]float64, n)
	l = amgLevel{n: n}
	found := make([]bool, n)
	nl, nu := 0, 0
	for i := range n {
		lo, hi := a.rowPtr[i], a.rowPtr[i+1]
		for k, j := range a.col[lo:hi] {
			v := a.val[int(lo)+k]
			if !finite(v) {
				return l, upper, nil, fmt.Errorf("solver: AMG level %d: entry (%d, %d) is %g, want finite", index, i, j, v)
			}
			switch {
			case int(j) == i:
				diag[i] += v
				found[i] = true
			case v == 0:
				continue
			case int(j) < i-1:
				nl++
			case int(j) > i+1:
				nu++
			}
			l.nnz++
		}
		d := diag[i]
		switch {
		case !found[i]:
			return l, upper, nil, fmt.Errorf("solver: AMG level %d: row %d has no diagonal entry", index, i)
		case !(d > 0) || d > math.MaxFloat64:
			return l, upper, nil, fmt.Errorf("solver: AMG level %d: diagonal entry of row %d is %g, want positive and finite", index, i, d)
		}
		invDiag[i] = 1 / d
	}
	lower := rect{rows: n, cols: n, rowPtr: make([]int32, n+1), col: make([]int32, 0, nl), val: make([]float64, 0, nl)}
	upper = rect{rows: n, cols: n, rowPtr: make([]int32, n+1), col: make([]int32, 0, nu), val: make([]float64, 0, nu)}
	for i := range n {
		lo, hi := a.rowPtr[i], a.rowPtr[i+1]
		inv := invDiag[i]
		for k, j := range a.col[lo:hi] {
			v := a.val[int(lo)+k]
			switch {
			case v == 0 || int(j) == i:
			case int(j) == i-1:
				sub[i] += float64(v * inv)
			case int(j) == i+1:
				sup[i] += float64(v * inv)
			case int(j) < i:
				lower.col = append(lower.col, j)
				lower.val = append(lower.val, v*inv)
			default:
				upper.col = append(upper.col, j)
				upper.val = append(upper.val, v*inv)
			}
		}
		lower.rowPtr[i+1] = int32(len(lower.col))
		upper.rowPtr[i+1] = int32(len(upper.col))
	}
	l.down = lower.sweep(sub, invDiag)
	l.up.Near = sup
	return l, upper, diag, nil
}

// sweep returns s as a sparse.Sweep with near and scale.
func (s *rect) sweep(near, scale []float64) sparse.Sweep {
	return sparse.Sweep{RowPtr: s.rowPtr, Col: s.col, Val: s.val, Near: near, Scale: scale}
}

// shiftCols adds off to every column index (columns then index the workspace vector X).
func shiftCols(col []int32, off int) {
	for k := range col {
		col[k] += int32(off)
	}
}

// concatRows returns the matrix whose row i is row i of a with off a added to its columns,
// followed by row i of b with off b added.
func concatRows(a *rect, offA int, b *rect, offB int) rect {
	c := rect{rows: a.rows, cols: -1, rowPtr: make([]int32, a.rows+1),
		col: make([]int32, 0, a.nnz()+b.nnz()), val: make([]float64, 0, a.nnz()+b.nnz())}
	for i := range a.rows {
		lo, hi := a.rowPtr[i], a.rowPtr[i+1]
		for k, j := range a.col[lo:hi] {
			c.col = append(c.col, j+int32(offA))
			c.val = append(c.val, a.val[int(lo)+k])
		}
		lo, hi = b.rowPtr[i], b.rowPtr[i+1]
		for k, j := range b.col[lo:hi] {
			c.col = append(c.col, j+int32(offB))
			c.val = append(c.val, b.val[int(lo)+k])
		}
		c.rowPtr[i+1] = int32(len(c.col))
	}
	return c
}
