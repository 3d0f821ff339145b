package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests of issue 13's "who owns -out" and "resume covers every output".

// tmpFiles lists the temporary files of atomic writes (NAME.tmpDIGITS) left in dir.
func tmpFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var left []string
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") || strings.HasPrefix(e.Name(), ".mcfem-probe") {
			left = append(left, e.Name())
		}
	}
	return left
}

// journalFiles lists dir's journals.
func journalFiles(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "journal", "*.mcj"))
	return files
}

func TestOutLockedByAnotherRunIsRefused(t *testing.T) {
	// The first run is simulated by holding the lock here (a flock conflicts between two open
	// files even in one process): no timing involved.
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	lock := flock.New(filepath.Join(dir, lockName), flock.SetFlag(os.O_CREATE|os.O_RDWR))
	ok, err := lock.TryLock()
	require.NoError(t, err)
	require.True(t, ok)
	writeFile(t, "pid 4242@node7 since 2026-01-02T03:04:05Z\n", dir, lockName)
	args := []string{"run", "-np", "2", "-samples", "20", "-mesh", "8", "-quiet", "-out", dir}
	for _, extra := range [][]string{nil, {"-resume"}, {"-overwrite"}} {
		code, stdout, stderr := runCLI(append(args, extra...)...)
		assert.Equal(t, exitUsage, code, "%v: %s", extra, stderr)
		assert.Empty(t, stdout)
		assert.Equal(t, fmt.Sprintf("mcfem run: -out %s is in use by another run (pid 4242@node7 since 2026-01-02T03:04:05Z; lock %s): wait for it to end, or choose another -out\n",
			dir, filepath.Join(dir, lockName)), stderr)
	}
	assert.NoDirExists(t, filepath.Join(dir, "journal"), "a refused run writes nothing")
	require.NoError(t, lock.Unlock())

	code, _, stderr := runCLI(args...)
	require.Equal(t, exitOK, code, stderr)
	assert.FileExists(t, filepath.Join(dir, "samples.csv"))
	assert.Contains(t, string(readFile(t, dir, lockName)), fmt.Sprintf("pid %d@", os.Getpid()))
}

func TestConcurrentRunsIntoOneOut(t *testing.T) {
	// A real first run, slowed (its sample 0 solved 6000 times, two seconds or so: same results),
	// started in the background; once its journals exist it holds the lock (taken before any
	// journal is created), and it has seconds of work left. The second run is refused naming
	// its pid; the first completes with the uninterrupted results.
	flags := []string{"-samples", "200", "-mesh", "32", "-seed", "21"}
	want := referenceCSV(t, flags...)
	dir := filepath.Join(t.TempDir(), "out")
	t.Setenv("MCFEM_FAULT", "0:0:slow6000")
	cmd, errb := startCLI(t, append([]string{"run", "-np", "2", "-quiet", "-out", dir}, flags...)...)
	t.Setenv("MCFEM_FAULT", "")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for len(journalFiles(dir)) == 0 {
		select {
		case err := <-done:
			t.Fatalf("the first run ended before it journaled: %v: %s", err, errb)
		default:
		}
		require.True(t, time.Now().Before(deadline), "no journal in %s", dir)
		time.Sleep(5 * time.Millisecond)
	}

	code, stdout, stderr := runCLI(append([]string{"run", "-np", "1", "-quiet", "-out", dir}, flags...)...)
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, fmt.Sprintf("mcfem run: -out %s is in use by another run (pid %d@", dir, cmd.Process.Pid))
	assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
	select {
	case <-done:
		t.Fatal("the first run ended before the second was refused: the test proves nothing; slow it down")
	default:
	}

	select {
	case err := <-done:
		require.NoError(t, err, errb.String())
	case <-time.After(120 * time.Second):
		t.Fatal("the first run did not end")
	}
	assert.True(t, bytes.Equal(want, readFile(t, dir, "samples.csv")), "the first run's samples.csv differs from the reference")
	assert.Len(t, journalFiles(dir), 2, "only the first run's journals")
}

