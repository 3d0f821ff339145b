package mc

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"mcfem/dist"
	"mcfem/field"
	"mcfem/internal/setting"
	"mcfem/journal"
	"mcfem/problem"
	"mcfem/solver"
)

// Config is what a campaign computes. Every field determines the results, and nothing else
// does: not the rank count, the threads, the batch or the backend.
type Config struct {
	Samples    int     // N, the number of samples; with Tol, the pilot
	Seed       uint64  // key of the random streams
	Confidence float64 // level of the confidence interval of the mean
	// Tol, if > 0, makes the campaign adaptive: rounds add samples until the half-width of
	// the confidence interval of the mean is at most Tol.
	Tol float64
	// TolQoI names the QoI whose confidence interval -tol controls ("" means the first).
	TolQoI    string
	OnFailure string // a failed sample: "fail" (end the run), "skip" (leave it out), "retry"
	// MaxSamples is the budget of a -tol campaign: its rounds never go beyond this many
	// samples (budget.go).
	MaxSamples int
	// MaxFailures is the number of failed samples -on-failure skip may leave out of the
	// statistics with a VALID verdict (budget.go).
	MaxFailures MaxFailures
	Problem     problem.Spec
	Solver      solver.Options
	// Sampler is the design of the samples' inputs: "mc" ("" means mc), "sobol" or "lhs"
	// (design.go); Replicates is their number R of independent randomizations.
	Sampler    string
	Replicates int
	// Quantiles are the levels in (0, 1) of the QoIs' quantiles (nil: DefaultQuantiles);
	// Thresholds the values whose exceedance probabilities are estimated; CVaRLevel the level
	// of the conditional value at risk (0: DefaultCVaRLevel). They change no sample.
	Quantiles  []float64
	Thresholds []Threshold
	CVaRLevel  float64
	// Sensitivity makes the campaign Saltelli's design for the Sobol' indices of every QoI
	// with respect to every scalar input (sensitivity.go); Samples is then rows × (inputs + 2).
	Sensitivity bool
}

// DefaultConfig is the seed's campaign: 1000 samples of the tutorial's problem on a 64×64
// mesh, ε ~ Beta(2, 6), Jacobi-CG to 1e-8.
func DefaultConfig() Config {
	return Config{Samples: 1000, Seed: 1, Confidence: 0.95, OnFailure: "fail", MaxSamples: DefaultMaxSamples, MaxFailures: DefaultMaxFailures,
		Problem: problem.Spec{Model: "reference", Cells: 64, Dist: dist.Beta(2, 6),
			Field: field.Params{Sigma: 1, Lambda: 0.3, Terms: 50}},
		Solver: solver.Options{Method: "cg", PC: "jacobi", Rtol: 1e-8, MaxIt: 10000, Batch: 1}}
}

// FailurePolicies lists the values of Config.OnFailure.
var FailurePolicies = []string{"fail", "skip", "retry"}

// Validate checks the campaign, its problem and its solver; it returns the first error
// naming the field (*setting.Error).
func (c Config) Validate() error {
	list := c.Problem.ListLen()
	varying := c.Problem.Varying()
	switch {
	case c.Samples < 1:
		return setting.Invalid("samples", fmt.Sprint(c.Samples), "an integer ≥ 1")
	case c.Samples > MaxSampleCount:
		return setting.Invalid("samples", fmt.Sprint(c.Samples), fmt.Sprintf("at most %d", MaxSampleCount))
	case c.MaxSamples < 1 || c.MaxSamples > MaxSampleCount:
		return setting.Invalid("max-samples", fmt.Sprint(c.MaxSamples), fmt.Sprintf("an integer in [1, %d]", MaxSampleCount))
	case c.Tol > 0 && c.Samples > c.MaxSamples:
		return setting.Invalid("samples", fmt.Sprint(c.Samples), fmt.Sprintf("a pilot of at most -max-samples (%d) with -tol", c.MaxSamples))
	case c.MaxFailures.IsCount && c.MaxFailures.Count < 0, !c.MaxFailures.IsCount && !(c.MaxFailures.Fraction >= 0 && c.MaxFailures.Fraction <= 1):
		return setting.Invalid("max-failures", c.MaxFailures.String(), "a count ≥ 0 or a fraction in [0, 1]")
	case !(c.Confidence > 0 && c.Confidence < 1):
		return setting.Invalid("confidence", fmt.Sprint(c.Confidence), "a level in (0, 1), e.g. 0.95")
	case list > 0 && c.Samples > list:
		return setting.Invalid("samples", fmt.Sprint(c.Samples), fmt.Sprintf("at most the %d values of the list input (%s)", list, c.Problem.Inputs()))
	case c.Tol < 0 || math.IsNaN(c.Tol) || math.IsInf(c.Tol, 0):
		return setting.Invalid("tol", fmt.Sprint(c.Tol), "a tolerance > 0 (0: a fixed -samples)")
	case c.Tol > 0 && c.Samples < 2:
		return setting.Invalid("samples", fmt.Sprint(c.Samples), "a pilot of at least 2 samples with -tol")
	case c.Tol > 0 && list > 0:
		return setting.Invalid("tol", fmt.Sprint(c.Tol), "0 with -dist list: a list has a fixed number of samples")
	case !slices.Contains(FailurePolicies, c.OnFailure):
		return setting.Invalid("on-failure", c.OnFailure, "one of "+strings.Join(FailurePolicies, ", "))
	case c.Problem.QoIIndex(c.TolQoI) < 0:
		return setting.Invalid("tol-qoi", c.TolQoI, "one of the problem's QoIs: "+strings.Join(c.Problem.QoINames(), ", "))
	case varying && c.Solver.Batch > 1:
		return setting.Invalid("batch", fmt.Sprint(c.Solver.Batch), "1 when the conductivity is random (-model lognormal-field, or a problem file's): every sample has its own matrix")
	}
	if err := c.validateDesign(); err != nil {
		return err
	}
	if err := c.validateDistribution(); err != nil {
		return err
	}
	if err := c.validateSensitivity(); err != nil {
		return err
	}
	if err := c.Problem.Validate(); err != nil {
		return err
	}
	return c.Solver.Validate(varying)
}

