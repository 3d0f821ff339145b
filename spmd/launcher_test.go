package spmd_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"mcfem/spmd"
)

// launcherVars lists, in priority order, the variables LaunchedByMPI must recognise.
var launcherVars = []string{
	"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "MPI_LOCALNRANKS", "MPI_LOCALRANKID",
}

// clearLauncherEnv empties every launcher variable for the test (this test may itself run
// under mpirun) and sets SLURM_PROCID, which must not count.
func clearLauncherEnv(t *testing.T) {
	for _, k := range launcherVars {
		t.Setenv(k, "")
	}
	t.Setenv("SLURM_PROCID", "0")
}

func TestLaunchedByMPI(t *testing.T) {
	t.Run("none", func(t *testing.T) {
		clearLauncherEnv(t)
		name, value, ok := spmd.LaunchedByMPI()
		assert.False(t, ok, "SLURM_PROCID alone is a batch script, not a launched rank")
		assert.Empty(t, name)
		assert.Empty(t, value)
	})
	for _, k := range launcherVars {
		t.Run(k, func(t *testing.T) {
			clearLauncherEnv(t)
			t.Setenv(k, "3")
			name, value, ok := spmd.LaunchedByMPI()
			assert.True(t, ok)
			assert.Equal(t, k, name)
			assert.Equal(t, "3", value)
		})
	}
	t.Run("first wins", func(t *testing.T) {
		clearLauncherEnv(t)
		t.Setenv("MPI_LOCALRANKID", "1")
		t.Setenv("PMI_RANK", "2")
		t.Setenv("OMPI_COMM_WORLD_SIZE", "4")
		name, value, ok := spmd.LaunchedByMPI()
		assert.True(t, ok)
		assert.Equal(t, [2]string{"OMPI_COMM_WORLD_SIZE", "4"}, [2]string{name, value})
	})
	t.Run("empty value ignored", func(t *testing.T) {
		clearLauncherEnv(t)
		t.Setenv("PMIX_RANK", "")
		t.Setenv("PMI_SIZE", "8")
		name, value, ok := spmd.LaunchedByMPI()
		assert.True(t, ok)
		assert.Equal(t, [2]string{"PMI_SIZE", "8"}, [2]string{name, value})
	})
}
