package spmd

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestWorldMismatch (issue 17): the launcher's task count against the MPI world, as srun,
// mpirun (also inside a batch job) and plain runs set the environment.
func TestWorldMismatch(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	const ompi, mpich = "Open MPI v4.1.4, package: Debian OpenMPI", "MPICH Version: 4.0.2"
	for _, tc := range []struct {
		name  string
		env   func(string) string
		world int
		lib   string
		want  string // a part of the message; "" for none
	}{
		{"plain shell, no MPI", env(), 0, "", ""},
		{"srun -n 1, no PMI", env("SLURM_STEP_NUM_TASKS", "1"), 0, "", ""},
		{"srun -n 2 --mpi=none, binary without MPI", env("SLURM_STEP_NUM_TASKS", "2", "SLURM_PROCID", "1"), 0, "",
			"started 2 tasks (SLURM_STEP_NUM_TASKS=2) that are not one MPI world (no PMI reached them): each would run its own full campaign; rebuild with make build-mpi"},
		{"srun -n 2 --mpi=pmix, Open MPI build", env("SLURM_STEP_NUM_TASKS", "2", "PMIX_RANK", "0"), 2, ompi, ""},
		{"srun -n 2 --mpi=pmix, MPICH build: singletons", env("SLURM_STEP_NUM_TASKS", "2", "PMIX_RANK", "0"), 1, mpich,
			"but MPI made each a world of 1: each would run its own campaign; this binary is built with MPICH: launch it with srun --mpi=pmi2"},
		{"srun -n 2 --mpi=pmi2, MPICH build", env("SLURM_STEP_NUM_TASKS", "2", "PMI_SIZE", "2", "PMI_RANK", "1"), 2, mpich, ""},
		{"srun -n 2 --mpi=pmi2, Open MPI build fails in MPI_Init, or singletons", env("SLURM_STEP_NUM_TASKS", "2", "PMI_SIZE", "2"), 1, ompi,
			"this binary is built with Open MPI: launch it with srun --mpi=pmix"},
		{"mpirun -np 4 inside sbatch (SLURM's variables describe the daemons)", env("SLURM_STEP_NUM_TASKS", "1", "OMPI_COMM_WORLD_SIZE", "4"), 4, ompi, ""},
		{"mpirun -np 3 outside SLURM", env("OMPI_COMM_WORLD_SIZE", "3"), 3, ompi, ""},
	} {
		got := WorldMismatch(tc.env, tc.world, tc.lib)
		if tc.want == "" {
			assert.Empty(t, got, tc.name)
			continue
		}
		assert.Contains(t, got, tc.want, tc.name)
		assert.False(t, strings.Contains(got, "\n"), "one line: %s", tc.name)
	}
}
