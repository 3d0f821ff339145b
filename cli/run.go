package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"mcfem/dist"
	"mcfem/internal/setting"
	"mcfem/mc"
	"mcfem/report"
	"mcfem/spmd"
)

// runJob is a parsed and validated `mcfem run`.
type runJob struct {
	cfg mc.Config
	opt mc.Options
	npFlag
	out    string
	quiet  bool
	trace  bool
	plots  bool
	resume bool
	// resumeAuto is -resume=auto: resume is decided by inspectOut (journals in -out or not).
	resumeAuto bool
	mpi        bool           // the job runs under MPI (one process a rank)
	mdpa       string         // -mdpa as given
	src        problemSource  // -problem, -kratos
	dist       string         // -dist as given
	conf       map[string]any // the campaign's flags as a configuration file, for the report
	notes      []string       // what -resume recovered
	// journaled is the number of journaled samples -resume recovered that the run uses (of
	// indices below -samples; with -tol all of them).
	journaled int

	// overwrite (-overwrite) replaces the campaign in -out; lock is this process's lock on -out,
	// madeOut whether this run created it (outdir.go).
	overwrite bool
	lock      *flock.Flock
	madeOut   bool
}

// npFlag is -np, the in-process rank count of run and mlmc, which mpirun's -np replaces.
type npFlag struct {
	np    int  // in-process ranks
	npSet bool // -np given on the command line
}

// ranks returns f; through embedding, the -np of a run or mlmc job.
func (f *npFlag) ranks() *npFlag { return f }

// parseRun defines `mcfem run`'s flags on fs, parses args with them and validates them and
// the environment. It returns the job and -1, or nil and the exit code (0 after -h).
func parseRun(fs flagSet, args []string, stdout, stderr io.Writer) (*runJob, int) {
	j := &runJob{cfg: mc.DefaultConfig()}
	j.defineFlags(fs)
	if path := configArg(args); path != "" {
		if err := loadConfig(fs, path); err != nil {
			fmt.Fprintf(stderr, "mcfem run: -config: %v\n", err)
			return nil, exitUsage
		}
	}
	if code := fs.parse(args, stdout, stderr); code >= 0 {
		return nil, code
	}
	if code := j.check(fs, stderr); code >= 0 {
		return nil, code
	}
	if code := j.setUp(stderr); code >= 0 {
		return nil, code
	}
	return j, -1
}

