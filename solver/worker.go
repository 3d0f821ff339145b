package solver

import (
	"fmt"
	"math"
	"slices"
	"sync/atomic"

	"mcfem/chol"
	"mcfem/sparse"
)

// cg is preconditioned conjugate gradients with one of the preconditioners.
type cg struct {
	a       *sparse.CSR
	opt     Options
	pc      string
	choice  string
	varying bool
	jacobi  *Jacobi // shared and read-only unless varying
	band    *band   // a's band form for Jacobi (nil when a is not banded); shared, read-only
	amg     *AMG    // shared and read-only unless varying (each worker binds its workspace)
	seconds float64
}

func (s *cg) Name() string           { return "CG, preconditioner " + s.pc }
func (s *cg) Preconditioner() string { return s.pc }
func (s *cg) Choice() string         { return s.choice }
func (s *cg) Batch() int             { return s.opt.Batch }
func (s *cg) SetupSeconds() float64  { return s.seconds }
func (s *cg) FactorBytes() int64     { return 0 }
func (s *cg) Direct() bool           { return false }
func (s *cg) Cost(iterations int) int64 {
	return int64(iterations) * int64(s.a.NNZ())
}
func (s *cg) CostUnit() string { return "CG iterations × nonzeros of K, summed over the samples" }

func (s *cg) Setup() string {
	switch s.pc {
	case "amg":
		return "AMG hierarchy (smoothed aggregation)"
	case "none":
		return "no preconditioner"
	}
	return "Jacobi preconditioner"
}

// NewWorker returns a worker with its kernel sets chosen: Jacobi on the band form for one
// column when the matrix has one and on the CSR matrix otherwise and for batches; the
// textbook iteration with the AMG (bound to the worker's own workspace) or with none.
func (s *cg) NewWorker() Worker {
	w := &cgWorker{s: s, ws: NewBatchWorkspace(s.a.N, s.opt.Batch), jacobi: s.jacobi, band: s.band}
	switch s.pc {
	case "jacobi":
		if s.varying { // its own, rebuilt by SetMatrix; till then the CSR path on K
			w.jacobi, w.band = &Jacobi{InvDiag: slices.Clone(s.jacobi.InvDiag)}, nil
		}
	case "amg":
		w.txt.m = s.amg.Bind(s.amg.NewBatchWorkspace(s.opt.Batch))
	default:
		w.txt.m = Identity{}
	}
	w.bind(s.a)
	return w
}

// cgWorker is one worker's CG state: its workspace and kernel sets, for the set-up matrix or
// the one SetMatrix gave it.
type cgWorker struct {
	s      *cg
	a      *sparse.CSR // the set-up matrix, or SetMatrix's
	ws     *Workspace  // Options.Batch columns: serves every k ≤ Batch
	jacobi *Jacobi     // the Solver's, or the worker's own (varying matrices)
	band   *band       // likewise; nil when the matrix is not banded
	one    cgKernels   // the kernel set for one column
	many   cgKernels   // the kernel set for k > 1 columns
	// the sets, bound to the current matrix
	jcsr  jacobiCSR
	jband jacobiBand
	txt   textbook
}

// bind points the worker's kernel sets at the matrix a.
func (w *cgWorker) bind(a *sparse.CSR) {
	w.a = a
	if w.s.pc != "jacobi" {
		mb, _ := w.txt.m.(BatchPreconditioner)
		w.txt = textbook{a: a, m: w.txt.m, mb: mb}
		w.one, w.many = &w.txt, &w.txt
		return
	}
	w.jcsr = jacobiCSR{a: a, invDiag: w.jacobi.InvDiag}
	w.one, w.many = &w.jcsr, &w.jcsr
	if w.band != nil {
		w.jband = jacobiBand{a: a, b: w.band, invDiag: w.jacobi.InvDiag}
		w.one = &w.jband
	}
}

func (w *cgWorker) Solve(x, b []float64, k int, res []Result, errs []error) {
	clear(x)
	ks := w.many
	if k == 1 {
		ks = w.one
	}
	cgSolve(w.a, ks, b, x, k, w.s.opt.Rtol, w.s.opt.MaxIt, w.ws, res[:k], errs[:k])
}

func (w *cgWorker) Progress() int64 { return w.ws.progress.Load() }

func (w *cgWorker) Retry(x, b []float64) (Result, error) {
	clear(x)
	var res [1]Result
	var errs [1]error
	cgSolve(w.a, w.one, b, x, 1, w.s.opt.Rtol, 10*w.s.opt.MaxIt, w.ws, res[:], errs[:])
	return res[0], errs[0]
}

