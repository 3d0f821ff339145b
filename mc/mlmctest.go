package mc

import (
	"fmt"
	"io"
	"math"

	"mcfem/detmath"
	"mcfem/spmd"
)

// MLMCTest is Giles' mlmc_test for a campaign: a fixed number of samples on each of the
// levels 0…Levels-1, the per-level statistics with the consistency check, the fitted rates, and
// a complexity table comparing MLMC's cost with plain MC's over a list of tolerances.
type MLMCTest struct {
	Levels     []LevelStats
	Check      []float64 // per level l ≥ 1: |E Q_l − E Q_{l−1} − E Y_l| / (3(σ_Ql + σ_Ql−1 + σ_Yl)/√N), > 1 flags an error
	Alpha      float64
	Beta       float64
	Gamma      float64
	Complexity []ComplexityRow
	Solvers    []string // what solved each level (MLMCResult.Solvers)
}

// ComplexityRow compares the costs at one tolerance: MLMC's total from a run at that
// tolerance, and plain MC's on the finest level that run used, with the samples that give
// the same sampling error (z·σ_L/(tol/√2))² times the cost of one solve there.
type ComplexityRow struct {
	Tol       float64
	Levels    int
	Mean      float64
	MLMCCost  int64
	MCCost    float64
	Saving    float64
	TrueError float64
}

// RunMLMCTest runs the per-level study with n samples per level on levels 0…levels-1 (one
// round, as RunMLMC's first round with a pilot of n), then RunMLMC at each tolerance.
func RunMLMCTest(c spmd.Comm, cfg MLMCConfig, levels, n int, tols []float64, opt Options) (*MLMCTest, error) {
	study := cfg
	study.Levels, study.MaxLevels, study.Pilot, study.Tol = levels, levels, n, math.Inf(1)
	res, err := runLevels(c, study, opt)
	if err != nil {
		return nil, err
	}
	t := &MLMCTest{Levels: res.Levels, Alpha: res.Alpha, Beta: res.Beta, Gamma: res.Gamma, Solvers: res.Solvers}
	for l := 1; l < len(res.Levels); l++ {
		a, b := res.Levels[l], res.Levels[l-1]
		num := math.Abs(a.MeanQ - b.MeanQ - a.MeanY)
		den := 3 * (math.Sqrt(a.VarQ) + math.Sqrt(b.VarQ) + math.Sqrt(a.VarY)) / math.Sqrt(float64(a.N))
		t.Check = append(t.Check, num/den)
	}
	z := detmath.NormalQuantile(0.5 + float64(cfg.Base.Confidence/2))
	for _, tol := range tols {
		run := cfg
		run.Tol = tol
		r, err := RunMLMC(c, run, opt)
		if err != nil {
			return nil, err
		}
		fine := r.Levels[len(r.Levels)-1]
		nMC := math.Ceil(z * z * fine.VarQ / (tol * tol / 2))
		row := ComplexityRow{Tol: tol, Levels: len(r.Levels), Mean: r.Mean, MLMCCost: r.TotalCost,
			MCCost: nMC * fine.CostQ, TrueError: math.Abs(r.Mean - r.Exact)}
		row.Saving = row.MCCost / float64(row.MLMCCost)
		t.Complexity = append(t.Complexity, row)
	}
	return t, nil
}

// runLevels is RunMLMC with an infinite tolerance: one round of Pilot samples per level.
func runLevels(c spmd.Comm, cfg MLMCConfig, opt Options) (*MLMCResult, error) {
	cfg.Tol = math.MaxFloat64
	return RunMLMC(c, cfg, opt)
}

// Write prints the report in the layout of Giles' mlmc_test.
func (t *MLMCTest) Write(w io.Writer) {
	for l, s := range t.Solvers {
		fmt.Fprintf(w, "level %d: %s\n", l, s)
	}
	fmt.Fprintf(w, "%5s %7s %8s %13s %13s %11s %11s %9s %9s %12s\n", "level", "cells", "N", "mean Q_l", "mean Y_l", "var Q_l", "var Y_l", "kurtosis", "check", "cost/sample")
	for i, l := range t.Levels {
		check := "-"
		if i > 0 {
			check = fmt.Sprintf("%.3f", t.Check[i-1])
		}
		fmt.Fprintf(w, "%5d %7d %8d %13.6e %13.6e %11.4e %11.4e %9.3f %9s %12.4g\n", l.Level, l.Cells, l.N, l.MeanQ, l.MeanY, l.VarQ, l.VarY, l.KurtY, check, l.CostPerSample)
	}
	fmt.Fprintf(w, "\nα = %.3f (weak error |E Y_l| ~ 2^-αl)\nβ = %.3f (variance V[Y_l] ~ 2^-βl)\nγ = %.3f (cost per sample ~ 2^γl)\n", t.Alpha, t.Beta, t.Gamma)
	fmt.Fprintf(w, "(consistency check: a value > 1 flags E Q_l − E Q_{l−1} ≠ E Y_l, i.e. inconsistent coupling)\n\n")
	fmt.Fprintf(w, "%9s %7s %12s %14s %14s %9s %11s\n", "tol", "levels", "estimate", "MLMC cost", "MC cost", "saving", "|err|")
	for _, r := range t.Complexity {
		e := "-" // no exact value (random-field model)
		if !math.IsNaN(r.TrueError) {
			e = fmt.Sprintf("%.3g", r.TrueError)
		}
		fmt.Fprintf(w, "%9.2e %7d %12.7f %14.4g %14.4g %9.1f %11s\n", r.Tol, r.Levels, r.Mean, float64(r.MLMCCost), r.MCCost, r.Saving, e)
	}
	fmt.Fprintf(w, "(MC cost: (z·σ_L/(tol/√2))² samples on MLMC's finest level L, at that level's cost per solve)\n")
}
