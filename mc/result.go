package mc

import (
	"math"
	"time"

	"mcfem/problem"
	"mcfem/solver"
	"mcfem/stats"
)

// Result is what rank 0 holds after a campaign; the other ranks get nil.
type Result struct {
	Config  Config // Samples is the final count (after -tol's rounds)
	Ranks   int
	Problem problem.Problem // as set up on rank 0
	Solver  solver.Solver
	// Stats are each QoI's statistics from the records, in sample order: bit-identical for
	// every rank count. Global are the same from the allreduced exact sums, as every rank
	// knows them.
	Stats, Global []stats.Stats
	Timing        []RankTiming
	Wall          float64 // seconds on rank 0 from the start of set-up to the end of combine
	Checks        []Check
	// Journaled samples were recovered from journals (-resume), those of indices below the
	// final Samples; Computed ones solved now. With Options.Fields the Journaled samples are
	// solved again too: Resolved of them (all), their results checked against the journals.
	Journaled, Computed, Resolved int
	// Rounds of a -tol campaign (one for a fixed N); TotalCost is the work of every sample in
	// the statistics, in the solver's CostUnit: a deterministic cost measure.
	Rounds    []Round
	TotalCost int64
	// With Options.Fields, per mesh node: the mean and standard deviation of u over the
	// samples that solved at their first attempt (all of the campaign's: a resumed campaign
	// solves its journaled samples again, since journals keep QoIs, not fields), and sample
	// 0's u (NaN if it did not solve).
	FieldMean, FieldStd, FieldSample0 []float64
	// Distributions are each QoI's quantiles, exceedance probabilities and CVaR (quantile.go).
	Distributions []Distribution
	// DiscreteMean are the discrete problem's expectations of the QoIs on this mesh, where the
	// problem knows where to find them (problem.Exact.MeanInputs: one solve on rank 0), else nil.
	DiscreteMean []float64
	// Sensitivity are, with Config.Sensitivity, each QoI's Sobol' indices (sensitivity.go).
	Sensitivity [][]SobolIndex
	// Replicates is the number of the design's replicates whose means gave the standard errors
	// and intervals (0: plain Monte Carlo, whose are the samples').
	Replicates int
	// Ordered says whether Stats are the ordered statistics (N·QoIs ≤ OrderedValues) or the
	// allreduced exact sums' (Global).
	Ordered bool

	passed, inOrder bool   // rank 0 saw every record in the ordered pass; their indices were 0..N−1
	tally           *tally // the campaign's records, counted (every rank's, reduced)
}

// OrderedValues bounds the QoI values (samples × QoIs) of a campaign whose statistics are
// computed in sample order, two-pass (stats.DescribeOrdered: rank 0 holds them, at most
// 16 MiB): the statistics of every campaign up to it keep the bits they always had. Above it
// the statistics are the allreduced exact power sums' (Result.Global), which no rank needs
// per-sample data for. Both are the same for every rank count, thread count and batch.
const OrderedValues = 1 << 21

// orderedValues is OrderedValues, lowered by tests to reach the exact sums' regime cheaply.
var orderedValues = OrderedValues

// ordered reports whether a campaign of n samples of nq QoIs has ordered statistics.
func ordered(n, nq int) bool { return int64(n)*int64(nq) <= int64(orderedValues) }

