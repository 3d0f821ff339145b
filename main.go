// Command mcfem runs Monte Carlo uncertainty-quantification campaigns of a finite-element
// problem on many ranks: in-process goroutine ranks by default, MPI ranks under mpirun in a
// build with -tags mpi. See README.md and `mcfem help`.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"mcfem/mc"
	"mcfem/spmd"
)

// Exit codes: the contract with scripts and batch systems.
const (
	exitOK       = 0  // success
	exitFailure  = 1  // the run failed (a sample's solve failed, an output could not be written)
	exitUsage    = 2  // bad command line or input: nothing ran
	exitFault    = 3  // test-only: a rank exited on purpose (MCFEM_FAULT=…:exit)
	exitStall    = 4  // a rank's stall watchdog fired (-stall-timeout)
	exitInternal = 70 // a rank panicked: a bug in mcfem
)

// version is set at link time by the Makefile (-ldflags "-X main.version=…"); otherwise the
// VCS revision embedded by the go command is used.
var version = ""

// MPI calls must all come from the main OS thread (MPI_THREAD_FUNNELED): the main goroutine
// stays on it.
func init() { runtime.LockOSThread() }

func main() {
	os.Exit(mcfem(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `mcfem runs Monte Carlo campaigns of a finite-element problem on many ranks.

Usage:
  mcfem run [flags]      run a campaign (mcfem run -h lists the flags)
  mcfem verify [flags]   mesh-convergence table of the discrete QoI against the exact 6ε
  mcfem version          print the version, build and backend
  mcfem help             print this help

The reference problem: -Δu = ε f on the unit square, u = 0 on the boundary,
f = -432(x²+y²-x-y), ε ~ Beta(2,6), QoI = ∫u (Σ nodal area × u).
Under mpirun (a build with make build-mpi) every rank runs the same command;
without it, -np in-process ranks do.
Exit codes: 0 success, 1 run failure, 2 usage or input error (nothing ran),
4 a rank stalled (-stall-timeout), 70 internal error (a rank panicked).
`

// mcfem is the whole program with its streams and arguments; it returns the exit code.
func mcfem(args []string, stdout, stderr io.Writer) int {
	if name, value, ok := spmd.LaunchedByMPI(); ok {
		if !spmd.MPIAvailable() {
			// Every rank refuses; rank 0 (or the only process) says why, once.
			if r := launcherRank(); r == "" || r == "0" {
				fmt.Fprintf(stderr, "mcfem: built without MPI: rebuild with make build-mpi (started by an MPI launcher: %s=%s; without -tags mpi each rank would run its own full campaign)\n", name, value)
			}
			return exitUsage
		}
		return mcfemMPI(args, stdout, stderr)
	}
	return dispatch(args, stdout, stderr)
}

// launcherRank returns this process's rank as the MPI launcher's environment gives it, or "".
func launcherRank() string {
	for _, k := range []string{"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return ""
}

// dispatch runs a command on in-process ranks.
func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "verify":
		return cmdVerify(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, versionLine())
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "mcfem: unknown command %q (commands: run, verify, version, help)\n", args[0])
	return exitUsage
}

// flagSet is a subcommand's flags: parse errors are printed by the caller as one line, and -h
// prints the synopsis and every flag with its default on stdout.
type flagSet struct {
	*flag.FlagSet
	synopsis string
}

func newFlagSet(name, synopsis string) flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return flagSet{fs, synopsis}
}

// parse parses args; it returns -1 to go on, or the exit code to return.
func (fs flagSet) parse(args []string, stdout, stderr io.Writer) int {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(stdout, "Usage: %s [flags]\n\n%s\n\nFlags:\n", fs.Name(), fs.synopsis)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		return exitOK
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v (see %s -h)\n", fs.Name(), err, fs.Name())
		return exitUsage
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "%s: unexpected argument %q (see %s -h)\n", fs.Name(), fs.Arg(0), fs.Name())
		return exitUsage
	}
	return -1
}

// runJob is a parsed and validated `mcfem run`.
type runJob struct {
	cfg   mc.Config
	opt   mc.Options
	np    int  // in-process ranks
	npSet bool // -np given on the command line
	out   string
	quiet bool
}

