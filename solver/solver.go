package solver

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"mcfem/chol"
	"mcfem/internal/setting"
	"mcfem/sparse"
)

// The values of Options.Method and Options.PC.
var (
	Methods         = []string{"cg", "cholesky", "auto"}
	Preconditioners = []string{"jacobi", "amg", "none"}
)

// MaxBatch bounds Options.Batch: beyond it the k vectors of a row no longer fit in a cache
// line or two and batching stops paying.
const MaxBatch = 64

// Options choose how the samples' systems are solved. They are parsed once, validated by New,
// and never change a result's bits except through Rtol and MaxIt: every method solves each
// column bit-identically whatever the batch.
type Options struct {
	// Method is "cg" (preconditioned CG; "" means cg), "cholesky" (a sparse Cholesky factor,
	// computed once; a sample is a forward and a backward solve) or "auto" (the cheaper of the
	// factor and AMG-CG for Samples solves, by a cost model that never looks at a clock).
	Method  string
	PC      string  // CG preconditioner: "jacobi" ("" means jacobi), "amg" or "none"
	Rtol    float64 // CG: relative residual tolerance; direct: the residual the solve must reach
	MaxIt   int     // CG iteration cap per solve
	Batch   int     // columns solved together (k); 0 means 1
	Samples int     // solves the campaign expects (auto's cost model)
}

// Validate checks every option; varying says that the matrix changes with every sample (a
// factor would serve one solve). It returns the first *setting.Error.
func (o Options) Validate(varying bool) error {
	switch {
	case o.Method != "" && !slices.Contains(Methods, o.Method):
		return setting.Invalid("solver", o.Method, "one of "+strings.Join(Methods, ", "))
	case o.PC != "" && !slices.Contains(Preconditioners, o.PC):
		return setting.Invalid("pc", o.PC, "one of "+strings.Join(Preconditioners, ", "))
	case !(o.Rtol > 0 && o.Rtol < 1):
		return setting.Invalid("rtol", fmt.Sprint(o.Rtol), "a relative tolerance in (0, 1)")
	case o.MaxIt < 1:
		return setting.Invalid("maxit", fmt.Sprint(o.MaxIt), "an integer ≥ 1")
	case o.Batch < 0 || o.Batch > MaxBatch:
		return setting.Invalid("batch", fmt.Sprint(o.Batch), fmt.Sprintf("samples per batch in [1, %d]", MaxBatch))
	case varying && o.Method == "cholesky":
		return setting.Invalid("solver", o.Method, "cg or auto with a matrix that changes with every sample: a factor would serve one sample")
	}
	return nil
}

// A Solver solves the systems K x = b of a rank's samples. It is set up once per rank (the
// preconditioner or the factor of K) and shared read-only by the rank's workers, each of
// which solves through its own Worker.
type Solver interface {
	// Name says what solves the samples, for the report: "CG, preconditioner amg", or the
	// Cholesky factor with its ordering and size.
	Name() string
	// Preconditioner is the CG preconditioner that runs ("jacobi", "amg", "none"; auto may
	// have chosen it), "" for a direct solver.
	Preconditioner() string
	// Setup names what was set up once per rank: "Jacobi preconditioner", "AMG hierarchy
	// (smoothed aggregation)", "no preconditioner", "Cholesky factor of K (0.148 MB)".
	Setup() string
	// Choice is -solver auto's reason, "" for an explicit choice.
	Choice() string
	// SetupSeconds is the time the set-up took.
	SetupSeconds() float64
	// FactorBytes is the memory of a direct solver's factor, 0 for CG.
	FactorBytes() int64
	// Direct reports a direct solver: a solve has no iterations, its residual is checked.
	Direct() bool
	// Cost is the work of one solve that took iterations CG iterations, in CostUnit: a
	// deterministic measure (never a time), so decisions made from it agree on every rank.
	Cost(iterations int) int64
	// CostUnit names Cost's unit.
	CostUnit() string
	// NewWorker returns one worker's state: vectors and workspaces for up to Options.Batch
	// columns, allocated once.
	NewWorker() Worker
}

