package mc

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"mcfem/solver"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Options say how a campaign runs on this rank; none of them changes the results.
type Options struct {
	Threads      int           // worker goroutines per rank, sharing the rank's model (≥ 1; 0 means 1)
	StallTimeout time.Duration // watchdog: a rank with samples left that finishes none for this long stalls (0: off)
	// OnStall is called (from the watchdog's goroutine) with a message saying what the rank was
	// doing when it stalled; it must end the job. Required when StallTimeout > 0.
	OnStall func(msg string)
	Host    string // this rank's host name, for the report
	Fault   *Fault // test-only fault injection (nil: none)
	// Fields accumulates the mean and standard deviation of the solution at every node.
	Fields bool
	// Progress, if set, is called by the workers with the number of samples each batch finished;
	// it must be cheap and safe for concurrent use.
	Progress func(done int)
	// JournalDir, if set, is the -out directory: every finished sample is appended to the rank's
	// journal under JournalDir/journal/. Journals (may be nil) collects the open journals so that
	// a signal handler can flush them.
	JournalDir string
	Journals   *JournalSet
	// Done are the samples recovered from journals (-resume), sorted by index: not solved again.
	Done []JournalRecord
}

// PanicError is a panic recovered in a worker goroutine while it solved sample Sample (-1:
// between samples), carried to the rank's main goroutine so that the job is ended from there.
type PanicError struct {
	Sample int
	Value  any
	Stack  string
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("sample %d: panic: %v\n%s", e.Sample, e.Value, e.Stack)
}

// Sample statuses, as stored in records, journals and samples.csv.
const (
	StatusOK           = 0 // solved
	StatusNotConverged = 1 // CG reached -maxit
	StatusBreakdown    = 2 // CG broke down (non-SPD, NaN/Inf in the iteration)
	StatusNonFinite    = 3 // the QoI is NaN or ±Inf
	StatusRetried      = 4 // solved on the retry (-on-failure retry)
)

// StatusNames are the statuses as samples.csv writes them.
var StatusNames = []string{"ok", "not-converged", "breakdown", "non-finite", "retried"}

// ok reports whether a sample with status st counts in the statistics.
func ok(st int) bool { return st == StatusOK || st == StatusRetried }

// FailurePolicies lists the values of Config.OnFailure.
var FailurePolicies = []string{"fail", "skip", "retry"}

// sampleLoop solves the samples idx with opt.Threads workers that take the next unsolved batch
// of cfg.Batch of them in turn (dynamic hand-out: a worker never idles while the rank has
// samples left) and writes sample idx[p]'s record into recs at position p, so the records'
// order does not depend on the threads. Each batch's records are appended to the journal jw (if
// any) before the next batch starts. It returns the first error; the other workers stop at their
// next batch.
func sampleLoop(rank int, idx []int, cfg Config, model *Model, opt Options, recs []float64, t0 time.Time, fields *fieldSums, jw *JournalWriter) error {
	threads := max(opt.Threads, 1)
	k := model.Batch
	solvers := make([]*Solver, threads)
	for w := range solvers {
		solvers[w] = model.NewSolver()
	}
	var (
		next     atomic.Int64
		stop     atomic.Bool
		errOnce  sync.Once
		first    error
		lastSync atomic.Int64
	)
	lastSync.Store(time.Now().UnixNano())
	wd := startWatchdog(rank, threads, opt)
	defer wd.stop()

	work := func(w int) {
		i := -1
		defer func() {
			if p := recover(); p != nil {
				errOnce.Do(func() { first = &PanicError{Sample: i, Value: p, Stack: string(debug.Stack())} })
				stop.Store(true)
			}
		}()
		s := solvers[w]
		src := rand.NewPCG(0, 0)
		eps := make([]float64, k)
		jrecs := make([]JournalRecord, k)
		for !stop.Load() {
			p := int(next.Add(int64(k)) - int64(k))
			if p >= len(idx) {
				return
			}
			n := min(k, len(idx)-p)
			i = idx[p]
			wd.begin(w, i)
			out := recs[recordLen*p:]
			if err := solveBatch(s, src, rank, w, idx[p:p+n], eps[:n], cfg, opt.Fault, out, t0); err != nil {
				errOnce.Do(func() { first = err })
				stop.Store(true)
				return
			}
			if jw != nil {
				for j := range n {
					var r Record
					r.unpack(out[recordLen*j:])
					jrecs[j] = r.journal()
				}
				if err := jw.Append(jrecs[:n]); err != nil {
					errOnce.Do(func() { first = fmt.Errorf("journal: %w", err) })
					stop.Store(true)
					return
				}
				// fsync every few seconds: a record is safe from a killed process once Append
				// returns, and from an OS crash once synced.
				if now := time.Now().UnixNano(); now-lastSync.Load() > int64(journalSyncEvery) {
					lastSync.Store(now)
					if err := jw.Sync(); err != nil {
						errOnce.Do(func() { first = fmt.Errorf("journal: %w", err) })
						stop.Store(true)
						return
					}
				}
			}
			if fields != nil {
				fields.add(w, s, idx[p:p+n])
			}
			wd.done(w)
			if opt.Progress != nil {
				opt.Progress(n)
			}
		}
	}
	if threads == 1 {
		work(0)
		return first
	}
	var wg sync.WaitGroup
	for w := range threads {
		wg.Go(func() { work(w) })
	}
	wg.Wait()
	return first
}

// journalSyncEvery is how often a rank fsyncs its journal while it solves.
const journalSyncEvery = 2 * time.Second