// parseRun parses and validates `mcfem run`'s flags and environment. It returns the job and
// -1, or nil and the exit code (0 after -h).
func parseRun(args []string, stdout, stderr io.Writer) (*runJob, int) {
	j := &runJob{cfg: mc.DefaultConfig()}
	cfg := &j.cfg
	fs := newFlagSet("mcfem run", "Runs a Monte Carlo campaign of the reference problem: each rank solves its block of\n"+
		"samples with -threads workers, rank 0 prints the statistics and, with -out, writes\n"+
		"summary.json, samples.csv and timings.csv. The results depend on neither the rank count\n"+
		"nor the threads. Under mpirun the ranks are MPI processes; otherwise -np in-process ranks.")
	fs.IntVar(&cfg.Samples, "samples", cfg.Samples, "number of Monte Carlo samples N (≥ 1)")
	fs.IntVar(&cfg.Cells, "mesh", cfg.Cells, "cells per side of the structured mesh of the unit square (≥ 1)")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the random streams: sample i's input depends on (seed, i) only")
	fs.IntVar(&j.np, "np", runtime.NumCPU(), "in-process ranks (≥ 1); under mpirun the rank count is mpirun's")
	fs.IntVar(&j.opt.Threads, "threads", 1, "worker threads per rank, sharing the rank's matrix and preconditioner (≥ 1)")
	fs.Float64Var(&cfg.Rtol, "rtol", cfg.Rtol, "CG relative residual tolerance, in (0, 1)")
	fs.IntVar(&cfg.MaxIt, "maxit", cfg.MaxIt, "CG iteration cap per sample (≥ 1)")
	fs.Float64Var(&cfg.Confidence, "confidence", cfg.Confidence, "level of the confidence interval of the mean, in (0, 1)")
	fs.DurationVar(&j.opt.StallTimeout, "stall-timeout", time.Hour, "end the job when a rank with samples left finishes none for this long (0: never); ranks that are done never time out")
	fs.StringVar(&j.out, "out", "", "directory to write summary.json, samples.csv and timings.csv into (created if needed)")
	fs.BoolVar(&j.quiet, "quiet", false, "print no summary on stdout (errors still go to stderr, files are still written)")
	if code := fs.parse(args, stdout, stderr); code >= 0 {
		return nil, code
	}
	fs.Visit(func(f *flag.Flag) { j.npSet = j.npSet || f.Name == "np" })
	if err := cfg.Validate(); err != nil {
		return nil, usageError(fs, err, stderr)
	}
	field := func(name string, v any, want string) (*runJob, int) {
		return nil, usageError(fs, &mc.FieldError{Field: name, Value: fmt.Sprint(v), Want: want}, stderr)
	}
	switch {
	case j.np < 1:
		return field("np", j.np, "ranks ≥ 1")
	case j.opt.Threads < 1:
		return field("threads", j.opt.Threads, "threads per rank ≥ 1")
	case j.opt.StallTimeout < 0:
		return field("stall-timeout", j.opt.StallTimeout, "a duration ≥ 0 (0: never), e.g. 30m")
	}
	fault, err := mc.ParseFault(os.Getenv("MCFEM_FAULT"))
	if err != nil {
		fmt.Fprintf(stderr, "mcfem run: %v\n", err)
		return nil, exitUsage
	}
	j.opt.Fault = fault
	j.opt.OnStall = func(msg string) {
		// From the watchdog's goroutine: no MPI call here (FUNNELED). A rank that exits without
		// MPI_Finalize ends the whole mpirun job.
		fmt.Fprintln(os.Stderr, msg)
		os.Exit(exitStall)
	}
	return j, -1
}

// rankWork is what every rank does for `mcfem run`; rank 0 also reports and writes the files.
func (j *runJob) rankWork(c spmd.Comm, env mc.Env, stdout io.Writer) error {
	res, err := mc.Run(c, j.cfg, j.opt)
	if err != nil || res == nil {
		return err
	}
	if j.out != "" {
		if err := res.WriteFiles(j.out, env); err != nil {
			return err
		}
	}
	if !j.quiet {
		return res.WriteText(stdout, env)
	}
	return nil
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	j, code := parseRun(args, stdout, stderr)
	if j == nil {
		return code
	}
	env := newEnv("local", "")
	host, _ := os.Hostname()
	j.opt.Host = host
	err := spmd.RunLocal(j.np, func(c spmd.Comm) error {
		return rankMain(c, func() error { return j.rankWork(c, env, stdout) })
	})
	return exitCode(err, stderr)
}

// mcfemMPI is mcfem on an MPI rank: MPI_Init_thread first, before anything can fail; then the
// command line is validated on every rank and the verdict agreed collectively, so that all
// ranks end with the same code and one message; then the run; MPI_Finalize only on the success
// path. Any error or panic after MPI_Init ends the whole job through MPI_Abort.
func mcfemMPI(args []string, stdout, stderr io.Writer) int {
	c, err := spmd.InitMPI()
	if err != nil {
		fmt.Fprintf(stderr, "mcfem: %v\n", err)
		return exitFailure
	}
	defer func() {
		if p := recover(); p != nil {
			c.Abort(exitInternal, fmt.Sprintf("mcfem: rank %d: internal error: panic: %v\n%s", c.Rank(), p, debug.Stack()))
		}
	}()
	if len(args) == 0 || args[0] != "run" {
		// Other commands run on rank 0 alone; the others wait for its exit code.
		code := int64(0)
		if c.Rank() == 0 {
			code = int64(dispatch(args, stdout, stderr))
		}
		return finishMPI(c, code)
	}
	var outb, errb bytes.Buffer
	j, code := parseRun(args[1:], &outb, &errb)
	if j != nil && j.npSet {
		fmt.Fprintf(&errb, "mcfem run: -np %d: -np counts in-process ranks; under mpirun the rank count is mpirun's -np (%d here)\n", j.np, c.Size())
		j, code = nil, exitUsage
	}
	// Agree on the outcome: the highest exit code wins, and the lowest rank that failed prints.
	v := []int64{int64(code), 0}
	if code > 0 {
		v[1] = int64(c.Size() - c.Rank())
	}
	if err := c.AllreduceInt64s(v, v, spmd.Max); err != nil {
		c.Abort(exitFailure, fmt.Sprintf("mcfem: rank %d: %v", c.Rank(), err))
	}
	if v[0] >= 0 {
		if v[1] > 0 && c.Rank() == c.Size()-int(v[1]) {
			stderr.Write(errb.Bytes())
		}
		if c.Rank() == 0 {
			stdout.Write(outb.Bytes())
		}
		return finishMPI(c, v[0])
	}
	env := newEnv("mpi", spmd.MPILibraryVersion())
	j.opt.Host = spmd.ProcessorName()
	if err := rankMain(c, func() error { return j.rankWork(c, env, stdout) }); err != nil {
		c.Abort(exitFailure, fmt.Sprintf("mcfem: rank %d: %v", c.Rank(), err))
	}
	return finishMPI(c, exitOK)
}

