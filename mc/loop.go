package mc

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mcfem/journal"
	"mcfem/problem"
	"mcfem/stats"
)

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

// pipeline is the one sample loop of every campaign (run, -tol rounds, MLMC levels, bench):
// Threads workers take the next batch of up to Batch samples in turn (dynamic hand-out: a
// worker never idles while the rank has samples left), draw each sample's inputs from its own
// stream, solve the batch through the evaluator, apply the failure policy, and hand the
// records to the journal, the field sums and the progress counter.
type pipeline struct {
	ev        evaluator
	seed      uint64
	stream    uint64
	batch     int
	onFailure string
	maxit     int // the solver's iteration cap (named in a failed retry's error)
	rank      int
	t0        time.Time // the rank's start, for the records' Start
	opt       Options
	jw        *journal.Writer  // nil: no journal
	done      []journal.Record // the window's journaled samples solved again (for the fields), by index
	doneVals  []float64        // their inputs and QoIs
	fields    *fieldSums       // nil: no field sums
	lastSync  atomic.Int64
	workers   []*worker // allocated by the first run, reused by the next ones
	des       *design   // the inputs' design; nil: plain Monte Carlo (Draw)
}

// draw sets in to sample i's inputs through the design (u and x: scratch of its dimensions),
// or by plain Monte Carlo.
func (pl *pipeline) draw(src *rand.PCG, i int, in *problem.Inputs, u []float64, x []uint64) {
	if pl.des != nil {
		pl.des.draw(pl.ev.problem(), src, i, in, u, x)
		return
	}
	Draw(pl.ev.problem(), src, pl.seed, pl.stream, i, in)
}

// run solves the samples idx, writing sample idx[p]'s record into recs[p] (so the records'
// order does not depend on the threads), and returns the exact power sums of the QoIs of the
// samples that count (one per QoI, with their costs). Each batch's records are appended to
// the journal before the next batch starts. It returns the first error; the other workers stop
// at their next batch.
func (pl *pipeline) run(idx []int, recs []Record) ([]stats.ExactPowerSums, error) {
	threads := max(pl.opt.Threads, 1)
	for w := len(pl.workers); w < threads; w++ {
		pl.workers = append(pl.workers, pl.newWorker(w))
	}
	workers := pl.workers
	for _, wk := range workers {
		clear(wk.sums)
	}
	var (
		next    atomic.Int64
		stop    atomic.Bool
		errOnce sync.Once
		first   error
	)
	pl.lastSync.Store(time.Now().UnixNano())
	wd := startWatchdog(pl.rank, threads, pl.opt, func() int64 {
		var n int64
		for _, wk := range workers {
			n += wk.ew.progress()
		}
		return n
	})
	defer wd.stop()
	work := func(wk *worker) {
		i := -1
		defer func() {
			if p := recover(); p != nil {
				errOnce.Do(func() { first = &PanicError{Sample: i, Value: p, Stack: string(debug.Stack())} })
				stop.Store(true)
			}
		}()
		k := pl.batch
		for !stop.Load() {
			p := int(next.Add(int64(k)) - int64(k))
			if p >= len(idx) {
				return
			}
			n := min(k, len(idx)-p)
			i = idx[p]
			wd.begin(wk.id, i)
			if err := wk.batch(idx[p:p+n], recs[p:p+n]); err != nil {
				errOnce.Do(func() { first = err })
				stop.Store(true)
				return
			}
			wd.done(wk.id)
			if pl.opt.Progress != nil {
				pl.opt.Progress(n)
			}
		}
	}
	if threads == 1 {
		work(workers[0])
	} else {
		var wg sync.WaitGroup
		for _, wk := range workers {
			wg.Go(func() { work(wk) })
		}
		wg.Wait()
	}
	sums := make([]stats.ExactPowerSums, pl.ev.numQoIs())
	for _, wk := range workers {
		for q := range sums {
			sums[q].Merge(&wk.sums[q])
		}
	}
	return sums, first
}