// solveBatch draws the inputs of the samples idx, each from its own stream, solves them
// together and packs their records into recs (in idx's order). A batch's wall time is shared
// equally by its samples. A sample that fails (CG not converged, breakdown, non-finite QoI) is
// handled by cfg.OnFailure: "fail" returns an error naming it, "skip" records it with its status
// (and a NaN QoI), "retry" solves it once more alone with ten times the iterations, and fails if
// that fails too.
func solveBatch(s *Solver, src *rand.PCG, rank, thread int, idx []int, eps []float64, cfg Config, fault *Fault, recs []float64, t0 time.Time) error {
	ts := time.Now()
	repeat := 1
	for j, i := range idx {
		if fault.hits(rank, i) {
			fault.inject(rank, i)
			repeat = max(repeat, fault.Repeat)
		}
		SeedSample(src, cfg.Seed, 0, uint64(i))
		eps[j] = cfg.Dist.Draw(i, src)
		s.DrawField(src) // the random-field model (batch 1): its coefficients follow ε
	}
	var (
		q    []float64
		res  []solver.Result
		errs []error
	)
	for range repeat {
		q, res, errs = s.SolveBatch(eps)
	}
	sec := time.Since(ts).Seconds() / float64(len(eps))
	for j, i := range idx {
		r := Record{Index: i, Eps: eps[j], QoI: q[j], Iterations: res[j].Iterations, Residual: res[j].Residual,
			Seconds: sec, Rank: rank, Thread: thread, Start: ts.Sub(t0).Seconds() + float64(j)*sec}
		err := errs[j]
		if fault.hits(rank, i) {
			switch fault.Kind {
			case "nonconv":
				err = &solver.NotConvergedError{Iterations: r.Iterations, Residual: r.Residual, Tol: cfg.Rtol}
			case "nan":
				r.QoI = math.NaN()
			}
		}
		r.Status = failureStatus(err, r.QoI)
		if r.Status != StatusOK && cfg.OnFailure == "retry" {
			q1, res1, err1 := s.SolveRetry(eps[j])
			if fault.hits(rank, i) && fault.Kind == "nan" {
				q1 = math.NaN()
			}
			if st := failureStatus(err1, q1); st == StatusOK {
				r.QoI, r.Iterations, r.Residual, r.Status, err = q1, res1.Iterations, res1.Residual, StatusRetried, nil
			} else {
				err = fmt.Errorf("%s after a retry with %d iterations: %w", StatusNames[st], 10*cfg.MaxIt, orNonFinite(err1, q1))
			}
		}
		if r.Status != StatusOK && r.Status != StatusRetried {
			if cfg.OnFailure != "skip" {
				return fmt.Errorf("sample %d (eps=%g): %w", i, eps[j], orNonFinite(err, r.QoI))
			}
			r.QoI = math.NaN()
		}
		r.pack(recs[recordLen*j:])
	}
	return nil
}

// failureStatus classifies a solve's outcome.
func failureStatus(err error, qoi float64) int {
	switch {
	case errors.Is(err, solver.ErrNotConverged):
		return StatusNotConverged
	case err != nil:
		return StatusBreakdown
	case math.IsNaN(qoi) || math.IsInf(qoi, 0):
		return StatusNonFinite
	}
	return StatusOK
}

// orNonFinite returns err, or an error saying the QoI is not finite.
func orNonFinite(err error, qoi float64) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("the QoI is %g", qoi)
}

// watchdog ends the job when a rank that still has samples to do finishes none for
// StallTimeout. It runs only during the sample loop: a rank that is done and waits in the final
// gather for slower ranks is waiting legitimately and is never timed out.
type watchdog struct {
	last    atomic.Int64   // unix nanoseconds of the last finished (or first started) sample
	current []atomic.Int64 // per worker: the sample in hand, or -1
	since   []atomic.Int64 // per worker: when it took it
	quit    chan struct{}
	once    sync.Once
}

func startWatchdog(rank, threads int, opt Options) *watchdog {
	wd := &watchdog{current: make([]atomic.Int64, threads), since: make([]atomic.Int64, threads), quit: make(chan struct{})}
	for w := range wd.current {
		wd.current[w].Store(-1)
	}
	wd.last.Store(time.Now().UnixNano())
	if opt.StallTimeout <= 0 {
		return wd
	}
	period := min(opt.StallTimeout/4, time.Second)
	go func() {
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-wd.quit:
				return
			case now := <-tick.C:
				if idle := now.Sub(time.Unix(0, wd.last.Load())); idle > opt.StallTimeout {
					opt.OnStall(wd.report(rank, idle, now))
					return
				}
			}
		}
	}()
	return wd
}

func (wd *watchdog) begin(w, i int) {
	wd.since[w].Store(time.Now().UnixNano())
	wd.current[w].Store(int64(i))
}

func (wd *watchdog) done(w int) {
	wd.current[w].Store(-1)
	wd.last.Store(time.Now().UnixNano())
}

func (wd *watchdog) stop() { wd.once.Do(func() { close(wd.quit) }) }

func (wd *watchdog) report(rank int, idle time.Duration, now time.Time) string {
	msg := fmt.Sprintf("mcfem: rank %d: stalled: no sample finished for %s (-stall-timeout)", rank, idle.Round(time.Millisecond))
	for w := range wd.current {
		if i := wd.current[w].Load(); i >= 0 {
			msg += fmt.Sprintf("; thread %d has been solving sample %d for %s", w, i, now.Sub(time.Unix(0, wd.since[w].Load())).Round(time.Millisecond))
		}
	}
	return msg
}