// finishMPI shares rank 0's exit code, finalizes MPI (every rank reaches it) and returns the code.
func finishMPI(c spmd.Comm, code int64) int {
	v := []int64{code}
	if err := c.AllreduceInt64s(v, v, spmd.Max); err != nil {
		c.Abort(exitFailure, fmt.Sprintf("mcfem: rank %d: %v", c.Rank(), err))
	}
	if err := spmd.FinalizeMPI(); err != nil {
		fmt.Fprintf(os.Stderr, "mcfem: rank %d: %v\n", c.Rank(), err)
		return exitFailure
	}
	return int(v[0])
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
	switch {
	case errors.As(err, &pe):
		c.Abort(exitInternal, fmt.Sprintf("mcfem: rank %d: internal error: %v", c.Rank(), err))
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

// usageError prints a configuration error as one line naming the flag and its valid range.
func usageError(fs flagSet, err error, stderr io.Writer) int {
	var fe *mc.FieldError
	if errors.As(err, &fe) {
		fmt.Fprintf(stderr, "%s: -%s %s: want %s\n", fs.Name(), fe.Field, fe.Value, fe.Want)
	} else {
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
	}
	return exitUsage
}

func cmdVerify(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("mcfem verify", "Solves the reference problem at ε = 1 on meshes of -min, 2·min, …, -max cells per side and\n"+
		"prints the error of the discrete QoI against the exact 6ε with the observed order (expected 2).")
	lo := fs.Int("min", 8, "coarsest mesh, cells per side (≥ 1)")
	hi := fs.Int("max", 512, "finest mesh, cells per side (≥ -min)")
	rtol := fs.Float64("rtol", 1e-12, "CG relative residual tolerance, in (0, 1): tight, so that the solver's error stays below the discretisation error")
	maxit := fs.Int("maxit", 100000, "CG iteration cap (≥ 1)")
	if code := fs.parse(args, stdout, stderr); code >= 0 {
		return code
	}
	cfg := mc.DefaultConfig()
	cfg.Cells, cfg.Rtol, cfg.MaxIt = *hi, *rtol, *maxit
	if err := cfg.Validate(); err != nil {
		return usageError(fs, err, stderr)
	}
	if *lo < 1 || *lo > *hi {
		return usageError(fs, &mc.FieldError{Field: "min", Value: fmt.Sprint(*lo), Want: fmt.Sprintf("cells per side in [1, -max=%d]", *hi)}, stderr)
	}
	var cells []int
	for n := *lo; n <= *hi; n *= 2 {
		cells = append(cells, n)
	}
	rows, err := mc.Verify(cells, *rtol, *maxit)
	if err != nil {
		fmt.Fprintf(stderr, "mcfem verify: %v\n", err)
		return exitFailure
	}
	if err := mc.WriteVerify(stdout, rows, *rtol); err != nil {
		return exitFailure
	}
	return exitOK
}

// newEnv describes this process for the run report.
func newEnv(backend, library string) mc.Env {
	return mc.Env{Backend: backend, Library: library, Version: buildVersion(), Go: runtime.Version(),
		OS: runtime.GOOS, Arch: runtime.GOARCH, Tags: buildTags(), Started: time.Now()}
}

func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "", ""
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if rev == "" {
		return info.Main.Version
	}
	return rev[:min(12, len(rev))] + dirty
}

func buildTags() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "-tags" {
				return s.Value
			}
		}
	}
	return ""
}

func versionLine() string {
	mpi := "MPI: not built in (rebuild with make build-mpi)"
	if spmd.MPIAvailable() {
		mpi = "MPI: built in"
		if lib := spmd.MPILibraryVersion(); lib != "" {
			mpi += " (" + mc.FirstLine(lib) + ")"
		}
	}
	tags := buildTags()
	if tags == "" {
		tags = "none"
	}
	return strings.Join([]string{"mcfem " + buildVersion(), runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		"tags: " + tags, "backends: local (in-process ranks); " + mpi}, ", ")
}
