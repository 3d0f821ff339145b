package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests in this file run mcfem under mpirun. scripts/test-mpi.sh (make test) builds the
// binaries and sets MCFEM_MPI_BIN (built with -tags mpi) and MCFEM_NOMPI_BIN (without); plain
// `go test` skips them.

// mpiBins returns the two binaries or skips the test.
func mpiBins(t *testing.T) (mpiBin, nompiBin string) {
	t.Helper()
	mpiBin, nompiBin = os.Getenv("MCFEM_MPI_BIN"), os.Getenv("MCFEM_NOMPI_BIN")
	if mpiBin == "" || nompiBin == "" {
		t.Skip("MPI test: run through scripts/test-mpi.sh (make test), which builds the binaries")
	}
	if _, err := exec.LookPath("mpirun"); err != nil {
		t.Skip("MPI test: mpirun not found")
	}
	return mpiBin, nompiBin
}

// mpirunResult is the outcome of one mpirun.
type mpirunResult struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// mpirun runs `mpirun -np p bin args…` under an outer `timeout -k 5 120`, so that no bug can
// hang the test, with extra environment variables forwarded to every rank.
func mpirun(t *testing.T, p int, env []string, bin string, args ...string) mpirunResult {
	t.Helper()
	cmdline := []string{"-k", "5", "120", "mpirun", "--oversubscribe"}
	if os.Geteuid() == 0 {
		cmdline = append(cmdline, "--allow-run-as-root")
	}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		cmdline = append(cmdline, "-x", k)
	}
	cmdline = append(cmdline, "-np", strconv.Itoa(p), bin)
	cmdline = append(cmdline, args...)
	cmd := exec.CommandContext(context.Background(), "timeout", cmdline...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := mpirunResult{stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("mpirun: %v", err)
	}
	require.NotEqual(t, 124, r.code, "mpirun timed out (hung job): %s", r.stderr)
	require.NotEqual(t, 137, r.code, "mpirun killed after timing out (hung job): %s", r.stderr)
	return r
}

func TestMPIDistributionsAndDesignsMatchInProcess(t *testing.T) {
	// Issue 15, acceptance 3 under MPI: the quantiles (found by the distributed selection:
	// 2¹⁴ values take several passes), exceedances and CVaR, a Sobol' design's replicate
	// intervals and Saltelli's indices are the same under mpirun -np 1..4 as in process.
	mpiBin, _ := mpiBins(t)
	for _, flags := range [][]string{
		{"-samples", "16384", "-mesh", "4", "-threshold", "1,2.5", "-sampler", "sobol", "-quiet"},
		{"-samples", "500", "-problem", "../problems/two-inputs.json", "-mesh", "8", "-sensitivity", "-quiet"},
	} {
		ref := filepath.Join(t.TempDir(), "local")
		code, _, stderr := runCLI(append([]string{"run", "-np", "1", "-out", ref}, flags...)...)
		require.Equal(t, exitOK, code, stderr)
		want := withoutExecution(t, ref)
		require.Contains(t, string(readFile(t, ref, "summary.json")), map[bool]string{true: `"sobol_indices"`, false: `"distributions"`}[flags[len(flags)-2] == "-sensitivity"])
		for _, p := range []int{1, 2, 3, 4} {
			dir := filepath.Join(t.TempDir(), fmt.Sprint("np", p))
			r := mpirun(t, p, nil, mpiBin, append([]string{"run", "-out", dir}, flags...)...)
			require.Equal(t, 0, r.code, "np %d: %s", p, r.stderr)
			assert.Equal(t, want, withoutExecution(t, dir), "np %d %v", p, flags)
		}
	}
}