// defineFlags defines run's flags on fs, with the job's defaults.
func (j *runJob) defineFlags(fs flagSet) {
	cfg := &j.cfg
	pb, so := &cfg.Problem, &cfg.Solver
	fs.IntVar(&cfg.Samples, "samples", cfg.Samples, "number of Monte Carlo samples N (≥ 1); with -tol, the pilot")
	fs.Float64Var(&cfg.Tol, "tol", 0, "ask for an accuracy instead of a sample count: add rounds of samples until the confidence interval's half-width is at most this (0: fixed -samples)")
	fs.StringVar(&cfg.TolQoI, "tol-qoi", "", "with -tol: the QoI (by name) whose confidence interval -tol controls (default: the first)")
	fs.IntVar(&pb.Cells, "mesh", pb.Cells, "cells per side of the structured mesh of the unit square (≥ 2; ≥ 1 for a problem file with Neumann sides)")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the random streams: sample i's input depends on (seed, i) only")
	fs.IntVar(&j.np, "np", runtime.NumCPU(), "in-process ranks (≥ 1); under mpirun the rank count is mpirun's")
	fs.IntVar(&j.opt.Threads, "threads", 1, "worker threads per rank, sharing the rank's matrix and preconditioner (≥ 1)")
	fs.Float64Var(&so.Rtol, "rtol", so.Rtol, "CG relative residual tolerance, in (0, 1)")
	fieldFlags(fs, pb)
	solverFlags(fs, so, "samples")
	fs.StringVar(&cfg.Sampler, "sampler", "mc", "design of the samples' inputs: mc (plain Monte Carlo), sobol (a randomized Sobol' sequence: quasi-Monte Carlo, -replicates random digital shifts of it; -samples is rounded up to -replicates × a power of two, and -tol doubles it) or lhs (-replicates independent Latin hypercubes of -samples/-replicates points; -tol adds replicates); with sobol and lhs the error and interval of the mean come from the replicates' means")
	distributionFlags(fs, cfg)
	fs.BoolVar(&cfg.Sensitivity, "sensitivity", false, "estimate the Sobol' indices (first order and total, with bootstrap intervals) of every QoI with respect to every scalar random input by Saltelli's design: -samples rows of (inputs + 2) solves each")
	fs.IntVar(&cfg.Replicates, "replicates", mc.DefaultReplicates, fmt.Sprintf("with -sampler sobol or lhs: the independent randomizations R (2..%d) whose means give the error of the mean", mc.MaxReplicates))
	fs.IntVar(&so.MaxIt, "maxit", so.MaxIt, "CG iteration cap per sample (≥ 1)")
	fs.Float64Var(&cfg.Confidence, "confidence", cfg.Confidence, "level of the confidence interval of the mean, in (0, 1)")
	fs.DurationVar(&j.opt.StallTimeout, "stall-timeout", time.Hour, stallTimeoutHelp)
	fs.StringVar(&j.out, "out", "", "directory to write summary.json, samples.csv, timings.csv and the journal (journal/, for -resume) into (created if needed; locked for the run; one that holds another campaign is refused without -resume or -overwrite)")
	fs.BoolVar(&j.quiet, "quiet", false, "print no summary on stdout (errors still go to stderr, files are still written)")
	fs.Var(resumeFlag{&j.resume, &j.resumeAuto}, "resume", "with -out: take the finished samples from the journals in -out (written by an earlier, interrupted run, on any rank count) and compute only the rest (with -fields, the journaled samples are solved again for the field statistics); -resume=auto (or -resume auto): resume when -out holds journals, start fresh when it holds none (batch jobs that may be requeued), refusing incompatible journals as -resume does")
	fs.BoolVar(&j.overwrite, "overwrite", false, "with -out: start over in a directory that holds a campaign (journals or outputs, which are removed; other files are left); without it, such a directory is refused unless -resume")
	fs.StringVar(&cfg.OnFailure, "on-failure", cfg.OnFailure, "a sample whose CG does not converge, breaks down or gives a NaN/Inf QoI: fail (end the run), skip (record it, leave it out of the statistics), retry (once, with 10× -maxit, then fail)")
	fs.Var(&cfg.MaxFailures, "max-failures", "with -on-failure skip: the failed samples the statistics may leave out, a `count` (5) or a fraction of the samples (0.01 or 1%); beyond it, or with no usable sample, the verdict is INVALID and the exit code 5")
	fs.IntVar(&cfg.MaxSamples, "max-samples", cfg.MaxSamples, fmt.Sprintf("with -tol: the sample budget; the rounds stop there, and if the tolerance is not met the verdict is INVALID and the exit code 5 (≤ %d)", mc.MaxSampleCount))
	fs.BoolVar(&j.opt.Fields, "fields", false, "with -out: write fields.vtu (ParaView) with the mean and std of u at every node and sample 0's u")
	fs.BoolVar(&j.trace, "trace", false, "with -out: write trace.json (Chrome trace events: open in Perfetto or chrome://tracing), a track per rank and thread, spans for each rank's first ⌈65536/ranks⌉ samples")
	fs.BoolVar(&j.plots, "plots", false, "with -out: write qoi-histogram.png (with the exact density), running-mean.png (with the confidence band) and qoi-cdf.png (the empirical distribution function at 200 exact order statistics, its DKW band and the exact one)")
	fs.StringVar(&j.mdpa, "mdpa", "", "read the mesh from this Kratos .mdpa file (2D 3-node triangles; nodes reordered by reverse Cuthill–McKee) instead of -mesh")
	fs.StringVar(&pb.Boundary, "boundary", "", "with -mdpa: the sub-model-part whose nodes are the Dirichlet boundary (default: the nodes on the mesh's outer edges)")
	fs.StringVar(&j.dist, "dist", pb.Dist.String(), "distribution of ε: beta:a,b, uniform:a,b, normal:mu,sigma, lognormal:mu,sigma, or list:FILE (one value per line, # comments; sample i uses line i; -samples defaults to the number of values)")
	j.src.define(fs, true)
	fs.String("config", "", "JSON file of flag values ({\"samples\": 5000, \"dist\": \"list:eps.txt\", \"threshold\": [\"0.5\", \"0.8\"]}); relative paths in it are relative to its directory, absolute ones are taken as they are; flags on the command line override it. summary.json's execution.configuration is such a file: it reproduces the run")
}

