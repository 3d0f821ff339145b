package solver

import (
	"errors"
	"fmt"
	"math"
	"mcfem/sparse"
)

// Workspace holds the vectors of one PCG solve (r, z, p, q), allocated once and reused by
// every solve of the same size so the per-sample path allocates nothing.
type Workspace struct {
	r, z, p, q []float64
}

// NewWorkspace returns a PCG workspace for n unknowns.
func NewWorkspace(n int) *Workspace {
	v := make([]float64, 4*n)
	return &Workspace{r: v[:n:n], z: v[n : 2*n : 2*n], p: v[2*n : 3*n : 3*n], q: v[3*n:]}
}

// Result reports a PCG solve.
type Result struct {
	Iterations int     // iterations done
	Residual   float64 // ‖b − A x‖₂/‖b‖₂ of the recurrence (the updated r, not recomputed)
}

// ErrNotConverged matches (errors.Is) every *NotConvergedError.
var ErrNotConverged = errors.New("solver: CG did not converge")

// ErrBreakdown matches (errors.Is) every *BreakdownError.
var ErrBreakdown = errors.New("solver: CG breakdown")

// NotConvergedError reports that PCG reached maxit iterations with the relative residual
// still above the tolerance.
type NotConvergedError struct {
	Iterations int     // iterations done (maxit)
	Residual   float64 // relative residual reached
	Tol        float64 // the rtol asked for
}

// Error returns e.g. "solver: CG did not converge in 500 iterations (residual 3.1e-05 > 1e-08)".
func (e *NotConvergedError) Error() string {
	return fmt.Sprintf("solver: CG did not converge in %d iterations (residual %.2g > %.2g)",
		e.Iterations, e.Residual, e.Tol)
}

// Is reports whether target is ErrNotConverged.
func (e *NotConvergedError) Is(target error) bool { return target == ErrNotConverged }

// BreakdownError reports that PCG cannot continue: a curvature pᵀAp or a preconditioned
// residual product rᵀz that is not positive, or a NaN or Inf in the iteration. The matrix or
// the preconditioner is then not SPD (or the data not finite).
type BreakdownError struct {
	Iteration int     // iteration at which it was detected (0: before the first)
	Quantity  string  // "p'Ap", "r'z", "r'r" or "b'b"
	Value     float64 // its value
}

// Error returns e.g. "solver: CG breakdown at iteration 3: p'Ap = -2 (want positive and finite)".
func (e *BreakdownError) Error() string {
	return fmt.Sprintf("solver: CG breakdown at iteration %d: %s = %g (want positive and finite)",
		e.Iteration, e.Quantity, e.Value)
}

// Is reports whether target is ErrBreakdown.
func (e *BreakdownError) Is(target error) bool { return target == ErrBreakdown }

const (
	errPCGLen       = "solver: PCG vector length does not match the matrix size"
	errPCGWorkspace = "solver: PCG workspace size does not match the matrix size"
	errPCGArgs      = "solver: PCG needs rtol ≥ 0 and maxit ≥ 0"
	errPCGPrecond   = "solver: PCG with a nil preconditioner"
)