func TestMPIOutputsMatchInProcess(t *testing.T) {
	// Issue 3, acceptance 2: mpirun -np P for P = 1..4, with 1 and 2 threads, gives the
	// samples.csv of the in-process `mcfem run -np 1` byte for byte, and the same summary.json
	// without "execution".
	mpiBin, _ := mpiBins(t)
	flags := []string{"-samples", "600", "-mesh", "32", "-seed", "5", "-quiet"}
	base := t.TempDir()
	ref := filepath.Join(base, "local")
	code, _, stderr := runCLI(append([]string{"run", "-np", "1", "-out", ref}, flags...)...)
	require.Equal(t, exitOK, code, stderr)
	refCSV := readFile(t, ref, "samples.csv")
	refSummary := withoutExecution(t, ref)

	for _, threads := range []string{"1", "2"} {
		for _, p := range []int{1, 2, 3, 4} {
			dir := filepath.Join(base, "mpi-np"+strconv.Itoa(p)+"-t"+threads)
			r := mpirun(t, p, nil, mpiBin, append([]string{"run", "-threads", threads, "-out", dir}, flags...)...)
			require.Equal(t, 0, r.code, "np %d threads %s: %s", p, threads, r.stderr)
			csv := readFile(t, dir, "samples.csv")
			assert.True(t, bytes.Equal(refCSV, csv), "samples.csv: mpirun -np %d -threads %s differs from in-process -np 1", p, threads)
			assert.Equal(t, refSummary, withoutExecution(t, dir), "np %d threads %s", p, threads)
		}
	}
	// The direct solver (issue 4): mpirun -np 3 with batches of 4 gives the in-process
	// -np 1 unbatched samples.csv byte for byte.
	direct := append([]string{"-solver", "cholesky"}, flags...)
	refD := filepath.Join(base, "local-cholesky")
	code, _, stderr = runCLI(append([]string{"run", "-np", "1", "-out", refD}, direct...)...)
	require.Equal(t, exitOK, code, stderr)
	refDCSV := readFile(t, refD, "samples.csv")
	dirD := filepath.Join(base, "mpi-cholesky")
	rd := mpirun(t, 3, nil, mpiBin, append([]string{"run", "-batch", "4", "-out", dirD}, direct...)...)
	require.Equal(t, 0, rd.code, rd.stderr)
	csvD := readFile(t, dirD, "samples.csv")
	assert.True(t, bytes.Equal(refDCSV, csvD), "samples.csv: mpirun -np 3 -solver cholesky -batch 4 differs from in-process")
	assert.Equal(t, withoutExecution(t, refD), withoutExecution(t, dirD))

	// The report says it ran on MPI ranks.
	r := mpirun(t, 2, nil, mpiBin, "run", "-samples", "20", "-mesh", "8", "-threads", "2")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "20 samples on 2 ranks (mpi) × 2 threads")
	assert.Contains(t, r.stdout, "MPI: ")
	assert.Equal(t, 1, strings.Count(r.stdout, "verdict: VALID"), "only rank 0 reports")
}

func TestMPIFaultsEndTheJob(t *testing.T) {
	// Issue 3, acceptance 3: a fault on rank 2 of 4 ends the whole job non-zero, quickly, with
	// a message naming the rank and the sample. 600 samples over 4 ranks: rank 2 owns [300, 450).
	mpiBin, _ := mpiBins(t)
	for _, tc := range []struct {
		kind  string
		args  []string
		code  int
		want  string
		limit time.Duration
	}{
		// 15 s: the bound for a dying rank (OpenMPI needs ~1-2 s, plus start-up).
		{"panic", nil, exitInternal, "mcfem: rank 2: sample 310: panic: mc: injected fault MCFEM_FAULT=2:310:panic at sample 310", 15 * time.Second},
		{"exit", nil, exitFault, "mcfem: rank 2: sample 310: injected fault MCFEM_FAULT=2:310:exit", 15 * time.Second},
		// The stall timeout set here (3 s) plus the same 15 s for the job to end.
		{"hang", []string{"-stall-timeout", "3s"}, exitStall, "mcfem: rank 2: stalled: no sample finished and no solver progress for", 18 * time.Second},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			args := append([]string{"run", "-samples", "600", "-mesh", "32", "-solver", "cg", "-quiet"}, tc.args...) // batch 1: the fault's sample is the one solving
			r := mpirun(t, 4, []string{"MCFEM_FAULT=2:310:" + tc.kind}, mpiBin, args...)
			t.Logf("exit %d after %s; stderr:\n%s", r.code, r.took.Round(time.Millisecond), r.stderr)
			assert.Equal(t, tc.code, r.code)
			assert.Contains(t, r.stderr, tc.want)
			if tc.kind == "hang" {
				assert.Contains(t, r.stderr, "has been solving sample 310")
			}
			assert.Less(t, r.took, tc.limit)
			assert.NotContains(t, r.stdout, "verdict")
		})
	}
}

