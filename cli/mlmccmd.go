package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"mcfem/mc"
	"mcfem/spmd"
)

// mlmcJob is a parsed and validated `mcfem mlmc`.
type mlmcJob struct {
	cfg   mc.MLMCConfig
	np    int
	npSet bool
	out   string
	quiet bool
}

// parseMLMC parses and validates `mcfem mlmc`'s flags. It returns the job and -1, or nil and
// the exit code (0 after -h).
func parseMLMC(args []string, stdout, stderr io.Writer) (*mlmcJob, int) {
	return parseMLMCFlags("mcfem mlmc", "Multilevel Monte Carlo (Giles): levels l = 0, 1, … on meshes of -mesh·2^l cells per side,\n"+
		"coupled samples (one input solved on levels l and l−1), optimal samples per level from the\n"+
		"variances and a work measure (CG iterations × nonzeros), new levels while the estimated bias\n"+
		"exceeds -tol/√2. Decisions come from exactly reduced sums: the same for every rank count.", args, stdout, stderr, nil)
}

// parseMLMCFlags parses the flags common to mlmc and mlmc-test, plus those extra adds.
func parseMLMCFlags(name, synopsis string, args []string, stdout, stderr io.Writer, extra func(fs flagSet)) (*mlmcJob, int) {
	j := &mlmcJob{cfg: mc.DefaultMLMCConfig()}
	m, b := &j.cfg, &j.cfg.Base
	fs := newFlagSet(name, synopsis)
	if extra != nil {
		extra(fs)
	}
	fs.Float64Var(&m.Tol, "tol", m.Tol, "accuracy: sampling error (at -confidence) and bias each ≤ tol/√2")
	fs.IntVar(&b.Cells, "mesh", b.Cells, "cells per side of level 0")
	fs.IntVar(&m.Levels, "levels", m.Levels, "levels to start with (≥ 2)")
	fs.IntVar(&m.MaxLevels, "max-levels", m.MaxLevels, "most levels")
	fs.IntVar(&m.Pilot, "pilot", m.Pilot, "samples of a new level's first round (≥ 10)")
	fs.Uint64Var(&b.Seed, "seed", b.Seed, "seed: level l's sample i depends on (seed, l, i) only")
	dist := fs.String("dist", b.Dist.String(), "distribution of ε: beta:a,b, uniform:a,b, normal:mu,sigma, lognormal:mu,sigma")
	fieldFlags(fs, b)
	fs.StringVar(&b.PC, "pc", b.PC, "CG preconditioner: "+strings.Join(mc.Preconditioners, ", "))
	fs.Float64Var(&b.Rtol, "rtol", b.Rtol, "CG relative residual tolerance, in (0, 1)")
	fs.IntVar(&b.MaxIt, "maxit", b.MaxIt, "CG iteration cap per solve (≥ 1)")
	fs.Float64Var(&b.Confidence, "confidence", b.Confidence, "confidence level of the sampling error, in (0, 1)")
	fs.IntVar(&j.np, "np", runtime.NumCPU(), "in-process ranks (≥ 1); under mpirun the rank count is mpirun's")
	fs.StringVar(&j.out, "out", "", "directory to write summary.json into")
	fs.BoolVar(&j.quiet, "quiet", false, "print nothing on stdout")
	if code := fs.parse(args, stdout, stderr); code >= 0 {
		return nil, code
	}
	fs.Visit(func(f *flag.Flag) { j.npSet = j.npSet || f.Name == "np" })
	d, err := mc.ParseDist(*dist, ".")
	if err != nil {
		fmt.Fprintf(stderr, "%s: -dist: %v\n", name, err)
		return nil, exitUsage
	}
	b.Dist = d
	if err := m.Validate(); err != nil {
		return nil, usageError(fs, err, stderr)
	}
	if j.np < 1 {
		return nil, usageError(fs, &mc.FieldError{Field: "np", Value: fmt.Sprint(j.np), Want: "ranks ≥ 1"}, stderr)
	}
	return j, -1
}

// rankWork runs the campaign on every rank; rank 0 reports.
func (j *mlmcJob) rankWork(c spmd.Comm, backend string, stdout io.Writer) error {
	res, err := mc.RunMLMC(c, j.cfg, mc.Options{})
	if err != nil || c.Rank() != 0 {
		return err
	}
	if !j.quiet {
		writeMLMC(stdout, res, backend)
	}
	if j.out == "" {
		return nil
	}
	if err := os.MkdirAll(j.out, 0o755); err != nil {
		return err
	}
	return writeFile(filepath.Join(j.out, "summary.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(mlmcSummary(res, backend))
	})
}

func cmdMLMC(args []string, stdout, stderr io.Writer) int {
	j, code := parseMLMC(args, stdout, stderr)
	if j == nil {
		return code
	}
	err := spmd.RunLocal(j.np, func(c spmd.Comm) error {
		return rankMain(c, func() error { return j.rankWork(c, "local", stdout) })
	})
	return exitCode(err, stderr)
}

