// Command mcfem runs Monte Carlo uncertainty-quantification campaigns of a finite-element
// problem on many ranks: in-process goroutine ranks by default, MPI ranks under mpirun in a
// build with -tags mpi. See README.md and `mcfem help`.
package main

import (
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
	exitInternal = 70 // a rank panicked: a bug in mcfem
)

// version is set at link time by the Makefile (-ldflags "-X main.version=…"); otherwise the
// VCS revision embedded by the go command is used.
var version = ""

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
Exit codes: 0 success, 1 run failure, 2 usage or input error (nothing ran),
70 internal error (a rank panicked).
`

// mcfem is the whole program with its streams and arguments; it returns the exit code.
func mcfem(args []string, stdout, stderr io.Writer) int {
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

func cmdRun(args []string, stdout, stderr io.Writer) int {
	cfg := mc.DefaultConfig()
	fs := newFlagSet("mcfem run", "Runs a Monte Carlo campaign of the reference problem: each rank solves its block of\n"+
		"samples, rank 0 prints the statistics and, with -out, writes summary.json, samples.csv\n"+
		"and timings.csv. The results do not depend on -np.")
	fs.IntVar(&cfg.Samples, "samples", cfg.Samples, "number of Monte Carlo samples N (≥ 1)")
	fs.IntVar(&cfg.Cells, "mesh", cfg.Cells, "cells per side of the structured mesh of the unit square (≥ 1)")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the random streams: sample i's input depends on (seed, i) only")
	np := fs.Int("np", runtime.NumCPU(), "in-process ranks (≥ 1)")
	fs.Float64Var(&cfg.Rtol, "rtol", cfg.Rtol, "CG relative residual tolerance, in (0, 1)")
	fs.IntVar(&cfg.MaxIt, "maxit", cfg.MaxIt, "CG iteration cap per sample (≥ 1)")
	fs.Float64Var(&cfg.Confidence, "confidence", cfg.Confidence, "level of the confidence interval of the mean, in (0, 1)")
	out := fs.String("out", "", "directory to write summary.json, samples.csv and timings.csv into (created if needed)")
	quiet := fs.Bool("quiet", false, "print no summary on stdout (errors still go to stderr, files are still written)")
	if code := fs.parse(args, stdout, stderr); code >= 0 {
		return code
	}
	if err := cfg.Validate(); err != nil {
		return usageError(fs, err, stderr)
	}
	if *np < 1 {
		return usageError(fs, &mc.FieldError{Field: "np", Value: fmt.Sprint(*np), Want: "ranks ≥ 1"}, stderr)
	}

	env := newEnv("local")
	err := spmd.RunLocal(*np, func(c spmd.Comm) error {
		return rankMain(c, func() error {
			res, err := mc.Run(c, cfg)
			if err != nil || res == nil {
				return err
			}
			if *out != "" {
				if err := res.WriteFiles(*out, env); err != nil {
					return err
				}
			}
			if !*quiet {
				return res.WriteText(stdout, env)
			}
			return nil
		})
	})
	return exitCode(err, stderr)
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
	if err != nil && !errors.Is(err, spmd.ErrAborted) {
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
func newEnv(backend string) mc.Env {
	host, _ := os.Hostname()
	return mc.Env{Backend: backend, Hosts: []string{host}, Version: buildVersion(), Go: runtime.Version(),
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
	}
	tags := buildTags()
	if tags == "" {
		tags = "none"
	}
	return strings.Join([]string{"mcfem " + buildVersion(), runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		"tags: " + tags, "backends: local (in-process ranks); " + mpi}, ", ")
}
