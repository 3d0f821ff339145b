package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets a test run this test binary as the mcfem command: with MCFEM_AS_CLI set to
// the arguments separated by newlines, the process is mcfem and nothing else.
func TestMain(m *testing.M) {
	if args := os.Getenv("MCFEM_AS_CLI"); args != "" {
		os.Exit(Main(strings.Split(args, "\n"), os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// startCLI starts this test binary as `mcfem args…` in the background.
func startCLI(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "MCFEM_AS_CLI="+strings.Join(args, "\n"))
	var errb bytes.Buffer
	cmd.Stderr = &errb
	require.NoError(t, cmd.Start())
	return cmd, &errb
}

// journalBytes is the total size of the journals in dir.
func journalBytes(dir string) int64 {
	files, _ := filepath.Glob(filepath.Join(dir, "journal", "*.mcj"))
	var n int64
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			n += st.Size()
		}
	}
	return n
}

// waitJournal waits until the journals in dir hold at least n bytes, or fails the test.
func waitJournal(t *testing.T, dir string, n int64, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for journalBytes(dir) < n {
		select {
		case err := <-done:
			t.Fatalf("the run ended before it was interrupted: %v", err)
		default:
		}
		require.True(t, time.Now().Before(deadline), "no journal grew in %s", dir)
		time.Sleep(5 * time.Millisecond)
	}
}

// referenceCSV runs the campaign uninterrupted in-process and returns its samples.csv.
func referenceCSV(t *testing.T, flags ...string) []byte {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ref")
	code, _, stderr := runCLI(append([]string{"run", "-np", "1", "-quiet", "-out", dir}, flags...)...)
	require.Equal(t, exitOK, code, stderr)
	csv, err := os.ReadFile(filepath.Join(dir, "samples.csv"))
	require.NoError(t, err)
	return csv
}

func TestKillAndResume(t *testing.T) {
	// Issue 6, acceptance 1 (in-process ranks): SIGKILL midway with -np 2, then -resume -np 3
	// into the same -out: samples.csv byte-identical to an uninterrupted run.
	flags := []string{"-samples", "4000", "-mesh", "32", "-seed", "11"}
	want := referenceCSV(t, flags...)
	dir := filepath.Join(t.TempDir(), "out")
	cmd, errb := startCLI(t, append([]string{"run", "-np", "2", "-quiet", "-out", dir}, flags...)...)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waitJournal(t, dir, 20_000, done) // a few hundred records
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	<-done
	journaled := journalBytes(dir)
	t.Logf("killed with %d journal bytes; stderr %q", journaled, errb.String())
	require.NoFileExists(t, filepath.Join(dir, "samples.csv"))

	code, stdout, stderr := runCLI(append([]string{"run", "-np", "3", "-resume", "-out", dir}, flags...)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "samples recovered from journals")
	assert.Contains(t, stdout, "resumed: ")
	got, err := os.ReadFile(filepath.Join(dir, "samples.csv"))
	require.NoError(t, err)
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
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			waitJournal(t, dir, 20_000, done)
			start := time.Now()
			require.NoError(t, cmd.Process.Signal(sig))
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the run did not stop within 10 s")
			}
			t.Logf("stopped in %s: %s", time.Since(start).Round(time.Millisecond), errb.String())
			assert.Equal(t, exitResumable, cmd.ProcessState.ExitCode())
			assert.Contains(t, errb.String(), fmt.Sprintf("stopped by %v", sig))
			assert.Contains(t, errb.String(), "-resume")

			code, _, stderr := runCLI(append([]string{"run", "-np", "3", "-resume", "-quiet", "-out", dir}, flags...)...)
			require.Equal(t, exitOK, code, stderr)
			got, err := os.ReadFile(filepath.Join(dir, "samples.csv"))
			require.NoError(t, err)
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
	csvb, err := os.ReadFile(filepath.Join(dir, "samples.csv"))
	require.NoError(t, err)
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
	list := filepath.Join(t.TempDir(), "eps.txt")
	require.NoError(t, os.WriteFile(list, []byte(strings.Join(eps, "\n")), 0o644))
	t.Setenv("MCFEM_FAULT", "")
	other := filepath.Join(t.TempDir(), "other")
	code, _, stderr = runCLI("run", "-np", "2", "-mesh", "16", "-quiet", "-dist", "list:"+list, "-out", other)
	require.Equal(t, exitOK, code, stderr)
	a := withoutExecution(t, filepath.Join(dir, "summary.json"))["statistics"].(map[string]any)
	b := withoutExecution(t, filepath.Join(other, "summary.json"))["statistics"].(map[string]any)
	for _, k := range []string{"mean", "variance", "skewness", "excess_kurtosis"} {
		assert.Equal(t, b[k], a[k], k)
	}
	assert.Equal(t, float64(99), a["n"])
	assert.Equal(t, float64(1), a["failed"])
}

func TestBadInputListOfIssue6(t *testing.T) {
	// Issue 6, acceptance 5: each exits 2 with a one-line message, and nothing runs.
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.json")
	require.NoError(t, os.WriteFile(cfgPath, []byte(`{"samples": 10, "colour": "red"}`), 0o644))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-samples", "-5"}, "-samples -5: want an integer ≥ 1"},
		{[]string{"-mesh", "0"}, "-mesh 0: want cells per side in [1, 46339]"},
		{[]string{"-np", "0"}, "-np 0: want ranks ≥ 1"},
		{[]string{"-rtol", "-1"}, "-rtol -1: want a relative tolerance in (0, 1)"},
		{[]string{"-dist", "beta:0,6"}, `-dist: dist: "beta:0,6": want beta:a,b with a, b > 0`},
		{[]string{"-mdpa", "/nonexistent.mdpa"}, "-mdpa: mesh: open /nonexistent.mdpa: no such file or directory"},
		{[]string{"-frobnicate"}, "flag provided but not defined: -frobnicate"},
		{[]string{"-config", cfgPath}, `c.json:1: unknown key "colour"`},
		{[]string{"-on-failure", "ignore"}, "-on-failure ignore: want one of fail, skip, retry"},
		{[]string{"-pc", "ilu"}, "-pc ilu: want one of jacobi, amg, none"},
		{[]string{"-resume"}, "-out \"\": want a directory"},
	} {
		out := filepath.Join(dir, "out")
		code, stdout, stderr := runCLI(append([]string{"run", "-out", out}, tc.args...)...)
		if tc.args[0] == "-resume" {
			code, stdout, stderr = runCLI("run", "-resume")
		}
		assert.Equal(t, exitUsage, code, tc.args)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, tc.want)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
		assert.NoDirExists(t, out)
	}
}
