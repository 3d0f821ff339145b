package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, "0.1\n0.25\n0.5\n", dir, "eps.txt")
	cfgPath := writeFile(t, `{
  "dist": "list:eps.txt",
  "mesh": 8,
  "np": 2,
  "out": "results",
  "quiet": true
}`, dir, "run.json")
	// The configuration's relative paths are relative to its file, not to the working directory.
	code, stdout, stderr := runCLI("run", "-config", cfgPath)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stdout)
	csv := readFile(t, dir, "results", "samples.csv")
	assert.Equal(t, 4, strings.Count(string(csv), "\n"), "3 samples from the list")
	summary := readFile(t, dir, "results", "summary.json")
	assert.Contains(t, string(summary), `"configuration"`)

	// Flags on the command line override the file.
	code, _, stderr = runCLI("run", "-config", cfgPath, "-samples", "2", "-out", filepath.Join(dir, "o2"))
	require.Equal(t, exitOK, code, stderr)
	csv = readFile(t, dir, "o2", "samples.csv")
	assert.Equal(t, 3, strings.Count(string(csv), "\n"))

	for _, tc := range []struct{ body, want string }{
		{"{\n \"samples\": 10,\n \"bogus\": 1\n}", "run.json:3: unknown key \"bogus\""},
		{"{\n \"samples\": \"ten\"\n}", "run.json:2: key \"samples\": invalid value \"ten\": want an integer"},
		{"{\n\n \"samples\": 1.5\n}", "run.json:3: key \"samples\": invalid value 1.5: want an integer"},
		{"{\n \"quiet\": \"yes\"\n}", "run.json:2: key \"quiet\": invalid value \"yes\": want true or false"},
		{"{\n \"rtol\": \"small\"\n}", "run.json:2: key \"rtol\": invalid value \"small\": want a number"},
		{"{\n \"stall-timeout\": 5\n}", "run.json:2: key \"stall-timeout\": invalid value 5: want a duration"},
		{"{\n \"threshold\": [0.5, \"x\"]\n}", "run.json:2: key \"threshold\": invalid value \"x\": \"x\": want [QOI:]value"},
		{"{\n \"samples\": [1]\n}", "run.json:2: key \"samples\": want a string, number or boolean (a list only"},
		{"{\n \"threshold\": [[1]]\n}", "run.json:2: key \"threshold\": want a string, number or boolean"},
		{"[1, 2]", "run.json:1: want a JSON object"},
		{"{\n \"samples\": 1,\n", "run.json:"},
		{"{\"samples\": 0}", "-samples 0: want an integer ≥ 1"},
	} {
		writeFile(t, tc.body, cfgPath)
		code, _, stderr := runCLI("run", "-config", cfgPath)
		assert.Equal(t, exitUsage, code, tc.body)
		assert.Contains(t, stderr, tc.want, tc.body)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
	}
}

// TestConfigAbsolutePaths: a configuration's absolute paths are taken as they are (a cluster's
// inputs in /scratch), its relative ones relative to its file.
func TestConfigAbsolutePaths(t *testing.T) {
	data, cfgDir := t.TempDir(), t.TempDir()
	vals := writeFile(t, "0.1\n0.25\n", data, "eps.txt")
	out := filepath.Join(t.TempDir(), "out")
	cfgPath := writeFile(t, `{"dist": "list:`+vals+`", "mesh": 4, "np": 1, "quiet": true, "out": "`+out+`"}`, cfgDir, "run.json")
	code, _, stderr := runCLI("run", "-config", cfgPath)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, 3, strings.Count(string(readFile(t, out, "samples.csv")), "\n"), "2 samples from the list")
}

