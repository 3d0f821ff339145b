package fem

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/internal/testmat"
	"mcfem/mesh"
	"mcfem/solver"
)

// TestKratosMDPAQoI solves the reference problem (source testmat.Source, ε = 1, u = 0 on the
// Subpart_Boundary nodes) on the real Kratos meshes in mesh/testdata and checks the QoI
// against the values of their README.
func TestKratosMDPAQoI(t *testing.T) {
	for _, tc := range []struct {
		file     string
		unknowns int     // nodes − Dirichlet nodes
		qoi      float64 // README, QoI(1), 10 decimals
	}{
		{"square_coarse_2d.mdpa", 1, 1.35},
		{"square_finer_2d.mdpa", 52, 5.7824558650},
		{"Level1.mdpa", 52, 5.7824558650},
	} {
		t.Run(tc.file, func(t *testing.T) {
			m, _, err := mesh.ReadMDPAFile(filepath.Join("..", "mesh", "testdata", tc.file),
				mesh.ReadOptions{Boundary: "Subpart_Boundary"})
			require.NoError(t, err)
			sys := newSystem(t, m, testmat.Source)
			n := len(sys.Node)
			require.Equal(t, tc.unknowns, n)

			b := make([]float64, n)
			sys.Load(1, b)
			jac, err := solver.NewJacobi(sys.K)
			require.NoError(t, err)
			u := make([]float64, n)
			res, err := solver.PCG(sys.K, jac, b, u, 1e-13, 10*n, solver.NewWorkspace(n))
			require.NoError(t, err)
			// CG converges in at most n steps in exact arithmetic; 10n leaves room for rounding.
			t.Logf("%s: %d unknowns, %d solver.PCG iterations, residual %.2e, QoI %.10f",
				tc.file, n, res.Iterations, res.Residual, sys.QoI(u))

			// The README values are printed with 10 decimals (rounding ≤ 5e-11); the solve to
			// rtol 1e-13 on a matrix of condition number ~1e2 changes the QoI by ~1e-11 at
			// most. 1e-9 covers both with a wide margin.
			assert.InDelta(t, tc.qoi, sys.QoI(u), 1e-9)
		})
	}
}