// writeMLMC prints the per-level table and the estimate.
func writeMLMC(w io.Writer, r *mc.MLMCResult, backend string) {
	c := r.Config
	fmt.Fprintf(w, "mcfem mlmc: tol %g at %g confidence, %d ranks (%s), ε ~ %s, seed %d, CG with %s to rtol %g\n",
		c.Tol, c.Base.Confidence, r.Ranks, backend, c.Base.Dist, c.Base.Seed, c.Base.PC, c.Base.Rtol)
	fmt.Fprintf(w, "%5s %7s %9s %14s %12s %12s %12s %14s\n", "level", "cells", "N_l", "mean Y_l", "var Y_l", "kurt Y_l", "var Q_l", "cost/sample")
	for _, l := range r.Levels {
		fmt.Fprintf(w, "%5d %7d %9d %14.6e %12.4e %12.3f %12.4e %14.4g\n", l.Level, l.Cells, l.N, l.MeanY, l.VarY, l.KurtY, l.VarQ, l.CostPerSample)
	}
	fmt.Fprintf(w, "estimate %.7f; sampling error %.3g, bias estimate %.3g (each target ≤ %.3g); %d rounds\n",
		r.Mean, r.SamplingErr, r.BiasEstimate, c.Tol/math.Sqrt2, r.Rounds)
	fmt.Fprintf(w, "fitted rates: α = %.2f (|E Y_l| ~ 2^-αl), β = %.2f (V_l ~ 2^-βl), γ = %.2f (cost ~ 2^γl)\n", r.Alpha, r.Beta, r.Gamma)
	fmt.Fprintf(w, "total cost %d (CG iterations × nonzeros); wall %.2f s\n", r.TotalCost, r.Wall)
	if !math.IsNaN(r.Exact) {
		fmt.Fprintf(w, "reference problem: |estimate − %g| = %.3g (tol %g)\n", r.Exact, math.Abs(r.Mean-r.Exact), c.Tol)
	}
}

// mlmcSummary is summary.json's content for mlmc.
func mlmcSummary(r *mc.MLMCResult, backend string) map[string]any {
	c := r.Config
	return map[string]any{
		"mean": r.Mean, "total_cost": r.TotalCost, "cost_unit": "CG iterations × nonzeros of K, summed over the samples",
		"parameters": map[string]any{"tol": c.Tol, "mesh": c.Base.Cells, "levels": c.Levels, "max_levels": c.MaxLevels,
			"pilot": c.Pilot, "seed": c.Base.Seed, "dist": c.Base.Dist.String(), "pc": c.Base.PC, "rtol": c.Base.Rtol,
			"confidence": c.Base.Confidence},
		"levels": r.Levels, "sampling_error": r.SamplingErr, "bias_estimate": r.BiasEstimate,
		"alpha": r.Alpha, "beta": r.Beta, "gamma": r.Gamma, "rounds": r.Rounds,
		"exact": nullNaN(r.Exact), "true_error": nullNaN(math.Abs(r.Mean - r.Exact)), "model": c.Base.Model,
		"execution": map[string]any{"ranks": r.Ranks, "backend": backend, "wall_seconds": r.Wall},
	}
}

func cmdMLMCTest(args []string, stdout, stderr io.Writer) int {
	var levels, n int
	var tols string
	j, code := parseMLMCFlags("mcfem mlmc-test", "Giles' mlmc_test: -n samples on each of -levels levels (per-level means, variances,\n"+
		"kurtosis, consistency check and cost), the fitted rates α, β, γ, and a complexity table: mlmc at\n"+
		"each of -tols against plain MC's cost for the same sampling error on the finest level used.",
		args, stdout, stderr, func(fs flagSet) {
			fs.IntVar(&levels, "levels-test", 6, "levels of the per-level study")
			fs.IntVar(&n, "n", 2000, "samples per level in the study (≥ 10)")
			fs.StringVar(&tols, "tols", "2e-2,1e-2,5e-3,2e-3,1e-3", "comma-separated tolerances of the complexity table")
		})
	if j == nil {
		return code
	}
	var ts []float64
	for _, f := range strings.Split(tols, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v > 0) {
			fmt.Fprintf(stderr, "mcfem mlmc-test: -tols %s: want comma-separated tolerances > 0\n", tols)
			return exitUsage
		}
		ts = append(ts, v)
	}
	if levels < 2 || levels > j.cfg.MaxLevels || n < 10 {
		fmt.Fprintf(stderr, "mcfem mlmc-test: -levels-test %d -n %d: want 2 ≤ levels ≤ -max-levels (%d) and n ≥ 10\n", levels, n, j.cfg.MaxLevels)
		return exitUsage
	}
	err := spmd.RunLocal(j.np, func(c spmd.Comm) error {
		return rankMain(c, func() error {
			t, err := mc.RunMLMCTest(c, j.cfg, levels, n, ts)
			if err == nil && c.Rank() == 0 {
				fmt.Fprintf(stdout, "mcfem mlmc-test: ε ~ %s, level 0 mesh %d, CG with %s, %d ranks\n\n", j.cfg.Base.Dist, j.cfg.Base.Cells, j.cfg.Base.PC, c.Size())
				t.Write(stdout)
			}
			return err
		})
	})
	return exitCode(err, stderr)
}

// fieldFlags adds the model flags.
func fieldFlags(fs flagSet, cfg *mc.Config) {
	fs.StringVar(&cfg.Model, "model", cfg.Model, "reference (diffusivity 1) or lognormal-field (κ = exp(g), g a Karhunen–Loève expansion of an exponential covariance; each sample assembles its own matrix)")
	fs.Float64Var(&cfg.Field.Sigma, "field-sigma", cfg.Field.Sigma, "lognormal-field: standard deviation of g")
	fs.Float64Var(&cfg.Field.Lambda, "field-lambda", cfg.Field.Lambda, "lognormal-field: correlation length of g on the unit square")
	fs.IntVar(&cfg.Field.Terms, "field-terms", cfg.Field.Terms, "lognormal-field: Karhunen–Loève terms kept")
}

// nullNaN is x, or nil (JSON null) when x is NaN.
func nullNaN(x float64) any {
	if math.IsNaN(x) {
		return nil
	}
	return x
}
