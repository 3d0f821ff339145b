package report

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/dist"
	"mcfem/mc"
	"mcfem/mesh"
	"mcfem/problem"
)

// TestHistogramLabels: the histogram's title names the problem's mesh (the unit square's
// cells, or the .mdpa file), and its x label claims an overlaid density exactly when
// overlaidDensity gives one to draw: the unit square's exact (6ε) Beta density, none for
// list:FILE inputs (no density) or a mesh whose exact values are unknown.
func TestHistogramLabels(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "eps.txt")
	require.NoError(t, os.WriteFile(list, []byte("0.1\n0.2\n0.35\n0.5\n"), 0o644))
	listDist, err := dist.Parse("list:eps.txt", dir)
	require.NoError(t, err)
	stretched, err := mesh.UnitSquare(8)
	require.NoError(t, err)
	for v := range stretched.NumNodes() {
		stretched.Coords[2*v] *= 2
	}
	square, err := mesh.UnitSquare(8)
	require.NoError(t, err)

	for _, tc := range []struct {
		name          string
		edit          func(*problem.Spec)
		title, xlabel string
		density       bool
	}{
		{"unit-square", func(*problem.Spec) {},
			"qoi, eps ~ beta:2,6, unit square 8×8, 300 samples", "qoi (density of the exact (6ε) overlaid)", true},
		{"mdpa-square", func(s *problem.Spec) {
			s.Mesh, s.MeshFile, s.Boundary = square, "cli/testdata/golden/square_finer_2d.mdpa", ""
		}, "qoi, eps ~ beta:2,6, cli/testdata/golden/square_finer_2d.mdpa (boundary outer edges, RCM node order), 300 samples",
			"qoi (density of the exact (6ε) overlaid)", true},
		{"mdpa-stretched", func(s *problem.Spec) { s.Mesh, s.MeshFile = stretched, "stretched.mdpa" },
			"qoi, eps ~ beta:2,6, stretched.mdpa (boundary outer edges, RCM node order), 300 samples", "qoi", false},
		{"list", func(s *problem.Spec) { s.Dist = listDist },
			"qoi, eps ~ list:eps.txt, unit square 8×8, 300 samples", "qoi", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := mc.DefaultConfig()
			cfg.Problem.Cells = 8
			tc.edit(&cfg.Problem)
			p, err := problem.New(cfg.Problem)
			require.NoError(t, err)
			title, xlabel := histogramLabels(p, cfg.Problem.Inputs(), 0, 300)
			assert.Equal(t, tc.title, title)
			assert.Equal(t, tc.xlabel, xlabel)
			density, _ := overlaidDensity(p, 0)
			assert.Equal(t, tc.density, density != nil, "a density is drawn")
			assert.NotContains(t, title, "mesh 64")
		})
	}
}