// check completes the job from the parsed flags (the distribution, the mesh of -mdpa, the
// effective configuration) and validates it. It returns -1, or the exit code after printing
// the first problem.
func (j *runJob) check(fs flagSet, stderr io.Writer) int {
	cfg := &j.cfg
	pb := &cfg.Problem
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	j.npSet = set["np"]
	if err := settleSolver(set, &cfg.Solver); err != nil {
		return usageError(fs, err, stderr)
	}
	d, err := dist.Parse(j.dist, ".")
	if err != nil {
		fmt.Fprintf(stderr, "mcfem run: -dist: %v\n", err)
		return exitUsage
	}
	pb.Dist = d
	if err := j.src.apply(pb, set, d); err != nil {
		fmt.Fprintf(stderr, "mcfem run: %v\n", err)
		return exitUsage
	}
	j.notes = append(j.notes, j.src.notes...)
	if n := pb.ListLen(); n > 0 && !set["samples"] {
		cfg.Samples = n
	}
	if code := j.readMDPA(set["mesh"], stderr); code >= 0 {
		return code
	}
	if cfg.Sensitivity {
		d := len(pb.InputNames())
		j.notes = append(j.notes, fmt.Sprintf("-sensitivity: %d rows of Saltelli's design, %d solves each (A, B and one AB per input): %d solves", cfg.Samples, d+2, cfg.Samples*(d+2)))
		cfg.Samples *= d + 2
	}
	if m := cfg.RoundSamples(cfg.Samples); m != cfg.Samples && cfg.Replicates >= 1 {
		j.notes = append(j.notes, fmt.Sprintf("-sampler %s: -samples %d rounded up to %d (%d replicates of %d points%s)",
			cfg.Sampler, cfg.Samples, m, cfg.Replicates, m/cfg.Replicates, map[bool]string{true: ", a power of two", false: ""}[cfg.Sampler == "sobol"]))
		cfg.Samples = m
	}
	j.conf = effectiveConfig(fs)
	j.conf["samples"] = json.Number(fmt.Sprint(cfg.Samples))
	if cfg.Sensitivity { // the flag's value: rows
		j.conf["samples"] = json.Number(fmt.Sprint(cfg.Samples / (len(pb.InputNames()) + 2)))
	}
	if err := cfg.Validate(); err != nil {
		return usageError(fs, err, stderr)
	}
	field := func(name string, v any, want string) int {
		return usageError(fs, &setting.Error{Field: name, Value: fmt.Sprint(v), Want: want}, stderr)
	}
	if code := checkRanks(fs, j.np, j.opt.Threads, stderr); code >= 0 {
		return code
	}
	if j.plots {
		j.opt.CDFPoints = cdfPlotPoints
	}
	switch {
	case j.opt.StallTimeout < 0:
		return field("stall-timeout", j.opt.StallTimeout, "a duration ≥ 0 (0: never), e.g. 30m")
	case j.out == "" && (j.opt.Fields || j.trace || j.plots || j.resume || j.resumeAuto || j.overwrite):
		return field("out", `""`, "a directory: -fields, -trace, -plots, -resume and -overwrite need it")
	case (j.resume || j.resumeAuto) && j.overwrite:
		fmt.Fprintf(stderr, "%s: -resume and -overwrite: give one (-resume continues the campaign in -out, -overwrite replaces it)\n", fs.Name())
		return exitUsage
	}
	return j.checkMemory(stderr)
}

// readMDPA reads the mesh of -mdpa into the problem; -mesh given too (meshSet) and -boundary
// without -mdpa are errors. It returns -1, or the exit code after printing the problem.
func (j *runJob) readMDPA(meshSet bool, stderr io.Writer) int {
	pb := &j.cfg.Problem
	if j.mdpa == "" {
		if pb.Boundary != "" {
			fmt.Fprintf(stderr, "mcfem run: -boundary needs -mdpa\n")
			return exitUsage
		}
		return -1
	}
	if meshSet {
		fmt.Fprintf(stderr, "mcfem run: -mesh and -mdpa: give one mesh, not both\n")
		return exitUsage
	}
	m, info, err := readMesh(j.mdpa, pb.Boundary)
	if err != nil {
		fmt.Fprintf(stderr, "mcfem run: -mdpa: %v\n", err)
		return exitUsage
	}
	pb.Mesh, pb.MDPA, pb.MeshFile = m, info, j.mdpa
	return -1
}

// setUp prepares the run's options from a checked job: the journal directory, the test-only
// fault of MCFEM_FAULT and the stall handler. (The samples that -resume takes from the journals
// are read when -out is taken: claimOut.) It returns -1, or the exit code after printing the
// problem.
func (j *runJob) setUp(stderr io.Writer) int {
	if j.out != "" {
		j.opt.JournalDir = j.out
	}
	fault, err := mc.ParseFault(os.Getenv("MCFEM_FAULT"))
	if err != nil {
		fmt.Fprintf(stderr, "mcfem run: %v\n", err)
		return exitUsage
	}
	if fault != nil { // test-only fault injection, through the sample loop's one hook
		fault.Rtol = j.cfg.Solver.Rtol
		j.opt.Hook = fault
	}
	j.opt.OnStall = exitOnStall
	return -1
}

// cdfPlotPoints is the number of exact order statistics the distribution plot draws.
const cdfPlotPoints = 200

