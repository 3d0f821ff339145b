package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/mc"
	"mcfem/mesh"
	"mcfem/spmd"
)

// campaign runs cfg on two in-process ranks and returns rank 0's result, with its samples.csv
// and timings.csv written into a new directory (the result's Problem's dir).
type ran struct {
	*mc.Result
	dir string
}

func campaign(t *testing.T, cfg mc.Config) ran {
	t.Helper()
	dir := t.TempDir()
	st := NewStreamed(dir, cfg.Problem.InputNames(), cfg.Problem.QoINames(), Extras{})
	var res *mc.Result
	require.NoError(t, spmd.RunLocal(2, func(c spmd.Comm) error {
		opt := mc.Options{Stream: true, SpillDir: dir}
		if c.Rank() == 0 {
			opt.Sink = st
		}
		r, err := mc.Run(c, cfg, opt)
		if c.Rank() == 0 {
			res = r
		}
		return err
	}))
	require.NoError(t, st.commit())
	return ran{res, dir}
}

// TestReportsAskTheProblem: on the unit square the reports carry the tutorial's exact values
// (summary.json's exact and gap, the text's exact column); on a stretched domain none of them,
// and the text lists every check and the problem's note.
func TestReportsAskTheProblem(t *testing.T) {
	cfg := mc.DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 20, 8
	square := campaign(t, cfg)
	m, err := mesh.UnitSquare(8)
	require.NoError(t, err)
	for v := range m.NumNodes() {
		m.Coords[2*v] *= 2
	}
	cfg.Problem.Mesh, cfg.Problem.MeshFile = m, "stretched.mdpa"
	stretched := campaign(t, cfg)

	for _, tc := range []struct {
		name  string
		res   ran
		exact bool
	}{{"square", square, true}, {"stretched", stretched, false}} {
		js, err := json.Marshal(Summarize(tc.res.Result, Env{}))
		require.NoError(t, err)
		var s map[string]any
		require.NoError(t, json.Unmarshal(js, &s))
		_, hasExact := s["exact"]
		_, hasGap := s["gap"]
		assert.Equal(t, tc.exact, hasExact, tc.name)
		assert.Equal(t, tc.exact, hasGap, tc.name)

		var text bytes.Buffer
		require.NoError(t, WriteText(&text, tc.res.Result, Env{Backend: "local"}))
		assert.Equal(t, tc.exact, strings.Contains(text.String(), "exact (6ε)"), tc.name)
		for _, ch := range tc.res.Checks {
			assert.Contains(t, text.String(), "  pass "+ch.Name, tc.name)
		}
		csv, err := os.ReadFile(filepath.Join(tc.res.dir, "samples.csv"))
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(string(csv), "sample,eps,qoi,iterations,residual,status\n"), tc.name)
		assert.Equal(t, 21, strings.Count(string(csv), "\n"), tc.name)
	}
	var text bytes.Buffer
	require.NoError(t, WriteText(&text, stretched.Result, Env{Backend: "local"}))
	assert.Contains(t, text.String(), "note: the mesh covers [0, 2]×[0, 1], not the unit square")
}
