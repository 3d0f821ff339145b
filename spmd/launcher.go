package spmd

import "os"

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
