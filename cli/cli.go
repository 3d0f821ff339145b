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
  mcfem verify [flags]   mesh-convergence table of the discrete QoI against the exact 6ε
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
Exit codes: 0 success, 1 run failure, 2 usage or input error (nothing ran),
4 a rank stalled (-stall-timeout), 75 stopped by a signal, resumable with -resume,
70 internal error (a rank panicked).
`

// Main is the whole mcfem command with its arguments (without the program name) and streams;
// it returns the process's exit code. The caller must run it on the main goroutine locked to
// its OS thread (runtime.LockOSThread in main's init): under MPI every MPI call is made from
// it (MPI_THREAD_FUNNELED).
func Main(args []string, stdout, stderr io.Writer) int {
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

// commands are the subcommands that parse their own flags, by name, in the order the
// unknown-command message lists them.
var commands = []struct {
	name string
	run  func(args []string, stdout, stderr io.Writer) int
}{
	{"run", cmdRun},
	{"mlmc", cmdMLMC},
	{"mlmc-test", cmdMLMCTest},
	{"verify", cmdVerify},
	{"bench", cmdBench},
	{"mesh", cmdMesh},
	{"plot-scaling", cmdPlotScaling},
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
			return c.run(args[1:], stdout, stderr)
		}
		names = append(names, c.name)
	}
	fmt.Fprintf(stderr, "mcfem: unknown command %q (commands: %s, version, help)\n", args[0], strings.Join(names, ", "))
	return exitUsage
}
