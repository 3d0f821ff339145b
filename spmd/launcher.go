package spmd

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// launcherVars are the environment variables that MPI launchers set in the processes they
// start, in the order LaunchedByMPI looks for them: OpenMPI's mpirun, PMIx (OpenMPI 4+,
// srun --mpi=pmix), PMI-1/2 (MPICH's hydra, srun --mpi=pmi2), and MPICH/Intel MPI's local
// rank variables. SLURM_PROCID is not one: a batch script itself runs with it set.
var launcherVars = []string{
	"OMPI_COMM_WORLD_SIZE",
	"PMIX_RANK",
	"PMI_RANK",
	"PMI_SIZE",
	"MPI_LOCALNRANKS",
	"MPI_LOCALRANKID",
}

// LaunchedByMPI reports whether this process was started by an MPI launcher (mpirun, mpiexec,
// srun with PMI/PMIx): it returns the name and value of the first of OMPI_COMM_WORLD_SIZE,
// PMIX_RANK, PMI_RANK, PMI_SIZE, MPI_LOCALNRANKS, MPI_LOCALRANKID that is set to a non-empty
// value in the environment. (Not SLURM_PROCID: a batch script itself runs with it set.)
func LaunchedByMPI() (name, value string, ok bool) {
	for _, k := range launcherVars {
		if v := os.Getenv(k); v != "" {
			return k, v, true
		}
	}
	return "", "", false
}

// worldVars are the launcher variables that give the number of tasks started in one MPI
// world, in the order LauncherTasks reads them: Open MPI's mpirun (also inside a batch job,
// where SLURM's own variables describe mpirun's daemons, not the ranks), PMI-1/2 (MPICH's
// hydra, srun --mpi=pmi2), then srun's step.
var worldVars = []string{"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"}

// LauncherTasks returns the number of tasks the launcher that started this process says it
// started together, and the variable that says so: the first of worldVars set to a positive
// integer (getenv is os.Getenv, or a test's). ok is false when none is.
func LauncherTasks(getenv func(string) string) (name string, n int, ok bool) {
	for _, k := range worldVars {
		if v, err := strconv.Atoi(getenv(k)); err == nil && v > 0 {
			return k, v, true
		}
	}
	return "", 0, false
}

// WorldMismatch returns the one-line refusal of a process whose MPI world (of size world; 0
// when the process did not start MPI at all: no PMI reached it) is not the launcher's set of
// tasks, or "" when they agree (or no launcher says how many tasks it started). mpiLib is the
// MPI library the binary was built with ("" without MPI). The line names the fix: srun's PMI
// plugin that fits the build, or an MPI build.
func WorldMismatch(getenv func(string) string, world int, mpiLib string) string {
	name, n, ok := LauncherTasks(getenv)
	if !ok || n == world || n == 1 && world == 0 {
		return ""
	}
	fix := "rebuild with make build-mpi, then launch with srun --mpi=pmix (Open MPI) or srun --mpi=pmi2 (MPICH); srun --mpi=list lists this cluster's plugins"
	switch {
	case strings.Contains(mpiLib, "Open MPI"):
		fix = "this binary is built with Open MPI: launch it with srun --mpi=pmix (or mpirun); srun --mpi=list lists this cluster's plugins"
	case strings.Contains(mpiLib, "MPICH"):
		fix = "this binary is built with MPICH: launch it with srun --mpi=pmi2 (or MPICH's mpiexec); srun --mpi=list lists this cluster's plugins"
	}
	if world == 0 {
		return fmt.Sprintf("mcfem: the launcher started %d tasks (%s=%d) that are not one MPI world (no PMI reached them): each would run its own full campaign; %s", n, name, n, fix)
	}
	return fmt.Sprintf("mcfem: the launcher started %d tasks (%s=%d) but MPI made each a world of %d: each would run its own campaign; %s", n, name, n, world, fix)
}
