package chol

// Multifrontal numeric factorisation.
//
// Supernodes are processed in order (a postorder of the supernodal tree). The frontal matrix
// of supernode s is dense over its row list R (nr rows, its nc own columns first): the
// entries of P A Pᵀ in its columns are added, then the update matrices of its children are
// extend-added (each child's rows map to positions in R through relpos), the first nc columns
// are eliminated (partialCholesky), those columns of L are copied out and the trailing
// (nr-nc)×(nr-nc) Schur complement is pushed on a stack as the update matrix for the parent.
// In a postorder the children's updates are exactly the top of that stack when their parent
// comes, so they are popped there. Update matrices are held packed (lower trapezoid by
// columns); the symbolic analysis sized the stack (16 MB at 1024 cells, the largest front
// 19 MB). L's columns are copied out in the layout of the solves (groups of four by rows).

// factor computes the numeric values of f from sy.
func (f *Factor) factor(sy *symbolic) error {
	n := f.n
	ns := len(f.super) - 1
	f.val = make([]float64, f.valPtr[ns])
	mf := sy.maxFront
	front := make([]float64, mf*mf)
	pack := make([]float64, roundUp4(mf)*panelWidth+4)
	stack := make([]float64, sy.stackPeak)
	relpos := make([]int32, n)
	rel := make([]int32, mf)
	var ids []int32 // supernodes whose update matrices are on the stack
	top := 0
	pm := sy.a
	for s := range ns {
		fc := int(f.super[s])
		nc := int(f.super[s+1]) - fc
		R := f.rows[f.rowPtr[s]:f.rowPtr[s+1]]
		nr := len(R)
		m := nr - nc
		for t, r := range R {
			relpos[r] = int32(t)
		}
		fr := front[:nr*nr]
		for j := range nr {
			clear(fr[j*nr+j : j*nr+nr])
		}
		// Entries of P A Pᵀ: column g = fc+j holds rows i ≥ g, that is, row g's entries
		// with column ≥ g.
		for j := range nc {
			g := fc + j
			col := fr[j*nr : j*nr+nr]
			vals := pm.val[pm.ptr[g]:pm.ptr[g+1]]
			for q, i := range pm.idx[pm.ptr[g]:pm.ptr[g+1]] {
				if int(i) >= g {
					col[relpos[i]] += vals[q]
				}
			}
		}
		// Extend-add the children's update matrices.
		for len(ids) > 0 && sy.sparent[ids[len(ids)-1]] == int32(s) {
			c := ids[len(ids)-1]
			ids = ids[:len(ids)-1]
			ncc := int(f.super[c+1] - f.super[c])
			rc := f.rows[f.rowPtr[c]+ncc : f.rowPtr[c+1]]
			mc := len(rc)
			sz := mc * (mc + 1) / 2
			top -= sz
			u := stack[top : top+sz]
			rl := rel[:mc]
			for t, r := range rc {
				rl[t] = relpos[r]
			}
			off := 0
			for jj, lj := range rl {
				col := fr[int(lj)*nr : int(lj)*nr+nr]
				uj := u[off : off+mc-jj]
				rr := rl[jj:]
				rr = rr[:len(uj)]
				for t, v := range uj {
					col[rr[t]] += v
				}
				off += mc - jj
			}
		}
		if j, d := partialCholesky(fr, nr, nc, pack); j >= 0 {
			return &NotPDError{Pivot: fc + j, Row: int(f.perm[fc+j]), Value: d}
		}
		// Copy out L's columns in groups of four stored by rows (see solve.go), and push the
		// update matrix.
		v := f.val[f.valPtr[s]:f.valPtr[s+1]]
		for g0 := 0; g0 < nc; g0 += 4 {
			w := min(4, nc-g0)
			off := groupOffset(g0/4, nr)
			b := v[off : off+w*(nr-g0)]
			for p := range w {
				col := fr[(g0+p)*nr : (g0+p+1)*nr]
				for r := g0; r < g0+p; r++ {
					b[w*(r-g0)+p] = 0
				}
				for r := g0 + p; r < nr; r++ {
					b[w*(r-g0)+p] = col[r]
				}
			}
		}
		if m > 0 {
			sz := m * (m + 1) / 2
			u := stack[top : top+sz]
			off := 0
			for j := nc; j < nr; j++ {
				off += copy(u[off:], fr[j*nr+j:j*nr+nr])
			}
			top += sz
			ids = append(ids, int32(s))
		}
	}
	return nil
}
