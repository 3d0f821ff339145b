package report

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"

	"mcfem/mc"
)

// WriteText writes the readable summary of a campaign: the problem and solver, the
// statistics of the first QoI (against the problem's exact values when it knows them), the
// costs and times, and every check behind the verdict.
func WriteText(w io.Writer, r *mc.Result, env Env) error {
	b := bufio.NewWriter(w)
	c, s := r.Config, r.Stats[0]
	info, sys, sv := r.Problem.Info(), r.Problem.System(), r.Solver
	it := r.Iterations()
	fmt.Fprintf(b, "mcfem run: %d samples on %s (%s) × %s, mesh %s: %d nodes, %d triangles, %d unknowns, %d nonzeros\n",
		c.Samples, plural(r.Ranks, "rank"), env.Backend, plural(r.Timing[0].Threads, "thread"), info.Mesh, info.Nodes, info.Tris,
		sys.K.N, sys.K.NNZ())
	input := fmt.Sprintf("input %s, seed %d; QoI = %s", c.Problem.Inputs(), c.Seed, info.QoI)
	if info.Field != "" {
		input += fmt.Sprintf("; model %s (%s)", info.Model, info.Field)
	}
	if sv.Direct() {
		fmt.Fprintf(b, "%s; %s, rtol %g, batch %d\n", input, sv.Name(), c.Solver.Rtol, sv.Batch())
	} else {
		fmt.Fprintf(b, "%s; CG with preconditioner %s, rtol %g, maxit %d, batch %d\n",
			input, sv.Preconditioner(), c.Solver.Rtol, c.Solver.MaxIt, sv.Batch())
	}
	if ch := sv.Choice(); ch != "" {
		fmt.Fprintf(b, "solver %s\n", ch)
	}
	if env.Library != "" {
		fmt.Fprintf(b, "MPI: %s\n", FirstLine(env.Library))
	}
	fmt.Fprintf(b, "hosts: %s\n", strings.Join(r.Hosts(), ", "))
	fmt.Fprintf(b, "set up once per rank: %s\n", strings.Join(r.Problem.Reused(sv.Setup()), ", "))
	for _, n := range info.Notes {
		fmt.Fprintf(b, "note: %s\n", n)
	}
	if r.Journaled > 0 {
		fmt.Fprintf(b, "resumed: %d samples recovered from journals, %d computed in this run", r.Journaled, r.Computed)
		if r.Resolved > 0 {
			fmt.Fprintf(b, "; %d journaled samples re-solved for -fields (journals keep QoIs, not fields), their results checked against the journals", r.Resolved)
		}
		fmt.Fprintln(b)
	}
	fmt.Fprintln(b)

	writeStats(b, r)
	writeQoIs(b, r)
	writeDistributions(b, r)
	writeSensitivity(b, r)
	if c.Tol > 0 {
		fmt.Fprintf(b, "-tol %g: %d rounds:", c.Tol, len(r.Rounds))
		for _, rd := range r.Rounds {
			fmt.Fprintf(b, " N=%d (±%.3g)", rd.Samples, rd.CIHalf)
		}
		if e, ok := r.Problem.Exact(); ok {
			fmt.Fprintf(b, "; |mean − exact| = %.3g (sampling and discretisation error)", math.Abs(s.Mean-e.Mean))
		}
		fmt.Fprintln(b)
	}
	fmt.Fprintf(b, "total cost %d (%s)\n", r.TotalCost, strings.TrimSuffix(sv.CostUnit(), ", summed over the samples"))
	if sv.Direct() {
		fmt.Fprintf(b, "direct solves: largest relative residual ‖b − Ku‖/‖b‖ %.3g\n", it.MaxResidual)
	} else {
		fmt.Fprintf(b, "CG iterations: min %d, mean %.1f, max %d; largest final relative residual %.3g\n", it.Min, it.Mean, it.Max, it.MaxResidual)
	}
	fmt.Fprintf(b, "%-22s %10s %10s %10s\n", "time per phase [s]", "min", "avg", "max")
	for i, ph := range r.Phases() {
		fmt.Fprintf(b, "%-22s %10.4f %10.4f %10.4f\n", mc.PhaseNames[i], ph.Min, ph.Avg, ph.Max)
	}
	fmt.Fprintln(b, "(combine includes waiting for the slowest rank at the collectives, the quantiles' selection and, with -out, writing the files)")
	fmt.Fprintf(b, "load imbalance (max/avg solve time): %.3f\n", r.Imbalance())
	fmt.Fprintf(b, "wall %.3f s, %.1f samples/s\n", r.Wall, r.SamplesPerSecond())
	if est, got := r.AutoEstimate(); est > 0 {
		fmt.Fprintf(b, "solver auto's estimate (its rates probed on this machine): set-up + solve %.3g s on the slowest rank; measured %.3g s (%+.0f%%)\n",
			est, got, float64(100*(got-est))/est)
	}
	writeChecks(b, r.Checks)
	return b.Flush()
}