// TestConfigEcho: summary.json's execution.configuration is a configuration file that
// reproduces the run from another directory, byte for byte.
func TestConfigEcho(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	writeFile(t, "0.1\n0.25\n0.5\n0.3\n0.2\n", dirA, "vals.txt")
	writeFile(t, `{"dist": "list:vals.txt", "quiet": true, "threads": 2}`, dirA, "run.json")
	mdpa := filepath.Join(dirA, "square.mdpa")
	code, stdout, stderr := runCLI("mesh", "-mesh", "5", "-o", mdpa)
	require.Equal(t, exitOK, code, stdout+stderr)
	// -config relative to the working directory, a path relative to the file in it, and flags
	// on the command line.
	t.Chdir(dirA)
	out1 := filepath.Join(dirA, "out1")
	code, _, stderr = runCLI("run", "-config", "run.json", "-mdpa", mdpa, "-np", "2", "-out", "out1",
		"-quantiles", "0.013,50%", "-threshold", "0.01", "-threshold", "0.02", "-on-failure", "skip",
		"-max-failures", "7%", "-rtol", "1e-9", "-pc", "amg")
	require.Equal(t, exitOK, code, stderr)

	echo1 := echoOf(t, out1)
	var conf map[string]any
	require.NoError(t, json.Unmarshal([]byte(echo1), &conf))
	for _, key := range []string{"config", "out", "quiet", "resume", "overwrite", "mesh"} {
		assert.NotContains(t, conf, key, "%s is not a campaign setting, or its presence would be refused", key)
	}
	assert.Equal(t, 5.0, conf["samples"], "numbers as JSON numbers: the list's length")
	assert.Equal(t, 2.0, conf["np"])
	assert.Equal(t, false, conf["sensitivity"], "booleans as JSON booleans")
	assert.Equal(t, "list:"+filepath.Join(dirA, "vals.txt"), conf["dist"], "paths absolute")
	assert.Equal(t, []any{":0.01", ":0.02"}, conf["threshold"], "a repeated flag as a list")
	assert.Equal(t, "0.013,50%", conf["quantiles"], "1.3% would read back as 0.013000000000000001")

	// From elsewhere: the echo alone gives the same campaign.
	t.Chdir(dirB)
	echo := writeFile(t, echo1, dirB, "echo.json")
	code, stdout, stderr = runCLI("run", "-config", echo, "-out", "out2", "-quiet")
	require.Equal(t, exitOK, code, stdout+stderr)
	out2 := filepath.Join(dirB, "out2")
	assert.Equal(t, string(readFile(t, out1, "samples.csv")), string(readFile(t, out2, "samples.csv")))
	assert.Equal(t, withoutExecution(t, out1), withoutExecution(t, out2))
	assert.JSONEq(t, echo1, echoOf(t, out2), "the echo of the echo is the echo")

	// A path relative to the working directory on the command line is echoed absolute: the
	// echo runs elsewhere (the summary names the mesh as it was given).
	t.Chdir(dirA)
	code, _, stderr = runCLI("run", "-mdpa", "square.mdpa", "-samples", "3", "-np", "1", "-quiet", "-out", "out3")
	require.Equal(t, exitOK, code, stderr)
	echo3 := echoOf(t, filepath.Join(dirA, "out3"))
	require.NoError(t, json.Unmarshal([]byte(echo3), &conf))
	assert.Equal(t, mdpa, conf["mdpa"], "paths absolute")
	t.Chdir(dirB)
	writeFile(t, echo3, dirB, "echo3.json")
	code, _, stderr = runCLI("run", "-config", "echo3.json", "-out", "out4")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, string(readFile(t, dirA, "out3", "samples.csv")), string(readFile(t, dirB, "out4", "samples.csv")))
}

// echoOf returns execution.configuration of dir's summary.json.
func echoOf(t *testing.T, dir string) string {
	t.Helper()
	var summary struct {
		Execution struct {
			Configuration json.RawMessage `json:"configuration"`
		} `json:"execution"`
	}
	require.NoError(t, json.Unmarshal(readFile(t, dir, "summary.json"), &summary))
	return string(summary.Execution.Configuration)
}

func FuzzConfig(f *testing.F) {
	for _, s := range []string{`{"samples": 10}`, `{"dist": "beta:2,6", "quiet": true}`, `{`, `{"out": "/x"}`, `[]`, `{"a":{}}`, `{"samples": 1e99}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		path := writeFile(t, body, t.TempDir(), "c.json")
		j := &runJob{}
		fs := newFlagSet("mcfem run", "")
		fs.IntVar(&j.cfg.Samples, "samples", 1, "")
		fs.StringVar(&j.out, "out", "", "")
		fs.BoolVar(&j.quiet, "quiet", false, "")
		fs.String("dist", "", "")
		err := loadConfig(fs, path)
		if err != nil && !strings.HasPrefix(err.Error(), path+":") {
			t.Fatalf("error without file:line: %v", err)
		}
	})
}
