package mc

import (
	"fmt"
	"math"
	"strings"
)

// Check is one test behind a run's verdict.
type Check struct {
	Name   string `json:"name"`
	Pass   bool   `json:"pass"`
	Detail string `json:"detail"`
}

// Valid reports whether every check passed.
func (r *Result) Valid() bool {
	for _, c := range r.Checks {
		if !c.Pass {
			return false
		}
	}
	return true
}

// check runs the integrity checks of a finished campaign on rank 0. Their details depend only on
// the results, never on the rank count, so the verdict reads the same for every P.
func (r *Result) check() []Check {
	n := r.Config.Samples
	indices := len(r.Records) == n && r.duplicates == 0
	for i := 0; indices && i < n; i++ {
		indices = r.Records[i].Index == i
	}
	var maxRes float64
	converged, finite := true, true
	failed := make([]int, len(StatusNames))
	for _, rec := range r.Records {
		failed[rec.Status]++
		if !ok(rec.Status) {
			continue
		}
		if !(rec.Residual <= r.Config.Rtol) {
			converged = false
		}
		maxRes = math.Max(maxRes, rec.Residual)
		if math.IsNaN(rec.QoI) || math.IsInf(rec.QoI, 0) {
			finite = false
		}
	}
	// The allreduced sums add the same values in another order: their mean agrees with the
	// ordered one to a few ulps times log N; 1e-10 relative is far above that and far below
	// any real disagreement.
	agree := r.Global.N == r.Stats.N &&
		(r.Stats.N == 0 || math.Abs(r.Global.Mean-r.Stats.Mean) <= 1e-10*math.Max(1, math.Abs(r.Stats.Mean)))
	checks := []Check{
		{"sample-indices", indices, fmt.Sprintf("rank 0 holds exactly the %d distinct sample indices 0..%d, in order", n, n-1)},
		{"converged", converged, fmt.Sprintf("every CG solve in the statistics reached rtol %g (largest final relative residual %.3g)", r.Config.Rtol, maxRes)},
		{"finite", finite, "every QoI in the statistics is finite"},
		{"allreduce", agree, "the allreduced count and mean agree with the ordered statistics (count equal, mean to 1e-10 relative)"},
	}
	if bad := n - failed[StatusOK] - failed[StatusRetried]; bad > 0 || failed[StatusRetried] > 0 {
		var parts []string
		for st, k := range failed {
			if st != StatusOK && k > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", StatusNames[st], k))
			}
		}
		checks = append(checks, Check{"failures", true, fmt.Sprintf("%d of %d samples failed and were left out (-on-failure %s): %s; the statistics rest on %d samples",
			bad, n, r.Config.OnFailure, strings.Join(parts, ", "), n-bad)})
	}
	return checks
}

// IterationStats are the CG iteration counts over the samples.
type IterationStats struct {
	Min, Max    int
	Mean        float64
	MaxResidual float64
}

// Iterations summarises the CG iterations and residuals of the records.
func (r *Result) Iterations() IterationStats {
	s := IterationStats{Min: math.MaxInt}
	var sum float64
	for _, rec := range r.Records {
		if !ok(rec.Status) {
			continue
		}
		s.Min = min(s.Min, rec.Iterations)
		s.Max = max(s.Max, rec.Iterations)
		s.MaxResidual = math.Max(s.MaxResidual, rec.Residual)
		sum += float64(rec.Iterations)
	}
	s.Mean = sum / float64(r.Stats.N)
	return s
}

// Exact are the exact statistics of the continuum QoI = 6ε of the reference problem
// (SPEC.md); the discrete QoI differs from them by O(h²).
type Exact struct {
	Mean, Variance, StdDev, Skewness, ExKurtosis float64
}

// ExactStats returns the exact statistics of 6ε for the campaign's distribution of ε.
func (c Config) ExactStats() Exact {
	if c.Model != "" && c.Model != "reference" {
		nan := math.NaN() // no closed form for the random-field model
		return Exact{nan, nan, nan, nan, nan}
	}
	d := c.Dist
	return Exact{Mean: 6 * d.Mean(), Variance: 36 * d.Variance(), StdDev: 6 * math.Sqrt(d.Variance()),
		Skewness: d.Skewness(), ExKurtosis: d.ExKurtosis()}
}

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

// SamplesPerSecond is the campaign's throughput over its wall time.
func (r *Result) SamplesPerSecond() float64 {
	return float64(r.Config.Samples) / r.Wall
}