// writeStats writes the first QoI's statistics, with the problem's exact values, the gap
// and the gap in standard errors when the problem knows them, else alone.
func writeStats(b *bufio.Writer, r *mc.Result) {
	s := r.Stats[0]
	e, ref := r.Problem.Exact()
	fmt.Fprintf(b, "%-22s %14s", r.Problem.QoINames()[0], "estimate")
	if ref {
		fmt.Fprintf(b, " %14s %12s %8s", e.Label, "gap", "gap/SE")
	}
	b.WriteByte('\n')
	row := func(name string, est, exact, se float64) {
		if math.IsNaN(est) && s.N < 4 { // a moment of too few samples: say why, not NaN
			fmt.Fprintf(b, "%-22s %14s\n", name, fmt.Sprintf("n/a (needs %d samples)", minSamples[name]))
			return
		}
		fmt.Fprintf(b, "%-22s %14.7g", name, est)
		switch {
		case !ref:
		case math.IsNaN(exact):
			fmt.Fprintf(b, " %14s %12s %8s", "-", "-", "-")
		default:
			z := "      -"
			if se > 0 {
				z = fmt.Sprintf("%8.2f", (est-exact)/se)
			}
			fmt.Fprintf(b, " %14.7g %12.3g %s", exact, est-exact, z)
		}
		b.WriteByte('\n')
	}
	row("mean", s.Mean, e.Mean, s.StdErr)
	if ref && len(r.DiscreteMean) > 0 {
		d := r.DiscreteMean[0]
		fmt.Fprintf(b, "%-22s %14.7g %14.7g %12.3g %8.2f\n", "mean vs discrete", s.Mean, d, s.Mean-d, float64(s.Mean-d)/s.StdErr)
		fmt.Fprintln(b, "(discrete: E[Q_h] on this mesh, the QoI of one solve at the inputs' means, where it is linear in them; the gap to it is sampling error only, the gap to the exact value adds the O(h²) discretisation error)")
	}
	fmt.Fprintf(b, "%-22s [%.7g, %.7g]  (± %.3g)\n", fmt.Sprintf("%g%% CI of the mean", 100*s.Confidence), s.CILow(), s.CIHigh(), s.CIHalf)
	fmt.Fprintf(b, "%-22s %14.7g\n", "std error of the mean", s.StdErr)
	if r.Replicates > 0 {
		fmt.Fprintf(b, "(the error and interval of the mean from the means of %d independent replicates of the %s design, Student t with %d degrees of freedom)\n",
			r.Replicates, r.Config.Sampler, r.Replicates-1)
	}
	row("variance", s.Variance, e.Variance, s.VarStdErr)
	if ref && !(s.VarStdErr > 0) && s.N >= 2 {
		fmt.Fprintf(b, "(the variance's standard error √((h4 − h2²(n−3)/(n−1))/n) is not defined for these %d values: its estimate under the root is %s; no gap/SE for the variance)\n",
			s.N, map[bool]string{true: "negative", false: "zero"}[!(s.VarStdErr == 0)])
	}
	row("std deviation", s.StdDev, e.StdDev, 0)
	row("skewness", s.Skewness, e.Skewness, 0)
	row("excess kurtosis", s.ExKurtosis, e.ExKurtosis, 0)
	if ref {
		fmt.Fprintf(b, "(exact: %s; see `mcfem verify`)\n", e.Note)
	}
	b.WriteByte('\n')
}

// minSamples are the samples a statistic of the report needs to be defined.
var minSamples = map[string]int{"variance": 2, "std deviation": 2, "skewness": 3, "excess kurtosis": 4}