// result is the fourth phase, on rank 0: each QoI's statistics (in sample order from the
// ordered pass, or from the exact sums), the checks.
func (cp *campaign) result(cb *combined) *Result {
	n := cp.cfg.Samples
	res := &Result{Config: cp.cfg, Ranks: cp.c.Size(), Problem: cp.prob, Solver: cp.solv, Timing: cb.timing,
		Wall: time.Since(cp.t0).Seconds(), Computed: cp.computed, Resolved: cp.resolved,
		Rounds: cp.rounds, TotalCost: cp.global[0].Cost, tally: cp.tally}
	_, res.Journaled, _ = within(cp.opt.Done, 0, n) // read already: no error now
	nq := len(cp.prob.QoINames())
	res.passed, res.inOrder = cb.passed, cb.inOrder
	res.Ordered = ordered(n, nq)
	for q := range nq {
		g := cp.describe(cp.global[q], q)
		res.Global = append(res.Global, g)
		if res.Ordered {
			st := stats.DescribeOrdered(cb.values[q], cp.cfg.Confidence)
			if cp.des != nil && cp.des.kind != "saltelli" {
				st = replicated(st, cp.reps[q], cp.cfg.Confidence)
			}
			res.Stats = append(res.Stats, st)
		} else {
			res.Stats = append(res.Stats, g)
		}
	}
	if cp.des != nil && cp.des.kind != "saltelli" {
		res.Replicates = cp.des.reps
	}
	if cp.cfg.Sensitivity {
		for q := range nq {
			res.Sensitivity = append(res.Sensitivity, sobolIndices(cb.values[q], cp.prob.InputNames(), cp.cfg.Seed, cp.cfg.Confidence))
		}
	}
	res.DiscreteMean = cp.discreteMean()
	res.Checks = res.check()
	if cb.fields != nil {
		res.FieldMean, res.FieldStd = meanStd(cb.fields)
		res.FieldSample0 = cb.sample0
	}
	return res
}

// IterationStats are the solver's iteration counts over the samples.
type IterationStats struct {
	Min, Max    int
	Mean        float64
	MaxResidual float64
}

// Iterations summarises the iterations and residuals of the samples in the statistics, from
// the counts reduced over the ranks.
func (r *Result) Iterations() IterationStats { return r.tally.iterations() }

// PhaseSummary is a phase's time over the ranks, in seconds.
type PhaseSummary struct {
	Min, Avg, Max float64
}

// Phases summarises each phase's time over the ranks.
func (r *Result) Phases() [numPhases]PhaseSummary {
	var out [numPhases]PhaseSummary
	for p := range out {
		s := PhaseSummary{Min: math.Inf(1), Max: math.Inf(-1)}
		for _, t := range r.Timing {
			s.Min = math.Min(s.Min, t.Phase[p])
			s.Max = math.Max(s.Max, t.Phase[p])
			s.Avg += t.Phase[p]
		}
		s.Avg /= float64(len(r.Timing))
		out[p] = s
	}
	return out
}

// Imbalance is the load imbalance max/avg of the ranks' solve (busy) time; 1 is perfect.
func (r *Result) Imbalance() float64 {
	s := r.Phases()[PhaseSolve]
	return s.Max / s.Avg
}

// AutoEstimate returns -solver auto's calibrated estimate of the set-up and solve phases on
// the slowest rank (the largest of the ranks' estimates) and the time they took (the largest
// of the ranks' set-up + solve), in seconds; the estimate is 0 where no rank made one
// (RankTiming.Estimate).
func (r *Result) AutoEstimate() (estimate, measured float64) {
	for _, t := range r.Timing {
		estimate = max(estimate, t.Estimate)
		measured = max(measured, t.Phase[PhaseSetup]+t.Phase[PhaseSolve])
	}
	return estimate, measured
}

// SamplesPerSecond is the campaign's throughput over its wall time.
func (r *Result) SamplesPerSecond() float64 {
	return float64(r.Config.Samples) / r.Wall
}

// Hosts returns the distinct host names of the ranks, in rank order.
func (r *Result) Hosts() []string {
	var hosts []string
	seen := map[string]bool{}
	for _, t := range r.Timing {
		if !seen[t.Host] {
			seen[t.Host] = true
			hosts = append(hosts, t.Host)
		}
	}
	return hosts
}

// discreteMean solves, on rank 0, the one sample whose QoIs are the discrete expectations
// (problem.Exact.MeanInputs): a reference for the report, not a sample; nil when the problem
// knows no such inputs or the solve fails.
func (cp *campaign) discreteMean() []float64 {
	e, ok := cp.prob.Exact()
	if !ok || e.MeanInputs == nil || cp.des != nil && cp.des.kind == "saltelli" {
		return nil
	}
	in := cp.prob.NewInputs()
	e.MeanInputs(in)
	nq := len(cp.prob.QoINames())
	out := []Outcome{{QoIs: make([]float64, nq), Costs: make([]int64, nq)}}
	cp.pl.ev.newWorker().solve([]*problem.Inputs{in}, out)
	if out[0].status() != StatusOK {
		return nil
	}
	return out[0].QoIs
}
