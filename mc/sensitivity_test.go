package mc

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/problemfile"
)

// additive is a problem whose QoI is c·(a + 2b) with a, b ~ U(0, 1) independent: the source is
// additive in the inputs and the QoI linear in it, so the first-order indices are the
// variance shares 1/5 and 4/5, and the total indices equal them (no interaction).
const additive = `{
  "mesh": {"square": 8},
  "inputs": {"a": "uniform:0,1", "b": "uniform:0,1"},
  "source": "a + 2*b",
  "boundary": {"boundary": {"dirichlet": 0}},
  "qoi": {"total": {"integral": "domain"}}
}`

// TestSobolIndicesOfAnAdditiveProblem is the acceptance 4: every estimate's bootstrap
// interval contains the exact index, and the indices are the same bits on every rank count.
func TestSobolIndicesOfAnAdditiveProblem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "additive.json")
	writeFile(t, path, additive)
	f, err := problemfile.Read(path)
	require.NoError(t, err)
	cfg := DefaultConfig()
	cfg.Problem.File, cfg.Problem.Model, cfg.Problem.Cells = f, "file", 8
	cfg.Sensitivity, cfg.Samples = true, 2000*4
	exact := map[string]float64{"a": 0.2, "b": 0.8}
	var ref [][]SobolIndex
	for p := 1; p <= 3; p++ {
		res := runLocal(t, p, cfg)
		require.Len(t, res.Sensitivity, 1)
		for _, s := range res.Sensitivity[0] {
			e := exact[s.Input]
			t.Logf("P=%d %s: S %.4f [%.4f, %.4f], ST %.4f [%.4f, %.4f], exact %g", p, s.Input, s.First, s.FirstLo, s.FirstH, s.Total, s.TotalLo, s.TotalH, e)
			assert.True(t, s.FirstLo <= e && e <= s.FirstH, "%s first order", s.Input)
			assert.True(t, s.TotalLo <= e && e <= s.TotalH, "%s total", s.Input)
		}
		if ref == nil {
			ref = res.Sensitivity
		} else {
			assert.Equal(t, ref, res.Sensitivity, "P=%d", p)
		}
	}
}

// writeFile writes s to path.
func writeFile(t *testing.T, path, s string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(s), 0o644))
}