// runRange solves the samples first, …, first+n−1 in windows of at most window samples, one
// window of records (of ni inputs and nq QoIs) reused for all, calling each (if not nil) with
// every window's records, and returns the exact sums of all of them: no O(n) memory.
func (pl *pipeline) runRange(first, n, ni, nq int, each func([]Record)) ([]stats.ExactPowerSums, error) {
	m := min(window, n)
	recs, idx := newRecords(m, ni, nq), make([]int, m)
	sums := make([]stats.ExactPowerSums, pl.ev.numQoIs())
	for w := 0; w < n; w += window {
		k := min(window, n-w)
		for j := range idx[:k] {
			idx[j] = first + w + j
		}
		s, err := pl.run(idx[:k], recs[:k])
		if err != nil {
			return nil, err
		}
		for q := range sums {
			sums[q].Merge(&s[q])
		}
		if each != nil {
			each(recs[:k])
		}
	}
	return sums, nil
}

// worker is one thread's state, allocated once per run and reused by every batch.
type worker struct {
	pl    *pipeline
	id    int
	ew    evalWorker
	src   *rand.PCG
	ins   []*problem.Inputs
	out   []Outcome
	jrec  []journal.Record
	first []int     // the batch's statuses after the first attempt
	u     []float64 // the design's point (nil: plain Monte Carlo)
	x     []uint64  // its integer coordinates
	sums  []stats.ExactPowerSums
}

func (pl *pipeline) newWorker(id int) *worker {
	k, nq := pl.batch, pl.ev.numQoIs()
	wk := &worker{pl: pl, id: id, ew: pl.ev.newWorker(), src: rand.NewPCG(0, 0), ins: make([]*problem.Inputs, k),
		out: make([]Outcome, k), jrec: make([]journal.Record, k), first: make([]int, k), sums: make([]stats.ExactPowerSums, nq)}
	if pl.des != nil {
		wk.u, wk.x = make([]float64, pl.des.dims), make([]uint64, pl.des.dims)
	}
	for j := range k {
		wk.ins[j] = pl.ev.problem().NewInputs()
		wk.out[j] = Outcome{QoIs: make([]float64, nq), Costs: make([]int64, nq)}
	}
	return wk
}

// batch draws, solves and records the samples idx. A batch's wall time is shared equally by
// its samples. A failed sample (not converged, breakdown, non-finite QoI) is handled by the
// failure policy: "fail" returns an error naming it, "skip" records it with its status (and
// NaN QoIs), "retry" solves it once more alone with ten times the iterations, and fails if that
// fails too. The field sums take the batch's solutions before any retry overwrites them.
func (wk *worker) batch(idx []int, recs []Record) error {
	pl := wk.pl
	p := pl.ev.problem()
	ts := time.Now()
	repeat := 1
	for j, i := range idx {
		if pl.opt.Hook != nil {
			repeat = max(repeat, pl.opt.Hook.Before(pl.rank, i))
		}
		pl.draw(wk.src, i, wk.ins[j], wk.u, wk.x)
	}
	ins, out, first := wk.ins[:len(idx)], wk.out[:len(idx)], wk.first[:len(idx)]
	for range repeat {
		wk.ew.solve(ins, out)
	}
	sec := time.Since(ts).Seconds() / float64(len(idx))
	for j, i := range idx {
		if pl.opt.Hook != nil {
			pl.opt.Hook.After(pl.rank, i, &out[j], false)
		}
		first[j] = out[j].status()
	}
	if pl.fields != nil {
		pl.fields.add(wk.id, wk.ew.(*singleWorker), idx, first)
	}
	for j, i := range idx {
		o := &out[j]
		st := first[j]
		if st != StatusOK && pl.onFailure == "retry" {
			wk.ew.retry(ins[j], o)
			if pl.opt.Hook != nil {
				pl.opt.Hook.After(pl.rank, i, o, true)
			}
			if st2 := o.status(); st2 == StatusOK {
				st = StatusRetried
				if pl.fields != nil && i == 0 {
					pl.fields.setSample0(wk.ew.(*singleWorker))
				}
			} else {
				o.Err = fmt.Errorf("%s after a retry with %d iterations: %w", StatusNames[st2], 10*pl.maxit, o.failure())
			}
		}
		if !ok(st) {
			if pl.onFailure != "skip" {
				return fmt.Errorf("%s%s: %w", pl.ev.label(i), inputsLabel(p.InputNames(), ins[j].Values), o.failure())
			}
			fill(o.QoIs, math.NaN())
		}
		r := &recs[j]
		r.Index, r.Iterations, r.Residual, r.Status = i, o.Iterations, o.Residual, st
		r.Seconds, r.Rank, r.Thread, r.Start = sec, pl.rank, wk.id, ts.Sub(pl.t0).Seconds()+float64(float64(j)*sec)
		copy(r.Inputs, ins[j].Values)
		copy(r.QoIs, o.QoIs)
		if ok(st) {
			for q := range wk.sums {
				wk.sums[q].Add(o.QoIs[q], o.Costs[q])
			}
		}
	}
	return wk.journal(recs)
}

