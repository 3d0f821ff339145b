package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSmallSampleReport (issue 16, items 7 and 13): with 3 samples the excess kurtosis reads
// "n/a (needs 4 samples)" instead of NaN, the variance's undefined standard error is
// explained, the phase table says what combine includes, and with -out the summary ends with
// the files written.
func TestSmallSampleReport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI("run", "-np", "1", "-samples", "3", "-mesh", "8", "-out", dir)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "excess kurtosis        n/a (needs 4 samples)\n")
	assert.NotContains(t, stdout, "NaN")
	assert.Contains(t, stdout, "(the variance's standard error √((h4 − h2²(n−3)/(n−1))/n) is not defined for these 3 values")
	assert.Contains(t, stdout, "(combine includes waiting for the slowest rank")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	assert.Equal(t, "files in "+dir+": summary.json, samples.csv, timings.csv, journal/ (for -resume)", lines[len(lines)-1])
}
