package solver

import (
	"errors"
	"fmt"
	"math"
	"mcfem/sparse"
	"sync/atomic"
)

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
	errBatchLen     = "solver: PCGBatch block length does not match N·k"
	errBatchWS      = "solver: PCGBatch workspace size does not match the matrix size or holds fewer than k columns"
	errBatchOut     = "solver: PCGBatch results and errors need k entries"
	errBatchPrecond = "solver: PCGBatch needs a *Jacobi or a BatchPreconditioner"
)

// Workspace holds the vectors (r, z, p, q) and per-column scalars of CG solves of up to
// its capacity of interleaved columns on n unknowns, allocated once and reused by every solve,
// whatever its k, so the per-sample path allocates nothing.
type Workspace struct {
	n, kmax int
	vec     []float64 // r, z, p, q: 4·n·kmax
	col     []float64 // rz, rzNew, rr, pq, α, β, ‖b‖: 7·kmax
	active  []bool
	c       cgState // the solve in progress
	// progress grows by one every progressEvery iterations and at the end of each solve
	// (Worker.Progress); atomic, for a watchdog on another goroutine.
	progress atomic.Int64
	// the kernel sets PCG and PCGBatch bind for one call
	jac jacobiCSR
	txt textbook
}

// NewWorkspace returns a workspace for PCG on n unknowns (one column).
func NewWorkspace(n int) *Workspace { return NewBatchWorkspace(n, 1) }

// NewBatchWorkspace returns a workspace for PCGBatch with up to k right-hand sides of n
// unknowns (and for PCG). It panics if k < 1.
func NewBatchWorkspace(n, k int) *Workspace {
	if k < 1 {
		panic(errBatchWS)
	}
	return &Workspace{n: n, kmax: k, vec: make([]float64, 4*n*k), col: make([]float64, 7*k), active: make([]bool, k)}
}

// cgState is one solve's k columns: the vectors (x the caller's) and the per-column scalars,
// each a slice of length k.
type cgState struct {
	k             int
	x, r, z, p, q []float64
	// rᵀM⁻¹r (old and new), rᵀr, pᵀAp, α, β, ‖b‖ (b'b at first)
	rz, rzNew, rr, pq, alpha, beta, bnorm []float64
	active                                []bool
	nActive                               int
}

// cut returns the workspace's state for x and k ≤ kmax columns.
func (ws *Workspace) cut(x []float64, k int) *cgState {
	nk := ws.n * k
	v := func(i int) []float64 { return ws.vec[i*nk : (i+1)*nk : (i+1)*nk] }
	s := func(i int) []float64 { return ws.col[i*k : (i+1)*k : (i+1)*k] }
	ws.c = cgState{k: k, x: x, r: v(0), z: v(1), p: v(2), q: v(3),
		rz: s(0), rzNew: s(1), rr: s(2), pq: s(3), alpha: s(4), beta: s(5), bnorm: s(6), active: ws.active[:k]}
	return &ws.c
}

// bind returns the one-shot kernel set for a and m, kept in the workspace: Jacobi's fused
// CSR kernels for a *Jacobi, the textbook ones otherwise.
func (ws *Workspace) bind(a *sparse.CSR, m Preconditioner) cgKernels {
	if j, ok := m.(*Jacobi); ok {
		if len(j.InvDiag) != a.N {
			panic(errJacobiLen)
		}
		ws.jac = jacobiCSR{a: a, invDiag: j.InvDiag}
		return &ws.jac
	}
	mb, _ := m.(BatchPreconditioner)
	ws.txt = textbook{a: a, m: m, mb: mb}
	return &ws.txt
}