// journalSyncEvery is how often a rank fsyncs its journal while it solves.
const journalSyncEvery = 2 * time.Second

// journal appends the batch's records to the journal, if any, and fsyncs it every few
// seconds: a record is safe from a killed process once Append returns, and from an OS crash
// once synced. A sample already journaled (pipeline.done: solved again for the fields of a
// resumed campaign) is not appended again; its record must equal the journal's bit for bit.
func (wk *worker) journal(recs []Record) error {
	pl := wk.pl
	n := 0
	for j := range recs {
		r := recs[j].journalRecord()
		if d := pl.journaled(recs[j].Index); d != nil {
			if diff := journal.Diff(*d, r); diff != "" {
				return fmt.Errorf("%s, solved again for -fields, differs from its journal record (journal vs now: %s): the journals were written by a build that computes other results; resume without -fields, or start over with -overwrite", pl.ev.label(recs[j].Index), diff)
			}
			continue
		}
		wk.jrec[n] = r
		n++
	}
	if pl.jw == nil || n == 0 {
		return nil
	}
	if err := pl.jw.Append(wk.jrec[:n]); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if now := time.Now().UnixNano(); now-pl.lastSync.Load() > int64(journalSyncEvery) {
		pl.lastSync.Store(now)
		if err := pl.jw.Sync(); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
	}
	return nil
}

// loadDone reads the journaled samples of indices in [lo, hi) from done into pl.done (copies,
// in storage reused window after window): the journal records that the window's samples,
// solved again for the fields, are checked against.
func (pl *pipeline) loadDone(done *journal.Sorted, lo, hi int) error {
	a, b, err := within(done, lo, hi)
	if err != nil {
		return err
	}
	ni, nq := len(pl.ev.problem().InputNames()), pl.ev.numQoIs()
	pl.done = pl.done[:0]
	if need := (b - a) * (ni + nq); cap(pl.doneVals) < need {
		pl.doneVals = make([]float64, need)
	}
	c := done.Cursor(a, b)
	for k := 0; ; k++ {
		d, err := c.Next()
		if d == nil || err != nil {
			return err
		}
		v := pl.doneVals[k*(ni+nq) : (k+1)*(ni+nq) : (k+1)*(ni+nq)]
		copy(v, d.Inputs)
		copy(v[ni:], d.QoIs)
		r := *d
		r.Inputs, r.QoIs = v[:ni:ni], v[ni:]
		pl.done = append(pl.done, r)
	}
}

// journaled returns sample i's journal record when i is one of pl.done, or nil.
func (pl *pipeline) journaled(i int) *journal.Record {
	k, found := slices.BinarySearchFunc(pl.done, int64(i), func(r journal.Record, i int64) int { return cmp.Compare(r.Index, i) })
	if !found {
		return nil
	}
	return &pl.done[k]
}

// inputsLabel names a sample's inputs for a message: " (eps=0.25, a=1.5)", "" without any.
func inputsLabel(names []string, values []float64) string {
	if len(names) == 0 {
		return ""
	}
	parts := make([]string, len(names))
	for k, n := range names {
		parts[k] = fmt.Sprintf("%s=%g", n, values[k])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
