package solver

import (
	"fmt"
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

// MaxMaxIt bounds Options.MaxIt: ten times it (a retry's cap) stays within the 32 bits a
// journal keeps a sample's iterations in.
const MaxMaxIt = 100_000_000

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
	Method string
	PC     string  // CG preconditioner: "jacobi" ("" means jacobi), "amg" or "none"
	Rtol   float64 // CG: relative residual tolerance; direct: the residual the solve must reach
	MaxIt  int     // CG iteration cap per solve
	// Batch is the number of columns solved together (k); 0 means automatic (AutoBatch: where
	// batches pay, by the method New sets up).
	Batch   int
	Samples int // solves the campaign expects (auto's cost model)
	// AutoChoice, with Method "auto", is a choice made before ("cholesky" or "amg", as
	// AutoChoiceOf names it; a resumed campaign's, from its journals): auto takes it instead of
	// deciding again, so a campaign extended by -resume -samples keeps its solver. "": decide.
	AutoChoice string
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
	case o.MaxIt > MaxMaxIt:
		return setting.Invalid("maxit", fmt.Sprint(o.MaxIt), fmt.Sprintf("at most %d (a retry runs 10× as many, and journals keep iterations in 32 bits)", MaxMaxIt))
	case o.Batch < 0 || o.Batch > MaxBatch:
		return setting.Invalid("batch", fmt.Sprint(o.Batch), fmt.Sprintf("samples per batch in [1, %d]", MaxBatch))
	case o.AutoChoice != "" && o.AutoChoice != "cholesky" && o.AutoChoice != "amg":
		return setting.Invalid("solver-auto-choice", o.AutoChoice, "cholesky or amg")
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
	// Batch is the number of columns a worker solves together: Options.Batch, or AutoBatch's
	// choice when that was 0.
	Batch() int
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
	// Progress counts the work done so far, in steps of a few CG iterations or one direct
	// solve: it grows while a solve runs, so a watchdog can tell a slow solve from a stuck one.
	// It may be read from any goroutine.
	Progress() int64
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
	method, pc, choice := opt.Method, opt.PC, ""
	var an *chol.Analysis
	if method == "auto" {
		method, choice, an = chooseMethod(a, opt, varying)
		if method == "cg" && !varying {
			pc = "amg"
		}
	}
	if opt.Batch == 0 {
		opt.Batch = AutoBatch(opt.Method, opt.PC, varying)
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
		s.band = newBand(a, nil)
	case "amg":
		s.amg, err = NewAMG(a, AMGOptions{})
	}
	if err != nil {
		return nil, fmt.Errorf("solver: preconditioner %s: %w", pc, err)
	}
	s.seconds = time.Since(t0).Seconds()
	return s, nil
}

// AutoChoiceOf names what -solver auto chose for a fixed matrix, as Options.AutoChoice
// takes it: "cholesky" or "amg"; "" for a solver of a matrix that varies (auto's CG then has
// no alternative).
func AutoChoiceOf(s Solver) string {
	switch {
	case s.Direct():
		return "cholesky"
	case s.Preconditioner() == "amg":
		return "amg"
	}
	return ""
}

// AutoBatch is the batch of Options.Batch = 0: 4 for the Cholesky factor and for AMG-CG (and
// so for auto, which takes one of them when the matrix is fixed), whose samples cost 0.6–0.8
// and 0.3–0.45 of an unbatched one in batches of 4 (bench/RESULTS.md; 8 gains little more and
// needs twice the vectors), and 1 for Jacobi-CG and plain CG, whose batches pay only at some
// sizes, and when every sample has its own matrix.
func AutoBatch(method, pc string, varying bool) int {
	if !varying && (method == "cholesky" || method == "auto" || pc == "amg") {
		return 4
	}
	return 1
}

// The cost model of -solver auto, calibrated on the development machine (bench/RESULTS.md,
// 2026-11-25): rates of the factorisation, of the batched triangular solves and of a CSR
// SpMV, and the cost of AMG-CG in SpMV-equivalents. The choice depends only on the matrix, the
// sample count and the batch, never on a timing, so every rank makes the same one, and every
// run of the same command; the seconds it compares are this reference machine's (the report
// adds an estimate calibrated on the machine at hand: mc's probe).
const (
	autoFactorFlops   = 4.5e9   // flop/s of the numeric factorisation
	autoSolveFlops    = 5e9     // flop/s of batched triangular solves (4 flops per entry of L)
	autoSolveFlops1   = 4e9     // the same unbatched
	autoSpMVBytes     = 25e9    // bytes/s of a CSR SpMV
	autoAMGSetup      = 270     // SpMV-equivalents: the AMG set-up with the assembly
	autoAMGSample     = 20      // SpMV-equivalents per sample of AMG-CG with batches of 4 or more
	autoAMGSample1    = 50      // the same unbatched
	autoFactorMaxByte = 4 << 30 // the largest factor auto accepts, per rank
)

// chooseMethod is -solver auto: "cg" when every sample has its own matrix (a factor would
// serve one sample), else the Cholesky factor when it fits in autoFactorMaxByte and its
// estimated time (numeric factorisation + N solves; the ordering and analysis are done by
// then) is below AMG-CG's (set-up + N samples) for opt.Samples samples, batched or not as
// opt.Batch says (0, automatic, is a batch of 4 for both). It returns the analysis for the
// factorisation.
func chooseMethod(a *sparse.CSR, opt Options, varying bool) (string, string, *chol.Analysis) {
	if varying {
		return "cg", "auto: CG, since every sample has its own matrix (a factor would serve one sample)", nil
	}
	switch opt.AutoChoice {
	case "cholesky":
		return "cholesky", "auto: Cholesky, as the run that wrote the journals chose", nil
	case "amg":
		return "cg", "auto: AMG-CG, as the run that wrote the journals chose", nil
	}
	an := chol.Analyze(a, chol.Options{})
	if b := an.Bytes(); b > autoFactorMaxByte {
		return "cg", fmt.Sprintf("auto: AMG-CG, since the Cholesky factor would need %.1f GB per rank (limit %.1f GB)",
			float64(b)/1e9, float64(autoFactorMaxByte)/1e9), nil
	}
	n := float64(max(opt.Samples, 1))
	solve, sample := autoSolveFlops, float64(autoAMGSample)
	if opt.Batch != 0 && opt.Batch < 4 {
		solve, sample = autoSolveFlops1, autoAMGSample1
	}
	spmv := float64(sparse.SpMVBytes(a.N, a.NNZ())) / autoSpMVBytes
	tChol := an.Flops()/autoFactorFlops + n*4*float64(an.NNZ())/solve
	tCG := spmv * (autoAMGSetup + float64(n*sample))
	why := fmt.Sprintf("by the cost model at the reference machine's rates %.3g s for the factor and %d solves against %.3g s for AMG-CG", tChol, int(n), tCG)
	if tChol < tCG {
		return "cholesky", "auto: Cholesky, " + why, an
	}
	return "cg", "auto: AMG-CG, " + why, nil
}