// PCG solves A x = b from the initial guess in x with preconditioner m until the relative
// residual ‖r‖₂/‖b‖₂ ≤ rtol or maxit iterations. b = 0 gives x = 0 in 0 iterations.
// It allocates nothing. Errors: *NotConvergedError (errors.Is(err, ErrNotConverged)), with
// Iterations, Residual, Tol, message "solver: CG did not converge in 500 iterations (residual
// 3.1e-05 > 1e-08)"; *BreakdownError when pᵀAp ≤ 0 or rᵀz ≤ 0 or a NaN/Inf appears (message
// names the iteration and the quantity); Result is filled in either case.
//
// A must be symmetric positive definite and m symmetric positive definite. The residual is
// checked before every iteration (the initial guess may already satisfy rtol: 0 iterations).
// PCG is the one-shot form of the CG driver: it chooses the kernel set for m on each call —
// Jacobi's fused CSR sweeps for a *Jacobi (per iteration one SpMV that also returns pᵀAp,
// one sweep updating x and r and forming rᵀD⁻¹r and rᵀr, one sweep forming p = D⁻¹r + βp; z
// is never stored), the textbook iteration for any other m. A Worker (New) chooses once, and
// also runs Jacobi on a banded matrix's band form. Only the error values allocate. It panics
// on length mismatches, a nil m, rtol < 0 or NaN, or maxit < 0.
func PCG(a *sparse.CSR, m Preconditioner, b, x []float64, rtol float64, maxit int, ws *Workspace) (Result, error) {
	a.Check()
	n := a.N
	if len(b) != n || len(x) != n {
		panic(errPCGLen)
	}
	if ws == nil || ws.n != n {
		panic(errPCGWorkspace)
	}
	if !(rtol >= 0) || maxit < 0 {
		panic(errPCGArgs)
	}
	if m == nil {
		panic(errPCGPrecond)
	}
	var res [1]Result
	var errs [1]error
	cgSolve(a, ws.bind(a, m), b, x, 1, rtol, maxit, ws, res[:], errs[:])
	return res[0], errs[0]
}

// PCGBatch solves A x_j = b_j for k right-hand sides at once, stored interleaved (entry i of
// column j at index i·k+j), from the initial guesses in x: one pass over the matrix per
// iteration serves all k columns. Each column runs its own CG (its own α, β and stopping test
// ‖r_j‖/‖b_j‖ ≤ rtol) and stops on its own; the loop ends when every column has stopped or
// after maxit iterations. Per column, the operations and their order are PCG's, so with the
// Jacobi preconditioner (or a BatchPreconditioner that keeps Apply's order) column j's x_j,
// iterations and residual are bit-identical to PCG's for b_j alone. m must be a *Jacobi or
// implement BatchPreconditioner; ws must hold at least k columns.
//
// res[j] and errs[j] receive column j's Result and error (nil, *NotConvergedError or
// *BreakdownError, as PCG returns them). It allocates nothing.
func PCGBatch(a *sparse.CSR, m Preconditioner, b, x []float64, k int, rtol float64, maxit int, ws *Workspace, res []Result, errs []error) {
	a.Check()
	n := a.N
	if k < 1 || len(b) != n*k || len(x) != n*k {
		panic(errBatchLen)
	}
	if ws == nil || ws.n != n || ws.kmax < k {
		panic(errBatchWS)
	}
	if len(res) != k || len(errs) != k {
		panic(errBatchOut)
	}
	if !(rtol >= 0) || maxit < 0 {
		panic(errPCGArgs)
	}
	if _, isJacobi := m.(*Jacobi); !isJacobi {
		if _, isBatch := m.(BatchPreconditioner); !isBatch {
			panic(errBatchPrecond)
		}
	}
	cgSolve(a, ws.bind(a, m), b, x, k, rtol, maxit, ws, res, errs)
}

// progressEvery is how many CG iterations make one step of Workspace.progress: an atomic add
// that often costs nothing measurable, and a step takes milliseconds even on large meshes.
const progressEvery = 16