// SetMatrix rebuilds what depends on the values: the Jacobi diagonal and the band form in
// place (allocated by the first call only), or a new AMG hierarchy (which allocates).
func (w *cgWorker) SetMatrix(a *sparse.CSR) error {
	a.Check()
	if a.N != w.s.a.N {
		return fmt.Errorf("solver: SetMatrix: matrix of size %d for a solver set up with size %d", a.N, w.s.a.N)
	}
	switch w.s.pc {
	case "jacobi":
		if w.jacobi == w.s.jacobi { // a non-varying solver's worker: its own from now on
			w.jacobi, w.band = &Jacobi{InvDiag: make([]float64, a.N)}, nil
		}
		if err := w.jacobi.Update(a); err != nil {
			return err
		}
		w.band = newBand(a, w.band)
	case "amg":
		m, err := NewAMG(a, AMGOptions{}) // a new hierarchy for this sample's matrix
		if err != nil {
			return err
		}
		w.txt.m = m.Bind(m.NewBatchWorkspace(w.s.opt.Batch))
	}
	w.bind(a)
	return nil
}

// direct solves with a sparse Cholesky factor of K: a forward and a backward solve per
// sample, then the residual ‖b − Ku‖/‖b‖ checked against Rtol.
type direct struct {
	a       *sparse.CSR
	f       *chol.Factor
	opt     Options
	choice  string
	seconds float64
}

func (s *direct) Name() string {
	return fmt.Sprintf("Cholesky factor of K (%s ordering, L %.4g M nonzeros, %.3g MB per rank), a forward and a backward solve per sample, residual ‖b − Ku‖/‖b‖ checked against rtol",
		s.f.Ordering(), float64(s.f.NNZ())/1e6, float64(s.f.Bytes())/1e6)
}
func (s *direct) Preconditioner() string { return "" }
func (s *direct) Setup() string {
	return fmt.Sprintf("Cholesky factor of K (%.3g MB)", float64(s.f.Bytes())/1e6)
}
func (s *direct) Choice() string        { return s.choice }
func (s *direct) Batch() int            { return s.opt.Batch }
func (s *direct) SetupSeconds() float64 { return s.seconds }
func (s *direct) FactorBytes() int64    { return s.f.Bytes() }
func (s *direct) Direct() bool          { return true }
func (s *direct) Cost(int) int64        { return 2 * s.f.NNZ() }
func (s *direct) CostUnit() string {
	return "multiply-adds of the triangular solves (2 × nonzeros of the Cholesky factor per sample), summed over the samples"
}

func (s *direct) NewWorker() Worker {
	k := s.opt.Batch
	return &directWorker{s: s, ws: s.f.NewWorkspace(k), ku: make([]float64, s.a.N*k)}
}

// directWorker is one worker's direct-solve state.
type directWorker struct {
	s        *direct
	progress atomic.Int64 // solves done (Progress)
	ws       *chol.Workspace
	ku       []float64 // K u, for the residual check
}

func (w *directWorker) Progress() int64 { return w.progress.Load() }

func (w *directWorker) Solve(x, b []float64, k int, res []Result, errs []error) {
	defer w.progress.Add(1)
	a := w.s.a
	ku := w.ku[:a.N*k]
	if k == 1 {
		w.s.f.Solve(x, b, w.ws)
		a.MulVec(ku, x)
	} else {
		w.s.f.SolveBatch(x, b, k, w.ws)
		a.MulMulti(ku, x, k)
	}
	for j := range k {
		r := relResidual(b, ku, k, j)
		res[j], errs[j] = Result{Residual: r}, w.check(r)
	}
}

func (w *directWorker) Retry(x, b []float64) (Result, error) {
	var res [1]Result
	var errs [1]error
	w.Solve(x, b, 1, res[:], errs[:])
	return res[0], errs[0]
}

func (w *directWorker) SetMatrix(*sparse.CSR) error {
	return fmt.Errorf("solver: a Cholesky factor cannot take a new matrix per sample")
}

// check returns a *DirectResidualError unless the residual r is ≤ Rtol.
func (w *directWorker) check(r float64) error {
	if r <= w.s.opt.Rtol {
		return nil
	}
	return &DirectResidualError{Residual: r, Rtol: w.s.opt.Rtol}
}

// relResidual returns ‖b − Ku‖₂/‖b‖₂ for column j of k interleaved ones, with ku = K u, summed
// in row order (so a column's value does not depend on k); 0 when b = 0.
func relResidual(b, ku []float64, k, j int) float64 {
	var bb, rr float64
	for i := j; i < len(b); i += k {
		d := b[i] - ku[i]
		bb += float64(b[i] * b[i])
		rr += float64(d * d)
	}
	if bb == 0 {
		return 0
	}
	return math.Sqrt(rr / bb)
}

// DirectResidualError reports a direct solve whose residual ‖b − Ku‖/‖b‖ exceeds rtol: the
// factor is too inaccurate for this matrix (ill-conditioned beyond what rtol allows).
type DirectResidualError struct {
	Residual, Rtol float64
}

// Error returns e.g. "solver: Cholesky solve: relative residual 3e-07 > rtol 1e-08".
func (e *DirectResidualError) Error() string {
	return fmt.Sprintf("solver: Cholesky solve: relative residual %.2g > rtol %.2g", e.Residual, e.Rtol)
}