// A Worker is one goroutine's view of a Solver.
type Worker interface {
	// Solve solves K x_j = b_j from x_j = 0 for the k ≤ Options.Batch columns stored
	// interleaved (entry i of column j at i·k+j); column j's outcome goes to res[j] and errs[j]
	// (nil, *NotConvergedError, *BreakdownError or *DirectResidualError). Each column's bits do
	// not depend on k. It allocates nothing.
	Solve(x, b []float64, k int, res []Result, errs []error)
	// Retry solves one column alone with ten times the iteration cap: the stricter solve of a
	// sample's second chance.
	Retry(x, b []float64) (Result, error)
	// SetMatrix makes the worker solve with a, a matrix with the set-up matrix's pattern but
	// values of its own (a sample's), rebuilding what depends on the values (the Jacobi
	// diagonal and band, an AMG hierarchy). A direct solver refuses.
	SetMatrix(a *sparse.CSR) error
}

// New sets up the solver of opt for the matrix a (the preconditioner or the factor, timed).
// varying says that every sample brings its own matrix with a's pattern (Worker.SetMatrix):
// CG then builds its preconditioner per sample and a factor is refused. The options must be
// valid (Options.Validate).
func New(a *sparse.CSR, opt Options, varying bool) (Solver, error) {
	if err := opt.Validate(varying); err != nil {
		return nil, err
	}
	t0 := time.Now()
	opt.Batch = max(opt.Batch, 1)
	method, pc, choice := opt.Method, opt.PC, ""
	var an *chol.Analysis
	if method == "auto" {
		method, choice, an = chooseMethod(a, opt, varying)
		if method == "cg" && !varying {
			pc = "amg"
		}
	}
	if method == "cholesky" {
		if an == nil {
			an = chol.Analyze(a, chol.Options{})
		}
		f, err := an.Factor()
		if err != nil {
			return nil, fmt.Errorf("solver: cholesky: %w", err)
		}
		return &direct{a: a, f: f, opt: opt, choice: choice, seconds: time.Since(t0).Seconds()}, nil
	}
	if pc == "" {
		pc = "jacobi"
	}
	s := &cg{a: a, opt: opt, pc: pc, choice: choice, varying: varying}
	var err error
	switch pc {
	case "jacobi":
		s.jacobi, err = NewJacobi(a)
	case "amg":
		s.amg, err = NewAMG(a, AMGOptions{})
	}
	if err != nil {
		return nil, fmt.Errorf("solver: preconditioner %s: %w", pc, err)
	}
	s.seconds = time.Since(t0).Seconds()
	return s, nil
}

// cg is preconditioned conjugate gradients with one of the preconditioners.
type cg struct {
	a       *sparse.CSR
	opt     Options
	pc      string
	choice  string
	varying bool
	jacobi  *Jacobi // shared and read-only unless varying
	amg     *AMG    // shared and read-only unless varying (each worker binds its workspace)
	seconds float64
}

func (s *cg) Name() string           { return "CG, preconditioner " + s.pc }
func (s *cg) Preconditioner() string { return s.pc }
func (s *cg) Choice() string         { return s.choice }
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

func (s *cg) NewWorker() Worker {
	n, k := s.a.N, s.opt.Batch
	w := &cgWorker{s: s, a: s.a, ws: NewWorkspace(n)}
	if k > 1 {
		w.bws = NewBatchWorkspace(n, k)
	}
	switch s.pc {
	case "jacobi":
		w.pc = s.jacobi
		if s.varying {
			w.jacobi = &Jacobi{InvDiag: make([]float64, n)}
			w.pc = w.jacobi
		}
	case "amg":
		w.pc = s.amg.Bind(s.amg.NewBatchWorkspace(k))
	default:
		w.pc = Identity{}
	}
	return w
}

// cgWorker is one worker's CG state.
type cgWorker struct {
	s      *cg
	a      *sparse.CSR // the set-up matrix, or the worker's own after SetMatrix
	pc     Preconditioner
	jacobi *Jacobi // the worker's own Jacobi (varying matrices)
	ws     *Workspace
	bws    *BatchWorkspace
}

