//go:build mpi && cgo

package spmdtest

// The MPI conformance run. Build the test binary once and start it under a launcher:
//
//	go test -tags mpi -c -o /tmp/spmdtest.test ./spmd/spmdtest
//	mpirun -np 4 /tmp/spmdtest.test -test.v
//
// MPI is initialised with MPI_THREAD_FUNNELED, so every MPI call must come from the thread
// that called MPI_Init_thread. go test runs each Test function on a goroutine of its own,
// which is never that thread; so TestMain, which runs on the main goroutine, locked to the main
// OS thread by the init below, runs every collective case before m.Run and records the
// results, and TestMPIConformance only reports them. The backend enforces the rule: an MPI
// call from any other thread panics (TestMPIOffThreadPanics).

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"mcfem/spmd"
)

// Keep the main goroutine, and so TestMain, on the main OS thread.
func init() { runtime.LockOSThread() }

// mpiHangTimeout bounds the collective cases on each rank. It catches a deadlock, not a slow
// run: the suite takes about a second at P = 4 on two oversubscribed cores.
const mpiHangTimeout = 60 * time.Second

// caseResult is the outcome of one conformance case on this rank.
type caseResult struct {
	name string
	err  error
}

// mpiRun holds what TestMain recorded; nil when the binary was not started by a launcher.
var mpiRun *struct {
	comm    spmd.Comm
	results []caseResult
	limits  []caseResult
}