func TestOutHoldingACampaign(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "out")
	run := func(args ...string) (int, string, string) {
		return runCLI(append([]string{"run", "-np", "2", "-samples", "40", "-mesh", "8", "-quiet", "-out", dir}, args...)...)
	}
	code, _, stderr := run("-seed", "1")
	require.Equal(t, exitOK, code, stderr)
	journals := journalFiles(dir)
	require.Len(t, journals, 2)
	writeFile(t, "my notes\n", dir, "notes.txt")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "keep", "sub"), 0o755))
	writeFile(t, "x", dir, "journal", "README")

	// Another seed: refused, nothing touched.
	code, stdout, stderr := run("-seed", "2")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	assert.Equal(t, fmt.Sprintf("mcfem run: -out %s holds another campaign (%s was written with seed = 1; this run has seed = 2): use -overwrite to replace it (its journals and outputs are removed), or choose another -out\n",
		dir, journals[0]), stderr)
	assert.Equal(t, journals, journalFiles(dir))
	assert.FileExists(t, filepath.Join(dir, "summary.json"))

	// The same settings without -resume: refused too.
	code, _, stderr = run("-seed", "1")
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, fmt.Sprintf("mcfem run: -out %s holds journals of this campaign (40 samples in 2 journals): use -resume to continue or -overwrite to start over\n", dir), stderr)

	// -resume with -overwrite is a contradiction.
	code, _, stderr = run("-seed", "1", "-resume", "-overwrite")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "-resume and -overwrite: give one")

	// -overwrite: the old journals and outputs go, the user's files stay, and the new campaign
	// is a clean one (its later -resume works).
	code, _, stderr = runCLI("run", "-np", "2", "-samples", "40", "-mesh", "8", "-out", dir, "-seed", "2", "-overwrite", "-trace")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, fmt.Sprintf("mcfem: -overwrite: removed 2 journals and 3 outputs of the earlier campaign in %s", dir))
	now := journalFiles(dir)
	assert.Len(t, now, 2)
	for _, j := range now { // (their names may repeat the old ones: same second, same pid)
		header, _ := journalRecords(t, j, 44)
		assert.Contains(t, string(header), `"seed":"2"`, j)
	}
	assert.Equal(t, "my notes\n", string(readFile(t, dir, "notes.txt")))
	assert.DirExists(t, filepath.Join(dir, "keep", "sub"))
	assert.FileExists(t, filepath.Join(dir, "journal", "README"))
	ref := filepath.Join(base, "ref")
	code, _, stderr = runCLI("run", "-np", "1", "-samples", "40", "-mesh", "8", "-quiet", "-out", ref, "-seed", "2")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, string(readFile(t, ref, "samples.csv")), string(readFile(t, dir, "samples.csv")))
	code, _, stderr = run("-seed", "2", "-resume", "-samples", "60")
	require.Equal(t, exitOK, code, stderr)
	assert.NoFileExists(t, filepath.Join(dir, "trace.json"), "a stale output of the run before is removed")

	// Outputs without journals (the journals deleted by hand): refused without -overwrite.
	for _, j := range journalFiles(dir) {
		require.NoError(t, os.Remove(j))
	}
	code, _, stderr = run("-seed", "3")
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, fmt.Sprintf("mcfem run: -out %s holds the outputs of an earlier run (summary.json, samples.csv, timings.csv) and no journal: use -overwrite to replace them, or choose another -out\n", dir), stderr)

	// A directory with only other files (or an empty journal directory) is free.
	other := filepath.Join(base, "other")
	require.NoError(t, os.MkdirAll(filepath.Join(other, "journal"), 0o755))
	writeFile(t, "data", other, "input.txt")
	code, _, stderr = runCLI("run", "-np", "2", "-samples", "10", "-mesh", "8", "-quiet", "-out", other)
	require.Equal(t, exitOK, code, stderr)
}

func TestResumeUnderAnotherFailurePolicyIsRefused(t *testing.T) {
	// The failure policy decides failed samples' statuses: a journal records it, and a resume
	// under another is refused, naming it.
	dir := filepath.Join(t.TempDir(), "out")
	args := []string{"run", "-np", "2", "-samples", "30", "-mesh", "8", "-quiet", "-out", dir}
	code, _, stderr := runCLI(append(args, "-on-failure", "skip")...)
	require.Equal(t, exitOK, code, stderr)
	for _, policy := range []string{"retry", "fail"} {
		code, _, stderr = runCLI(append(args, "-resume", "-samples", "40", "-on-failure", policy)...)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stderr, "was written with on-failure = skip; this run has on-failure = "+policy)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
	}
	code, _, stderr = runCLI(append(args, "-resume", "-samples", "40", "-on-failure", "skip")...)
	require.Equal(t, exitOK, code, stderr)
}