// cgSolve is the CG iteration, written once for k interleaved columns over the kernel set
// ks, which holds a (or its band form) and the preconditioner. Each column runs its own CG:
// its own α, β, stopping test and errors, as PCG and PCGBatch document; a stopped column
// takes α = β = 0 in the sweeps that still serve the others, which keeps its x and r bits.
// The arguments are checked by the caller.
func cgSolve(a *sparse.CSR, ks cgKernels, b, x []float64, k int, rtol float64, maxit int, ws *Workspace, res []Result, errs []error) {
	c := ws.cut(x, k)
	// b'b per column; r = b − A x, its norm, and the columns that need iterating.
	bb := c.bnorm
	sparse.ColDots(bb, b, b, k)
	sparse.SpMM(c.r, x, k, a.RowPtr, a.Col, a.Val)
	residualK.at(k)(c.r, b, c.rr)
	c.nActive = 0
	for j := range k {
		res[j], errs[j] = Result{}, nil
		c.active[j] = false
		c.alpha[j], c.beta[j] = 0, 0
		switch {
		case bb[j] == 0:
			for i := j; i < len(x); i += k {
				x[i] = 0
			}
		case !finite(bb[j]):
			res[j].Residual = math.NaN()
			errs[j] = &BreakdownError{Quantity: "b'b", Value: bb[j]}
		default:
			bb[j] = math.Sqrt(bb[j])
			res[j].Residual = math.Sqrt(c.rr[j]) / bb[j]
			switch {
			case !finite(c.rr[j]):
				errs[j] = &BreakdownError{Quantity: "r'r", Value: c.rr[j]}
			case res[j].Residual > rtol:
				c.active[j] = true
				c.nActive++
			}
		}
	}
	if c.nActive == 0 {
		return
	}

	ks.start(c) // first direction: p = M⁻¹r, rz = rᵀM⁻¹r
	c.stopUnless(c.rz, errs, 0, "r'z")
	pending := false // an update whose x (band) is not yet applied
	defer ws.progress.Add(1)
	for it := 1; it <= maxit && c.nActive > 0; it++ {
		if it%progressEvery == 0 {
			ws.progress.Add(1)
		}
		ks.mulDot(c, it)
		pending = false
		c.stopUnless(c.pq, errs, it, "p'Ap")
		if c.nActive == 0 {
			break
		}
		for j := range k {
			c.alpha[j] = 0
			if c.active[j] {
				c.alpha[j] = c.rz[j] / c.pq[j]
			}
		}
		ks.update(c) // stopped columns update with α = 0: x and r keep their bits
		pending = true
		for j := range k {
			c.beta[j] = 0
			if !c.active[j] {
				continue
			}
			res[j] = Result{Iterations: it, Residual: math.Sqrt(c.rr[j]) / bb[j]}
			switch {
			case !finite(c.rr[j]):
				errs[j] = &BreakdownError{Iteration: it, Quantity: "r'r", Value: c.rr[j]}
			case res[j].Residual <= rtol:
			default:
				continue
			}
			c.active[j] = false
			c.nActive--
		}
		if c.nActive == 0 {
			break
		}
		ks.precondDot(c)
		c.stopUnless(c.rzNew, errs, it, "r'z")
		for j := range k {
			if c.active[j] {
				c.beta[j] = c.rzNew[j] / c.rz[j]
				c.rz[j] = c.rzNew[j]
			}
		}
		ks.direction(c)
	}
	if pending {
		ks.finish(c)
	}
	for j := range k {
		if c.active[j] {
			errs[j] = &NotConvergedError{Iterations: res[j].Iterations, Residual: res[j].Residual, Tol: rtol}
		}
	}
}

// stopUnless stops every active column j whose v_j is not positive and finite, with a
// breakdown error for quantity q at iteration it.
func (c *cgState) stopUnless(v []float64, errs []error, it int, q string) {
	for j, a := range c.active {
		if a && !positive(v[j]) {
			errs[j] = &BreakdownError{Iteration: it, Quantity: q, Value: v[j]}
			c.active[j] = false
			c.nActive--
		}
	}
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
		s += float64(v * y[i])
	}
	return s
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