func TestMPIStoppedRankEndsTheJob(t *testing.T) {
	// Issue 13, acceptance 1: a rank stopped by SIGSTOP (kill -STOP; here the test fault
	// 2:1200:stop, which stops rank 2's whole process at its sample 1200) freezes every thread
	// of it, its own watchdog too. The other ranks' heartbeat finds it: the job ends within the
	// stall timeout (3 s) plus a few seconds, with one message naming rank 2. Rank 0 stopped
	// is found by the others (rank 1 speaks).
	mpiBin, _ := mpiBins(t)
	for _, tc := range []struct{ fault, want string }{
		{"2:1200:stop", "mcfem: rank 0: rank 2 has given no sign of life for"},
		{"0:100:stop", "mcfem: rank 1: rank 0 has given no sign of life for"},
	} {
		t.Run(tc.fault, func(t *testing.T) {
			args := []string{"run", "-samples", "2000", "-mesh", "32", "-quiet", "-stall-timeout", "3s", "-out", filepath.Join(t.TempDir(), "out")}
			r := mpirun(t, 4, []string{"MCFEM_FAULT=" + tc.fault}, mpiBin, args...)
			t.Logf("exit %d after %s; stderr:\n%s", r.code, r.took.Round(time.Millisecond), r.stderr)
			assert.Equal(t, exitStall, r.code)
			assert.Contains(t, r.stderr, tc.want)
			assert.Equal(t, 1, strings.Count(r.stderr, "has given no sign of life"), "one message per job")
			// 3 s of silence, a second's beat, start-up and the launcher's teardown.
			assert.Less(t, r.took, 13*time.Second)
		})
	}
	out, _ := exec.Command("pgrep", "-f", "stall-timeout 3s").Output()
	assert.Empty(t, strings.TrimSpace(string(out)), "a stopped rank was left behind")
}

func TestMPIStoppedRankEndsMLMC(t *testing.T) {
	// The heartbeat watches mlmc's ranks too: rank 2 stopped at its first sample of a level.
	mpiBin, _ := mpiBins(t)
	r := mpirun(t, 4, []string{"MCFEM_FAULT=2:*:stop"}, mpiBin, "mlmc", "-tol", "0.001", "-mesh", "8", "-quiet", "-stall-timeout", "3s")
	t.Logf("exit %d after %s; stderr:\n%s", r.code, r.took.Round(time.Millisecond), r.stderr)
	assert.Equal(t, exitStall, r.code)
	assert.Contains(t, r.stderr, "mcfem: rank 0: rank 2 has given no sign of life for")
	assert.Less(t, r.took, 13*time.Second)
}

func TestMPISetUpRefusalLeavesNoOut(t *testing.T) {
	// A problem file whose error shows only at set-up (κ ≤ 0 at a quadrature point): exit 2
	// with one line, and the -out the run created is gone again, lock file included.
	mpiBin, _ := mpiBins(t)
	dir := t.TempDir()
	pf := writeFile(t, `{"mesh": {"square": 8}, "conductivity": "x - 0.5", "source": "1",
  "boundary": {"boundary": {"dirichlet": "0"}}, "qoi": {"m": {"integral": "domain"}}}`, dir, "p.json")
	out := filepath.Join(dir, "out")
	r := mpirun(t, 2, nil, mpiBin, "run", "-problem", pf, "-out", out, "-quiet")
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, `conductivity: "x - 0.5" is -0.41`)
	assert.NoDirExists(t, out)
}

func TestMPISlowOversubscribedRanksDoNotStall(t *testing.T) {
	// Issue 13, acceptance 1: 8 ranks on this machine's cores, each sample at 512 cells taking
	// longer than the 2 s stall timeout (CG + Jacobi, ~2000 iterations): the solver's progress
	// and the heartbeats keep every rank alive, and the run completes. Before, the watchdog
	// counted only finished samples and fired.
	mpiBin, _ := mpiBins(t)
	if testing.Short() {
		t.Skip("about 20 s")
	}
	dir := filepath.Join(t.TempDir(), "out")
	r := mpirun(t, 8, nil, mpiBin, "run", "-samples", "16", "-mesh", "512", "-stall-timeout", "2s", "-quiet", "-out", dir)
	t.Logf("exit %d after %s", r.code, r.took.Round(time.Millisecond))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, string(readFile(t, dir, "summary.json")), `"VALID"`)
}

