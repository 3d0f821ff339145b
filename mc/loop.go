package mc

import (
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"mcfem/fem"
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

// sampleLoop solves samples [lo, hi) with opt.Threads workers that take the next unsolved
// batch of cfg.Batch indices in turn (dynamic hand-out: a worker never idles while the rank has
// samples left) and writes each record into recs at its index, so the records' order does not
// depend on the threads. It returns the first error; the other workers stop at their next batch.
func sampleLoop(rank, lo, hi int, cfg Config, model *Model, opt Options, recs []float64, t0 time.Time, fields *fieldSums) error {
	threads := max(opt.Threads, 1)
	k := model.Batch
	solvers := make([]*Solver, threads)
	for w := range solvers {
		solvers[w] = model.NewSolver()
	}
	var (
		next    atomic.Int64
		stop    atomic.Bool
		errOnce sync.Once
		first   error
	)
	next.Store(int64(lo))
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
		for !stop.Load() {
			i = int(next.Add(int64(k)) - int64(k))
			if i >= hi {
				return
			}
			n := min(k, hi-i)
			wd.begin(w, i)
			if err := solveBatch(s, src, rank, w, i, eps[:n], cfg, opt.Fault, recs[recordLen*(i-lo):], t0); err != nil {
				errOnce.Do(func() { first = err })
				stop.Store(true)
				return
			}
			if fields != nil {
				fields.add(w, s, i, n)
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

// solveBatch draws the inputs of samples i, i+1, …, i+len(eps)-1, each from its own stream,
// solves them together and packs their records into recs (the record of sample i first). A
// batch's wall time is shared equally by its samples.
func solveBatch(s *Solver, src *rand.PCG, rank, thread, i int, eps []float64, cfg Config, fault *Fault, recs []float64, t0 time.Time) error {
	ts := time.Now()
	repeat := 1
	for j := range eps {
		if fault.hits(rank, i+j) {
			fault.inject(rank, i+j)
			repeat = max(repeat, fault.Repeat)
		}
		SeedSample(src, cfg.Seed, 0, uint64(i+j))
		eps[j] = cfg.Dist.Draw(i+j, src)
	}
	var (
		q    []float64
		res  []fem.Result
		errs []error
	)
	for range repeat {
		q, res, errs = s.SolveBatch(eps)
	}
	for j, err := range errs {
		if err != nil {
			return fmt.Errorf("sample %d (eps=%g): %w", i+j, eps[j], err)
		}
	}
	sec := time.Since(ts).Seconds() / float64(len(eps))
	for j := range eps {
		r := Record{Index: i + j, Eps: eps[j], QoI: q[j], Iterations: res[j].Iterations, Residual: res[j].Residual,
			Seconds: sec, Rank: rank, Thread: thread, Start: ts.Sub(t0).Seconds() + float64(j)*sec}
		r.pack(recs[recordLen*j:])
	}
	return nil
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
