package mc

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/spmd"
)

func TestThreadsDoNotChangeResults(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 60, 8
	ref := runLocal(t, 1, cfg)
	for _, pt := range [][2]int{{1, 2}, {1, 4}, {2, 3}, {3, 2}, {7, 2}} {
		res := runLocalOpt(t, pt[0], cfg, Options{Threads: pt[1], Host: "h"})
		assert.Equal(t, resultsOnly(ref.Records), resultsOnly(res.Records), "P=%d T=%d", pt[0], pt[1])
		assert.Equal(t, statsBits(ref.Stats[0]), statsBits(res.Stats[0]), "P=%d T=%d", pt[0], pt[1])
		used := map[int]bool{}
		for _, r := range res.Records {
			used[r.Thread] = true
		}
		assert.LessOrEqual(t, len(used), pt[1])
		for _, tm := range res.Timing {
			assert.Equal(t, pt[1], tm.Threads)
			assert.Equal(t, "h", tm.Host)
		}
	}
}

func TestWorkerPanicBecomesPanicError(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 40, 8
	f, err := ParseFault("1:25:panic")
	require.NoError(t, err)
	err = spmd.RunLocal(2, func(c spmd.Comm) error {
		_, err := Run(c, cfg, Options{Threads: 3, Hook: f})
		return err
	})
	var pe *PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 25, pe.Sample)
	assert.Contains(t, pe.Value, "injected fault MCFEM_FAULT=1:25:panic at sample 25")
	assert.True(t, strings.HasPrefix(pe.Error(), "sample 25: panic: "), pe.Error())
	assert.Contains(t, pe.Stack, "fault.go")
}

func TestWatchdogCatchesAHang(t *testing.T) {
	// A worker that hangs at sample 3 of rank 0: the watchdog reports within the stall timeout
	// (plus one tick). The hung goroutine is left asleep; the test process ends it.
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 10, 8
	b, err := NewBench(cfg)
	require.NoError(t, err)
	f, err := ParseFault("0:3:hang")
	require.NoError(t, err)
	stalled := make(chan string, 1)
	b.pl.opt = Options{Threads: 2, StallTimeout: 300 * time.Millisecond, Hook: f, OnStall: func(msg string) { stalled <- msg }}
	start := time.Now()
	go func() { _, _ = b.Solve(cfg.Samples) }()
	select {
	case msg := <-stalled:
		// Bound: timeout 300 ms + one 75 ms tick + scheduling slack on a loaded 2-core machine.
		assert.Less(t, time.Since(start), 5*time.Second)
		assert.Contains(t, msg, "mcfem: rank 0: stalled: no sample finished and no solver progress for")
		assert.Contains(t, msg, "has been solving sample 3 for")
	case <-time.After(30 * time.Second):
		t.Fatal("the watchdog did not fire")
	}
}

func TestSlowRankIsNotAStall(t *testing.T) {
	// Rank 0 does sixteen times the work (every sample solved 16 times); the other ranks finish
	// early and wait in the collective longer than the stall timeout. Nobody may time out, and
	// the result is the unfaulted one.
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 2000, 32
	ref := runLocal(t, 1, cfg)
	f, err := ParseFault("0:*:slow16")
	require.NoError(t, err)
	// One sample of rank 0 (16 solves of ~0.3 ms) stays far below the stall timeout even on a
	// loaded machine; rank 0's ~7500 extra solves keep the others waiting longer than it.
	const stall = time.Second
	opt := Options{StallTimeout: stall, Hook: f,
		OnStall: func(msg string) { t.Errorf("watchdog fired: %s", msg) }}
	res := runLocalOpt(t, 4, cfg, opt)
	assert.Equal(t, resultsOnly(ref.Records), resultsOnly(res.Records))
	ph := res.Timing
	t.Logf("rank 0 solve %.3f s; rank 1 solve %.3f s, then waited %.3f s in combine",
		ph[0].Phase[PhaseSolve], ph[1].Phase[PhaseSolve], ph[1].Phase[PhaseCombine])
	// The test means something only if the others really waited longer than the stall timeout.
	require.Greater(t, ph[1].Phase[PhaseCombine], stall.Seconds())
}

func TestSlowSampleIsNotAStall(t *testing.T) {
	// One sample of rank 0 takes several stall timeouts (its solve repeated 1000 times), but its
	// CG iterations advance all along: the watchdog watches the solver's progress, not only
	// finished samples, and must not fire. (Before, it did: no sample finished for longer than
	// the timeout.)
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 4, 64
	ref := runLocal(t, 1, cfg)
	f, err := ParseFault("0:1:slow1000")
	require.NoError(t, err)
	const stall = 500 * time.Millisecond
	fired := make(chan string, 1)
	opt := Options{StallTimeout: stall, Hook: f, OnStall: func(msg string) { fired <- msg }}
	start := time.Now()
	res := runLocalOpt(t, 1, cfg, opt)
	took := time.Since(start)
	select {
	case msg := <-fired:
		t.Fatalf("watchdog fired: %s", msg)
	default:
	}
	assert.Equal(t, resultsOnly(ref.Records), resultsOnly(res.Records))
	t.Logf("the slow sample's run took %.2f s against a stall timeout of %s", took.Seconds(), stall)
	// The test means something only if the slow sample outlasted the timeout several times.
	require.Greater(t, took, 3*stall)
}

func TestParseFault(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want *Fault
	}{
		{"", nil},
		{"2:7:panic", &Fault{Rank: 2, Sample: 7, Kind: "panic", Repeat: 1}},
		{"0:*:exit", &Fault{Rank: 0, Sample: -1, Kind: "exit", Repeat: 1}},
		{"1:0:hang", &Fault{Rank: 1, Sample: 0, Kind: "hang", Repeat: 1}},
		{"0:*:slow4", &Fault{Rank: 0, Sample: -1, Kind: "slow", Repeat: 4}},
		{"3:5:stop", &Fault{Rank: 3, Sample: 5, Kind: "stop", Repeat: 1}},
	} {
		got, err := ParseFault(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		if got != nil {
			assert.Equal(t, tc.in, got.String())
		}
	}
	for _, bad := range []string{"1:2", "x:1:panic", "-1:1:panic", "1:-2:panic", "1:1:explode", "1:1:slow1", "1:1:slowx", "1:2:3:4"} {
		_, err := ParseFault(bad)
		require.Error(t, err, bad)
		assert.True(t, strings.HasPrefix(err.Error(), "mc: MCFEM_FAULT="), err.Error())
	}
}
