package cli

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"mcfem/dist"
	"mcfem/internal/setting"
	"mcfem/mc"
	"mcfem/problem"
	"mcfem/report"
	"mcfem/spmd"
)

// mlmcJob is a parsed and validated `mcfem mlmc`.
type mlmcJob struct {
	cfg mc.MLMCConfig
	src problemSource
	opt mc.Options
	npFlag
	out   string
	quiet bool
}

// parseMLMC defines the flags of mlmc (also those of mlmc-test) on fs, parses args with them
// and validates them. It returns the job and -1, or nil and the exit code (0 after -h).
func parseMLMC(fs flagSet, args []string, stdout, stderr io.Writer) (*mlmcJob, int) {
	j := &mlmcJob{cfg: mc.DefaultMLMCConfig()}
	m, b := &j.cfg, &j.cfg.Base
	pb, so := &b.Problem, &b.Solver
	fs.Float64Var(&m.Tol, "tol", m.Tol, "accuracy T: stop when the sampling error's half-width at -confidence and the estimated bias (from the last two levels) are each ≤ T/√2, so that half-width² + bias² ≤ T² (Giles' mean-square split)")
	fs.StringVar(&b.TolQoI, "tol-qoi", "", "the QoI (by name) the levels estimate (default: the first)")
	fs.IntVar(&pb.Cells, "mesh", pb.Cells, "cells per side of level 0")
	fs.IntVar(&m.Levels, "levels", m.Levels, "levels to start with (≥ 2)")
	fs.IntVar(&m.MaxLevels, "max-levels", m.MaxLevels, "most levels")
	fs.IntVar(&m.Pilot, "pilot", m.Pilot, "samples of a new level's first round (≥ 10)")
	fs.Uint64Var(&b.Seed, "seed", b.Seed, "seed: level l's sample i depends on (seed, l, i) only")
	distFlag := fs.String("dist", pb.Dist.String(), "distribution of ε: beta:a,b, uniform:a,b, normal:mu,sigma, lognormal:mu,sigma")
	fieldFlags(fs, pb)
	solverFlags(fs, so, "coupled samples")
	fs.Float64Var(&so.Rtol, "rtol", so.Rtol, "CG relative residual tolerance, in (0, 1)")
	fs.IntVar(&so.MaxIt, "maxit", so.MaxIt, "CG iteration cap per solve (≥ 1)")
	fs.IntVar(&j.opt.Threads, "threads", 1, "worker threads per rank, sharing the levels' matrices and preconditioners (≥ 1)")
	fs.StringVar(&b.OnFailure, "on-failure", b.OnFailure, "a sample whose solve fails on either mesh: fail (end the run), skip (leave it out of the level's sums), retry (once, with 10× -maxit, then fail)")
	fs.Float64Var(&b.Confidence, "confidence", b.Confidence, "confidence level of the sampling error, in (0, 1)")
	fs.IntVar(&b.MaxSamples, "max-samples", b.MaxSamples, fmt.Sprintf("the sample budget over all levels; the rounds stop there, and if the tolerance is not met the exit code is 5 (≤ %d)", mc.MaxSampleCount))
	fs.IntVar(&j.np, "np", runtime.NumCPU(), "in-process ranks (≥ 1); under mpirun the rank count is mpirun's")
	fs.DurationVar(&j.opt.StallTimeout, "stall-timeout", time.Hour, stallTimeoutHelp)
	fs.StringVar(&j.out, "out", "", "directory to write summary.json into")
	j.src.define(fs, false)
	fs.BoolVar(&j.quiet, "quiet", false, "print nothing on stdout")
	if code := fs.parse(args, stdout, stderr); code >= 0 {
		return nil, code
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	j.npSet = set["np"]
	if err := settleSolver(set, so); err != nil {
		return nil, usageError(fs, err, stderr)
	}
	d, err := dist.Parse(*distFlag, ".")
	if err != nil {
		fmt.Fprintf(stderr, "%s: -dist: %v\n", fs.Name(), err)
		return nil, exitUsage
	}
	pb.Dist = d
	j.src.squares = true // level 0 is -mesh's, whatever the problem file's square
	if err := j.src.apply(pb, set, d); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
		return nil, exitUsage
	}
	if err := m.Validate(); err != nil {
		return nil, usageError(fs, err, stderr)
	}
	if code := checkRanks(fs, j.np, j.opt.Threads, stderr); code >= 0 {
		return nil, code
	}
	if j.opt.StallTimeout < 0 {
		return nil, usageError(fs, &setting.Error{Field: "stall-timeout", Value: j.opt.StallTimeout.String(), Want: "a duration ≥ 0 (0: never), e.g. 30m"}, stderr)
	}
	j.opt.OnStall = exitOnStall
	fault, err := mc.ParseFault(os.Getenv("MCFEM_FAULT"))
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
		return nil, exitUsage
	}
	if fault != nil { // test-only fault injection (a sample index is per level)
		fault.Rtol = b.Solver.Rtol
		j.opt.Hook = fault
	}
	if code := j.checkMemory(fs.Name(), stderr); code >= 0 {
		return nil, code
	}
	return j, -1
}