// stallTimeoutHelp is -stall-timeout's help, for run and mlmc.
const stallTimeoutHelp = "end the job (exit 4) when a rank with samples left makes no progress for this long (no sample finished, no CG iteration), or, under mpirun, when a rank gives no sign of life at all (stopped, frozen, its node hung: the other ranks find it); 0: never. A slow rank is never a stall; ranks that are done never time out"

// exitOnStall is the stall watchdog's end of the job: from the watchdog's goroutine, no MPI
// call (a rank that exits without MPI_Finalize ends the whole mpirun job).
func exitOnStall(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(exitStall)
}

// rankWork is what every rank does for `mcfem run`; rank 0 also reports and writes the files.
//
// With -out, the records pass to rank 0 in sample order once solved (each rank keeps its own
// until then, beyond a few MiB in an unlinked temporary file in -out), and rank 0 writes
// samples.csv and timings.csv as they pass.
func (j *runJob) rankWork(c spmd.Comm, env report.Env, stdout io.Writer) error {
	opt := j.opt // the ranks' own copy
	var st *report.Streamed
	if j.out != "" {
		opt.Stream, opt.SpillDir = true, j.out
		if c.Rank() == 0 {
			st = report.NewStreamed(j.out, j.cfg.Problem.InputNames(), j.cfg.Problem.QoINames(),
				report.Extras{Fields: j.opt.Fields, Trace: j.trace, Plots: j.plots})
			opt.Sink = st
			defer st.Discard() // after a failure; nothing once the files are in place
		}
	}
	res, err := mc.Run(c, j.cfg, opt)
	if err != nil || res == nil {
		return j.src.wrap("mcfem run", err)
	}
	if j.out != "" {
		if err := report.WriteFiles(j.out, res, st, env, report.Extras{Fields: j.opt.Fields, Trace: j.trace, Plots: j.plots}); err != nil {
			return err
		}
	}
	if !j.quiet {
		if err := report.WriteText(stdout, res, env); err != nil {
			return err
		}
		if j.out != "" {
			files := j.outputsIn()
			if st, err := os.Stat(filepath.Join(j.out, "journal")); err == nil && st.IsDir() {
				files = append(files, "journal/ (for -resume)")
			}
			fmt.Fprintf(stdout, "files in %s: %s\n", j.out, strings.Join(files, ", "))
		}
	}
	return verdictError("mcfem run", res)
}

func cmdRun(fs flagSet, args []string, stdout, stderr io.Writer) int {
	j, code := parseRun(fs, args, stdout, stderr)
	if j == nil {
		return code
	}
	defer j.releaseOut()
	if code := j.claimOut(stderr); code >= 0 {
		j.undoOut()
		return code
	}
	env := newEnv("local", "")
	env.Configuration = j.conf
	host, _ := os.Hostname()
	j.opt.Host = host
	j.catchSignals(true, stderr)
	j.sayNotes(stderr)
	if !j.quiet {
		p := j.startProgress(stderr, 1, "")
		defer p.stop()
	}
	err := spmd.RunLocal(j.np, func(c spmd.Comm) error {
		return rankMain(c, func() error { return j.rankWork(c, env, stdout) })
	})
	if code = exitCode(err, stderr); code == exitUsage { // the set-up refused the run
		j.undoOut()
	}
	return code
}

// rankMain runs one rank's work and turns any failure into the end of the whole job: an error
// aborts with exit code 1, a panic with 70, each with one message naming the rank. A rank
// that only saw another rank's abort returns quietly.
func rankMain(c spmd.Comm, work func() error) error {
	defer func() {
		if p := recover(); p != nil {
			c.Abort(exitInternal, fmt.Sprintf("mcfem: rank %d: internal error: panic: %v\n%s", c.Rank(), p, debug.Stack()))
		}
	}()
	err := work()
	var pe *mc.PanicError
	var se *setUpError
	var ie *invalidError
	switch {
	case errors.As(err, &ie): // rank 0 wrote the outputs of a campaign whose verdict is INVALID
		c.Abort(exitInvalid, ie.msg)
	case errors.As(err, &pe):
		c.Abort(exitInternal, fmt.Sprintf("mcfem: rank %d: %v", c.Rank(), err))
	case errors.As(err, &se): // the problem's set-up found an error in its files: every rank does
		c.Abort(exitUsage, se.msg)
	case err != nil && !errors.Is(err, spmd.ErrAborted):
		c.Abort(exitFailure, fmt.Sprintf("mcfem: rank %d: %v", c.Rank(), err))
	}
	return err
}

// exitCode maps the end of a job to the process's exit code, printing the reason.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ab *spmd.AbortError
	if errors.As(err, &ab) {
		fmt.Fprintln(stderr, ab.Msg)
		return ab.Code
	}
	fmt.Fprintf(stderr, "mcfem: %v\n", err)
	return exitFailure
}
