package chol

import "math"

// Dense kernels of the multifrontal factorisation. A frontal matrix is an nr×nr column-major
// array with leading dimension nr of which only the lower triangle is meaningful; entries
// above the diagonal are scratch (the kernels may write to them, nothing reads them).
//
// partialCholesky eliminates the first nc columns by a right-looking blocked algorithm with
// panels of panelWidth columns: the panel is factored column by column (left-looking within
// the panel), then the whole trailing lower triangle is updated with the panel by one
// register-blocked kernel, C -= P Pᵀ. That kernel carries nearly all the flops (the Cholesky
// of the diagonal block, the triangular solve of the rows below and the Schur complement of
// the classic three-kernel formulation all happen in it). It runs at about 8.5 Gflop/s on
// one Zen 5 core: Go emits scalar SSE2 code, and a 4×2 block is the largest whose eight
// accumulators the register allocator keeps without spilling (4×3 and 4×4 spill and run at
// 5 Gflop/s). math.FMA was slower still: its run-time CPU check splits the loop and forces
// the accumulators to memory.

// panelWidth is the number of columns eliminated per trailing update. The packed panel
// (front rows × panelWidth float64s, ≤ 0.5 MB for a 2000-row front) stays in L2 while the
// trailing triangle streams through the kernel once per panel.
const panelWidth = 32

// partialCholesky factors the leading nc columns of the nr×nr front a in place: on return
// a[:, :nc] holds those columns of L (the diagonal block lower triangular, the rows below
// it) and a[nc:, nc:] the Schur complement, the update matrix passed to the parent. pack is
// scratch of at least roundUp4(nr)·panelWidth+4 float64s. It returns -1, or the local index of
// the first pivot that is not positive and finite together with its value.
func partialCholesky(a []float64, nr, nc int, pack []float64) (int, float64) {
	for k0 := 0; k0 < nc; k0 += panelWidth {
		k1 := min(k0+panelWidth, nc)
		if j, d := factorPanel(a, nr, k0, k1); j >= 0 {
			return j, d
		}
		if k1 < nr {
			trailingUpdate(a, nr, k0, k1, pack)
		}
	}
	return -1, 0
}

// factorPanel factors columns k0..k1-1 of the front (all their rows), which have received
// every update from the columns before k0.
func factorPanel(a []float64, nr, k0, k1 int) (int, float64) {
	for j := k0; j < k1; j++ {
		cj := a[j*nr+j : j*nr+nr]
		p := k0
		for ; p+4 <= j; p += 4 {
			l0, l1, l2, l3 := a[p*nr+j], a[(p+1)*nr+j], a[(p+2)*nr+j], a[(p+3)*nr+j]
			c0 := a[p*nr+j : p*nr+nr]
			c1 := a[(p+1)*nr+j : (p+1)*nr+nr]
			c2 := a[(p+2)*nr+j : (p+2)*nr+nr]
			c3 := a[(p+3)*nr+j : (p+3)*nr+nr]
			c1 = c1[:len(cj)]
			c2 = c2[:len(cj)]
			c3 = c3[:len(cj)]
			c0 = c0[:len(cj)]
			for i := range cj {
				cj[i] -= float64(l0*c0[i]) + float64(l1*c1[i]) + float64(l2*c2[i]) + float64(l3*c3[i])
			}
		}
		for ; p < j; p++ {
			l := a[p*nr+j]
			cp := a[p*nr+j : p*nr+nr]
			cp = cp[:len(cj)]
			for i := range cj {
				cj[i] -= float64(l * cp[i])
			}
		}
		d := cj[0]
		if !(d > 0) || d > math.MaxFloat64 {
			return j, d
		}
		d = math.Sqrt(d)
		cj[0] = d
		r := 1 / d
		for i := 1; i < len(cj); i++ {
			cj[i] *= r
		}
	}
	return -1, 0
}

// roundUp4 rounds n up to a multiple of 4.
func roundUp4(n int) int { return (n + 3) &^ 3 }

