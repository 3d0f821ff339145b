package mesh

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRefine(t *testing.T) {
	// Red refinement of the unit square 3×3: 16 + 33 edges' midpoints = 49 nodes = the 6×6
	// square's, 72 triangles, every one counter-clockwise with a quarter of its parent's
	// area; the refined box parts are the refined mesh's own box parts.
	m, err := UnitSquare(3)
	require.NoError(t, err)
	props := make([]int, m.NumTris())
	for i := range props {
		props[i] = i % 2
	}
	r, parts, rprops := Refine(m, BoxParts(m), props)
	require.NoError(t, r.Validate())
	assert.Equal(t, 49, r.NumNodes())
	assert.Equal(t, 72, r.NumTris())
	assert.InDelta(t, 1.0, r.Area(), 1e-15)
	for c := range r.NumTris() {
		assert.InDelta(t, m.SignedArea(c/4)/4, r.SignedArea(c), 1e-16, "child %d", c)
		assert.Equal(t, props[c/4], rprops[c])
	}
	assert.Equal(t, BoxParts(r), parts)
	// The Dirichlet boundary: the outer nodes, midpoints included.
	assert.Equal(t, r.OnOuterEdges(), r.Boundary)
	// The refined nodes are the 6×6 square's (to rounding: k/6 against (a+b)/2).
	sq, err := UnitSquare(6)
	require.NoError(t, err)
	pts := func(m *Mesh) [][2]float64 {
		var p [][2]float64
		for v := range m.NumNodes() {
			p = append(p, [2]float64{m.Coords[2*v], m.Coords[2*v+1]})
		}
		slices.SortFunc(p, func(a, b [2]float64) int {
			if a[0] != b[0] {
				return cmpF(a[0], b[0])
			}
			return cmpF(a[1], b[1])
		})
		return p
	}
	want, got := pts(sq), pts(r)
	require.Len(t, got, len(want))
	for i := range want {
		assert.InDelta(t, want[i][0], got[i][0], 1e-15)
		assert.InDelta(t, want[i][1], got[i][1], 1e-15)
	}
}

func TestRefineParts(t *testing.T) {
	// A part of two triangles and a part of the nodes of one side: the first gets its
	// children and its edges' midpoints, the second the midpoints of its outer edges only.
	m, err := UnitSquare(2)
	require.NoError(t, err)
	left := BoxParts(m)[0]
	two := Part{Name: "two", Tris: []int32{0, 1}, Nodes: sortedSet(append(slices.Clone(m.Tri[0:3]), m.Tri[3:6]...))}
	r, parts, _ := Refine(m, []Part{two, left}, nil)
	assert.Equal(t, []int32{0, 1, 2, 3, 4, 5, 6, 7}, parts[0].Tris)
	assert.Len(t, parts[0].Nodes, 9) // a square cell refined: 3×3 nodes
	for _, v := range parts[1].Nodes {
		assert.Equal(t, 0.0, r.Coords[2*v])
	}
	assert.Len(t, parts[1].Nodes, 5)
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