// PCG solves A x = b from the initial guess in x with preconditioner m until the relative
// residual ‖r‖₂/‖b‖₂ ≤ rtol or maxit iterations. b = 0 gives x = 0 in 0 iterations.
// It allocates nothing. Errors: *NotConvergedError (errors.Is(err, ErrNotConverged)), with
// Iterations, Residual, Tol, message "solver: CG did not converge in 500 iterations (residual
// 3.1e-05 > 1e-08)"; *BreakdownError when pᵀAp ≤ 0 or rᵀz ≤ 0 or a NaN/Inf appears (message
// names the iteration and the quantity); Result is filled in either case.
//
// A must be symmetric positive definite and m symmetric positive definite. The residual is
// checked before every iteration (the initial guess may already satisfy rtol: 0 iterations).
// With m a *Jacobi the vector updates are fused: per iteration one SpMV that also returns
// pᵀAp, one sweep updating x and r and forming rᵀD⁻¹r and rᵀr, one sweep forming
// p = D⁻¹r + βp (z is never stored). When the Jacobi also holds a's band form (a banded
// matrix such as UnitSquare's, see Jacobi.Update), the iteration takes two sweeps instead:
// the SpMV on the band (no column indices, 24 bytes per row) with the x and p updates fused
// into it, then the r sweep; its iterates are bit-identical to the three-sweep CSR path's.
// Any other preconditioner takes the textbook path.
// Only the error values allocate. It panics on length mismatches, a nil m, rtol < 0 or NaN,
// or maxit < 0.
func PCG(a *sparse.CSR, m Preconditioner, b, x []float64, rtol float64, maxit int, ws *Workspace) (Result, error) {
	a.Check()
	n := a.N
	if len(b) != n || len(x) != n {
		panic(errPCGLen)
	}
	if ws == nil || len(ws.r) != n {
		panic(errPCGWorkspace)
	}
	if !(rtol >= 0) || maxit < 0 {
		panic(errPCGArgs)
	}
	if m == nil {
		panic(errPCGPrecond)
	}

	bb := dot(b, b)
	if bb == 0 {
		clear(x)
		return Result{}, nil
	}
	if !finite(bb) {
		return Result{Residual: math.NaN()}, &BreakdownError{Quantity: "b'b", Value: bb}
	}
	bnorm := math.Sqrt(bb)

	// r = b - A x.
	r := ws.r
	sparse.SpMV(r, x, a.RowPtr, a.Col, a.Val)
	rr := residual(r, b)
	res := Result{Residual: math.Sqrt(rr) / bnorm}
	if !finite(rr) {
		return res, &BreakdownError{Quantity: "r'r", Value: rr}
	}
	if res.Residual <= rtol {
		return res, nil
	}
	if j, ok := m.(*Jacobi); ok {
		if len(j.InvDiag) != n {
			panic(errJacobiLen)
		}
		if j.band.of(a) {
			return pcgJacobiBand(j.band, j.InvDiag, x, bnorm, rtol, maxit, ws, res)
		}
		return pcgJacobi(a, j.InvDiag, x, bnorm, rtol, maxit, ws, res)
	}
	return pcgGeneric(a, m, x, bnorm, rtol, maxit, ws, res)
}

// pcgJacobi is PCG with the Jacobi preconditioner fused into the vector sweeps. On entry
// ws.r holds the initial residual, not yet converged.
func pcgJacobi(a *sparse.CSR, invDiag, x []float64, bnorm, rtol float64, maxit int, ws *Workspace, res Result) (Result, error) {
	r, p, q := ws.r, ws.p, ws.q
	rz := jacobiStart(p, r, invDiag)
	if !positive(rz) {
		return res, &BreakdownError{Quantity: "r'z", Value: rz}
	}
	for k := 1; k <= maxit; k++ {
		pq := sparse.SpMVDot(q, p, a.RowPtr, a.Col, a.Val)
		if !positive(pq) {
			return res, &BreakdownError{Iteration: k, Quantity: "p'Ap", Value: pq}
		}
		rzNew, rr := jacobiUpdate(x, r, p, q, invDiag, rz/pq)
		res = Result{Iterations: k, Residual: math.Sqrt(rr) / bnorm}
		if !finite(rr) {
			return res, &BreakdownError{Iteration: k, Quantity: "r'r", Value: rr}
		}
		if res.Residual <= rtol {
			return res, nil
		}
		if !positive(rzNew) {
			return res, &BreakdownError{Iteration: k, Quantity: "r'z", Value: rzNew}
		}
		jacobiDirection(p, r, invDiag, rzNew/rz)
		rz = rzNew
	}
	return res, &NotConvergedError{Iterations: res.Iterations, Residual: res.Residual, Tol: rtol}
}

