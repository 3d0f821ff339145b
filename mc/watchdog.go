package mc

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

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
