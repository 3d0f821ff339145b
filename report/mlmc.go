package report

import (
	"fmt"
	"io"
	"math"

	"mcfem/mc"
	"mcfem/solver"
)

// WriteMLMC prints a multilevel campaign's per-level table and its estimate.
func WriteMLMC(w io.Writer, r *mc.MLMCResult, backend string) {
	c := r.Config
	b := c.Base
	fmt.Fprintf(w, "mcfem mlmc: tol %g at %g confidence, %d ranks (%s), %s, seed %d, %s to rtol %g\n",
		c.Tol, b.Confidence, r.Ranks, backend, b.Problem.Inputs(), b.Seed, SolverText(b.Solver), b.Solver.Rtol)
	if b.Solver.Method == "auto" {
		for l, s := range r.Solvers {
			fmt.Fprintf(w, "level %d: %s\n", l, s)
		}
	}
	fmt.Fprintf(w, "%5s %7s %9s %14s %12s %12s %12s %14s\n", "level", "cells", "N_l", "mean Y_l", "var Y_l", "kurt Y_l", "var Q_l", "cost/sample")
	for _, l := range r.Levels {
		fmt.Fprintf(w, "%5d %7d %9d %14.6e %12.4e %12.3f %12.4e %14.4g\n", l.Level, l.Cells, l.N, l.MeanY, l.VarY, l.KurtY, l.VarQ, l.CostPerSample)
	}
	fmt.Fprintf(w, "estimate %.7f; sampling error %.3g, bias estimate %.3g (each target ≤ %.3g); %d rounds\n",
		r.Mean, r.SamplingErr, r.BiasEstimate, c.Tol/math.Sqrt2, r.Rounds)
	fmt.Fprintf(w, "fitted rates: α = %.2f (|E Y_l| ~ 2^-αl), β = %.2f (V_l ~ 2^-βl), γ = %.2f (cost ~ 2^γl)\n", r.Alpha, r.Beta, r.Gamma)
	fmt.Fprintf(w, "total cost %d (%s); wall %.2f s\n", r.TotalCost, mlmcCostUnit(b.Solver.Method), r.Wall)
	if !math.IsNaN(r.Exact) {
		fmt.Fprintf(w, "the problem's exact mean: |estimate − %g| = %.3g (tol %g)\n", r.Exact, math.Abs(r.Mean-r.Exact), c.Tol)
	}
}

// MLMCSummary is summary.json's content for a multilevel campaign.
func MLMCSummary(r *mc.MLMCResult, backend string) map[string]any {
	c := r.Config
	b := c.Base
	params := map[string]any{"tol": c.Tol, "mesh": b.Problem.Cells, "levels": c.Levels, "max_levels": c.MaxLevels,
		"pilot": c.Pilot, "seed": b.Seed, "dist": b.Problem.DistText(), "pc": b.Solver.PC, "rtol": b.Solver.Rtol,
		"confidence": b.Confidence}
	if b.OnFailure != "fail" {
		params["on_failure"] = b.OnFailure
	}
	x := map[string]any{"ranks": r.Ranks, "backend": backend, "wall_seconds": r.Wall}
	if m := b.Solver.Method; m != "" && m != "cg" {
		params["solver"] = m
		x["level_solvers"] = r.Solvers
	}
	return map[string]any{
		"mean": r.Mean, "total_cost": r.TotalCost, "cost_unit": mlmcCostUnit(b.Solver.Method) + ", summed over the samples",
		"parameters": params, "levels": r.Levels, "sampling_error": r.SamplingErr, "bias_estimate": r.BiasEstimate,
		"alpha": r.Alpha, "beta": r.Beta, "gamma": r.Gamma, "rounds": r.Rounds,
		"exact": nullNaN(r.Exact), "true_error": nullNaN(math.Abs(r.Mean - r.Exact)), "model": b.Problem.Model,
		"execution": x,
	}
}

// SolverText says in a few words what solver options ask for: "CG with jacobi", "the
// Cholesky factor", "solver auto (per level below)".
func SolverText(so solver.Options) string {
	switch so.Method {
	case "cholesky":
		return "the Cholesky factor"
	case "auto":
		return "solver auto (per level below)"
	}
	return "CG with " + so.PC
}

// mlmcCostUnit is the unit of an MLMC campaign's costs under -solver method.
func mlmcCostUnit(method string) string {
	switch method {
	case "", "cg":
		return "CG iterations × nonzeros of K"
	case "cholesky":
		return "2 × nonzeros of the Cholesky factor per solve"
	}
	return "solver work: CG iterations × nonzeros of K, or 2 × nonzeros of the Cholesky factor per direct solve"
}

// nullNaN is x, or nil (JSON null) when x is NaN.
func nullNaN(x float64) any {
	if math.IsNaN(x) {
		return nil
	}
	return x
}
