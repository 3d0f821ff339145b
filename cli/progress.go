package cli

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"mcfem/spmd"
)

// progressEvery is how often rank 0 reports progress on stderr (never before the first
// interval has passed, so short runs print nothing).
const progressEvery = 5 * time.Second

// progress counts finished samples and prints, every progressEvery, the count, the rate and an
// ETA. Workers add with one atomic operation per batch, which costs nothing measurable next to
// a solve. The count is exact for in-process ranks, which share the counter. Under MPI each
// process counts its own samples and no message is sent while samples run: rank 0 scales its
// own count by N / (its block size), an estimate that is exact when the ranks run at the same
// speed (the final report gives the true per-rank times).
type progress struct {
	done  atomic.Int64
	total int
	scale float64 // estimated global samples per counted sample
	note  string
	quit  chan struct{}
}

// startProgress starts the reporter; stop it with stop().
func startProgress(w io.Writer, total int, scale float64, note string) *progress {
	p := &progress{total: total, scale: scale, note: note, quit: make(chan struct{})}
	start := time.Now()
	go func() {
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		for {
			select {
			case <-p.quit:
				return
			case now := <-tick.C:
				el := now.Sub(start).Seconds()
				if total == 0 { // -tol: the count is not known in advance
					n := p.done.Load()
					fmt.Fprintf(w, "mcfem: %d samples%s, %.1f samples/s, elapsed %s\n", n, note, float64(n)/el, (time.Duration(el) * time.Second).Round(time.Second))
					continue
				}
				done := min(float64(p.done.Load())*p.scale, float64(total))
				rate := done / el
				eta := "-"
				if rate > 0 {
					eta = (time.Duration((float64(total)-done)/rate) * time.Second).Round(time.Second).String()
				}
				fmt.Fprintf(w, "mcfem: %.0f/%d samples (%.0f%%)%s, %.1f samples/s, elapsed %s, ETA %s\n",
					done, total, 100*done/float64(total), note, rate, (time.Duration(el) * time.Second).Round(time.Second), eta)
			}
		}
	}()
	return p
}

// startProgress starts the reporter of the job's samples (of a count unknown in advance with
// -tol) and makes the sample loop count into it; stop it with stop().
func (j *runJob) startProgress(w io.Writer, scale float64, note string) *progress {
	total := j.cfg.Samples
	if j.cfg.Tol > 0 {
		total = 0 // unknown in advance
	}
	p := startProgress(w, total, scale, note)
	j.opt.Progress = p.add
	return p
}

// startProgress starts the reporter of a multilevel campaign's coupled samples (their count
// is decided round by round: no ETA) and makes every level's sample loop count into it.
func (j *mlmcJob) startProgress(w io.Writer, note string) *progress {
	p := startProgress(w, 0, 1, note)
	j.opt.Progress = p.add
	return p
}

func (p *progress) add(n int) { p.done.Add(int64(n)) }

func (p *progress) stop() { close(p.quit) }

// rank0Scale is the factor from rank 0's count to the estimated global count under MPI.
func rank0Scale(c spmd.Comm, n int) float64 {
	lo, hi := spmd.Block(n, c.Size(), 0)
	if hi == lo {
		return 0
	}
	return float64(n) / float64(hi-lo)
}