func TestMPISlowRankCompletes(t *testing.T) {
	// Rank 0 has four times the work of the others (every sample solved 4 times); with the
	// default stall timeout the others wait for it in the final gather, and the result is right.
	mpiBin, _ := mpiBins(t)
	flags := []string{"-samples", "400", "-mesh", "32", "-seed", "3", "-quiet"}
	ref := filepath.Join(t.TempDir(), "ref")
	code, _, stderr := runCLI(append([]string{"run", "-np", "1", "-out", ref}, flags...)...)
	require.Equal(t, exitOK, code, stderr)
	dir := filepath.Join(t.TempDir(), "slow")
	r := mpirun(t, 4, []string{"MCFEM_FAULT=0:*:slow4"}, mpiBin, append([]string{"run", "-out", dir}, flags...)...)
	require.Equal(t, 0, r.code, r.stderr)
	want := readFile(t, ref, "samples.csv")
	got := readFile(t, dir, "samples.csv")
	assert.True(t, bytes.Equal(want, got))
}

func TestMPIErrorsAreCollective(t *testing.T) {
	mpiBin, nompiBin := mpiBins(t)
	// Issue 3, acceptance 4: the binary built without MPI refuses under mpirun.
	r := mpirun(t, 2, nil, nompiBin, "run", "-samples", "10")
	assert.NotEqual(t, 0, r.code)
	assert.Contains(t, r.stderr, "built without MPI: rebuild with make build-mpi")
	assert.Empty(t, r.stdout, "no rank may run a campaign")

	// Bad input: every rank validates, all end with exit 2, one message.
	r = mpirun(t, 3, nil, mpiBin, "run", "-samples", "0")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, 1, strings.Count(r.stderr, "mcfem run: -samples 0: want an integer ≥ 1"), r.stderr)
	r = mpirun(t, 2, nil, mpiBin, "run", "-np", "4")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "under mpirun the rank count is mpirun's -np (2 here)")
	r = mpirun(t, 2, nil, mpiBin, "run", "-h")
	assert.Equal(t, exitOK, r.code)
	assert.Equal(t, 1, strings.Count(r.stdout, "-stall-timeout"), "help printed once")

	// A CG failure on some rank ends the job with exit 1 and a message naming rank and sample.
	r = mpirun(t, 2, nil, mpiBin, "run", "-samples", "10", "-mesh", "16", "-solver", "cg", "-maxit", "3")
	assert.Equal(t, exitFailure, r.code)
	assert.Regexp(t, `mcfem: rank [01]: sample [0-9]+ \(eps=[0-9.e-]+\): solver: CG did not converge in 3 iterations`, r.stderr)
	assert.NotContains(t, r.stdout, "verdict")
}

// startMPI starts `mpirun -np p bin args…` in the background (killed after 120 s whatever
// happens) and returns it with its stderr.
func startMPI(t *testing.T, p int, bin string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	cmdline := []string{"--oversubscribe"}
	if os.Geteuid() == 0 {
		cmdline = append(cmdline, "--allow-run-as-root")
	}
	cmdline = append(cmdline, "-np", strconv.Itoa(p), bin)
	cmd := exec.CommandContext(ctx, "mpirun", append(cmdline, args...)...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	require.NoError(t, cmd.Start())
	return cmd, &errb
}

func TestMPIKillRankAndResume(t *testing.T) {
	// Issue 6, acceptance 1 under mpirun: SIGKILL one rank's process; the job ends; mpirun
	// -np 3 -resume completes with samples.csv identical to an uninterrupted run.
	mpiBin, _ := mpiBins(t)
	flags := []string{"-samples", "4000", "-mesh", "32", "-seed", "13", "-quiet"}
	want := referenceCSV(t, flags...)
	dir := filepath.Join(t.TempDir(), "out")
	cmd, errb := startMPI(t, 2, mpiBin, append([]string{"run", "-out", dir}, flags...)...)
	done := waitJournal(t, cmd, dir)
	out, err := exec.Command("pgrep", "-P", strconv.Itoa(cmd.Process.Pid)).Output()
	require.NoError(t, err, "no rank processes under mpirun")
	pids := strings.Fields(string(out))
	require.NotEmpty(t, pids)
	pid, err := strconv.Atoi(pids[len(pids)-1])
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("mpirun did not end after a rank was killed")
	}
	assert.NotEqual(t, 0, cmd.ProcessState.ExitCode())
	t.Logf("killed rank pid %d; mpirun exit %d; %d journal bytes; stderr: %.300s", pid, cmd.ProcessState.ExitCode(), journalBytes(dir), errb.String())

	r := mpirun(t, 3, nil, mpiBin, append([]string{"run", "-resume", "-out", dir}, flags...)...)
	require.Equal(t, 0, r.code, r.stderr)
	got := readFile(t, dir, "samples.csv")
	assert.True(t, bytes.Equal(want, got), "samples.csv after the resume differs from the uninterrupted run")
}

