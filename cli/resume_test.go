package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKillAndResume(t *testing.T) {
	// Issue 6, acceptance 1 (in-process ranks): SIGKILL midway with -np 2, then -resume -np 3
	// into the same -out: samples.csv byte-identical to an uninterrupted run.
	flags := []string{"-samples", "4000", "-mesh", "32", "-seed", "11"}
	want := referenceCSV(t, flags...)
	dir := filepath.Join(t.TempDir(), "out")
	cmd, errb := startCLI(t, append([]string{"run", "-np", "2", "-quiet", "-out", dir}, flags...)...)
	done := waitJournal(t, cmd, dir)
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	<-done
	journaled := journalBytes(dir)
	t.Logf("killed with %d journal bytes; stderr %q", journaled, errb.String())
	require.NoFileExists(t, filepath.Join(dir, "samples.csv"))

	code, stdout, stderr := runCLI(append([]string{"run", "-np", "3", "-resume", "-out", dir}, flags...)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "samples recovered from journals")
	assert.Contains(t, stdout, "resumed: ")
	got := readFile(t, dir, "samples.csv")
	assert.True(t, bytes.Equal(want, got), "samples.csv after resume differs from the uninterrupted run")

	// A resume with another seed or mesh is refused, naming the difference.
	for _, tc := range []struct {
		flag, value, want string
	}{{"-seed", "12", `seed = 11; this run has seed = 12`}, {"-mesh", "16", `mesh = "unit square 32"; this run has mesh = "unit square 16"`}} {
		args := append([]string{"run", "-np", "2", "-resume", "-out", dir}, flags...)
		args = append(args, tc.flag, tc.value)
		code, _, stderr := runCLI(args...)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stderr, tc.want)
	}
}

func TestSignalStopsResumably(t *testing.T) {
	// SIGUSR1 (and SIGTERM) stop the run with the resumable code; -resume completes it.
	flags := []string{"-samples", "4000", "-mesh", "32", "-seed", "12"}
	want := referenceCSV(t, flags...)
	for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			cmd, errb := startCLI(t, append([]string{"run", "-np", "2", "-out", dir}, flags...)...)
			done := waitJournal(t, cmd, dir)
			stopBySignal(t, cmd, done, sig, errb)
			assert.Equal(t, exitResumable, cmd.ProcessState.ExitCode())
			assert.Contains(t, errb.String(), "stopped by "+signalName(sig))
			assert.Contains(t, errb.String(), "-resume")

			code, _, stderr := runCLI(append([]string{"run", "-np", "3", "-resume", "-quiet", "-out", dir}, flags...)...)
			require.Equal(t, exitOK, code, stderr)
			got := readFile(t, dir, "samples.csv")
			assert.True(t, bytes.Equal(want, got))
		})
	}
}

func TestFailurePolicies(t *testing.T) {
	// Issue 6, acceptance 3: MCFEM_FAULT injects non-convergence into sample 7 and a NaN QoI
	// into sample 21 (both on rank 0 of 2: samples 0..49).
	flags := []string{"run", "-np", "2", "-samples", "100", "-mesh", "16", "-quiet"}
	run := func(policy, fault string) (int, string, string) {
		t.Setenv("MCFEM_FAULT", fault)
		dir := filepath.Join(t.TempDir(), "out")
		code, _, stderr := runCLI(append(flags, "-on-failure", policy, "-out", dir)...)
		csv, _ := os.ReadFile(filepath.Join(dir, "samples.csv"))
		return code, string(csv), stderr
	}
	code, _, stderr := run("fail", "0:7:nonconv")
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, stderr, "sample 7 (eps=")
	assert.Contains(t, stderr, "CG did not converge")
	code, _, stderr = run("fail", "0:21:nan")
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, stderr, "sample 21 (eps=")
	assert.Contains(t, stderr, "the QoI is NaN")

	// retry recovers the non-converged sample: same QoI as an undisturbed run, status retried.
	t.Setenv("MCFEM_FAULT", "")
	clean := referenceCSV(t, "-samples", "100", "-mesh", "16")
	code, csv, stderr := run("retry", "0:7:nonconv")
	require.Equal(t, exitOK, code, stderr)
	cl, rl := strings.Split(string(clean), "\n"), strings.Split(csv, "\n")
	assert.Equal(t, strings.TrimSuffix(cl[8], ",ok"), strings.TrimSuffix(rl[8], ",retried"))
	assert.True(t, strings.HasSuffix(rl[8], ",retried"), rl[8])

	// skip: the right count, and the statistics of the other samples.
	t.Setenv("MCFEM_FAULT", "0:21:nan")
	dir := filepath.Join(t.TempDir(), "skip")
	code, stdout, stderr := runCLI(append(flags[:len(flags)-1], "-on-failure", "skip", "-out", dir)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "1 of 100 samples failed and were left out (-on-failure skip): non-finite 1; the statistics rest on 99 samples")
	csvb := readFile(t, dir, "samples.csv")
	assert.Contains(t, string(csvb), "\n21,")
	assert.Contains(t, strings.Split(string(csvb), "\n")[22], ",NaN,")
	assert.True(t, strings.HasSuffix(strings.Split(string(csvb), "\n")[22], ",non-finite"))
	// Against a run on the remaining samples: a list of the other 99 inputs.
	var eps []string
	for i, line := range strings.Split(string(clean), "\n")[1:] {
		if line != "" && i != 21 {
			eps = append(eps, strings.Split(line, ",")[1])
		}
	}
	list := writeFile(t, strings.Join(eps, "\n"), t.TempDir(), "eps.txt")
	t.Setenv("MCFEM_FAULT", "")
	other := filepath.Join(t.TempDir(), "other")
	code, _, stderr = runCLI("run", "-np", "2", "-mesh", "16", "-quiet", "-dist", "list:"+list, "-out", other)
	require.Equal(t, exitOK, code, stderr)
	a := withoutExecution(t, dir)["statistics"].(map[string]any)
	b := withoutExecution(t, other)["statistics"].(map[string]any)
	for _, k := range []string{"mean", "variance", "skewness", "excess_kurtosis"} {
		assert.Equal(t, b[k], a[k], k)
	}
	assert.Equal(t, float64(99), a["n"])
	assert.Equal(t, float64(1), a["failed"])
}
