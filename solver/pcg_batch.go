package solver

import (
	"math"
	"mcfem/sparse"
)

// BatchPreconditioner applies a preconditioner to k vectors stored interleaved (entry i of
// vector j at index i·k+j). For PCGBatch to give each column the bits PCG gives it alone, the
// result for each column must be computed with the same operations in the same order as
// Apply's.
type BatchPreconditioner interface {
	ApplyBatch(z, r []float64, k int)
}

// BatchWorkspace holds the vectors and per-column scalars of a k-column PCGBatch solve,
// allocated once.
type BatchWorkspace struct {
	n, k       int
	r, z, p, q []float64
	// per column: rᵀM⁻¹r (old and new), rᵀr, pᵀAp, α, β, ‖b‖
	rz, rzNew, rr, pq, alpha, beta, bnorm []float64
	active                                []bool
}

// NewBatchWorkspace returns a PCGBatch workspace for k right-hand sides of n unknowns.
func NewBatchWorkspace(n, k int) *BatchWorkspace {
	v := make([]float64, 4*n*k)
	nk := n * k
	s := make([]float64, 7*k)
	col := func(c int) []float64 { return s[c*k : (c+1)*k : (c+1)*k] }
	return &BatchWorkspace{n: n, k: k,
		r: v[:nk:nk], z: v[nk : 2*nk : 2*nk], p: v[2*nk : 3*nk : 3*nk], q: v[3*nk:],
		rz: col(0), rzNew: col(1), rr: col(2), pq: col(3), alpha: col(4), beta: col(5), bnorm: col(6),
		active: make([]bool, k)}
}

const (
	errBatchLen = "solver: PCGBatch block length does not match N·k"
	errBatchWS  = "solver: PCGBatch workspace size does not match the matrix size and k"
	errBatchOut = "solver: PCGBatch results and errors need k entries"
)

// PCGBatch solves A x_j = b_j for k right-hand sides at once, stored interleaved (entry i of
// column j at index i·k+j), from the initial guesses in x: one pass over the matrix per
// iteration serves all k columns. Each column runs its own CG (its own α, β and stopping test
// ‖r_j‖/‖b_j‖ ≤ rtol) and stops on its own; the loop ends when every column has stopped or
// after maxit iterations. Per column, the operations and their order are PCG's, so with the
// Jacobi preconditioner (or a BatchPreconditioner that keeps Apply's order) column j's x_j,
// iterations and residual are bit-identical to PCG's for b_j alone. m must be a *Jacobi or
// implement BatchPreconditioner.
//
// res[j] and errs[j] receive column j's Result and error (nil, *NotConvergedError or
// *BreakdownError, as PCG returns them). It allocates nothing.
func PCGBatch(a *sparse.CSR, m Preconditioner, b, x []float64, k int, rtol float64, maxit int, ws *BatchWorkspace, res []Result, errs []error) {
	a.Check()
	n := a.N
	if k < 1 || len(b) != n*k || len(x) != n*k {
		panic(errBatchLen)
	}
	if ws == nil || ws.n != n || ws.k != k {
		panic(errBatchWS)
	}
	if len(res) != k || len(errs) != k {
		panic(errBatchOut)
	}
	if !(rtol >= 0) || maxit < 0 {
		panic(errPCGArgs)
	}
	jac, isJacobi := m.(*Jacobi)
	bp, isBatch := m.(BatchPreconditioner)
	if !isJacobi && !isBatch {
		panic("solver: PCGBatch needs a *Jacobi or a BatchPreconditioner")
	}
	if isJacobi && len(jac.InvDiag) != n {
		panic(errJacobiLen)
	}

	// b'b per column; r = b - A x, its norm, and the columns that need iterating.
	r, z, p, q := ws.r, ws.z, ws.p, ws.q
	rz, rzNew, rr, pq := ws.rz, ws.rzNew, ws.rr, ws.pq
	bb := ws.bnorm // b'b, then its square root
	sparse.ColDots(bb, b, b, k)
	sparse.SpMM(r, x, k, a.RowPtr, a.Col, a.Val)
	batchResidual(r, b, k, rr)
	nActive := 0
	for j := range k {
		res[j], errs[j] = Result{}, nil
		ws.active[j] = false
		ws.alpha[j], ws.beta[j] = 0, 0
		switch {
		case bb[j] == 0:
			for i := range n {
				x[i*k+j] = 0
			}
		case !finite(bb[j]):
			res[j].Residual = math.NaN()
			errs[j] = &BreakdownError{Quantity: "b'b", Value: bb[j]}
		default:
			bb[j] = math.Sqrt(bb[j])
			res[j].Residual = math.Sqrt(rr[j]) / ws.bnorm[j]
			switch {
			case !finite(rr[j]):
				errs[j] = &BreakdownError{Quantity: "r'r", Value: rr[j]}
			case res[j].Residual > rtol:
				ws.active[j] = true
				nActive++
			}
		}
	}
	if nActive == 0 {
		return
	}

	// First direction: p = M⁻¹r, rz = rᵀM⁻¹r.
	if isJacobi {
		batchJacobiStart(p, r, jac.InvDiag, k, rz)
	} else {
		bp.ApplyBatch(z, r, k)
		sparse.ColDots(rz, r, z, k)
		copy(p, z)
	}
	for j := range k {
		if ws.active[j] && !positive(rz[j]) {
			errs[j] = &BreakdownError{Quantity: "r'z", Value: rz[j]}
			ws.active[j] = false
			nActive--
		}
	}

	for it := 1; it <= maxit && nActive > 0; it++ {
		sparse.SpMMDot(q, p, k, a.RowPtr, a.Col, a.Val, pq)
		for j := range k {
			ws.alpha[j] = 0
			if !ws.active[j] {
				continue
			}
			if !positive(pq[j]) {
				errs[j] = &BreakdownError{Iteration: it, Quantity: "p'Ap", Value: pq[j]}
				ws.active[j] = false
				nActive--
				continue
			}
			ws.alpha[j] = rz[j] / pq[j]
		}
		// Stopped columns update with α = 0: x and r keep their bits.
		if isJacobi {
			batchJacobiUpdate(x, r, p, q, jac.InvDiag, ws.alpha, k, rzNew, rr)
		} else {
			batchCGUpdate(x, r, p, q, ws.alpha, k, rr)
		}
		for j := range k {
			ws.beta[j] = 0
			if !ws.active[j] {
				continue
			}
			res[j] = Result{Iterations: it, Residual: math.Sqrt(rr[j]) / ws.bnorm[j]}
			switch {
			case !finite(rr[j]):
				errs[j] = &BreakdownError{Iteration: it, Quantity: "r'r", Value: rr[j]}
			case res[j].Residual <= rtol:
			default:
				continue
			}
			ws.active[j] = false
			nActive--
		}
		if nActive == 0 {
			break
		}
		if !isJacobi {
			bp.ApplyBatch(z, r, k)
			sparse.ColDots(rzNew, r, z, k)
		}
		for j := range k {
			if !ws.active[j] {
				continue
			}
			if !positive(rzNew[j]) {
				errs[j] = &BreakdownError{Iteration: it, Quantity: "r'z", Value: rzNew[j]}
				ws.active[j] = false
				nActive--
				continue
			}
			ws.beta[j] = rzNew[j] / rz[j]
			rz[j] = rzNew[j]
		}
		if isJacobi {
			batchJacobiDirection(p, r, jac.InvDiag, ws.beta, k)
		} else {
			batchDirection(p, z, ws.beta, k)
		}
	}
	for j := range k {
		if ws.active[j] {
			errs[j] = &NotConvergedError{Iterations: res[j].Iterations, Residual: res[j].Residual, Tol: rtol}
		}
	}
}

