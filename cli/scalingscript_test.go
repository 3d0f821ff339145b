package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scalingScript runs scripts/scaling.sh with args in dir, with env added to the environment
// (MCFEM unset unless env sets it), and returns its exit status, stdout and stderr.
func scalingScript(t *testing.T, dir string, env []string, args ...string) (int, string, string) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	script, err := filepath.Abs("../scripts/scaling.sh")
	require.NoError(t, err)
	cmd := exec.Command("bash", append([]string{script}, args...)...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MCFEM=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return code, out.String(), errb.String()
}

// dryRun is scaling.sh -p's report: setting name → value.
func dryRun(t *testing.T, out string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, ok := strings.Cut(line, ":")
		require.True(t, ok, "line %q", line)
		m[k] = strings.TrimSpace(v)
	}
	return m
}

// TestScalingScriptUsage: -h lists every option with its default and exits 0; usage errors
// exit 2.
func TestScalingScriptUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"-h"}, {"--help"}, {"strong", "-h"}, {"weak", "-r", "1 4", "-h"}} {
		code, out, errs := scalingScript(t, dir, nil, args...)
		assert.Equal(t, 0, code, "%q: %s", args, errs)
		for _, want := range []string{`-r RANKS`, `default: "1 2"`, `-t THREADS`, `default: 1`, `-n REPEATS`, `default: 3`,
			`-o CSV`, `default: scaling.csv`, `-p `, `-- FLAGS`, `default: strong -samples 400 -mesh 128 -seed 1`, `MCFEM`} {
			assert.Contains(t, out, want, "%q", args)
		}
	}
	for _, args := range [][]string{{}, {"medium"}, {"strong", "-x"}, {"strong", "-o"}, {"weak", "-r"}} {
		code, _, errs := scalingScript(t, dir, nil, args...)
		assert.Equal(t, 2, code, "%q", args)
		assert.NotEmpty(t, errs, "%q", args)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "usage writes nothing")
}

// TestScalingScriptPaths: -p shows that every path is taken from the caller's directory: -o,
// the PNGs next to the CSV, and the binary (MCFEM, else ./mcfem there, else the repository's).
func TestScalingScriptPaths(t *testing.T) {
	repo, err := filepath.Abs("..")
	require.NoError(t, err)
	dir := t.TempDir()

	code, out, errs := scalingScript(t, dir, nil, "strong", "-o", "out.csv", "-p")
	require.Equal(t, 0, code, errs)
	got := dryRun(t, out)
	assert.Equal(t, filepath.Join(dir, "out.csv"), got["csv"])
	assert.Equal(t, filepath.Join(dir, "speedup.png"), got["speedup"])
	assert.Equal(t, filepath.Join(dir, "efficiency.png"), got["efficiency"])
	assert.Equal(t, filepath.Join(repo, "mcfem"), got["binary"], "no ./mcfem here: the repository's")
	assert.Equal(t, "1 2", got["ranks"])
	assert.Equal(t, "-samples 400 -mesh 128 -seed 1", got["flags"])

	_, out, _ = scalingScript(t, dir, nil, "weak", "-p", "-o", "sub/w.csv", "-r", "1 2 4", "--", "-samples", "50", "-mesh", "16")
	got = dryRun(t, out)
	assert.Equal(t, filepath.Join(dir, "sub", "w.csv"), got["csv"])
	assert.Equal(t, filepath.Join(dir, "sub", "speedup.png"), got["speedup"])
	assert.Equal(t, "-mesh 16 (-samples 50 per rank)", got["flags"])

	_, out, _ = scalingScript(t, dir, nil, "strong", "-p", "-o", "/abs/a.csv")
	assert.Equal(t, "/abs/a.csv", dryRun(t, out)["csv"])
	_, out, _ = scalingScript(t, dir, []string{"MCFEM=bin/mcfem-mpi"}, "strong", "-p")
	assert.Equal(t, filepath.Join(dir, "bin", "mcfem-mpi"), dryRun(t, out)["binary"], "MCFEM from the caller's directory")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mcfem"), []byte("#!/bin/sh\n"), 0o755))
	_, out, _ = scalingScript(t, dir, nil, "strong", "-p")
	got = dryRun(t, out)
	assert.Equal(t, filepath.Join(dir, "mcfem"), got["binary"], "./mcfem in the caller's directory")
	assert.Equal(t, filepath.Join(dir, "scaling.csv"), got["csv"])
	require.NoError(t, os.Remove(filepath.Join(dir, "mcfem")))

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "-p writes nothing")
}

// TestScalingScriptRun runs the script from a scratch directory with -o x.csv against a
// stand-in mpirun (it runs its command once) and a stand-in mcfem (MPI built in; run writes a
// summary.json; plot-scaling is this package's, through the test binary): the CSV and both
// PNGs land in the caller's directory, the last line names them, the repository gains no file.
func TestScalingScriptRun(t *testing.T) {
	dir, bin := t.TempDir(), t.TempDir()
	self, err := os.Executable()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(bin, "mpirun"), []byte(`#!/usr/bin/env bash
while [ "$1" != -np ]; do shift; done
shift 2
exec "$@"
`), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bin, "mcfem"), []byte(`#!/usr/bin/env bash
case $1 in
  version) echo "mcfem stand-in; MPI: built in" ;;
  run)
    out=
    while [ $# -gt 0 ]; do [ "$1" = -out ] && out=$2; shift; done
    mkdir -p "$out"
    printf '{\n  "n": 200,\n  "wall_seconds": 0.25,\n  "load_imbalance": 1.01\n}\n' >"$out/summary.json" ;;
  *) IFS=$'\n'; MCFEM_AS_CLI="$*" exec "`+self+`" ;;
esac
`), 0o755))
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "MCFEM=" + filepath.Join(bin, "mcfem")}
	repo, err := filepath.Abs("..")
	require.NoError(t, err)
	before := repoFiles(t, repo)

	code, out, errs := scalingScript(t, dir, env, "strong", "-r", "1 2", "-n", "1", "-o", "x.csv", "--", "-samples", "200", "-mesh", "16")
	require.Equal(t, 0, code, "stdout %s\nstderr %s", out, errs)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	csv := filepath.Join(dir, "x.csv")
	assert.Equal(t, "scaling.sh: wrote "+csv+", "+filepath.Join(dir, "speedup.png")+" and "+filepath.Join(dir, "efficiency.png"),
		lines[len(lines)-1])
	for _, f := range []string{"x.csv", "speedup.png", "efficiency.png"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	data, err := os.ReadFile(csv)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), "ranks,threads,samples,repeat,wall_seconds"), "%s", data)
	assert.Equal(t, before, repoFiles(t, repo), "the repository gains no file")
}

// repoFiles lists the files at the repository's top level and in scripts/ (where the script
// once wrote its CSV and PNGs).
func repoFiles(t *testing.T, repo string) []string {
	t.Helper()
	var names []string
	for _, d := range []string{repo, filepath.Join(repo, "scripts")} {
		entries, err := os.ReadDir(d)
		require.NoError(t, err)
		for _, e := range entries {
			names = append(names, filepath.Join(d, e.Name()))
		}
	}
	return names
}
