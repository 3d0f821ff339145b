package mesh

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnitSquare(t *testing.T) {
	for _, n := range []int{1, 2, 3, 8, 17} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			m, err := UnitSquare(n)
			require.NoError(t, err)
			require.NoError(t, m.Validate())
			assert.Equal(t, (n+1)*(n+1), m.NumNodes())
			assert.Equal(t, 2*n*n, m.NumTris())

			var total float64
			for tr := range m.NumTris() {
				a := m.SignedArea(tr)
				// Every triangle is half of an h×h square, h = 1/n. Each coordinate i/n is
				// rounded once (absolute error ≤ ε/2 for values ≤ 1), so an edge difference of
				// length h is off by up to ε, i.e. n·ε relative; the two products in
				// SignedArea give ≤ 4nε relative. Allow 8nε.
				area := 0.5 / float64(n*n)
				assert.InDelta(t, area, a, 8*float64(n)*epsilon*area, "triangle %d", tr)
				assert.Greater(t, a, 0.0, "triangle %d must be counter-clockwise", tr)
				total += a
			}
			// The areas sum to 1; summing 2n² terms of size 1/(2n²) rounds by ≤ 2n²·ε.
			assert.InDelta(t, 1.0, total, 1e-12)

			nb := 0
			for v, b := range m.Boundary {
				x, y := m.Coords[2*v], m.Coords[2*v+1]
				onSide := x == 0 || y == 0 || x == 1 || y == 1 // exact: i/n is exact at i = 0 and i = n
				assert.Equal(t, onSide, b, "node %d at (%g, %g)", v, x, y)
				if b {
					nb++
				}
			}
			assert.Equal(t, 4*n, nb)

			// Node numbering: node j*(n+1)+i sits at (i/n, j/n).
			i, j := n/2, n-1
			v := j*(n+1) + i
			assert.Equal(t, float64(i)/float64(n), m.Coords[2*v])
			assert.Equal(t, float64(j)/float64(n), m.Coords[2*v+1])
		})
	}
}

func TestUnitSquareErrors(t *testing.T) {
	for _, n := range []int{0, -1, maxUnitSquareN + 1, 1 << 40} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			m, err := UnitSquare(n)
			assert.Nil(t, m)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "mesh: ")
		})
	}
}

// twoTriangles is the unit square cut into two counter-clockwise triangles, all nodes boundary.
func twoTriangles() *Mesh {
	return &Mesh{
		Coords:   []float64{0, 0, 1, 0, 1, 1, 0, 1},
		Tri:      []int32{0, 1, 2, 0, 2, 3},
		Boundary: []bool{true, true, true, true},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(m *Mesh)
		want   string // substring of the error; "" for a valid mesh
	}{
		{"valid", func(m *Mesh) {}, ""},
		{"inverted", func(m *Mesh) { m.Tri[4], m.Tri[5] = m.Tri[5], m.Tri[4] }, "triangle 1 is inverted (clockwise), signed area -0.5"},
		{"zero area", func(m *Mesh) { m.Coords[6], m.Coords[7] = 0.5, 0.5 }, "triangle 1 is degenerate, area 0"},
		{"repeated node", func(m *Mesh) { m.Tri[1] = 0 }, "triangle 0 is degenerate"},
		{"sliver", func(m *Mesh) { m.Coords[6], m.Coords[7] = 0.5, 0.5+1e-14 }, "triangle 1 is degenerate"},
		{"index out of range", func(m *Mesh) { m.Tri[5] = 4 }, "triangle 1 references node 4, out of range [0, 4)"},
		{"negative index", func(m *Mesh) { m.Tri[0] = -1 }, "triangle 0 references node -1"},
		{"no boundary", func(m *Mesh) { clear(m.Boundary) }, "no boundary node"},
		{"odd coords", func(m *Mesh) { m.Coords = m.Coords[:7] }, "len(Coords) = 7 is odd"},
		{"ragged tri", func(m *Mesh) { m.Tri = m.Tri[:5] }, "len(Tri) = 5"},
		{"boundary length", func(m *Mesh) { m.Boundary = m.Boundary[:3] }, "len(Boundary) = 3"},
		{"no nodes", func(m *Mesh) { m.Coords, m.Tri, m.Boundary = nil, nil, nil }, "no nodes"},
		{"no triangles", func(m *Mesh) { m.Tri = nil }, "no triangles"},
		{"NaN coordinate", func(m *Mesh) { m.Coords[3] = math.NaN() }, "node 1 has a non-finite coordinate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := twoTriangles()
			tc.modify(m)
			err := m.Validate()
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "mesh: ")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	var nilMesh *Mesh
	assert.EqualError(t, nilMesh.Validate(), "mesh: nil mesh")
}

// epsilon is the float64 machine epsilon, 2⁻⁵².
const epsilon = 0x1p-52