// journalRecords splits a journal file into its header and its records of rlen bytes.
func journalRecords(t *testing.T, path string, rlen int) (header []byte, recs [][]byte) {
	t.Helper()
	data := readFile(t, path)
	h := 16 + int(binary.LittleEndian.Uint32(data[8:12]))
	require.Zero(t, (len(data)-h)%rlen)
	for off := h; off < len(data); off += rlen {
		recs = append(recs, data[off:off+rlen])
	}
	return data[:h], recs
}

func TestSplicedRecordsAreRefused(t *testing.T) {
	// Records of another campaign (seed 2, samples 100..199) appended to this campaign's
	// journal (seed 1, samples 0..99): a plain per-record checksum would accept them as seed
	// 1's samples 100..199. Bound to the header they were written under, they read as corrupt,
	// are dropped with a note, and the resume computes those samples itself.
	base := t.TempDir()
	run := func(dir string, args ...string) string {
		code, _, stderr := runCLI(append([]string{"run", "-np", "1", "-mesh", "8", "-out", dir}, args...)...)
		require.Equal(t, exitOK, code, stderr)
		return stderr
	}
	one, two, ref := filepath.Join(base, "one"), filepath.Join(base, "two"), filepath.Join(base, "ref")
	run(one, "-samples", "100", "-seed", "1", "-quiet")
	run(two, "-samples", "200", "-seed", "2", "-quiet")
	run(ref, "-samples", "200", "-seed", "1", "-quiet")
	const rlen = 44 // one input, one QoI
	j1, j2 := journalFiles(one), journalFiles(two)
	require.Len(t, j1, 1)
	require.Len(t, j2, 1)
	_, recs := journalRecords(t, j2[0], rlen)
	require.Len(t, recs, 200)
	f, err := os.OpenFile(j1[0], os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.Write(bytes.Join(recs[100:], nil))
	require.NoError(t, err)
	require.NoError(t, f.Close())

	stderr := run(one, "-samples", "200", "-seed", "1", "-resume")
	assert.Contains(t, stderr, "recovered 100 samples from "+j1[0]+"; dropped 100 corrupt records at bytes")
	assert.Contains(t, stderr, "resuming: 100 of 200 samples recovered from journals")
	assert.Equal(t, string(readFile(t, ref, "samples.csv")), string(readFile(t, one, "samples.csv")))
}

func TestResumeWithFewerSamplesSaysWhatItUses(t *testing.T) {
	// Journals of 300 samples, a resume with -samples 200: exactly 200 are used, and the
	// message says so (not "300 of 200").
	base := t.TempDir()
	dir, ref := filepath.Join(base, "out"), filepath.Join(base, "ref")
	args := []string{"run", "-np", "2", "-mesh", "8", "-seed", "4"}
	code, _, stderr := runCLI(append(args, "-samples", "300", "-quiet", "-out", dir)...)
	require.Equal(t, exitOK, code, stderr)
	code, stdout, stderr := runCLI(append(args, "-samples", "200", "-resume", "-out", dir)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "mcfem: 100 journaled samples of index 200 or more are beyond -samples 200: not used\n")
	assert.Contains(t, stderr, "mcfem: resuming: 200 of 200 samples recovered from journals\n")
	assert.Contains(t, stdout, "resumed: 200 samples recovered from journals, 0 computed in this run")
	code, _, stderr = runCLI(append(args, "-samples", "200", "-quiet", "-out", ref)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, string(readFile(t, ref, "samples.csv")), string(readFile(t, dir, "samples.csv")))
}

func TestUnwritableOutIsRefusedBeforeSetUp(t *testing.T) {
	// Found up front with exit 2 and one line, not after the set-up with exit 1. (The tests
	// run as root, for whom permissions do not stop a write: a regular file in the way does.)
	base := t.TempDir()
	writeFile(t, "", base, "file")
	args := []string{"run", "-np", "3", "-samples", "10", "-mesh", "8", "-quiet"}
	code, _, stderr := runCLI(append(args, "-out", filepath.Join(base, "file", "out"))...)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, fmt.Sprintf("mcfem run: -out %s: cannot create it: mkdir %s: not a directory\n", filepath.Join(base, "file", "out"), filepath.Join(base, "file")), stderr)

	// A refused run leaves no directory it created: here -resume finds nothing to resume.
	fresh := filepath.Join(base, "fresh")
	code, _, stderr = runCLI(append(args, "-out", fresh, "-resume")...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "nothing to resume")
	assert.NoDirExists(t, fresh)

	dir := filepath.Join(base, "out")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	writeFile(t, "", dir, "journal")
	code, _, stderr = runCLI(append(args, "-out", dir)...)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, fmt.Sprintf("mcfem run: -out %s is not writable: %s is not a directory\n", dir, filepath.Join(dir, "journal")), stderr)
}

