package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"mcfem/spmd"
)

// Exit codes: the contract with scripts and batch systems.
const (
	exitOK      = 0 // success
	exitFailure = 1 // the run failed (a sample's solve failed, an output could not be written)
	exitUsage   = 2 // bad command line or input: nothing ran
	exitFault   = 3 // test-only: a rank exited on purpose (MCFEM_FAULT=…:exit)
	exitStall   = 4 // a rank's stall watchdog fired (-stall-timeout)
	// exitInvalid: the campaign finished and wrote its outputs, but its verdict is INVALID (more
	// failed samples than -max-failures, no usable sample, or -tol not met within -max-samples).
	exitInvalid = 5
	// exitResumable: stopped by SIGTERM, SIGINT or SIGUSR1 with every finished sample in the
	// journals of -out: rerun with -resume (EX_TEMPFAIL).
	exitResumable = 75
	exitInternal  = 70 // a rank panicked: a bug in mcfem
)

// version is set at link time by the Makefile (-ldflags "-X mcfem/cli.version=…"); otherwise the
// VCS revision embedded by the go command is used.
var version = ""

const usage = `mcfem runs Monte Carlo campaigns of a finite-element problem on many ranks.

Usage:
  mcfem run [flags]      run a campaign (mcfem run -h lists the flags)
  mcfem verify [flags]   mesh-convergence table of the discrete QoI against the exact one
  mcfem bench [flags]    bandwidth probe, SpMV, CG and per-sample cost per mesh and preconditioner
  mcfem mlmc -tol T      multilevel Monte Carlo to an accuracy (mcfem mlmc -h)
  mcfem mlmc-test        Giles' mlmc_test: per-level study, fitted rates, complexity table
  mcfem mesh -mesh N -o FILE.mdpa   write the structured mesh as a Kratos .mdpa file
  mcfem plot-scaling scaling.csv    speedup and efficiency PNGs from scripts/scaling.sh's CSV
  mcfem version          print the version, build and backend
  mcfem help             print this help

The reference problem: -Δu = ε f on the unit square, u = 0 on the boundary,
f = -432(x²+y²-x-y), ε ~ Beta(2,6), QoI = ∫u (Σ nodal area × u).
Under mpirun (a build with make build-mpi) every rank runs the same command;
without it, -np in-process ranks do.
Exit codes: 0 success, 1 run failure, 2 usage or input error (nothing ran; also an input
over its size limit or a run whose memory estimate exceeds the memory available),
4 a rank stalled (-stall-timeout), 5 the verdict is INVALID (outputs written: more failed
samples than -max-failures, no usable sample, or -tol not met within -max-samples),
75 stopped by a signal, resumable with -resume, 70 internal error (a rank panicked).
`

// Main is the whole mcfem command with its arguments (without the program name) and streams;
// it returns the process's exit code. The caller must run it on the main goroutine locked to
// its OS thread (runtime.LockOSThread in main's init): under MPI every MPI call is made from
// it (MPI_THREAD_FUNNELED).
func Main(args []string, stdout, stderr io.Writer) int {
	name, value, launched := spmd.LaunchedByMPI()
	if !launched { // several tasks without PMI (srun --mpi=none): not one world
		if msg := spmd.WorldMismatch(os.Getenv, 0, spmd.MPIBuildLibrary()); msg != "" {
			if r := launcherRank(); r == "" || r == "0" {
				fmt.Fprintln(stderr, msg)
			}
			return exitUsage
		}
	}
	if launched {
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

// launcherRank returns this process's rank as the MPI launcher's environment gives it (srun's
// task number when no MPI variable is set), or "".
func launcherRank() string {
	for _, k := range []string{"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return ""
}

// A command is a subcommand that parses its own flags: its name, its synopsis (-h prints it
// above the flags), and its body, which defines its flags on fs, made by flags, and parses
// args with them.
type command struct {
	name, synopsis string
	run            func(fs flagSet, args []string, stdout, stderr io.Writer) int
}

// flags returns a new flag set for c, named "mcfem NAME".
func (c command) flags() flagSet { return newFlagSet("mcfem "+c.name, c.synopsis) }

// commands are the subcommands that parse their own flags, in the order the unknown-command
// message lists them.
var commands = []command{
	{"run", "Runs a Monte Carlo campaign (the Kratos tutorial's problem, a -problem file, a -kratos project, or -model lognormal-field): each rank solves its block of\n" +
		"samples with -threads workers, rank 0 prints the statistics and, with -out, writes\n" +
		"summary.json, samples.csv and timings.csv. The results depend on neither the rank count\n" +
		"nor the threads. Under mpirun the ranks are MPI processes; otherwise -np in-process ranks.", cmdRun},
	{"mlmc", "Multilevel Monte Carlo (Giles): levels l = 0, 1, … on meshes of -mesh·2^l cells per side,\n" +
		"coupled samples (one input solved on levels l and l−1), optimal samples per level from the\n" +
		"variances and a deterministic work measure (CG iterations × nonzeros, or the factor's multiply-adds), new levels while the estimated bias\n" +
		"exceeds -tol/√2. Decisions come from exactly reduced sums: the same for every rank count.", cmdMLMC},
	{"mlmc-test", "Giles' mlmc_test: -n samples on each of -levels levels (per-level means, variances,\n" +
		"kurtosis, consistency check and cost), the fitted rates α, β, γ, and a complexity table: mlmc at\n" +
		"each of -tols against plain MC's cost for the same sampling error on the finest level used.", cmdMLMCTest},
	{"verify", "Solves the reference problem at ε = 1 on meshes of -min, 2·min, …, -max cells per side and\n" +
		"prints the error of the discrete QoI against the problem's exact QoI with the observed order (expected 2).", cmdVerify},
	{"bench", "Measures this machine: a memory-bandwidth probe (STREAM triad, one thread and all), then for\n" +
		"each mesh size and preconditioner the SpMV rate and its fraction of the probe, the CG\n" +
		"iterations and time per iteration against the bandwidth model, the set-up cost and the\n" +
		"per-sample time, each also in SpMV-equivalents (time / time of one SpMV on the same matrix).\n" +
		"For cholesky, a second table: the factor's nnz(L) and fill, the factorisation's flops and\n" +
		"Gflop/s, and per sample the triangular solves' bytes and flops with their measured GB/s and\n" +
		"Gflop/s, against the triad and a flop peak probe (the factorisation's dense kernel in cache).", cmdBench},
	{"mesh", "Writes the built-in structured mesh of the unit square as a Kratos .mdpa file, with the\n" +
		"boundary nodes in a sub-model-part, so that the -mesh and -mdpa paths can be compared.", cmdMesh},
	{"plot-scaling", "Reads the CSV of scripts/scaling.sh and draws speedup.png and efficiency.png against the\n" +
		"ideal lines, next to the CSV unless -o says where. Usage: mcfem plot-scaling [-o DIR] scaling.csv", cmdPlotScaling},
}

// commandNamed returns the command called name, which must be one of commands.
func commandNamed(name string) command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	panic("cli: no command " + name)
}

// dispatch runs a command on in-process ranks.
func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "version":
		fmt.Fprintln(stdout, versionLine())
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	var names []string
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(c.flags(), args[1:], stdout, stderr)
		}
		names = append(names, c.name)
	}
	names = append(names, "version", "help")
	fmt.Fprintf(stderr, "mcfem: unknown command %q%s (commands: %s)\n", args[0], didYouMean("", args[0], names), strings.Join(names, ", "))
	return exitUsage
}
