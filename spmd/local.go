package spmd

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// RunLocal runs f on p ranks, each a goroutine with its own Comm, and waits for all.
// Returns nil when every rank returned nil. If a rank returns an error or panics, the job is
// marked failed: every collective that is blocked or entered later on any other rank returns
// ErrAborted promptly (never hangs), and RunLocal returns that first failure as *RankError
// (errors from other ranks that are just ErrAborted are not the cause and are dropped).
// If a rank calls Abort, RunLocal returns *AbortError (Abort on the local backend marks the job
// aborted, wakes every waiter, and ends the calling goroutine with runtime.Goexit: it never returns).
// A rank that returns while others wait in a collective, or that ends by runtime.Goexit, also
// fails the job instead of leaving the others blocked.
// Panics "spmd: ..." if p < 1.
//
// A rank that never enters another collective after the job failed keeps running; RunLocal
// still waits for it.
func RunLocal(p int, f func(c Comm) error) error {
	if p < 1 {
		panic("spmd: RunLocal: p < 1")
	}
	w := &world{
		p:     p,
		calls: make([]call, p),
		f64:   make([][]float64, p),
		i64:   make([][]int64, p),
		u8:    make([][]byte, p),
	}
	w.cond.L = &w.mu
	var wg sync.WaitGroup
	for r := range p {
		wg.Go(func() { w.run(r, f) })
	}
	wg.Wait()
	return w.failed
}

// world is the state the ranks of one RunLocal job share. Each collective is
//
//	publish the call and the data in this rank's slots; sync;
//	check that all ranks made the same call; read the slots; sync.
//
// The second sync keeps every rank from refilling its slots before all have read them. Slots
// hold copies, so no rank ever touches another rank's buffers.
type world struct {
	p int

	mu      sync.Mutex
	cond    sync.Cond // on mu; broadcast when a generation completes or the job fails
	arrived int       // ranks waiting in the current generation of the barrier
	gen     uint64    // completed barrier generations
	failed  error     // first failure: *RankError or *AbortError; nil while the job is healthy
	exited  int       // ranks whose f returned nil
	exitedR int       // the first of them

	// Slots, one per rank, written by their rank only before the first sync of a collective.
	calls []call
	f64   [][]float64
	i64   [][]int64
	u8    [][]byte
}

// call describes a rank's collective call; every rank must make an equal one. The name is the
// method's, so a rank in BcastBytes and one in BcastFloat64s are told apart.
type call struct {
	name string
	n    int // vector length; -1 where it may differ between ranks
	op   Op  // -1 when unused
	root int // -1 when unused
}

func (k call) String() string {
	var args []string
	if k.n >= 0 {
		args = append(args, fmt.Sprintf("len %d", k.n))
	}
	if k.op >= 0 {
		args = append(args, k.op.String())
	}
	if k.root >= 0 {
		args = append(args, fmt.Sprintf("root %d", k.root))
	}
	return k.name + "(" + strings.Join(args, ", ") + ")"
}

// run is the body of rank r's goroutine: it turns the ways f can end into the job's state.
func (w *world) run(r int, f func(Comm) error) {
	returned := false
	defer func() {
		if returned {
			return
		}
		if v := recover(); v != nil {
			w.fail(&RankError{Rank: r, Err: panicError(v), Stack: string(debug.Stack())})
			return
		}
		// runtime.Goexit: after Abort the AbortError is already recorded and this is dropped.
		w.fail(&RankError{Rank: r, Err: errors.New("spmd: rank ended by runtime.Goexit")})
	}()
	err := f(&localComm{w: w, rank: r})
	returned = true
	if err != nil {
		w.fail(&RankError{Rank: r, Err: err})
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.exited++
	if w.exited == 1 {
		w.exitedR = r
	}
	if w.arrived > 0 {
		w.failLocked(&RankError{Rank: r, Err: errors.New("spmd: rank returned while other ranks wait in a collective")})
	}
}

// panicError describes the panic value v, wrapping it when it is an error.
func panicError(v any) error {
	if err, ok := v.(error); ok {
		return fmt.Errorf("panic: %w", err)
	}
	return fmt.Errorf("panic: %v", v)
}

// fail records err as the job's failure unless one is recorded already, and wakes every waiter.
func (w *world) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.failLocked(err)
}

func (w *world) failLocked(err error) {
	if w.failed == nil {
		w.failed = err
		w.cond.Broadcast()
	}
}

// alive returns ErrAborted once the job has failed. A rank checks it before it writes its
// slots: a rank that left the previous collective early, by ErrAborted, must not overwrite
// slots that others may still read.
func (w *world) alive() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failed != nil {
		return ErrAborted
	}
	return nil
}

// sync is the barrier: it returns nil once all p ranks have arrived, or ErrAborted as soon as
// the job fails. A rank that arrives after another rank returned could wait forever, so that
// fails the job.
func (w *world) sync(r int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failed == nil && w.exited > 0 {
		w.failLocked(&RankError{Rank: r, Err: fmt.Errorf("spmd: collective called after rank %d returned", w.exitedR)})
	}
	if w.failed != nil {
		return ErrAborted
	}
	w.arrived++
	if w.arrived == w.p {
		w.arrived = 0
		w.gen++
		w.cond.Broadcast()
		return nil
	}
	for g := w.gen; g == w.gen; {
		if w.failed != nil {
			return ErrAborted
		}
		w.cond.Wait()
	}
	return nil
}