// pcgJacobiBand is pcgJacobi on a's band form, with two sweeps per iteration instead of
// three: the SpMV sweep also applies the previous iteration's x += αp and the new direction
// p = D⁻¹r + βp (band.fusedDot), and one sweep does r -= αq with rᵀD⁻¹r and rᵀr. Every
// operation on every entry is pcgJacobi's, in the same order, so the iterates, the iteration
// count and x are bit-identical to it. The last x update is applied before returning.
func pcgJacobiBand(b *band, invDiag, x []float64, bnorm, rtol float64, maxit int, ws *Workspace, res Result) (Result, error) {
	r, p, q := ws.r, ws.p, ws.q
	rz := jacobiStart(p, r, invDiag)
	if !positive(rz) {
		return res, &BreakdownError{Quantity: "r'z", Value: rz}
	}
	var alpha, beta float64
	for k := 1; k <= maxit; k++ {
		var pq float64
		if k == 1 {
			pq = b.mulDot(q, p)
		} else {
			pq = b.fusedDot(q, p, x, r, invDiag, alpha, beta)
		}
		if !positive(pq) {
			return res, &BreakdownError{Iteration: k, Quantity: "p'Ap", Value: pq}
		}
		alpha = rz / pq
		rzNew, rr := jacobiResidual(r, q, invDiag, alpha)
		res = Result{Iterations: k, Residual: math.Sqrt(rr) / bnorm}
		switch {
		case !finite(rr):
			axpy(x, p, alpha)
			return res, &BreakdownError{Iteration: k, Quantity: "r'r", Value: rr}
		case res.Residual <= rtol:
			axpy(x, p, alpha)
			return res, nil
		case !positive(rzNew):
			axpy(x, p, alpha)
			return res, &BreakdownError{Iteration: k, Quantity: "r'z", Value: rzNew}
		}
		beta = rzNew / rz
		rz = rzNew
	}
	if maxit > 0 {
		axpy(x, p, alpha)
	}
	return res, &NotConvergedError{Iterations: res.Iterations, Residual: res.Residual, Tol: rtol}
}

// jacobiResidual does r -= αq and returns rᵀD⁻¹r and rᵀr of the new r (jacobiUpdate without
// the x update), in one sweep.
func jacobiResidual(r, q, invDiag []float64, alpha float64) (rz, rr float64) {
	q = q[:len(r)]
	invDiag = invDiag[:len(r)]
	for i := range r {
		ri := r[i] - alpha*q[i]
		r[i] = ri
		rz += ri * invDiag[i] * ri
		rr += ri * ri
	}
	return rz, rr
}

// axpy does x += αp.
func axpy(x, p []float64, alpha float64) {
	p = p[:len(x)]
	for i := range x {
		x[i] += alpha * p[i]
	}
}

// pcgGeneric is textbook PCG for any preconditioner. On entry ws.r holds the initial
// residual, not yet converged.
func pcgGeneric(a *sparse.CSR, m Preconditioner, x []float64, bnorm, rtol float64, maxit int, ws *Workspace, res Result) (Result, error) {
	r, z, p, q := ws.r, ws.z, ws.p, ws.q
	m.Apply(z, r)
	rz := dot(r, z)
	if !positive(rz) {
		return res, &BreakdownError{Quantity: "r'z", Value: rz}
	}
	copy(p, z)
	for k := 1; k <= maxit; k++ {
		pq := sparse.SpMVDot(q, p, a.RowPtr, a.Col, a.Val)
		if !positive(pq) {
			return res, &BreakdownError{Iteration: k, Quantity: "p'Ap", Value: pq}
		}
		rr := cgUpdate(x, r, p, q, rz/pq)
		res = Result{Iterations: k, Residual: math.Sqrt(rr) / bnorm}
		if !finite(rr) {
			return res, &BreakdownError{Iteration: k, Quantity: "r'r", Value: rr}
		}
		if res.Residual <= rtol {
			return res, nil
		}
		m.Apply(z, r)
		rzNew := dot(r, z)
		if !positive(rzNew) {
			return res, &BreakdownError{Iteration: k, Quantity: "r'z", Value: rzNew}
		}
		direction(p, z, rzNew/rz)
		rz = rzNew
	}
	return res, &NotConvergedError{Iterations: res.Iterations, Residual: res.Residual, Tol: rtol}
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return v-v == 0 }

// positive reports whether v is positive and finite (false for NaN).
func positive(v float64) bool { return v > 0 && v <= math.MaxFloat64 }

