package mc

import (
	"fmt"
	"math"
	"slices"
	"time"

	"mcfem/spmd"
	"mcfem/stats"
)

// Round is one round of a campaign: the samples so far and the estimate they give.
type Round struct {
	Samples int     `json:"samples"`
	Mean    float64 `json:"mean"`
	CIHalf  float64 `json:"ci_half_width"`
}

// MaxRounds caps the rounds of a -tol campaign; MaxGrowth caps how much one round may extend
// the samples (a pilot's variance estimate is rough).
const (
	MaxRounds = 30
	MaxGrowth = 16
)

// solveRounds is the second phase. A fixed-N campaign is one round of N samples; with Tol the
// first round is the pilot (Samples) and each next round extends the samples to the count
// the statistics so far ask for, until the half-width of the confidence interval is at most
// Tol. A round solves the samples [start, n) not recovered from journals, the rank its block
// of them, and ends with one integer allreduce of exact power sums: every rank, for every rank
// count, sees the same bits and takes the same decision.
//
// With Options.Fields the journaled samples are solved too (cp.resolve): every sample of the
// round is, as in an uninterrupted run, and the journal records only check them (each window's
// journaled records read into pl.done).
func (cp *campaign) solveRounds() error {
	rank, size := cp.c.Rank(), cp.c.Size()
	ni, nq := len(cp.prob.InputNames()), len(cp.prob.QoINames())
	n, start := cp.cfg.Samples, 0
	skip := cp.opt.Done // the samples not solved
	if cp.resolve {
		skip = nil
	}
	cp.owner0 = -1
	cp.tally = newTally(nq, cp.cfg.Solver.Rtol)
	cp.codec = recordCodec{ni: ni, nq: nq}
	if cp.opt.Stream || ordered(n, nq) {
		cp.spill = newSpill(cp.codec, cp.opt.SpillDir)
	}
	var (
		recs []Record // one window's, reused
		idx  []int
	)
	for round := 0; ; round++ {
		td, err := newTodo(start, n, skip)
		if err != nil {
			return err
		}
		if cp.resolve {
			a, b, err := within(cp.opt.Done, start, n)
			if err != nil {
				return err
			}
			cp.resolved += b - a
			cp.computed += td.len() - (b - a)
		} else {
			cp.computed += td.len()
		}
		first := -1
		if td.len() > 0 {
			if first, err = td.first(); err != nil {
				return err
			}
		}
		if first == 0 { // the rank whose block starts the list solves sample 0
			for r := 0; cp.owner0 < 0; r++ {
				if _, h := spmd.Block(td.len(), size, r); h > 0 {
					cp.owner0 = r
				}
			}
		}
		if cp.spill != nil && !cp.opt.Stream && !ordered(n, nq) { // no pass will read the records
			if err := cp.spill.close(); err != nil {
				return err
			}
			cp.spill = nil
		}
		cp.blocks = append(cp.blocks, td.len())
		lo, hi := spmd.Block(td.len(), size, rank)
		if m := min(window, hi-lo); m > len(recs) {
			recs, idx = newRecords(m, ni, nq), make([]int, m)
		}
		sums := make([]stats.ExactPowerSums, nq)
		rsums := cp.newReplicateSums(n) // the round's sums per replicate (nil: plain MC)
		tb := time.Now()
		for w := lo; w < hi; w += window {
			m := min(window, hi-w)
			err := td.fill(w, idx[:m])
			if err == nil && cp.resolve {
				err = cp.pl.loadDone(cp.opt.Done, idx[0], idx[m-1]+1)
			}
			if err != nil {
				_ = cp.closeJournal()
				return err
			}
			s, err := cp.pl.run(idx[:m], recs[:m])
			if err != nil {
				_ = cp.closeJournal()
				return err
			}
			for q := range sums {
				sums[q].Merge(&s[q])
			}
			for k := range recs[:m] {
				cp.tally.add(&recs[k])
				cp.addReplicate(rsums, &recs[k])
				if err := cp.addValues(&recs[k]); err != nil {
					_ = cp.closeJournal()
					return err
				}
				if cp.spill != nil {
					if err := cp.spill.add(&recs[k]); err != nil {
						_ = cp.closeJournal()
						return err
					}
				}
			}
		}
		cp.tm.Phase[PhaseSolve] += time.Since(tb).Seconds()
		cp.tm.Samples += hi - lo
		if rank == 0 && td.skipped() > 0 { // the journaled samples of the round count once, on rank 0
			jr := newRecords(1, ni, nq)
			c := skip.Cursor(td.a, td.b)
			for {
				d, err := c.Next()
				if err != nil {
					return err
				}
				if d == nil {
					break
				}
				jr[0].fromJournal(*d)
				cp.tally.add(&jr[0])
				cp.addReplicate(rsums, &jr[0])
				if err := cp.addValues(&jr[0]); err != nil {
					return err
				}
				if ok(int(d.Status)) {
					for q := range sums {
						sums[q].Add(d.QoIs[q], cp.solv.Cost(int(d.Iterations)))
					}
				}
			}
		}
		if err := cp.reduce(sums, rsums); err != nil {
			return err
		}
		tq := cp.cfg.Problem.QoIIndex(cp.cfg.TolQoI)
		st := cp.describe(cp.global[tq], tq)
		cp.rounds = append(cp.rounds, Round{Samples: n, Mean: st.Mean, CIHalf: st.CIHalf})
		next := cp.cfg.nextSamples(n, st, round)
		if next <= n {
			break
		}
		start, n = n, next
	}
	if err := cp.closeJournal(); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	cp.cfg.Samples = n
	return nil
}