// batchResidual sets r = b - r (r holding A x) per column and rr[j] = r_jᵀr_j, like residual.
func batchResidual(r, b []float64, k int, rr []float64) {
	clear(rr)
	rr = rr[:k]
	b = b[:len(r)]
	for i := 0; i < len(r); i += k {
		ri, bi := r[i:i+k], b[i:i+k]
		for j := range rr {
			v := bi[j] - ri[j]
			ri[j] = v
			rr[j] += v * v
		}
	}
}

// batchJacobiStart sets p = D⁻¹r and rz[j] = r_jᵀD⁻¹r_j, like jacobiStart per column.
func batchJacobiStart(p, r, invDiag []float64, k int, rz []float64) {
	clear(rz)
	rz = rz[:k]
	r = r[:len(p)]
	for i, d := range invDiag {
		pi, ri := p[i*k:i*k+k], r[i*k:i*k+k]
		for j := range rz {
			z := d * ri[j]
			pi[j] = z
			rz[j] += ri[j] * z
		}
	}
}

// batchJacobiUpdate does x_j += α_j p_j, r_j -= α_j q_j and sets rz[j], rr[j] to the new
// r_jᵀD⁻¹r_j and r_jᵀr_j, like jacobiUpdate per column.
func batchJacobiUpdate(x, r, p, q, invDiag, alpha []float64, k int, rz, rr []float64) {
	if k == 8 {
		batchJacobiUpdate8(x, r, p, q, invDiag, (*[8]float64)(alpha), (*[8]float64)(rz), (*[8]float64)(rr))
		return
	}
	clear(rz)
	clear(rr)
	rz, rr, alpha = rz[:k], rr[:k], alpha[:k]
	for i, d := range invDiag {
		xi, ri, pi, qi := x[i*k:i*k+k], r[i*k:i*k+k], p[i*k:i*k+k], q[i*k:i*k+k]
		for j, a := range alpha {
			xi[j] += a * pi[j]
			v := ri[j] - a*qi[j]
			ri[j] = v
			rz[j] += v * d * v
			rr[j] += v * v
		}
	}
}