// dot returns xᵀy; len(y) ≥ len(x).
func dot(x, y []float64) float64 {
	y = y[:len(x)]
	var s float64
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// residual sets r = b - r (r holding A x) and returns rᵀr.
func residual(r, b []float64) float64 {
	b = b[:len(r)]
	var rr float64
	for i, ax := range r {
		v := b[i] - ax
		r[i] = v
		rr += v * v
	}
	return rr
}

// jacobiStart sets p = D⁻¹r and returns rᵀD⁻¹r.
func jacobiStart(p, r, invDiag []float64) float64 {
	r = r[:len(p)]
	invDiag = invDiag[:len(p)]
	var rz float64
	for i := range p {
		z := invDiag[i] * r[i]
		p[i] = z
		rz += r[i] * z
	}
	return rz
}

// jacobiUpdate does x += αp, r -= αq and returns rᵀD⁻¹r and rᵀr of the new r, in one sweep.
func jacobiUpdate(x, r, p, q, invDiag []float64, alpha float64) (rz, rr float64) {
	r = r[:len(x)]
	p = p[:len(x)]
	q = q[:len(x)]
	invDiag = invDiag[:len(x)]
	for i := range x {
		x[i] += alpha * p[i]
		ri := r[i] - alpha*q[i]
		r[i] = ri
		rz += ri * invDiag[i] * ri
		rr += ri * ri
	}
	return rz, rr
}

// jacobiDirection sets p = D⁻¹r + βp.
func jacobiDirection(p, r, invDiag []float64, beta float64) {
	r = r[:len(p)]
	invDiag = invDiag[:len(p)]
	for i := range p {
		p[i] = invDiag[i]*r[i] + beta*p[i]
	}
}

// cgUpdate does x += αp, r -= αq and returns rᵀr of the new r, in one sweep.
func cgUpdate(x, r, p, q []float64, alpha float64) float64 {
	r = r[:len(x)]
	p = p[:len(x)]
	q = q[:len(x)]
	var rr float64
	for i := range x {
		x[i] += alpha * p[i]
		ri := r[i] - alpha*q[i]
		r[i] = ri
		rr += ri * ri
	}
	return rr
}

// direction sets p = z + βp.
func direction(p, z []float64, beta float64) {
	z = z[:len(p)]
	for i := range p {
		p[i] = z[i] + beta*p[i]
	}
}

// PCGIterationBytes is the byte model of one Jacobi-PCG iteration on an n×n matrix with nnz
// entries, as fused in PCG: compulsory traffic when no vector fits in cache,
//
//	SpMV + pᵀAp:                 sparse.SpMVBytes(n, nnz)  (p read, q written)
//	x += αp, r -= αq, rᵀz, rᵀr:  5n reads (x, p, r, q, D⁻¹) + 2n writes (x, r) = 56n
//	p = D⁻¹r + βp:               3n reads (r, D⁻¹, p) + 1n write (p)         = 32n
//
// A solve of k iterations moves about k·PCGIterationBytes bytes (plus one SpMV and two
// sweeps for the initial residual).
func PCGIterationBytes(n, nnz int) int64 {
	return sparse.SpMVBytes(n, nnz) + 88*int64(n)
}

// PCGIterationFlops is the flop model of one Jacobi-PCG iteration: 2 per nonzero for the
// SpMV, 2n for pᵀAp, 9n for the fused update and 3n for the new direction.
func PCGIterationFlops(n, nnz int) int64 {
	return sparse.SpMVFlops(nnz) + 14*int64(n)
}

// PCGSolveBytes is the byte model of a Jacobi-PCG solve that took iters iterations: the
// initial residual (one SpMV, then r = b - Ax: 2 reads + 1 write), the first direction
// p = D⁻¹r (2 reads + 1 write) and iters·PCGIterationBytes.
func PCGSolveBytes(n, nnz, iters int) int64 {
	return sparse.SpMVBytes(n, nnz) + 48*int64(n) + int64(iters)*PCGIterationBytes(n, nnz)
}

// SampleBytes is the byte model of one sample on n unknowns: Load (read F, write b: 16n),
// the PCG solve from x = 0 (clearing x: 8n, then PCGSolveBytes) and QoI (read Area and u:
// 16n).
func SampleBytes(n, nnz, iters int) int64 {
	return 40*int64(n) + PCGSolveBytes(n, nnz, iters)
}
