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
	n, t := r.Config.Samples, r.tally
	// The records, counted on the ranks and reduced exactly; and, when rank 0 saw them in the
	// ordered pass, their order.
	indices := t.indicesExact(n)
	held := fmt.Sprintf("the records and journals hold exactly the %d distinct sample indices 0..%d (counted on the ranks, reduced exactly)", n, n-1)
	if r.passed {
		indices = indices && r.inOrder
		held = fmt.Sprintf("rank 0 holds exactly the %d distinct sample indices 0..%d, in order", n, n-1)
	}
	maxRes := t.maxResidual()
	converged, finite := t.slow == 0, t.nonFin == 0
	failed := t.status[:]
	checks := []Check{
		{"sample-indices", indices, held},
		{"converged", converged, fmt.Sprintf("every CG solve in the statistics reached rtol %g (largest final relative residual %.3g)", r.Config.Solver.Rtol, maxRes)},
		{"finite", finite, "every QoI in the statistics is finite"},
		r.allreduceCheck(),
	}
	usable := int(t.usable())
	if bad := n - usable; bad > 0 || failed[StatusRetried] > 0 {
		var parts []string
		for st, k := range failed {
			if st != StatusOK && k > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", StatusNames[st], k))
			}
		}
		allowed := r.Config.MaxFailures.Allowed(n)
		mf := r.Config.MaxFailures
		ch := Check{"failures", bad <= allowed, fmt.Sprintf("%d of %d samples failed and were left out (-on-failure %s): %s; the statistics rest on %d samples",
			bad, n, r.Config.OnFailure, strings.Join(parts, ", "), usable)}
		if !ch.Pass {
			ch.Detail += fmt.Sprintf("; more than -max-failures %s allows (%d): the statistics leave out the inputs whose solves fail", mf.String(), allowed)
		}
		checks = append(checks, ch)
	}
	if usable == 0 {
		checks = append(checks, Check{"usable-samples", false, fmt.Sprintf("none of the %d samples is in the statistics: there is no estimate", n)})
	}
	if len(r.Rounds) > 0 {
		last := r.Rounds[len(r.Rounds)-1]
		if why := r.Config.budgetNote(last.Samples, len(r.Rounds), last.CIHalf); why != "" {
			checks = append(checks, Check{"tolerance", false, fmt.Sprintf("the confidence interval's half-width %.4g is above -tol %g after %d samples in %d rounds: %s, the tolerance is not met (raise -max-samples to go on; with -out, -resume reuses the samples done)",
				last.CIHalf, r.Config.Tol, last.Samples, len(r.Rounds), why)})
		}
	}
	return checks
}

// allreduceCheck compares the allreduced sums with what the records say: with ordered
// statistics, the count and mean of the ordered pass (the same values added in another order:
// their means agree to a few ulps times log N; 1e-10 relative is far above that and far below
// any real disagreement); with the exact sums' statistics, every QoI's count with the usable
// records counted by status.
func (r *Result) allreduceCheck() Check {
	g, s := r.Global[0], r.Stats[0]
	if r.Ordered {
		agree := g.N == s.N && (s.N == 0 || math.Abs(g.Mean-s.Mean) <= 1e-10*math.Max(1, math.Abs(s.Mean)))
		return Check{"allreduce", agree, "the allreduced count and mean agree with the ordered statistics (count equal, mean to 1e-10 relative)"}
	}
	agree := true
	for _, g := range r.Global {
		agree = agree && g.N == r.tally.usable()
	}
	return Check{"allreduce", agree, fmt.Sprintf("the allreduced count of every QoI equals the usable samples counted by status (the statistics are the exact sums': more than %d values)", OrderedValues)}
}