// trailingUpdate subtracts P Pᵀ from the lower triangle of the trailing block a[k1:, k1:],
// where P = a[k1:nr, k0:k1].
//
// P is packed in blocks of four rows: block ib holds rows 4ib..4ib+3 (relative to k1, zero
// beyond the last row) as pk[ib·4w + 4p + r] = P[4ib+r, p]. A 4×2 block of C, rows
// 4ib..4ib+3 and columns j, j+1, is then the sum over p of the outer product of four
// contiguous values with two, accumulated in eight registers.
func trailingUpdate(a []float64, nr, k0, k1 int, pack []float64) {
	w := k1 - k0
	t := nr - k1
	nblk := (t + 3) / 4
	bw := 4 * w
	pk := pack[:nblk*bw+4] // 4 spare so that a lane-shifted block slice stays in range
	for p := range w {
		col := a[(k0+p)*nr+k1 : (k0+p)*nr+nr]
		for i, v := range col {
			pk[(i>>2)*bw+4*p+(i&3)] = v
		}
		for i := t; i < 4*nblk; i++ {
			pk[(i>>2)*bw+4*p+(i&3)] = 0
		}
	}
	full := t / 4 // row blocks with four rows
	for j := 0; j < t; j += 2 {
		jb := j >> 2
		lane := j & 3
		bp := pk[jb*bw+lane : jb*bw+lane+bw]
		c0 := a[(k1+j)*nr+k1 : (k1+j)*nr+nr]
		if j+1 < t {
			c1 := a[(k1+j+1)*nr+k1 : (k1+j+1)*nr+nr]
			if jb < full {
				updatePair(pk[jb*bw:full*bw], bp, c0[4*jb:4*full], c1[4*jb:4*full])
			}
			if full < nblk {
				kernelEdge(pk[full*bw:(full+1)*bw], pk[jb*bw:(jb+1)*bw+4], lane, c0, c1, 4*full, t)
			}
		} else {
			for ib := jb; ib < nblk; ib++ {
				kernelEdge(pk[ib*bw:(ib+1)*bw], pk[jb*bw:(jb+1)*bw+4], lane, c0, nil, 4*ib, t)
			}
		}
	}
}

// updatePair subtracts from the column pair (c0, c1), rows in blocks of four, the products of
// the packed row blocks ap (one block of len(bp) values per four rows) with the packed pair
// bp (lanes 0 and 1 of each group of four values). Each 4×2 block of the pair is accumulated
// in eight registers over the panel's columns, then subtracted.
func updatePair(ap, bp, c0, c1 []float64) {
	bw := len(bp)
	c1 = c1[:len(c0)]
	for i := 0; i+4 <= len(c0); i += 4 {
		blk := ap[(i/4)*bw : (i/4)*bw+bw]
		b := bp
		var s00, s10, s20, s30, s01, s11, s21, s31 float64
		for len(blk) >= 4 && len(b) >= 4 {
			a0, a1, a2, a3 := blk[0], blk[1], blk[2], blk[3]
			b0, b1 := b[0], b[1]
			s00 += float64(a0 * b0)
			s10 += float64(a1 * b0)
			s20 += float64(a2 * b0)
			s30 += float64(a3 * b0)
			s01 += float64(a0 * b1)
			s11 += float64(a1 * b1)
			s21 += float64(a2 * b1)
			s31 += float64(a3 * b1)
			blk = blk[4:]
			b = b[4:]
		}
		d0 := c0[i : i+4 : i+4]
		d1 := c1[i : i+4 : i+4]
		d0[0] -= s00
		d0[1] -= s10
		d0[2] -= s20
		d0[3] -= s30
		d1[0] -= s01
		d1[1] -= s11
		d1[2] -= s21
		d1[3] -= s31
	}
}

// kernelEdge is updatePair for one block at the edge of the trailing triangle: rows i..i+3 of
// which only those below t exist, column c1 possibly absent (nil).
func kernelEdge(ap, bp []float64, lane int, c0, c1 []float64, i, t int) {
	var s [4][2]float64
	for p := 0; 4*p < len(ap); p++ {
		b0, b1 := bp[4*p+lane], bp[4*p+lane+1]
		for r := range 4 {
			s[r][0] += float64(ap[4*p+r] * b0)
			s[r][1] += float64(ap[4*p+r] * b1)
		}
	}
	for r := range 4 {
		if i+r >= t {
			break
		}
		c0[i+r] -= s[r][0]
		if c1 != nil {
			c1[i+r] -= s[r][1]
		}
	}
}
