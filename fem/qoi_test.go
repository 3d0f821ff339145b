package fem

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/internal/testmat"
)

func TestPartWeights(t *testing.T) {
	m := testmat.JitteredSquare(t, testmat.NewRand(), 6)
	s := newSystem(t, m, testmat.Source)
	all := make([]int32, m.NumTris())
	for i := range all {
		all[i] = int32(i)
	}
	w := s.PartWeights(all)
	area := make([]float64, len(s.Node))
	s.Restrict(area, w)
	assert.Equal(t, s.Area, area, "all triangles: Area at the unknowns, bit for bit")
	var total float64
	for _, x := range w {
		total += x
	}
	// Σ over nodes of |T|/3 per corner = Σ |T| = 1: a few roundings per triangle (72 of them).
	assert.InDelta(t, 1, total, 1e-14)

	// A part: the triangles with x-centroid < 1/2. Its weights integrate 1 to its area and x to
	// Σ |T|·(mean of the corners' x) = ∫ x exactly (x is linear).
	var part []int32
	var partArea, partX float64
	for tr := range m.NumTris() {
		var cx float64
		for _, v := range m.Tri[3*tr : 3*tr+3] {
			cx += m.Coords[2*v] / 3
		}
		if cx < 0.5 {
			part = append(part, int32(tr))
			partArea += m.SignedArea(tr)
			partX += m.SignedArea(tr) * cx
		}
	}
	require.NotEmpty(t, part)
	wp := s.PartWeights(part)
	var gotArea, gotX float64
	for v, x := range wp {
		gotArea += x
		gotX += x * m.Coords[2*v]
	}
	// Two sums of ≤ 3·72 terms of size ≤ 0.1 in different orders.
	assert.InDelta(t, partArea, gotArea, 1e-14)
	assert.InDelta(t, partX, gotX, 1e-14)
	assert.PanicsWithValue(t, errPartTri, func() { s.PartWeights([]int32{int32(m.NumTris())}) })
}