// window is the most samples a rank solves between two hand-overs of their records to the
// tally and the spill: the records of one window are all the per-sample data a rank holds.
const window = 1 << 16

// reduce adds every rank's sums of the round to the global ones (and the replicates' sums to
// theirs) with one integer allreduce.
func (cp *campaign) reduce(sums []stats.ExactPowerSums, rsums [][]stats.ExactPowerSums) error {
	ta := time.Now()
	all := slices.Clone(sums)
	for _, r := range rsums {
		all = append(all, r...)
	}
	if err := allreduceSums(cp.c, all); err != nil {
		return err
	}
	copy(sums, all)
	rest := all[len(sums):]
	for _, r := range rsums {
		rest = rest[copy(r, rest):]
	}
	cp.mergeReplicates(rsums)
	cp.span(collectiveSums, ta)
	cp.tm.Phase[PhaseCombine] += time.Since(ta).Seconds()
	if cp.global == nil {
		cp.global = make([]stats.ExactPowerSums, len(sums))
	}
	for q := range sums {
		cp.global[q].Merge(&sums[q])
	}
	return nil
}

// nextSamples returns the sample count of the round after one that ended with n samples and
// statistics st: n itself when the campaign is done (no -tol, the interval is narrow enough,
// the round cap or the sample budget MaxSamples is reached). The count that makes the
// half-width t·s/√N equal Tol is n·(half-width/Tol)², asked with a 5% margin, at most
// MaxGrowth·n and never beyond MaxSamples: the last round fills the budget, and the result's
// "tolerance" check then says that the budget, not the tolerance, ended the campaign.
func (c Config) nextSamples(n int, st stats.Stats, round int) int {
	if c.Tol <= 0 || round+1 >= MaxRounds || !(st.CIHalf > c.Tol) || n >= c.MaxSamples {
		return n
	}
	if c.sampler() != "mc" {
		return c.nextDesignSamples(n, st.CIHalf)
	}
	want := float64(n) * (st.CIHalf / c.Tol) * (st.CIHalf / c.Tol) * 1.05
	next := math.Ceil(math.Min(want, float64(n)*MaxGrowth))
	return int(min(max(next, float64(n+1)), float64(c.MaxSamples)))
}
