package mc

import (
	"fmt"
	"time"

	"mcfem/journal"
	"mcfem/problem"
	"mcfem/solver"
	"mcfem/spmd"
	"mcfem/stats"
)

// campaign is one rank's state through the phases of Run, one per file: set-up (this file),
// rounds (rounds.go), combine (combine.go) and, on rank 0, the result (result.go).
type campaign struct {
	c    spmd.Comm
	cfg  Config
	opt  Options
	prob problem.Problem
	solv solver.Solver
	pl   *pipeline
	jw   *journal.Writer
	tm   RankTiming
	t0   time.Time // after the opening barrier: the origin of the rank's clock

	// The rounds' outcome.
	tally  *tally                 // the rank's records' tally; after combine, the campaign's
	codec  recordCodec            // the records' binary layout
	spill  *spill                 // the rank's records, in order, for the ordered pass (nil: no pass)
	blocks []int                  // per round, the number of samples solved (every rank's blocks of it)
	global []stats.ExactPowerSums // the allreduced sums, per QoI
	des    *design                // the inputs' design (nil: plain Monte Carlo)
	vals   *valueFile             // the rank's QoI values, for the quantiles (quantile.go)
	// reps are the allreduced sums of each replicate of the design, per QoI: reps[q][r].
	reps     [][]stats.ExactPowerSums
	computed int  // samples solved in this run (not from journals)
	resolved int  // journaled samples solved again (Options.Fields)
	owner0   int  // the rank that solves sample 0 (-1: none does)
	resolve  bool // the journaled samples are solved again (Options.Fields)
	rounds   []Round
}

// setup is the first phase: validate the configuration, then, timed, set up the problem and
// its solver once for the rank, the sample pipeline and the rank's journal.
func setup(c spmd.Comm, cfg Config, opt Options) (*campaign, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := checkStatuses(opt.Done, cfg); err != nil {
		return nil, err
	}
	cp := &campaign{c: c, cfg: cfg, opt: opt, tm: RankTiming{Rank: c.Rank(), Threads: max(opt.Threads, 1), Host: opt.Host}}
	// Start together, so that the ranks' clocks (for the trace) share an origin.
	if err := c.Barrier(); err != nil {
		return nil, err
	}
	cp.t0 = time.Now()
	var err error
	if cp.prob, err = problem.New(cfg.Problem); err != nil {
		return nil, err
	}
	sopt := cfg.Solver
	sopt.Samples = cfg.Samples
	if cp.solv, err = solver.New(cp.prob.System().K, sopt, cp.prob.Varying()); err != nil {
		return nil, err
	}
	if !cfg.Sensitivity { // a sensitivity design's solves are not a sample of the QoI
		cp.vals = &valueFile{nq: len(cp.prob.QoINames()), dir: opt.SpillDir}
	}
	if cp.des, err = newDesign(cfg, cp.prob, 0); err != nil {
		return nil, err
	}
	batch := cfg.Batch()
	cp.pl = &pipeline{des: cp.des, ev: &single{p: cp.prob, s: cp.solv, batch: batch}, seed: cfg.Seed, batch: batch,
		onFailure: cfg.OnFailure, maxit: cfg.Solver.MaxIt, rank: c.Rank(), t0: cp.t0, opt: opt}
	if opt.Fields {
		cp.pl.fields = newFieldSums(cp.prob.System(), max(opt.Threads, 1))
		cp.resolve = opt.Done.Len() > 0
	}
	if opt.JournalDir != "" {
		fields := cfg.JournalFields()
		if ch := solver.AutoChoiceOf(cp.solv); cfg.Solver.Method == "auto" && ch != "" {
			fields[AutoChoiceField] = ch // what a resume takes (Solver.AutoChoice)
		}
		h := journal.Header{Format: journal.Format, Fields: fields, Rank: c.Rank(), Ranks: c.Size(),
			Created: time.Now().UTC().Format(time.RFC3339), Inputs: len(cp.prob.InputNames()), QoIs: len(cp.prob.QoINames())}
		if cp.jw, err = journal.Create(opt.JournalDir, h); err != nil {
			return nil, err
		}
		opt.Journals.Add(cp.jw)
		cp.pl.jw = cp.jw
	}
	cp.tm.Estimate = cp.estimate()
	cp.tm.Phase[PhaseSetup] = time.Since(cp.t0).Seconds()
	return cp, nil
}

// checkStatuses returns an error naming the first journaled sample that the campaign may use
// (of an index below -samples, or -max-samples with -tol) whose status this version does not
// know.
func checkStatuses(done *journal.Sorted, cfg Config) error {
	limit := cfg.Samples
	if cfg.Tol > 0 {
		limit = max(limit, cfg.MaxSamples)
	}
	_, b, err := within(done, 0, limit)
	if err != nil || b == 0 {
		return err
	}
	c := done.Cursor(0, b)
	for {
		d, err := c.Next()
		if d == nil || err != nil {
			return err
		}
		if d.Status < 0 || int(d.Status) >= len(StatusNames) {
			return fmt.Errorf("mc: journal: sample %d has status %d, which this version does not know", d.Index, d.Status)
		}
	}
}

// closeJournal closes the rank's journal, if any.
func (cp *campaign) closeJournal() error {
	if cp.jw == nil {
		return nil
	}
	jw := cp.jw
	cp.jw = nil
	return cp.opt.Journals.Close(jw)
}
