package fem

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"mcfem/chol"
	"mcfem/internal/testmat"
	"mcfem/mesh"
)

// unitSquare returns mesh.UnitSquare(n), or fails the test.
func unitSquare(t testing.TB, n int) *mesh.Mesh {
	t.Helper()
	m, err := mesh.UnitSquare(n)
	require.NoError(t, err)
	return m
}

// newSystem returns NewSystem(m, f), or fails the test.
func newSystem(t testing.TB, m *mesh.Mesh, f Source) *System {
	t.Helper()
	s, err := NewSystem(m, f)
	require.NoError(t, err)
	return s
}

// unitSystem returns the reference-problem System on UnitSquare(n).
func unitSystem(t testing.TB, n int) *System {
	t.Helper()
	return newSystem(t, unitSquare(t, n), testmat.Source)
}

// randomKappa returns a per-triangle diffusivity log-uniform in [e⁻¹, e).
func randomKappa(rng *rand.Rand, nt int) []float64 {
	kappa := make([]float64, nt)
	for i := range kappa {
		kappa[i] = math.Exp(2*rng.Float64() - 1)
	}
	return kappa
}

// generalCases are the meshes and diffusivities of the tests of the general-problem pieces:
// structured and jittered, with and without a random κ, and the Kratos coarse mesh's shape.
func generalCases(t *testing.T) []struct {
	name  string
	s     *System
	kappa []float64
} {
	rng := testmat.NewRand()
	sq := newSystem(t, unitSquare(t, 6), testmat.Source)
	jit := newSystem(t, testmat.JitteredSquare(t, rng, 7), testmat.Source)
	return []struct {
		name  string
		s     *System
		kappa []float64
	}{
		{"structured n=6, κ=1", sq, nil},
		{"structured n=6, random κ", sq, randomKappa(rng, sq.Mesh.NumTris())},
		{"jittered n=7, random κ", jit, randomKappa(rng, jit.Mesh.NumTris())},
	}
}

// cholSolve solves K u = b with a sparse Cholesky factor of the System's current values (to
// rounding; fem's tests do not depend on the iterative solvers).
func cholSolve(t testing.TB, s *System, b []float64) []float64 {
	t.Helper()
	f, err := chol.Analyze(s.K, chol.Options{}).Factor()
	require.NoError(t, err)
	u := make([]float64, s.K.N)
	f.Solve(u, b, f.NewWorkspace(1))
	return u
}
