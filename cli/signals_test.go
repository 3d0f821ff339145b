package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cpuTicks returns the user and system CPU time of process pid in clock ticks (fields 14 and
// 15 of /proc/PID/stat), or -1.
func cpuTicks(pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	_, rest, ok := strings.Cut(string(data), ") ") // the command name may hold spaces
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return -1
	}
	u, err1 := strconv.Atoi(f[11])
	s, err2 := strconv.Atoi(f[12])
	if err1 != nil || err2 != nil {
		return -1
	}
	return u + s
}

func TestSignalDuringSetUp(t *testing.T) {
	// Issue 13: SIGTERM during set-up (here a Cholesky factor at 700 cells, about a second),
	// before any journal exists, says so exactly — nothing to resume, rerun the same command —
	// and exits 1, not the resumable 75; the rerun of the same command then works.
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc")
	}
	dir := filepath.Join(t.TempDir(), "out")
	args := []string{"run", "-np", "1", "-mesh", "700", "-solver", "cholesky", "-samples", "2", "-quiet", "-out", dir}
	cmd, errb := startCLI(t, args...)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	// 0.3 s of CPU: the flags are long parsed (signals are caught from then on) and the set-up
	// (assembly, ordering, the factor: over a second) is under way.
	for cpuTicks(cmd.Process.Pid) < 30 {
		select {
		case <-done:
			t.Fatalf("the run ended before it caught signals: %s", errb)
		default:
		}
		require.True(t, time.Now().Before(deadline), "the run used no CPU for 30 s")
		time.Sleep(time.Millisecond)
	}
	if journalBytes(dir) > 0 || fileExists(filepath.Join(dir, "journal")) && len(globJournals(dir)) > 0 {
		_ = cmd.Process.Kill()
		<-done
		t.Skip("the set-up ended before the signal could be sent")
	}
	stopBySignal(t, cmd, done, syscall.SIGTERM, errb)
	if len(globJournals(dir)) > 0 {
		t.Skip("the set-up ended before the signal arrived")
	}
	assert.Equal(t, exitFailure, cmd.ProcessState.ExitCode())
	assert.Equal(t, "mcfem: stopped by SIGTERM during set-up, before any sample was journaled: nothing to resume; to start, rerun the same command (without -resume)\n", errb.String())

	code, _, stderr := runCLI(args...)
	require.Equal(t, exitOK, code, stderr)
	assert.FileExists(t, filepath.Join(dir, "samples.csv"))
}

func TestStopMessages(t *testing.T) {
	j := &runJob{out: "res"}
	msg, code := j.stopMessage(syscall.SIGUSR1, true)
	assert.Equal(t, exitResumable, code)
	assert.Equal(t, "mcfem: stopped by SIGUSR1: every finished sample is in res/journal; to finish, rerun the same command with -resume (any rank count)", msg)
	j.mpi = true
	msg, code = j.stopMessage(syscall.SIGTERM, true)
	assert.Equal(t, exitResumable, code)
	assert.Contains(t, msg, "stopped by SIGTERM (under mpirun, the launcher's: a user or the scheduler stopped the job, or another rank failed): every finished sample")
	j.resume = true // journals of the earlier run exist: the resume works even before set-up ends
	_, code = j.stopMessage(syscall.SIGINT, false)
	assert.Equal(t, exitResumable, code)
	msg, code = (&runJob{}).stopMessage(syscall.SIGINT, false)
	assert.Equal(t, exitFailure, code)
	assert.Equal(t, "mcfem: stopped by SIGINT; without -out nothing was journaled", msg)
}

// globJournals returns the journal files in dir.
func globJournals(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "journal", "*.mcj"))
	return files
}

// fileExists reports whether path exists.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
