package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// runCLI runs mcfem with args and returns its exit code, stdout and stderr.
func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
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

// readFile returns the content of the file at the path made of elem, or fails the test.
func readFile(t *testing.T, elem ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(elem...))
	require.NoError(t, err)
	return data
}

// writeFile writes data to the file at the path made of elem, or fails the test, and returns
// the path.
func writeFile(t *testing.T, data string, elem ...string) string {
	t.Helper()
	path := filepath.Join(elem...)
	require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
	return path
}

// withoutExecution decodes dir's summary.json and drops its "execution" object (timings,
// hosts, rank count, build).
func withoutExecution(t *testing.T, dir string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(readFile(t, dir, "summary.json"), &m))
	require.Contains(t, m, "execution")
	delete(m, "execution")
	return m
}

// referenceCSV runs the campaign uninterrupted in-process and returns its samples.csv.
func referenceCSV(t *testing.T, flags ...string) []byte {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ref")
	code, _, stderr := runCLI(append([]string{"run", "-np", "1", "-quiet", "-out", dir}, flags...)...)
	require.Equal(t, exitOK, code, stderr)
	return readFile(t, dir, "samples.csv")
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

// waitJournal waits in the background for the started cmd, a run journaling into dir, and
// returns once the journals hold a few hundred records (20 000 bytes); it fails the test if
// the run ends first or the journals stay smaller for a minute. The channel receives cmd's
// end.
func waitJournal(t *testing.T, cmd *exec.Cmd, dir string) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for journalBytes(dir) < 20_000 {
		select {
		case err := <-done:
			t.Fatalf("the run ended before it was interrupted: %v", err)
		default:
		}
		require.True(t, time.Now().Before(deadline), "no journal grew in %s", dir)
		time.Sleep(5 * time.Millisecond)
	}
	return done
}

// stopBySignal sends sig to the started cmd and waits at most 10 s for its end on done (from
// waitJournal); it logs how long the stop took, the exit code and the start of stderr.
func stopBySignal(t *testing.T, cmd *exec.Cmd, done <-chan error, sig os.Signal, stderr *bytes.Buffer) {
	t.Helper()
	start := time.Now()
	require.NoError(t, cmd.Process.Signal(sig))
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not stop within 10 s of %v", filepath.Base(cmd.Path), sig)
	}
	t.Logf("stopped by %v in %s, exit %d: %.400s", sig, time.Since(start).Round(time.Millisecond), cmd.ProcessState.ExitCode(), stderr.String())
}