func TestFailedOutputLeavesNoSummaryAndNoTemporaryFiles(t *testing.T) {
	// A finished campaign (a VALID summary.json), resumed with more samples while samples.csv
	// cannot be replaced (a directory in its way: the rename fails, as on a full or broken
	// disk). The run fails with exit 1; summary.json is gone, not stale; no temporary file is
	// left; the journals are intact and a later resume completes.
	base := t.TempDir()
	dir, ref := filepath.Join(base, "out"), filepath.Join(base, "ref")
	args := []string{"run", "-np", "2", "-mesh", "8", "-seed", "6", "-quiet", "-out"}
	code, _, stderr := runCLI(append(args, dir, "-samples", "100", "-fields", "-plots")...)
	require.Equal(t, exitOK, code, stderr)
	require.FileExists(t, filepath.Join(dir, "summary.json"))
	for _, blocked := range []string{"samples.csv", "fields.vtu", "running-mean.png"} {
		t.Run(blocked, func(t *testing.T) {
			require.NoError(t, os.RemoveAll(filepath.Join(dir, blocked))) // (gone already after a failed run)
			require.NoError(t, os.MkdirAll(filepath.Join(dir, blocked, "x"), 0o755))
			code, _, stderr := runCLI(append(args, dir, "-samples", "200", "-resume", "-fields", "-plots")...)
			assert.Equal(t, exitFailure, code, stderr)
			assert.Contains(t, stderr, "writing "+filepath.Join(dir, blocked))
			assert.NoFileExists(t, filepath.Join(dir, "summary.json"))
			assert.Empty(t, tmpFiles(t, dir))
			require.NoError(t, os.RemoveAll(filepath.Join(dir, blocked)))
		})
	}
	code, _, stderr = runCLI(append(args, dir, "-samples", "200", "-resume")...)
	require.Equal(t, exitOK, code, stderr)
	code, _, stderr = runCLI(append(args, ref, "-samples", "200")...)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, string(readFile(t, ref, "samples.csv")), string(readFile(t, dir, "samples.csv")))
	assert.FileExists(t, filepath.Join(dir, "summary.json"))
	assert.NoFileExists(t, filepath.Join(dir, "fields.vtu"), "stale: not written by the last run")
	assert.Empty(t, tmpFiles(t, dir))
}

// vtuFields reads the PointData arrays of dir's fields.vtu (ASCII or, for arrays with NaN,
// base64 binary).
func vtuFields(t *testing.T, dir string) map[string][]float64 {
	t.Helper()
	var vtk struct {
		Data []struct {
			Name   string `xml:"Name,attr"`
			Format string `xml:"format,attr"`
			Text   string `xml:",chardata"`
		} `xml:"UnstructuredGrid>Piece>PointData>DataArray"`
	}
	require.NoError(t, xml.Unmarshal(readFile(t, dir, "fields.vtu"), &vtk))
	out := map[string][]float64{}
	for _, d := range vtk.Data {
		var vals []float64
		switch d.Format {
		case "ascii":
			for _, f := range strings.Fields(d.Text) {
				v, err := strconv.ParseFloat(f, 64)
				require.NoError(t, err)
				vals = append(vals, v)
			}
		case "binary":
			raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(d.Text))
			require.NoError(t, err)
			for b := raw[8:]; len(b) >= 8; b = b[8:] {
				vals = append(vals, math.Float64frombits(binary.LittleEndian.Uint64(b)))
			}
		}
		out[d.Name] = vals
	}
	return out
}

// traceSamples counts the sample spans of dir's trace.json per rank.
func traceSamples(t *testing.T, dir string) map[int]int {
	t.Helper()
	var trace struct {
		TraceEvents []struct {
			Name string `json:"name"`
			Ph   string `json:"ph"`
			Pid  int    `json:"pid"`
		} `json:"traceEvents"`
	}
	require.NoError(t, json.Unmarshal(readFile(t, dir, "trace.json"), &trace))
	n := map[int]int{}
	for _, e := range trace.TraceEvents {
		if e.Ph == "X" && strings.HasPrefix(e.Name, "sample ") {
			n[e.Pid]++
		}
	}
	return n
}

