package cli

import (
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
		{"{\n \"samples\": \"ten\"\n}", "run.json:2: key \"samples\": "},
		{"{\n \"out\": \"/abs/path\"\n}", "run.json:2: key \"out\": \"/abs/path\" is absolute"},
		{"{\n \"samples\": [1]\n}", "run.json:2: key \"samples\": want a string, number or boolean"},
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
