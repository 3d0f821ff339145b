package mc

import (
	"time"

	"mcfem/spmd"
)

// probeMinBatches is the least block, in batches, for which a rank probes -solver auto's
// choice: the probe solves two batches, so it costs at most 1/16 of the block's solves.
// probeMinSample is the least probed time of a sample for which the rank makes an estimate:
// the probe times the sample's solve (draw, load, solve, QoIs), not the loop's bookkeeping
// of a record (about a microsecond on the development machine, more with -out's journal and
// files), which dominates below it (at -mesh 2, a sample solves in 0.14 µs and costs 0.9).
const (
	probeMinBatches = 32
	probeMinSample  = 20e-6
)

// estimate is -solver auto's calibrated estimate, in seconds, of the rank's set-up and solve
// phases for its block of a fixed-N campaign: the set-up so far (measured, the probe included)
// plus the block's batches per worker at the probed time of a batch. The probe solves the
// rank's first batch twice through a worker of its own (drawn, loaded, solved, QoIs
// computed, nothing recorded or journaled: its outcomes are discarded, so it changes no
// result) and keeps the faster; the first solve warms the caches as the campaign's first
// batch does. The choice itself never depends on it (solver.chooseMethod uses fixed rates).
// It returns 0 where there is no estimate: not -solver auto, -tol (the rounds' sizes are not
// known yet), -resume or -fields, a block of fewer than probeMinBatches batches, or samples
// that solve in less than probeMinSample.
func (cp *campaign) estimate() float64 {
	cfg, opt := cp.cfg, cp.opt
	if cfg.Solver.Method != "auto" || cfg.Tol > 0 || opt.Done.Len() > 0 || opt.Fields {
		return 0
	}
	lo, hi := spmd.Block(cfg.Samples, cp.c.Size(), cp.c.Rank())
	k := cp.pl.batch
	batches := (hi - lo + k - 1) / k
	if batches < probeMinBatches {
		return 0
	}
	perBatch := probeBatch(cp.pl, lo, k)
	if perBatch < float64(probeMinSample*float64(k)) {
		return 0
	}
	threads := max(opt.Threads, 1)
	perWorker := (batches + threads - 1) / threads
	return time.Since(cp.t0).Seconds() + float64(perBatch*float64(perWorker))
}

// probeBatch returns the faster of two solves of the batch of samples first, first+1, …,
// first+k−1 through a fresh worker of pl's evaluator, in seconds.
func probeBatch(pl *pipeline, first, k int) float64 {
	wk := pl.newWorker(0) // the pipeline's own worker state, not its workers: nothing recorded
	ins, out := wk.ins[:k], wk.out[:k]
	best := -1.0
	for range 2 {
		t0 := time.Now()
		for j := range k {
			pl.draw(wk.src, first+j, ins[j], wk.u, wk.x)
		}
		wk.ew.solve(ins, out)
		if d := time.Since(t0).Seconds(); best < 0 || d < best {
			best = d
		}
	}
	return best
}