// batchJacobiDirection sets p_j = D⁻¹r_j + β_j p_j, like jacobiDirection per column.
func batchJacobiDirection(p, r, invDiag, beta []float64, k int) {
	if k == 8 {
		b := (*[8]float64)(beta)
		for i, d := range invDiag {
			pi, ri := (*[8]float64)(p[i*8:]), (*[8]float64)(r[i*8:])
			for j := range 8 {
				pi[j] = d*ri[j] + b[j]*pi[j]
			}
		}
		return
	}
	beta = beta[:k]
	for i, d := range invDiag {
		pi, ri := p[i*k:i*k+k], r[i*k:i*k+k]
		for j, bt := range beta {
			pi[j] = d*ri[j] + bt*pi[j]
		}
	}
}

// batchCGUpdate does x_j += α_j p_j, r_j -= α_j q_j and sets rr[j] = r_jᵀr_j, like cgUpdate.
func batchCGUpdate(x, r, p, q, alpha []float64, k int, rr []float64) {
	if k == 4 {
		batchCGUpdate4(x, r, p, q, (*[4]float64)(alpha), (*[4]float64)(rr))
		return
	}
	if k == 8 {
		batchCGUpdate8(x, r, p, q, (*[8]float64)(alpha), (*[8]float64)(rr))
		return
	}
	clear(rr)
	rr, alpha = rr[:k], alpha[:k]
	for i := 0; i < len(x); i += k {
		xi, ri, pi, qi := x[i:i+k], r[i:i+k], p[i:i+k], q[i:i+k]
		for j, a := range alpha {
			xi[j] += a * pi[j]
			v := ri[j] - a*qi[j]
			ri[j] = v
			rr[j] += v * v
		}
	}
}

// batchDirection sets p_j = z_j + β_j p_j, like direction per column.
func batchDirection(p, z, beta []float64, k int) {
	if k == 4 {
		b := (*[4]float64)(beta)
		for i := 0; i+4 <= len(p); i += 4 {
			pi, zi := (*[4]float64)(p[i:]), (*[4]float64)(z[i:])
			pi[0] = zi[0] + b[0]*pi[0]
			pi[1] = zi[1] + b[1]*pi[1]
			pi[2] = zi[2] + b[2]*pi[2]
			pi[3] = zi[3] + b[3]*pi[3]
		}
		return
	}
	if k == 8 {
		b := (*[8]float64)(beta)
		for i := 0; i+8 <= len(p); i += 8 {
			pi, zi := (*[8]float64)(p[i:]), (*[8]float64)(z[i:])
			for j := range 8 {
				pi[j] = zi[j] + b[j]*pi[j]
			}
		}
		return
	}
	beta = beta[:k]
	for i := 0; i < len(p); i += k {
		pi, zi := p[i:i+k], z[i:i+k]
		for j, bt := range beta {
			pi[j] = zi[j] + bt*pi[j]
		}
	}
}

// batchJacobiUpdate8 is batchJacobiUpdate for k = 8 with fixed-size rows (no bounds checks in
// the inner loop), in the same order of operations.
func batchJacobiUpdate8(x, r, p, q, invDiag []float64, alpha, rz, rr *[8]float64) {
	var z, s [8]float64
	a := *alpha
	for i, d := range invDiag {
		xi, ri := (*[8]float64)(x[i*8:]), (*[8]float64)(r[i*8:])
		pi, qi := (*[8]float64)(p[i*8:]), (*[8]float64)(q[i*8:])
		for j := range 8 {
			xi[j] += a[j] * pi[j]
			v := ri[j] - a[j]*qi[j]
			ri[j] = v
			z[j] += v * d * v
			s[j] += v * v
		}
	}
	*rz, *rr = z, s
}

// batchCGUpdate4 is batchCGUpdate for k = 4, in the same order of operations.
func batchCGUpdate4(x, r, p, q []float64, alpha, rr *[4]float64) {
	var s [4]float64
	a := *alpha
	for i := 0; i+4 <= len(x); i += 4 {
		xi, ri := (*[4]float64)(x[i:]), (*[4]float64)(r[i:])
		pi, qi := (*[4]float64)(p[i:]), (*[4]float64)(q[i:])
		for j := range 4 {
			xi[j] += a[j] * pi[j]
			v := ri[j] - a[j]*qi[j]
			ri[j] = v
			s[j] += v * v
		}
	}
	*rr = s
}

// batchCGUpdate8 is batchCGUpdate for k = 8, in the same order of operations.
func batchCGUpdate8(x, r, p, q []float64, alpha, rr *[8]float64) {
	var s [8]float64
	a := *alpha
	for i := 0; i+8 <= len(x); i += 8 {
		xi, ri := (*[8]float64)(x[i:]), (*[8]float64)(r[i:])
		pi, qi := (*[8]float64)(p[i:]), (*[8]float64)(q[i:])
		for j := range 8 {
			xi[j] += a[j] * pi[j]
			v := ri[j] - a[j]*qi[j]
			ri[j] = v
			s[j] += v * v
		}
	}
	*rr = s
}
