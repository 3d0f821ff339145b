package cli

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDesignsResume: a sobol campaign extended with -resume to twice the points, and an lhs
// one extended by replicates, give the samples.csv of a run that asked for the larger design
// at once (the journals record the design; the extension solves only the new points); a
// resume with another design is refused.
func TestDesignsResume(t *testing.T) {
	for _, tc := range []struct {
		name          string
		first, second []string
	}{
		{"sobol", []string{"-sampler", "sobol", "-samples", "512"}, []string{"-sampler", "sobol", "-samples", "1024"}},
		{"lhs", []string{"-sampler", "lhs", "-replicates", "8", "-samples", "512"}, []string{"-sampler", "lhs", "-replicates", "16", "-samples", "1024"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			common := []string{"-mesh", "16", "-seed", "3"}
			want := referenceCSV(t, append(tc.second, common...)...)
			dir := filepath.Join(t.TempDir(), "out")
			code, _, stderr := runCLI(append(append([]string{"run", "-np", "2", "-quiet", "-out", dir}, tc.first...), common...)...)
			require.Equal(t, exitOK, code, stderr)
			code, stdout, stderr := runCLI(append(append([]string{"run", "-np", "3", "-resume", "-out", dir}, tc.second...), common...)...)
			require.Equal(t, exitOK, code, stderr)
			assert.Contains(t, stdout, "resumed: ")
			assert.True(t, bytes.Equal(want, readFile(t, dir, "samples.csv")), "samples.csv after the extension differs from the whole run")
			code, _, stderr = runCLI(append([]string{"run", "-np", "2", "-resume", "-out", dir, "-sampler", "mc", "-samples", "1024"}, common...)...)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, stderr, "sampler")
		})
	}
}
