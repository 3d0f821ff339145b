package fem

import (
	"testing"

	"github.com/stretchr/testify/require"

	"mcfem/mesh"
)

// unitSystem returns the reference-problem System on UnitSquare(n).
func unitSystem(t testing.TB, n int) *System {
	m, err := mesh.UnitSquare(n)
	require.NoError(t, err)
	s, err := NewSystem(m, ReferenceSource)
	require.NoError(t, err)
	return s
}
