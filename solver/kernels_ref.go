package solver

// Reference twins of the CG vector kernels: the obvious loops, one column at a time, for
// any number k of interleaved columns (k = the length of the per-column slices), with the
// operations of the generated variants (kernels_gen.go) in the same order, so the tests
// compare them bit for bit. They also serve the k that have no generated variant.

// residualRef sets r = b − r (r holding A x) and rr_j = r_jᵀr_j.
func residualRef(r, b, rr []float64) {
	k := len(rr)
	for j := range rr {
		var s float64
		for i := j; i < len(r); i += k {
			v := b[i] - r[i]
			r[i] = v
			s += float64(v * v)
		}
		rr[j] = s
	}
}

// jacobiStartRef sets p = D⁻¹r and rz_j = r_jᵀD⁻¹r_j.
func jacobiStartRef(p, r, invDiag, rz []float64) {
	k := len(rz)
	for j := range rz {
		var s float64
		for i, d := range invDiag {
			z := d * r[i*k+j]
			p[i*k+j] = z
			s += float64(r[i*k+j] * z)
		}
		rz[j] = s
	}
}

// jacobiUpdateRef does x_j += α_j p_j, r_j −= α_j q_j and sets rz_j = r_jᵀD⁻¹r_j and
// rr_j = r_jᵀr_j of the new r.
func jacobiUpdateRef(x, r, p, q, invDiag, alpha, rz, rr []float64) {
	k := len(alpha)
	for j, a := range alpha {
		var z, s float64
		for i, d := range invDiag {
			x[i*k+j] += float64(a * p[i*k+j])
			v := r[i*k+j] - float64(a*q[i*k+j])
			r[i*k+j] = v
			z += float64(v * d * v)
			s += float64(v * v)
		}
		rz[j], rr[j] = z, s
	}
}

// jacobiDirectionRef sets p_j = D⁻¹r_j + β_j p_j.
func jacobiDirectionRef(p, r, invDiag, beta []float64) {
	k := len(beta)
	for j, b := range beta {
		for i, d := range invDiag {
			p[i*k+j] = float64(d*r[i*k+j]) + float64(b*p[i*k+j])
		}
	}
}

// cgUpdateRef does x_j += α_j p_j, r_j −= α_j q_j and sets rr_j = r_jᵀr_j of the new r.
func cgUpdateRef(x, r, p, q, alpha, rr []float64) {
	k := len(alpha)
	for j, a := range alpha {
		var s float64
		for i := j; i < len(x); i += k {
			x[i] += float64(a * p[i])
			v := r[i] - float64(a*q[i])
			r[i] = v
			s += float64(v * v)
		}
		rr[j] = s
	}
}

// directionRef sets p_j = z_j + β_j p_j.
func directionRef(p, z, beta []float64) {
	k := len(beta)
	for j, b := range beta {
		for i := j; i < len(p); i += k {
			p[i] = z[i] + float64(b*p[i])
		}
	}
}
