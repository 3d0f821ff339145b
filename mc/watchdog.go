package mc

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// watchdog ends the job when a rank that still has samples to do makes no progress for
// StallTimeout: no sample finished and no step of its solvers (a few CG iterations, a direct
// solve; solver.Worker.Progress). A slow solve whose iterations advance is never a stall. It
// runs only during the sample loop: a rank that is done and waits in the final gather for
// slower ranks is waiting legitimately and is never timed out (a rank that stops altogether,
// stopped by a signal or frozen with its node, is found by the other ranks: spmd's heartbeat).
type watchdog struct {
	last    atomic.Int64   // unix nanoseconds of the last progress (or of the start)
	current []atomic.Int64 // per worker: the sample in hand, or -1
	since   []atomic.Int64 // per worker: when it took it
	quit    chan struct{}
	once    sync.Once
}

// startWatchdog starts the watchdog of rank's threads; progress returns the solvers' work so
// far (summed over the threads).
func startWatchdog(rank, threads int, opt Options, progress func() int64) *watchdog {
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
		work := progress()
		for {
			select {
			case <-wd.quit:
				return
			case now := <-tick.C:
				if w := progress(); w != work {
					work = w
					wd.last.Store(now.UnixNano())
				}
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
	msg := fmt.Sprintf("mcfem: rank %d: stalled: no sample finished and no solver progress for %s (-stall-timeout)", rank, idle.Round(time.Millisecond))
	for w := range wd.current {
		if i := wd.current[w].Load(); i >= 0 {
			msg += fmt.Sprintf("; thread %d has been solving sample %d for %s", w, i, now.Sub(time.Unix(0, wd.since[w].Load())).Round(time.Millisecond))
		}
	}
	return msg
}
