package fem

import (
	"testing"

	"github.com/stretchr/testify/require"

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
