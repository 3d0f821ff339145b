package cli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/mc"
)

func TestOutputsIdenticalForEveryRankCount(t *testing.T) {
	// Acceptance 3: mcfem run -np P -samples 5000 -mesh 32 -seed 1 -out dP for P = 1..4.
	samples := "5000"
	if testing.Short() {
		samples = "500"
	}
	base := t.TempDir()
	var refCSV []byte
	var refSummary map[string]any
	for _, p := range []string{"1", "2", "3", "4"} {
		dir := filepath.Join(base, "d"+p)
		code, _, stderr := runCLI("run", "-np", p, "-samples", samples, "-mesh", "32", "-seed", "1", "-out", dir, "-quiet")
		require.Equal(t, exitOK, code, stderr)
		csv := readFile(t, dir, "samples.csv")
		summary := withoutExecution(t, dir)
		timings := readFile(t, dir, "timings.csv")
		require.True(t, strings.HasPrefix(string(timings), "sample,rank,seconds,thread\n"))
		if refCSV == nil {
			refCSV, refSummary = csv, summary
			require.True(t, strings.HasPrefix(string(csv), "sample,eps,qoi,iterations,residual,status\n"))
			assert.Equal(t, "VALID", summary["verdict"].(map[string]any)["result"])
			continue
		}
		assert.True(t, bytes.Equal(refCSV, csv), "samples.csv differs between -np 1 and -np %s", p)
		assert.Equal(t, refSummary, summary, "summary.json (without execution) differs between -np 1 and -np %s", p)
	}
}

func TestDefaultRunMatchesExactDiscreteMean(t *testing.T) {
	// Acceptance 1: the default campaign's mean lies within its 99% CI of the exact discrete
	// expectation E[Q_h] = E[ε]·Q_h(1) = 0.25·Q_h(1) (test oracle: the discrete QoI is linear in ε).
	if testing.Short() {
		t.Skip("default campaign: 1000 samples at mesh 64")
	}
	dir := t.TempDir()
	code, stdout, stderr := runCLI("run", "-np", "2", "-confidence", "0.99", "-out", dir)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "verdict: VALID")
	assert.Contains(t, stdout, "99% CI of the mean")

	var s struct {
		Statistics struct {
			N      int     `json:"n"`
			CILow  float64 `json:"ci_low"`
			CIHigh float64 `json:"ci_high"`
		} `json:"statistics"`
	}
	data := readFile(t, dir, "summary.json")
	require.NoError(t, json.Unmarshal(data, &s))
	require.Equal(t, 1000, s.Statistics.N)
	q1 := discreteQoI1(t, 64)
	exact := 0.25 * q1
	t.Logf("99%% CI [%.6f, %.6f], exact discrete mean %.6f (Q_h(1) = %.9f)", s.Statistics.CILow, s.Statistics.CIHigh, exact, q1)
	assert.True(t, s.Statistics.CILow <= exact && exact <= s.Statistics.CIHigh)
}