func TestMain(m *testing.M) {
	if _, _, ok := spmd.LaunchedByMPI(); !ok {
		os.Exit(m.Run()) // the MPI tests skip themselves
	}
	c, err := spmd.InitMPI()
	if err != nil {
		// No communicator to abort with: exiting without MPI_Finalize makes mpirun end the job.
		fmt.Fprintf(os.Stderr, "spmdtest: %v\n", err)
		os.Exit(1)
	}
	r := c.Rank()
	// A hang would otherwise last until the outer timeout. Abort off the MPI thread exits the
	// process, and mpirun then ends the job.
	watchdog := time.AfterFunc(mpiHangTimeout, func() {
		c.Abort(1, fmt.Sprintf("rank %d: conformance cases still running after %v: deadlock?", r, mpiHangTimeout))
	})
	results := runCases(c)
	results = append(results, caseResult{"heartbeat", heartbeatCase(c)})
	limits := countLimits(c)
	watchdog.Stop()
	mpiRun = &struct {
		comm    spmd.Comm
		results []caseResult
		limits  []caseResult
	}{c, results, limits}

	code := m.Run()

	// Every rank must pass, or the job fails. A failing rank says why before the ranks agree,
	// so that its lines are out before anyone aborts.
	failed := int64(0)
	if code != 0 {
		failed = int64(c.Size() - r)
		var msg strings.Builder
		fmt.Fprintf(&msg, "rank %d: FAIL: go test exit code %d\n", r, code)
		for _, res := range results {
			if res.err != nil {
				fmt.Fprintf(&msg, "rank %d: FAIL %s: %v\n", r, res.name, res.err)
			}
		}
		_, _ = os.Stderr.WriteString(msg.String())
	}
	// v = Size - (the lowest failing rank), or 0 when every rank passed.
	v := []int64{failed}
	if err := c.AllreduceInt64s(v, v, spmd.Max); err != nil {
		c.Abort(1, fmt.Sprintf("rank %d: agreeing on the outcome: %v", r, err))
	}
	if v[0] != 0 {
		// One rank aborts the job: concurrent MPI_Aborts garble mpirun's report
		// (ORTE_ERROR_LOG: Data unpack had inadequate space). The others wait to be ended.
		if first := c.Size() - int(v[0]); r == first {
			c.Abort(1, fmt.Sprintf("rank %d: FAIL: conformance failed, aborting the job", r))
		}
		_ = c.Barrier() // never completes: the first failing rank does not enter it
		c.Abort(1, "")
	}
	if err := spmd.FinalizeMPI(); err != nil {
		fmt.Fprintf(os.Stderr, "rank %d: %v\n", r, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runCases runs every case on c, on the calling (MPI) thread, in the same order on every rank.
// A wrong value is recorded and the run goes on, since every case makes the same collective
// calls whatever it finds. A failed collective call or a panic leaves the ranks out of step,
// so either aborts the job at once with a message naming the rank.
func runCases(c spmd.Comm) []caseResult {
	var results []caseResult
	for _, tc := range Cases() {
		err := runCase(c, tc)
		if err != nil && !errors.As(err, new(*mismatch)) {
			c.Abort(1, fmt.Sprintf("rank %d: FAIL %s: collective call failed: %v", c.Rank(), tc.Name, err))
		}
		results = append(results, caseResult{tc.Name, err})
	}
	return results
}

// heartbeatCase runs spmd's heartbeat (timeout 1 s, a beat every 250 ms) over two seconds of
// collectives in which the last rank is slow (it sleeps 600 ms, below the timeout, before each
// of three allreduces, while the others wait in them): nobody may be found silent, and Stop
// matches every beat (a beat left unmatched would show as an error or a hang in Finalize).
func heartbeatCase(c spmd.Comm) error {
	silent := make(chan string, c.Size())
	hb, err := spmd.StartHeartbeat(c, time.Second, func(peer int, d time.Duration) {
		silent <- fmt.Sprintf("rank %d silent for %s", peer, d)
		select {} // the case reports it; the heartbeat goroutine stays here
	})
	if err != nil {
		return err
	}
	if (hb == nil) != (c.Size() == 1) {
		return fmt.Errorf("StartHeartbeat gave %v on %d ranks", hb, c.Size())
	}
	for range 3 {
		if c.Rank() == c.Size()-1 {
			time.Sleep(600 * time.Millisecond)
		}
		v := []int64{1}
		if err := c.AllreduceInt64s(v, v, spmd.Sum); err != nil {
			return err
		}
		if v[0] != int64(c.Size()) {
			return fmt.Errorf("allreduce under the heartbeat gave %d, want %d", v[0], c.Size())
		}
	}
	select {
	case msg := <-silent:
		return errors.New("heartbeat: " + msg)
	default:
	}
	return hb.Stop()
}

// runCase runs tc, turning a panic into the end of the job.
func runCase(c spmd.Comm, tc Case) error {
	defer func() {
		if p := recover(); p != nil {
			c.Abort(1, fmt.Sprintf("rank %d: FAIL %s: panic: %v\n%s", c.Rank(), tc.Name, p, debug.Stack()))
		}
	}()
	return tc.Run(c)
}

// TestMPICountLimits reports countLimits.
func TestMPICountLimits(t *testing.T) {
	if mpiRun == nil {
		t.Skip("not started by an MPI launcher: run this test binary under mpirun")
	}
	for _, res := range mpiRun.limits {
		t.Run(res.name, func(t *testing.T) {
			if res.err != nil {
				t.Error(res.err)
			}
		})
	}
}

func TestMPIConformance(t *testing.T) {
	if mpiRun == nil {
		t.Skip("not started by an MPI launcher: run this test binary under mpirun")
	}
	r := mpiRun.comm.Rank()
	// The rank in the subtest names tells the interleaved output of the ranks apart.
	t.Run(fmt.Sprintf("rank=%d", r), func(t *testing.T) {
		for _, res := range mpiRun.results {
			t.Run(res.name, func(t *testing.T) {
				if res.err != nil {
					t.Errorf("rank %d: %v", r, res.err)
				}
			})
		}
	})
}

// TestMPIOffThreadPanics checks that the backend refuses an MPI call from a test goroutine,
// which is never the MPI thread, before it communicates: every rank panics alike, and no
// collective is left half entered.
func TestMPIOffThreadPanics(t *testing.T) {
	if mpiRun == nil {
		t.Skip("not started by an MPI launcher: run this test binary under mpirun")
	}
	c := mpiRun.comm
	// The counts of an empty gather to rank 0, significant on rank 0 only.
	var rootCounts []int
	if c.Rank() == 0 {
		rootCounts = make([]int, c.Size())
	}
	// In a fixed order: were a call not refused, every rank would still make the same calls.
	calls := []struct {
		name string
		call func()
	}{
		{"Barrier", func() { _ = c.Barrier() }},
		{"AllreduceFloat64s", func() { _ = c.AllreduceFloat64s(make([]float64, 1), make([]float64, 1), spmd.Sum) }},
		{"AllreduceInt64s", func() { _ = c.AllreduceInt64s(nil, nil, spmd.Max) }},
		{"BcastFloat64s", func() { _ = c.BcastFloat64s(make([]float64, 3), 0) }},
		{"GathervFloat64s", func() { _ = c.GathervFloat64s(nil, nil, rootCounts, 0) }},
		{"BcastBytes", func() { _ = c.BcastBytes(make([]byte, 3), 0) }},
		{"GathervBytes", func() { _ = c.GathervBytes(nil, nil, rootCounts, 0) }},
		{"FinalizeMPI", func() { _ = spmd.FinalizeMPI() }},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			got := recovered(tc.call)
			s, _ := got.(string)
			if !strings.HasPrefix(s, "spmd: MPI called off the thread that called InitMPI") {
				t.Errorf("rank %d: %s from a test goroutine: panic %q, want the off-thread panic", c.Rank(), tc.name, got)
			}
		})
	}
}

// TestMPIMisuse makes each programmer error of the shared table from a test goroutine: where
// the backend can see the error (every rank, or root only for RootOnly), it must panic with the
// table's message, the local backend's, before the off-thread check; elsewhere it refuses the
// call as off the MPI thread. Either way nothing communicates.
func TestMPIMisuse(t *testing.T) {
	if mpiRun == nil {
		t.Skip("not started by an MPI launcher: run this test binary under mpirun")
	}
	c := mpiRun.comm
	const offThread = "spmd: MPI called off the thread that called InitMPI"
	for _, m := range Misuses() {
		t.Run(m.Name, func(t *testing.T) {
			got := recovered(func() { _ = m.Call(c) })
			s, _ := got.(string)
			if !m.RootOnly || c.Rank() == 0 {
				if s != m.Msg {
					t.Errorf("rank %d: panic %q, want %q", c.Rank(), got, m.Msg)
				}
			} else if !strings.HasPrefix(s, offThread) {
				t.Errorf("rank %d: panic %q, want the off-thread panic", c.Rank(), got)
			}
		})
	}
}

// recovered calls f and returns the value it panicked with, or nil.
func recovered(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}
