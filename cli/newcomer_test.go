package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSmallSampleReport (issue 16, items 7 and 13): with 3 samples the excess kurtosis reads
// "n/a (needs 4 samples)" instead of NaN, the variance's undefined standard error is
// explained, the phase table says what combine includes, and with -out the summary ends with
// the files written.
func TestSmallSampleReport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI("run", "-np", "1", "-samples", "3", "-mesh", "8", "-out", dir)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "excess kurtosis        n/a (needs 4 samples)\n")
	assert.NotContains(t, stdout, "NaN")
	assert.Contains(t, stdout, "(the variance's standard error √((h4 − h2²(n−3)/(n−1))/n) is not defined for these 3 values")
	assert.Contains(t, stdout, "(combine includes waiting for the slowest rank")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	assert.Equal(t, "files in "+dir+": summary.json, samples.csv, timings.csv, journal/ (for -resume)", lines[len(lines)-1])
}

// TestResumeAuto (issue 17): -resume auto starts fresh in an -out without journals and
// resumes in one with compatible journals (the extended campaign's samples.csv equals a run
// of the larger one at once); incompatible journals are refused as with -resume.
func TestResumeAuto(t *testing.T) {
	common := []string{"-mesh", "8", "-seed", "4"}
	want := referenceCSV(t, append([]string{"-samples", "600"}, common...)...)
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI(append([]string{"run", "-np", "2", "-samples", "300", "-resume", "auto", "-out", dir}, common...)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "-resume=auto: no journal in")
	code, _, stderr = runCLI(append([]string{"run", "-np", "3", "-samples", "600", "-resume=auto", "-out", dir}, common...)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "300 of 600 samples recovered from journals")
	assert.Equal(t, string(want), string(readFile(t, dir, "samples.csv")), "samples.csv of the extended campaign")
	code, _, stderr = runCLI(append(append([]string{"run", "-np", "2", "-samples", "600", "-resume", "auto", "-out", dir}, common...), "-seed", "5")...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "seed = 4; this run has seed = 5")
}

// TestSeveralTasksWithoutAWorldAreRefused (issue 17): srun -n 2 without a PMI plugin starts
// two processes that would each run the whole campaign: every task exits 2, the first says
// why and how to launch, and nothing runs.
func TestSeveralTasksWithoutAWorldAreRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	t.Setenv("SLURM_STEP_NUM_TASKS", "2")
	for _, procid := range []string{"0", "1"} {
		t.Setenv("SLURM_PROCID", procid)
		code, stdout, stderr := runCLI("run", "-samples", "10", "-out", dir)
		assert.Equal(t, exitUsage, code)
		assert.Empty(t, stdout)
		if procid == "0" {
			assert.Equal(t, "mcfem: the launcher started 2 tasks (SLURM_STEP_NUM_TASKS=2) that are not one MPI world (no PMI reached them): each would run its own full campaign; rebuild with make build-mpi, then launch with srun --mpi=pmix (Open MPI) or srun --mpi=pmi2 (MPICH); srun --mpi=list lists this cluster's plugins\n", stderr)
		} else {
			assert.Empty(t, stderr)
		}
		assert.NoDirExists(t, dir)
	}
}
