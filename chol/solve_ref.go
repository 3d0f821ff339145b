package chol

// The reference twin of the tuned solve (solve.go, solve_gen.go): the obvious column-by-column
// substitutions on the supernodal factor, one entry of L at a time, in the canonical order of
// solve.go. It is slow and allocates; the tests compare every kernel with it, bit for bit.

// solveRef sets x = A⁻¹ b for k interleaved right-hand sides, as SolveBatch does.
func (f *Factor) solveRef(x, b []float64, k int) {
	n := f.n
	if len(x) != n*k || len(b) != n*k {
		panic(errSolveLen)
	}
	y := make([]float64, n*k)
	for i, p := range f.perm {
		copy(y[i*k:i*k+k], b[int(p)*k:int(p)*k+k])
	}
	for s := range f.Supernodes() {
		f.forwardRef(s, k, y)
	}
	for s := f.Supernodes() - 1; s >= 0; s-- {
		f.backwardRef(s, k, y)
	}
	for i, p := range f.perm {
		copy(x[int(p)*k:int(p)*k+k], y[i*k:i*k+k])
	}
}

// forwardRef is the forward step on supernode s: for each column j in increasing order,
// x_j ← x_j / l_jj, then x_i ← x_i − l_ij·x_j for every later row i.
func (f *Factor) forwardRef(s, k int, y []float64) {
	fc, nc, _, l := f.snode(s)
	rows := f.rows[f.rowPtr[s]:f.rowPtr[s+1]]
	for j := range nc {
		xj := y[(fc+j)*k : (fc+j+1)*k]
		d := entry(l, nc, len(rows), j, j)
		for c := range xj {
			xj[c] /= d
		}
		for i := j + 1; i < len(rows); i++ {
			lij := entry(l, nc, len(rows), i, j)
			xi := y[int(rows[i])*k : int(rows[i])*k+k]
			for c := range xi {
				xi[c] -= float64(lij * xj[c])
			}
		}
	}
}

// backwardRef is the backward step on supernode s: for each column j in decreasing order,
// x_j ← (x_j − l_ij·x_i for every later row i, in decreasing i) / l_jj.
func (f *Factor) backwardRef(s, k int, y []float64) {
	fc, nc, _, l := f.snode(s)
	rows := f.rows[f.rowPtr[s]:f.rowPtr[s+1]]
	for j := nc - 1; j >= 0; j-- {
		xj := y[(fc+j)*k : (fc+j+1)*k]
		for i := len(rows) - 1; i > j; i-- {
			lij := entry(l, nc, len(rows), i, j)
			xi := y[int(rows[i])*k : int(rows[i])*k+k]
			for c := range xj {
				xj[c] -= float64(lij * xi[c])
			}
		}
		d := entry(l, nc, len(rows), j, j)
		for c := range xj {
			xj[c] /= d
		}
	}
}

// entry returns l_ij, local row i ≥ j and column j, of a supernode with nc columns, nr rows
// and values l (see Factor for the layout).
func entry(l []float64, nc, nr, i, j int) float64 {
	g0 := j &^ 3
	w := min(4, nc-g0)
	return l[groupOffset(g0/4, nr)+w*(i-g0)+j-g0]
}