// AutoChoiceField is the journal header field of -solver auto's choice (solver.AutoChoiceOf).
const AutoChoiceField = "solver-auto-choice"

// Batch is the solver's batch: -batch, or solver.AutoBatch's when it is 0 (automatic). It
// depends on the configuration only, so every rank and every run of the same command agree.
func (c Config) Batch() int {
	if c.Solver.Batch > 0 {
		return c.Solver.Batch
	}
	return solver.AutoBatch(c.Solver.Method, c.Solver.PC, c.Problem.Varying())
}

// JournalFields are the settings that determine every sample's result or status, as journal
// headers record them: a resume must match them all. They are the problem (model, mesh, inputs'
// distributions), the seed, the solver's settings and the failure policy (which decides a
// failed sample's status and, with retry, its result). The sample count is not among them (a
// resumed campaign may ask for more samples than the first run). Under -solver auto with a
// fixed matrix, the choice (which depends on the sample count and the batch) is recorded as
// "solver-auto-choice" by the run that makes it (AutoChoiceField, in setup) and taken by the
// runs that resume it (Solver.AutoChoice): a campaign extended with more samples keeps its
// solver and its bits. The rank count, the threads and the batch change no result, and
// -confidence, -tol and -tol-qoi only how many samples there are.
func (c Config) JournalFields() map[string]string {
	f := c.Problem.JournalKey()
	f["seed"] = fmt.Sprint(c.Seed)
	f["rtol"], f["maxit"], f["pc"] = fmt.Sprint(c.Solver.Rtol), fmt.Sprint(c.Solver.MaxIt), c.Solver.PC
	f["on-failure"] = c.OnFailure
	if c.Sensitivity {
		f["design"] = "saltelli"
	}
	switch c.sampler() { // plain Monte Carlo records none: its journals stay those of before
	case "sobol":
		f["sampler"], f["replicates"] = "sobol", fmt.Sprint(c.Replicates)
	case "lhs":
		f["sampler"], f["lhs-points"] = "lhs", fmt.Sprint(c.Samples/c.Replicates)
	}
	if m := c.Solver.Method; m != "" && m != "cg" {
		f["solver"] = m
		if m == "auto" && c.Solver.AutoChoice != "" {
			f[AutoChoiceField] = c.Solver.AutoChoice
		}
	}
	return f
}

// Options say how a campaign runs on this rank; none of them changes the results.
type Options struct {
	Threads      int           // worker goroutines per rank, sharing the rank's set-up (≥ 1; 0 means 1)
	StallTimeout time.Duration // watchdog: a rank with samples left that finishes none for this long stalls (0: off)
	// OnStall is called (from the watchdog's goroutine) with a message saying what the rank was
	// doing when it stalled; it must end the job. Required when StallTimeout > 0.
	OnStall func(msg string)
	Host    string // this rank's host name, for the report
	// Hook, if set, sees every sample before and after its solve: the tests' fault injection
	// (Fault). Production runs leave it nil.
	Hook Hook
	// Fields accumulates the mean and standard deviation of the solution at every node. The
	// journals keep QoIs, not fields: with Done, the journaled samples are solved again (for
	// the fields, and so for the whole result, as in an uninterrupted run), each checked bit
	// for bit against its journal record and not journaled again.
	Fields bool
	// CDFPoints, if > 0, asks for that many knots of every QoI's empirical distribution
	// function (Distribution.CDF, found exactly like the quantiles): the distribution plot's.
	CDFPoints int
	// Progress, if set, is called by the workers with the number of samples each batch finished;
	// it must be cheap and safe for concurrent use.
	Progress func(done int)
	// JournalDir, if set, is the -out directory: every finished sample is appended to the rank's
	// journal under JournalDir/journal/. Journals (may be nil) collects the open journals so that
	// a signal handler can flush them.
	JournalDir string
	Journals   *journal.Set
	// Done are the samples recovered from journals (-resume), sorted by index (a table that
	// may be on disk: journal.SortDir; nil: none): not solved again (unless Fields). The
	// ranks read it as they need it; none holds it.
	Done *journal.Sorted
	// Stream, on every rank, makes the campaign pass every record to rank 0 in sample order
	// once it is solved (for Sink), whatever its size; SpillDir is where a rank keeps its records
	// until then, beyond a few MiB (a temporary file, removed at once; "": os.TempDir()). Sink,
	// on rank 0, receives the records of that pass. (Without Stream, a campaign small enough
	// for ordered statistics passes its records too; Sink then receives them as well.)
	Stream   bool
	SpillDir string
	Sink     Sink
	// LevelsFit, if set, says whether the set-up of a multilevel campaign's first levels fits
	// the memory (the command line's estimate against what is available): RunMLMC asks before
	// it adds a level, and the ranks agree on the answer (any rank's no is everyone's).
	LevelsFit func(levels int) bool
}