// writeDistributions writes every QoI's quantiles with their intervals, the CVaR and the
// exceedance probabilities (mc.Distribution), with the exact quantiles where the problem
// knows them.
func writeDistributions(b *bufio.Writer, r *mc.Result) {
	if len(r.Distributions) == 0 {
		return
	}
	e, ref := r.Problem.Exact()
	for q, name := range r.Problem.QoINames() {
		d := r.Distributions[q]
		if d.N == 0 {
			continue
		}
		exact := ref && q == 0 && e.Quantile != nil
		head := fmt.Sprintf("%-8s %14s  %-30s", "quantile", name, fmt.Sprintf("%g%% interval (order statistics)", 100*r.Config.Confidence))
		if exact {
			head += fmt.Sprintf(" %14s", e.Label)
		}
		fmt.Fprintln(b, strings.TrimRight(head, " "))
		for _, x := range d.Quantiles {
			line := fmt.Sprintf("%-8s %14.7g  %-30s", fmt.Sprintf("%g%%", 100*x.P), x.Value, fmt.Sprintf("[%s, %s]", end(x.Low), end(x.High)))
			if exact {
				line += fmt.Sprintf(" %14.7g", e.Quantile(x.P))
			}
			fmt.Fprintln(b, strings.TrimRight(line, " "))
		}
		fmt.Fprintf(b, "min %.7g, max %.7g; CVaR %g%% (mean of the %d values at or above the %g%% quantile) %.7g\n",
			d.Min, d.Max, 100*d.CVaRLevel, d.CVaRCount, 100*d.CVaRLevel, d.CVaR)
		for _, x := range d.Exceedances {
			fmt.Fprintf(b, "P(%s > %g) = %.5g  [%.5g, %.5g] (Wilson, %g%%; %d of %d)\n", name, x.Value, x.P, x.Low, x.High, 100*r.Config.Confidence, x.Count, d.N)
		}
		b.WriteByte('\n')
	}
}

// writeSensitivity writes every QoI's Sobol' indices with their bootstrap intervals.
func writeSensitivity(b *bufio.Writer, r *mc.Result) {
	if len(r.Sensitivity) == 0 {
		return
	}
	d := len(r.Problem.InputNames())
	fmt.Fprintf(b, "Sobol' indices (Saltelli's design: %d rows of %d solves; first order by Saltelli 2010, total by Jansen 1999; %g%% bootstrap intervals, %d resamples)\n",
		r.Config.Samples/(d+2), d+2, 100*r.Config.Confidence, mc.SensitivityBootstrap)
	fmt.Fprintf(b, "%-14s %-12s %10s  %-22s %10s  %s\n", "qoi", "input", "first", "interval", "total", "interval")
	for q, name := range r.Problem.QoINames() {
		for _, s := range r.Sensitivity[q] {
			fmt.Fprintf(b, "%-14s %-12s %10.4f  %-22s %10.4f  %s\n", name, s.Input, s.First,
				fmt.Sprintf("[%.4f, %.4f]", s.FirstLo, s.FirstH), s.Total, fmt.Sprintf("[%.4f, %.4f]", s.TotalLo, s.TotalH))
		}
	}
	fmt.Fprintln(b, "(the moments and intervals of the statistics table are over every solve of the design, whose rows share columns: not those of independent samples)")
	b.WriteByte('\n')
}

// end formats an interval's end: "-" where it is infinite (too few samples in that tail).
func end(x float64) string {
	if math.IsInf(x, 0) {
		return "-"
	}
	return fmt.Sprintf("%.7g", x)
}

// writeQoIs writes, for a problem with several QoIs, one line of statistics per QoI.
func writeQoIs(b *bufio.Writer, r *mc.Result) {
	names := r.Problem.QoINames()
	if len(names) < 2 {
		return
	}
	fmt.Fprintf(b, "%-22s %14s %12s %14s %10s %12s\n", "every QoI", "mean", fmt.Sprintf("%g%% CI ±", 100*r.Config.Confidence),
		"std deviation", "skewness", "ex. kurtosis")
	for q, name := range names {
		s := r.Stats[q]
		fmt.Fprintf(b, "%-22s %14.7g %12.3g %14.7g %10.4g %12.4g\n", name, s.Mean, s.CIHalf, s.StdDev, s.Skewness, s.ExKurtosis)
	}
	b.WriteByte('\n')
}

// writeChecks lists every check behind the verdict, then the verdict.
func writeChecks(b *bufio.Writer, checks []mc.Check) {
	verdict, passed := "VALID", 0
	fmt.Fprintln(b, "checks:")
	for _, ch := range checks {
		mark := "pass"
		if ch.Pass {
			passed++
		} else {
			verdict, mark = "INVALID", "FAIL"
		}
		fmt.Fprintf(b, "  %-4s %-15s %s\n", mark, ch.Name, ch.Detail)
	}
	fmt.Fprintf(b, "verdict: %s (%d of %d checks passed)\n", verdict, passed, len(checks))
}
