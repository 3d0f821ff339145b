package mc

import (
	"fmt"
	"math"
	"mcfem/solver"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Fault is a fault injected for tests (environment variable MCFEM_FAULT=rank:sample:kind): on
// rank Rank, when sample Sample starts (every sample of the rank if Sample is -1, written "*"),
//
//	panic   the worker panics
//	exit    the process prints a message and exits with code 3, without MPI_Finalize
//	hang    the worker blocks forever (the stall watchdog must catch it)
//	stop    the process stops itself with SIGSTOP, as kill -STOP does: every thread of it
//	        freezes, its watchdog too (the other ranks' heartbeat must catch it)
//	slowN   the sample is solved N times instead of once (N ≥ 2): N times the work, same result
//	nonconv the sample's first solve reports that CG did not converge (a retry succeeds)
//	nan     the sample's QoI comes out NaN (on every attempt)
//
// It exists to prove that a failing rank ends the whole job and that a slow rank does not. It
// is the sample loop's Hook in the tests and under MCFEM_FAULT; production runs have none.
type Fault struct {
	Rank, Sample int
	Kind         string  // "panic", "exit", "hang", "stop", "slow", "nonconv" or "nan"
	Repeat       int     // solves per sample for "slow"
	Rtol         float64 // the tolerance a nonconv fault's error names
}

// ParseFault parses MCFEM_FAULT's value; "" gives nil.
func ParseFault(s string) (*Fault, error) {
	if s == "" {
		return nil, nil
	}
	bad := func(why string) error {
		return fmt.Errorf("mc: MCFEM_FAULT=%q: %s (want rank:sample:kind, sample an index or *, kind panic|exit|hang|stop|slowN|nonconv|nan)", s, why)
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return nil, bad("not three fields")
	}
	f := &Fault{Sample: -1, Repeat: 1}
	var err error
	if f.Rank, err = strconv.Atoi(parts[0]); err != nil || f.Rank < 0 {
		return nil, bad("rank is not an integer ≥ 0")
	}
	if parts[1] != "*" {
		if f.Sample, err = strconv.Atoi(parts[1]); err != nil || f.Sample < 0 {
			return nil, bad("sample is neither * nor an integer ≥ 0")
		}
	}
	switch k := parts[2]; {
	case k == "panic" || k == "exit" || k == "hang" || k == "stop" || k == "nonconv" || k == "nan":
		f.Kind = k
	case strings.HasPrefix(k, "slow"):
		f.Kind = "slow"
		if f.Repeat, err = strconv.Atoi(k[4:]); err != nil || f.Repeat < 2 {
			return nil, bad("slowN needs N ≥ 2")
		}
	default:
		return nil, bad("unknown kind " + strconv.Quote(k))
	}
	return f, nil
}

// String returns the fault in MCFEM_FAULT's syntax.
func (f *Fault) String() string {
	sample, kind := "*", f.Kind
	if f.Sample >= 0 {
		sample = strconv.Itoa(f.Sample)
	}
	if kind == "slow" {
		kind += strconv.Itoa(f.Repeat)
	}
	return fmt.Sprintf("%d:%s:%s", f.Rank, sample, kind)
}

// Hook sees every sample of the sample loop before and after its solve: the one place where
// tests inject faults (Fault). Before may panic, exit or block, and returns how many times
// to solve the batch (1, or more to make the rank slow without changing a result); After may
// turn the outcome of a solve (retry: of the retry) into a failure.
type Hook interface {
	Before(rank, i int) (solves int)
	After(rank, i int, o *Outcome, retry bool)
}

// hits reports whether the fault fires at sample i of rank.
func (f *Fault) hits(rank, i int) bool {
	return f != nil && f.Rank == rank && (f.Sample < 0 || f.Sample == i)
}

// Before implements Hook: a panic, exit or hang fault fires; a slowN fault asks for N solves.
func (f *Fault) Before(rank, i int) int {
	if !f.hits(rank, i) {
		return 1
	}
	switch f.Kind {
	case "panic":
		panic(fmt.Sprintf("mc: injected fault MCFEM_FAULT=%s at sample %d", f, i))
	case "exit":
		// Test-only: a rank that dies without MPI_Finalize, as a crashed process does.
		fmt.Fprintf(os.Stderr, "mcfem: rank %d: sample %d: injected fault MCFEM_FAULT=%s: exiting with code 3\n", rank, i, f)
		os.Exit(3)
	case "hang":
		time.Sleep(1<<63 - 1)
	case "stop":
		fmt.Fprintf(os.Stderr, "mcfem: rank %d (pid %d): sample %d: injected fault MCFEM_FAULT=%s: stopping with SIGSTOP\n", rank, os.Getpid(), i, f)
		_ = syscall.Kill(os.Getpid(), syscall.SIGSTOP)
	}
	return f.Repeat
}

// After implements Hook: nonconv makes the first solve report that CG did not converge (a
// retry succeeds), nan makes every attempt's QoIs NaN.
func (f *Fault) After(rank, i int, o *Outcome, retry bool) {
	if !f.hits(rank, i) {
		return
	}
	switch {
	case f.Kind == "nonconv" && !retry:
		o.Err = &solver.NotConvergedError{Iterations: o.Iterations, Residual: o.Residual, Tol: f.Rtol}
	case f.Kind == "nan":
		fill(o.QoIs, math.NaN())
	}
}