func (w *cgWorker) Solve(x, b []float64, k int, res []Result, errs []error) {
	clear(x)
	if k == 1 {
		res[0], errs[0] = PCG(w.a, w.pc, b, x, w.s.opt.Rtol, w.s.opt.MaxIt, w.ws)
		return
	}
	if w.bws == nil || w.bws.k != k {
		w.bws = NewBatchWorkspace(w.a.N, k) // a last, partial batch: allocated once per size
	}
	PCGBatch(w.a, w.pc, b, x, k, w.s.opt.Rtol, w.s.opt.MaxIt, w.bws, res[:k], errs[:k])
}

func (w *cgWorker) Retry(x, b []float64) (Result, error) {
	clear(x)
	return PCG(w.a, w.pc, b, x, w.s.opt.Rtol, 10*w.s.opt.MaxIt, w.ws)
}

func (w *cgWorker) SetMatrix(a *sparse.CSR) error {
	w.a = a
	switch w.s.pc {
	case "jacobi":
		return w.jacobi.Update(a)
	case "amg":
		m, err := NewAMG(a, AMGOptions{}) // a new hierarchy for this sample's matrix
		if err != nil {
			return err
		}
		w.pc = m.Bind(m.NewBatchWorkspace(1))
	}
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
	s  *direct
	ws *chol.Workspace
	ku []float64 // K u, for the residual check
}

func (w *directWorker) Solve(x, b []float64, k int, res []Result, errs []error) {
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

// The cost model of -solver auto, calibrated on the development machine (bench/RESULTS.md):
// rates of the factorisation, of the batched triangular solves and of a CSR SpMV, and the
// cost of AMG-CG in SpMV-equivalents. The choice depends only on the matrix and the sample
// count, never on a timing, so every rank makes the same one.
const (
	autoFactorFlops   = 4.5e9   // flop/s of the numeric factorisation
	autoSolveFlops    = 5e9     // flop/s of batched triangular solves (4 flops per entry of L)
	autoSolveFlops1   = 4e9     // the same unbatched
	autoSpMVBytes     = 25e9    // bytes/s of a CSR SpMV
	autoAMGSetup      = 200     // SpMV-equivalents: the AMG set-up with the assembly
	autoAMGSample     = 30      // SpMV-equivalents per sample of AMG-CG with batches of 4 or more
	autoAMGSample1    = 60      // the same unbatched
	autoFactorMaxByte = 4 << 30 // the largest factor auto accepts, per rank
)

// chooseMethod is -solver auto: "cg" when every sample has its own matrix (a factor would
// serve one sample), else the Cholesky factor when it fits in autoFactorMaxByte and its
// estimated time (numeric factorisation + N solves; the ordering and analysis are done by
// then) is below AMG-CG's (set-up + N samples) for opt.Samples samples, batched or not as
// opt.Batch says. It returns the analysis for the factorisation.
func chooseMethod(a *sparse.CSR, opt Options, varying bool) (string, string, *chol.Analysis) {
	if varying {
		return "cg", "auto: CG, since every sample has its own matrix (a factor would serve one sample)", nil
	}
	an := chol.Analyze(a, chol.Options{})
	if b := an.Bytes(); b > autoFactorMaxByte {
		return "cg", fmt.Sprintf("auto: AMG-CG, since the Cholesky factor would need %.1f GB per rank (limit %.1f GB)",
			float64(b)/1e9, float64(autoFactorMaxByte)/1e9), nil
	}
	n := float64(max(opt.Samples, 1))
	solve, sample := autoSolveFlops, float64(autoAMGSample)
	if opt.Batch < 4 {
		solve, sample = autoSolveFlops1, autoAMGSample1
	}
	spmv := float64(sparse.SpMVBytes(a.N, a.NNZ())) / autoSpMVBytes
	tChol := an.Flops()/autoFactorFlops + n*4*float64(an.NNZ())/solve
	tCG := spmv * (autoAMGSetup + n*sample)
	why := fmt.Sprintf("estimated %.3g s for the factor and %d solves against %.3g s for AMG-CG", tChol, int(n), tCG)
	if tChol < tCG {
		return "cholesky", "auto: Cholesky, " + why, an
	}
	return "cg", "auto: AMG-CG, " + why, nil
}