// rankWork runs the campaign on every rank; rank 0 reports.
func (j *mlmcJob) rankWork(c spmd.Comm, backend string, stdout io.Writer) error {
	res, err := mc.RunMLMC(c, j.cfg, j.opt)
	if err != nil || c.Rank() != 0 {
		return j.src.wrap("mcfem mlmc", err)
	}
	if !j.quiet {
		report.WriteMLMC(stdout, res, backend)
		if res.Unmet != "" {
			fmt.Fprintf(stdout, "tolerance NOT met: %s\n", res.Unmet)
		}
	}
	if j.out != "" {
		if err := os.MkdirAll(j.out, 0o755); err != nil {
			return err
		}
		sum := report.MLMCSummary(res, backend)
		if res.Unmet != "" { // only then: the summary of a campaign that met its tolerance is unchanged
			sum["tolerance_met"], sum["tolerance_unmet"] = false, res.Unmet
		}
		if err := report.WriteJSON(filepath.Join(j.out, "summary.json"), sum); err != nil {
			return err
		}
	}
	if res.Unmet != "" {
		return &invalidError{fmt.Sprintf("mcfem mlmc: tolerance %g not met: %s", j.cfg.Tol, res.Unmet)}
	}
	return nil
}

func cmdMLMC(fs flagSet, args []string, stdout, stderr io.Writer) int {
	j, code := parseMLMC(fs, args, stdout, stderr)
	if j == nil {
		return code
	}
	if !j.quiet {
		p := j.startProgress(stderr, " (coupled samples, every level)")
		defer p.stop()
	}
	err := spmd.RunLocal(j.np, func(c spmd.Comm) error {
		return rankMain(c, func() error { return j.rankWork(c, "local", stdout) })
	})
	return exitCode(err, stderr)
}

func cmdMLMCTest(fs flagSet, args []string, stdout, stderr io.Writer) int {
	var levels, n int
	var tols string
	fs.IntVar(&levels, "levels-test", 6, "levels of the per-level study")
	fs.IntVar(&n, "n", 2000, "samples per level in the study (≥ 10)")
	fs.StringVar(&tols, "tols", "2e-2,1e-2,5e-3,2e-3,1e-3", "comma-separated tolerances of the complexity table")
	j, code := parseMLMC(fs, args, stdout, stderr)
	if j == nil {
		return code
	}
	var ts []float64
	for _, f := range strings.Split(tols, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			fmt.Fprintf(stderr, "mcfem mlmc-test: -tols %s: want comma-separated tolerances > 0\n", tols)
			return exitUsage
		}
		ts = append(ts, v)
	}
	if levels < 2 || levels > j.cfg.MaxLevels || n < 10 || int64(n)*int64(levels) > int64(j.cfg.Base.MaxSamples) {
		fmt.Fprintf(stderr, "mcfem mlmc-test: -levels-test %d -n %d: want 2 ≤ levels ≤ -max-levels (%d) and 10 ≤ n ≤ -max-samples/levels (%d)\n",
			levels, n, j.cfg.MaxLevels, j.cfg.Base.MaxSamples/max(levels, 1))
		return exitUsage
	}
	if code := j.checkMemory("mcfem mlmc-test", stderr, levels); code >= 0 {
		return code
	}
	if !j.quiet {
		p := j.startProgress(stderr, fmt.Sprintf(" (coupled samples: the study's %d levels × %d, then an MLMC run per tolerance)", levels, n))
		defer p.stop()
	}
	err := spmd.RunLocal(j.np, func(c spmd.Comm) error {
		return rankMain(c, func() error {
			t, err := mc.RunMLMCTest(c, j.cfg, levels, n, ts, j.opt)
			if err == nil && c.Rank() == 0 {
				b := j.cfg.Base
				fmt.Fprintf(stdout, "mcfem mlmc-test: %s, level 0 mesh %d, %s, %d ranks\n\n", b.Problem.Inputs(), b.Problem.Cells, report.SolverText(b.Solver), c.Size())
				t.Write(stdout)
			}
			return j.src.wrap("mcfem mlmc-test", err)
		})
	})
	return exitCode(err, stderr)
}

// fieldFlags adds the model flags.
func fieldFlags(fs flagSet, cfg *problem.Spec) {
	fs.StringVar(&cfg.Model, "model", cfg.Model, "reference (diffusivity 1) or lognormal-field (κ = exp(g), g a Karhunen–Loève expansion of an exponential covariance; each sample assembles its own matrix)")
	fs.Float64Var(&cfg.Field.Sigma, "field-sigma", cfg.Field.Sigma, "lognormal-field: standard deviation of g")
	fs.Float64Var(&cfg.Field.Lambda, "field-lambda", cfg.Field.Lambda, "lognormal-field: correlation length of g on the unit square")
	fs.IntVar(&cfg.Field.Terms, "field-terms", cfg.Field.Terms, "lognormal-field: Karhunen–Loève terms kept")
}