// checkCalls panics on every rank if the ranks entered different collectives.
func (w *world) checkCalls() {
	for r, k := range w.calls {
		if k != w.calls[0] {
			panic(fmt.Sprintf("spmd: mismatched collectives: rank 0 called %v, rank %d called %v", w.calls[0], r, k))
		}
	}
}

// localComm is rank's Comm in a RunLocal job.
type localComm struct {
	w    *world
	rank int
}

func (c *localComm) Rank() int { return c.rank }
func (c *localComm) Size() int { return c.w.p }

// collective runs one collective call k: put fills this rank's slots, get reads all slots.
func (c *localComm) collective(k call, put, get func()) error {
	w := c.w
	if err := w.alive(); err != nil {
		return err
	}
	w.calls[c.rank] = k
	if put != nil {
		put()
	}
	if err := w.sync(c.rank); err != nil {
		return err
	}
	w.checkCalls()
	if get != nil {
		get()
	}
	return w.sync(c.rank)
}

func (c *localComm) Barrier() error {
	return c.collective(call{name: "Barrier", n: -1, op: -1, root: -1}, nil, nil)
}

func (c *localComm) AllreduceFloat64s(dst, src []float64, op Op) error {
	checkAllreduce(len(dst), len(src), op)
	return allreduce(c, c.w.f64, dst, src, op, "AllreduceFloat64s")
}

func (c *localComm) AllreduceInt64s(dst, src []int64, op Op) error {
	checkAllreduce(len(dst), len(src), op)
	return allreduce(c, c.w.i64, dst, src, op, "AllreduceInt64s")
}

// allreduce implements both Allreduce methods; slots is the world's slot slice for T.
func allreduce[T float64 | int64](c *localComm, slots [][]T, dst, src []T, op Op, name string) error {
	return c.collective(call{name: name, n: len(src), op: op, root: -1},
		func() { slots[c.rank] = append(slots[c.rank][:0], src...) },
		func() { reduce(dst, slots, op) })
}

// reduce sets dst to the element-wise reduction with op of srcs[0], srcs[1], …, in that order.
// The builtin min and max propagate NaN and order -0 before +0.
func reduce[T float64 | int64](dst []T, srcs [][]T, op Op) {
	copy(dst, srcs[0])
	for _, s := range srcs[1:] {
		s = s[:len(dst)]
		switch op {
		case Sum:
			for i, v := range s {
				dst[i] += v
			}
		case Min:
			for i, v := range s {
				dst[i] = min(dst[i], v)
			}
		case Max:
			for i, v := range s {
				dst[i] = max(dst[i], v)
			}
		}
	}
}

func (c *localComm) BcastFloat64s(buf []float64, root int) error {
	return bcast(c, c.w.f64, buf, root, "BcastFloat64s")
}

func (c *localComm) BcastBytes(buf []byte, root int) error {
	return bcast(c, c.w.u8, buf, root, "BcastBytes")
}

func (c *localComm) GathervFloat64s(dst, src []float64, counts []int, root int) error {
	return gatherv(c, c.w.f64, dst, src, counts, root, "GathervFloat64s")
}

func (c *localComm) GathervBytes(dst, src []byte, counts []int, root int) error {
	return gatherv(c, c.w.u8, dst, src, counts, root, "GathervBytes")
}

// bcast implements the Bcast methods; slots is the world's slot slice for T.
func bcast[T float64 | byte](c *localComm, slots [][]T, buf []T, root int, name string) error {
	checkRoot(root, c.w.p)
	return c.collective(call{name: name, n: len(buf), op: -1, root: root},
		func() {
			if c.rank == root {
				slots[root] = append(slots[root][:0], buf...)
			}
		},
		func() {
			if c.rank != root {
				copy(buf, slots[root])
			}
		})
}

// gatherv implements the Gatherv methods; slots is the world's slot slice for T. Every rank's
// src is copied into its slot before root writes dst, so root's src may overlap dst.
func gatherv[T float64 | byte](c *localComm, slots [][]T, dst, src []T, counts []int, root int, name string) error {
	checkRoot(root, c.w.p)
	if c.rank == root {
		checkGatherv(len(dst), len(src), counts, c.rank, c.w.p)
	}
	return c.collective(call{name: name, n: -1, op: -1, root: root},
		func() { slots[c.rank] = append(slots[c.rank][:0], src...) },
		func() {
			if c.rank != root {
				return
			}
			off := 0
			for r, s := range slots {
				if len(s) != counts[r] {
					panic(fmt.Sprintf("spmd: Gatherv: rank %d sent %d values, counts[%d] = %d", r, len(s), r, counts[r]))
				}
				off += copy(dst[off:], s)
			}
		})
}

// Abort marks the job aborted, wakes every waiting rank and ends the calling goroutine.
func (c *localComm) Abort(code int, msg string) {
	c.w.fail(&AbortError{Rank: c.rank, Code: code, Msg: msg})
	runtime.Goexit()
}