// interrupted runs the campaign of flags on 2 in-process ranks in a child process that rank 1
// ends abruptly at sample 450 (MCFEM_FAULT exit: no flush, no clean-up, as kill -9), and
// returns its -out with the journals it left.
func interrupted(t *testing.T, flags ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cut")
	t.Setenv("MCFEM_FAULT", "1:450:exit")
	cmd, errb := startCLI(t, append([]string{"run", "-np", "2", "-quiet", "-out", dir}, flags...)...)
	t.Setenv("MCFEM_FAULT", "")
	err := cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, errb.String())
	require.Equal(t, exitFault, ee.ExitCode(), errb.String())
	require.NoFileExists(t, filepath.Join(dir, "summary.json"))
	require.NotEmpty(t, journalFiles(dir))
	return dir
}

// copyDir copies the files of src (one level of subdirectories) into a new directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy")
	require.NoError(t, os.CopyFS(dst, os.DirFS(src)))
	return dst
}

func TestResumeWritesTheWholeCampaignsOutputs(t *testing.T) {
	// Issue 13, acceptance 2 (in-process ranks): a run with -fields -trace -plots ended
	// abruptly midway on 2 ranks, then -resume with -fields -trace -plots on 3 (and 1) ranks:
	// samples.csv byte-identical to the uninterrupted run's, fields.vtu equal to 1e-12, the
	// plots those of every sample, a trace of this run's work; no temporary file.
	flags := []string{"-samples", "600", "-mesh", "16", "-seed", "8"}
	outputs := []string{"-fields", "-trace", "-plots"}
	ref := filepath.Join(t.TempDir(), "ref")
	code, _, stderr := runCLI(append(append([]string{"run", "-np", "2", "-quiet", "-out", ref}, flags...), outputs...)...)
	require.Equal(t, exitOK, code, stderr)
	cut := interrupted(t, append(flags, outputs...)...)
	cut2 := copyDir(t, cut)

	code, stdout, stderr := runCLI(append(append([]string{"run", "-np", "3", "-resume", "-out", cut}, flags...), outputs...)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `resumed: [0-9]+ samples recovered from journals, [0-9]+ computed in this run; [0-9]+ journaled samples re-solved for -fields`, stdout)
	assert.Contains(t, stderr, "will be solved again for the field statistics")
	assert.True(t, bytes.Equal(readFile(t, ref, "samples.csv"), readFile(t, cut, "samples.csv")), "samples.csv after the resume differs")
	want, got := vtuFields(t, ref), vtuFields(t, cut)
	for _, name := range []string{"u_mean", "u_std", "u_sample0"} {
		require.Len(t, got[name], 17*17, name)
		for i := range want[name] {
			// Sums of 600 values of u = O(1) in another order (3 ranks, not 2): a few ulps of
			// 600; 1e-12 is issue 13's tolerance.
			assert.InDelta(t, want[name][i], got[name][i], 1e-12, "%s at node %d", name, i)
		}
	}
	// Every sample was solved in this run (the journaled ones again, for the fields): each
	// has its span, on the 3 ranks of this run.
	spans := traceSamples(t, cut)
	assert.Equal(t, map[int]int{0: 200, 1: 200, 2: 200}, spans)
	for _, png := range []string{"qoi-histogram.png", "running-mean.png"} {
		assert.True(t, bytes.Equal(readFile(t, ref, png), readFile(t, cut, png)), "%s differs from the uninterrupted run's", png)
	}
	assert.Empty(t, tmpFiles(t, cut))

	// Without -fields, on 1 rank: the journaled samples are not solved again; the trace shows
	// the samples computed in this run (journaled ones ran in another), and must not fail.
	code, stdout, stderr = runCLI(append([]string{"run", "-np", "1", "-resume", "-out", cut2, "-trace", "-plots"}, flags...)...)
	require.Equal(t, exitOK, code, stderr)
	assert.True(t, bytes.Equal(readFile(t, ref, "samples.csv"), readFile(t, cut2, "samples.csv")))
	var journaled, computed int
	_, err := fmt.Sscanf(stdout[strings.Index(stdout, "resumed: "):], "resumed: %d samples recovered from journals, %d computed", &journaled, &computed)
	require.NoError(t, err)
	assert.Equal(t, 600, journaled+computed)
	assert.Positive(t, journaled)
	assert.Equal(t, map[int]int{0: computed}, traceSamples(t, cut2))
	for _, png := range []string{"qoi-histogram.png", "running-mean.png"} {
		assert.True(t, bytes.Equal(readFile(t, ref, png), readFile(t, cut2, png)), "%s differs from the uninterrupted run's", png)
	}
	assert.NoFileExists(t, filepath.Join(cut2, "fields.vtu"), "the interrupted run's -fields is not this run's")
	assert.Empty(t, tmpFiles(t, cut2))
}