func TestMPISigusr1StopsAndResumes(t *testing.T) {
	// Issue 6, acceptance 2: SIGUSR1 to mpirun (forwarded to every rank): all ranks stop within
	// 10 s with the resumable code; the resumed run gives identical results.
	mpiBin, _ := mpiBins(t)
	flags := []string{"-samples", "4000", "-mesh", "32", "-seed", "14"}
	want := referenceCSV(t, flags...)
	dir := filepath.Join(t.TempDir(), "out")
	cmd, errb := startMPI(t, 2, mpiBin, append([]string{"run", "-out", dir}, flags...)...)
	done := waitJournal(t, cmd, dir)
	stopBySignal(t, cmd, done, syscall.SIGUSR1, errb)
	assert.Equal(t, exitResumable, cmd.ProcessState.ExitCode())
	assert.Contains(t, errb.String(), "stopped by SIGUSR1")

	r := mpirun(t, 3, nil, mpiBin, append([]string{"run", "-resume", "-quiet", "-out", dir}, flags...)...)
	require.Equal(t, 0, r.code, r.stderr)
	got := readFile(t, dir, "samples.csv")
	assert.True(t, bytes.Equal(want, got))
}

func TestMPISigtermToMpirunResumes(t *testing.T) {
	// Issue 13, acceptance 6: SIGTERM and SIGINT to mpirun. mpirun forwards SIGTERM to the
	// ranks, which sync their journals and exit 75, but mpirun itself returns 1 when it was
	// signalled (the README documents it); the resume on another rank count gives identical
	// results.
	mpiBin, _ := mpiBins(t)
	flags := []string{"-samples", "4000", "-mesh", "32", "-seed", "15"}
	want := referenceCSV(t, flags...)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(signalName(sig), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			cmd, errb := startMPI(t, 2, mpiBin, append([]string{"run", "-out", dir}, flags...)...)
			done := waitJournal(t, cmd, dir)
			stopBySignal(t, cmd, done, sig, errb)
			assert.Equal(t, exitFailure, cmd.ProcessState.ExitCode(), "the README's code for a signalled mpirun")
			r := mpirun(t, 3, nil, mpiBin, append([]string{"run", "-resume", "-quiet", "-out", dir}, flags...)...)
			require.Equal(t, 0, r.code, r.stderr)
			assert.True(t, bytes.Equal(want, readFile(t, dir, "samples.csv")))
		})
	}
}

func TestMPITolMatchesInProcess(t *testing.T) {
	// Issue 7 (acceptance 4, plain MC part): -tol's rounds and results are bit-identical under
	// mpirun -np 1..4 and in-process.
	mpiBin, _ := mpiBins(t)
	flags := []string{"-tol", "0.02", "-samples", "40", "-mesh", "8", "-seed", "3", "-quiet"}
	ref := filepath.Join(t.TempDir(), "ref")
	code, _, stderr := runCLI(append([]string{"run", "-np", "1", "-out", ref}, flags...)...)
	require.Equal(t, exitOK, code, stderr)
	want := readFile(t, ref, "samples.csv")
	wantSummary := withoutExecution(t, ref)
	require.Contains(t, wantSummary, "rounds")
	for _, p := range []int{2, 3, 4} {
		dir := filepath.Join(t.TempDir(), "np"+strconv.Itoa(p))
		r := mpirun(t, p, nil, mpiBin, append([]string{"run", "-out", dir}, flags...)...)
		require.Equal(t, 0, r.code, r.stderr)
		got := readFile(t, dir, "samples.csv")
		assert.True(t, bytes.Equal(want, got), "np %d", p)
		assert.Equal(t, wantSummary, withoutExecution(t, dir), "np %d", p)
	}
}

func TestMPIMLMCMatchesInProcess(t *testing.T) {
	// Issue 7, acceptance 4: N_l and the estimate are bit-identical under mpirun and in-process.
	mpiBin, _ := mpiBins(t)
	flags := []string{"-tol", "0.02", "-seed", "4", "-quiet"}
	ref := filepath.Join(t.TempDir(), "ref")
	code, _, stderr := runCLI(append([]string{"mlmc", "-np", "1", "-out", ref}, flags...)...)
	require.Equal(t, exitOK, code, stderr)
	want := withoutExecution(t, ref)
	for _, p := range []int{2, 3, 4} {
		dir := filepath.Join(t.TempDir(), "np"+strconv.Itoa(p))
		r := mpirun(t, p, nil, mpiBin, append([]string{"mlmc", "-out", dir}, flags...)...)
		require.Equal(t, 0, r.code, r.stderr)
		assert.Equal(t, want, withoutExecution(t, dir), "np %d", p)
	}
}