func TestBadInputExitsTwoAndRunsNothing(t *testing.T) {
	// Acceptance 5, and issue 6's acceptance 5: a one-line error naming the flag and its valid
	// range, exit code 2, and no output directory created.
	cfgPath := writeFile(t, `{"samples": 10, "colour": "red"}`, t.TempDir(), "c.json")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-samples", "0"}, "-samples 0: want an integer ≥ 1"},
		{[]string{"-samples", "-3"}, "-samples -3: want an integer ≥ 1"},
		{[]string{"-samples", "-5"}, "-samples -5: want an integer ≥ 1"},
		{[]string{"-mesh", "0"}, "-mesh 0: want cells per side in [2, 46339]"},
		{[]string{"-np", "0"}, "-np 0: want ranks ≥ 1"},
		{[]string{"-rtol", "0"}, "-rtol 0: want a relative tolerance in (0, 1)"},
		{[]string{"-rtol", "-1e-8"}, "-rtol -1e-08: want a relative tolerance in (0, 1)"},
		{[]string{"-rtol", "-1"}, "-rtol -1: want a relative tolerance in (0, 1)"},
		{[]string{"-maxit", "0"}, "-maxit 0: want an integer ≥ 1"},
		{[]string{"-confidence", "1.5"}, "-confidence 1.5: want a level in (0, 1)"},
		{[]string{"-dist", "beta:0,6"}, `-dist: dist: "beta:0,6": want beta:a,b with a, b > 0`},
		{[]string{"-mdpa", "/nonexistent.mdpa"}, "-mdpa: mesh: open /nonexistent.mdpa: no such file or directory"},
		{[]string{"-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"-frobnicate"}, "flag provided but not defined: -frobnicate"},
		{[]string{"-samples", "many"}, `invalid value "many" for flag -samples`},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-config", cfgPath}, `c.json:1: unknown key "colour"`},
		{[]string{"-on-failure", "ignore"}, "-on-failure ignore: want one of fail, skip, retry"},
		{[]string{"-pc", "ilu"}, "-pc ilu: want one of jacobi, amg, none"},
		{[]string{"-resume"}, "-out \"\": want a directory"},
		{[]string{"-tol", "0.01", "-tol-qoi", "flux"}, "-tol-qoi flux: want one of the problem's QoIs: qoi"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			args := append([]string{"run", "-out", dir}, tc.args...)
			if tc.args[0] == "-resume" {
				args = []string{"run", "-resume"} // without -out
			}
			code, stdout, stderr := runCLI(args...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tc.want)
			assert.True(t, strings.HasPrefix(stderr, "mcfem run: "), stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			assert.NoDirExists(t, dir)
		})
	}
	code, _, stderr := runCLI("frobnicate")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `unknown command "frobnicate"`)
}

func TestNonConvergenceExitsOne(t *testing.T) {
	// Acceptance 6: CG capped at 3 iterations: an error naming the sample, the iterations and
	// the residual; exit code 1; no statistics printed, no files written.
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI("run", "-np", "2", "-solver", "cg", "-maxit", "3", "-out", dir)
	assert.Equal(t, exitFailure, code)
	assert.Empty(t, stdout)
	assert.Regexp(t, `^mcfem: rank [01]: sample [0-9]+ \(eps=[0-9.e-]+\): solver: CG did not converge in 3 iterations \(residual [0-9.e+-]+ > 1e-08\)\n$`, stderr)
	assert.NoFileExists(t, filepath.Join(dir, "summary.json"))
}

func TestHelpListsEveryFlag(t *testing.T) {
	code, stdout, _ := runCLI("run", "-h")
	require.Equal(t, exitOK, code)
	for _, f := range []string{"-samples", "-mesh", "-seed", "-np", "-rtol", "-maxit", "-confidence", "-out", "-quiet", "(default 1000)", "(default 64)", "(default 1e-08)"} {
		assert.Contains(t, stdout, f)
	}
	code, stdout, _ = runCLI("verify", "-h")
	require.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "(default 512)")
	code, stdout, _ = runCLI("version")
	require.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "mcfem ")
}

// discreteQoI1 is Q_h(1), the discrete QoI at ε = 1 solved to 1e-12: a test oracle only.
func discreteQoI1(t *testing.T, cells int) float64 {
	rows, err := mc.Verify(mc.SquareMeshes(mc.DefaultConfig().Problem, cells, cells), []float64{1}, 1e-12, 100000)
	require.NoError(t, err)
	return rows[0].QoI[0]
}

func TestMLMCCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI("mlmc", "-tol", "0.02", "-np", "3", "-out", dir)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "fitted rates: α = ")
	s := withoutExecution(t, dir)
	assert.InDelta(t, 1.5, s["mean"].(float64), 0.02)
	assert.Greater(t, s["total_cost"].(float64), 0.0)
	code, _, stderr = runCLI("mlmc", "-tol", "0")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "mcfem mlmc: -tol 0: want a tolerance > 0")
}