func TestMPIOutProblemsAreCollective(t *testing.T) {
	// Issue 13 under mpirun: an -out that cannot be created, one with a file in the way of the
	// journals, one locked by another run, one holding another campaign: each found before the
	// set-up, exit 2 on every rank, one message for the job.
	mpiBin, _ := mpiBins(t)
	base := t.TempDir()
	writeFile(t, "", base, "file")
	args := []string{"run", "-samples", "12", "-mesh", "8", "-quiet", "-out"}
	one := func(r mpirunResult, want string) {
		t.Helper()
		assert.Equal(t, exitUsage, r.code, r.stderr)
		assert.Equal(t, 1, strings.Count(r.stderr, "mcfem run: "), "one message: %s", r.stderr)
		assert.Contains(t, r.stderr, want)
		assert.Empty(t, r.stdout)
	}
	one(mpirun(t, 3, nil, mpiBin, append(args, filepath.Join(base, "file", "out"))...), "cannot create it: mkdir")

	dir := filepath.Join(base, "out")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	writeFile(t, "", dir, "journal")
	one(mpirun(t, 3, nil, mpiBin, append(args, dir)...), "is not writable from rank 0 (")
	require.NoError(t, os.Remove(filepath.Join(dir, "journal")))

	lock := flock.New(filepath.Join(dir, lockName), flock.SetFlag(os.O_CREATE|os.O_RDWR))
	ok, err := lock.TryLock()
	require.NoError(t, err)
	require.True(t, ok)
	one(mpirun(t, 3, nil, mpiBin, append(args, dir)...), "is in use by another run")
	require.NoError(t, lock.Unlock())

	r := mpirun(t, 3, nil, mpiBin, append(args, dir, "-seed", "1")...)
	require.Equal(t, 0, r.code, r.stderr)
	one(mpirun(t, 3, nil, mpiBin, append(args, dir, "-seed", "2")...), "was written with seed = 1; this run has seed = 2): use -overwrite")
	one(mpirun(t, 2, nil, mpiBin, append(args, dir, "-seed", "1", "-resume", "-on-failure", "skip")...), "was written with on-failure = fail; this run has on-failure = skip")
}

func TestMPIResumeWritesTheWholeCampaignsOutputs(t *testing.T) {
	// Issue 13, acceptance 2 under mpirun: a campaign ended abruptly midway (in-process, 2
	// ranks), resumed by mpirun -np 3 with -fields -trace -plots: samples.csv byte-identical
	// to the uninterrupted run's, fields.vtu to 1e-12, the plots identical, every sample in the
	// trace.
	mpiBin, _ := mpiBins(t)
	flags := []string{"-samples", "600", "-mesh", "16", "-seed", "9"}
	outputs := []string{"-fields", "-trace", "-plots"}
	ref := filepath.Join(t.TempDir(), "ref")
	code, _, stderr := runCLI(append(append([]string{"run", "-np", "2", "-quiet", "-out", ref}, flags...), outputs...)...)
	require.Equal(t, exitOK, code, stderr)
	cut := interrupted(t, append(flags, outputs...)...)
	r := mpirun(t, 3, nil, mpiBin, append(append([]string{"run", "-resume", "-out", cut}, flags...), outputs...)...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "journaled samples re-solved for -fields")
	assert.True(t, bytes.Equal(readFile(t, ref, "samples.csv"), readFile(t, cut, "samples.csv")))
	want, got := vtuFields(t, ref), vtuFields(t, cut)
	for _, name := range []string{"u_mean", "u_std", "u_sample0"} {
		require.Len(t, got[name], 17*17, name)
		for i := range want[name] {
			// Sums in another order: a few ulps; issue 13's tolerance.
			assert.InDelta(t, want[name][i], got[name][i], 1e-12, "%s at node %d", name, i)
		}
	}
	assert.Equal(t, map[int]int{0: 200, 1: 200, 2: 200}, traceSamples(t, cut))
	for _, png := range []string{"qoi-histogram.png", "running-mean.png"} {
		assert.True(t, bytes.Equal(readFile(t, ref, png), readFile(t, cut, png)), png)
	}
	assert.Empty(t, tmpFiles(t, cut))
}
