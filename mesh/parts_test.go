package mesh

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// iota32 returns 0, 1, …, n-1.
func iota32(n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = int32(i)
	}
	return s
}

// flagged returns the indices i with f[i] true.
func flagged(f []bool) []int32 {
	var s []int32
	for i, b := range f {
		if b {
			s = append(s, int32(i))
		}
	}
	return s
}

// partByName returns the part named name, or fails the test.
func partByName(t *testing.T, parts []Part, name string) Part {
	t.Helper()
	for _, p := range parts {
		if p.Name == name {
			return p
		}
	}
	require.Failf(t, "no part", "no part %q", name)
	return Part{}
}

func TestMDPAPartsKratosFiles(t *testing.T) {
	for _, tc := range kratosFiles {
		t.Run(tc.file, func(t *testing.T) {
			m, info := readKratos(t, tc.file, "Subpart_Boundary")
			require.Len(t, info.Parts, 2)
			for k, p := range info.Parts {
				assert.Equal(t, info.SubModelParts[k], p.Name, "Parts in the order of SubModelParts")
			}
			bnd := partByName(t, info.Parts, "Subpart_Boundary")
			// The README's 8/32/32 boundary nodes, the ones the Boundary option marks, and no
			// elements.
			assert.Len(t, bnd.Nodes, tc.boundary)
			assert.Equal(t, flagged(m.Boundary), bnd.Nodes)
			assert.Nil(t, bnd.Tris)
			// The GiD boundary group is the mesh's outer boundary.
			assert.Equal(t, flagged(m.OnOuterEdges()), bnd.Nodes)

			dom := partByName(t, info.Parts, "Parts_Domain")
			assert.Equal(t, iota32(tc.elems), dom.Tris, "Parts_Domain lists every element")
			assert.Equal(t, iota32(tc.nodes), dom.Nodes, "and every node")
		})
	}
}

// nestedParts has three levels of nesting, members listed unsorted and twice, and a part
// with no members of its own.
const nestedParts = "Begin Nodes\n 10 0 0 0\n 20 1 0 0\n 30 1 1 0\n 40 0 1 0\nEnd Nodes\n" +
	"Begin Elements Element2D3N\n 7 0 10 20 30\n 5 0 10 30 40\nEnd Elements\n" +
	"Begin SubModelPart A\n" +
	" Begin SubModelPartNodes\n 40 10 40\n End SubModelPartNodes\n" +
	" Begin SubModelPart B\n" +
	"  Begin SubModelPart C\n" +
	"   Begin SubModelPartNodes\n 30\n 20 30\n   End SubModelPartNodes\n" +
	"   Begin SubModelPartElements\n 5 7 5\n   End SubModelPartElements\n" +
	"  End SubModelPart\n" +
	" End SubModelPart\n" +
	" Begin SubModelPart D\n" +
	"  Begin SubModelPartNodes\n 20\n  End SubModelPartNodes\n" +
	" End SubModelPart\n" +
	"End SubModelPart\n" +
	"Begin SubModelPart E\nEnd SubModelPart\n"

func TestMDPAPartsNested(t *testing.T) {
	t.Run("quirk file", func(t *testing.T) {
		_, info, err := ReadMDPA(strings.NewReader(quirkFile), "quirks.mdpa", ReadOptions{Boundary: "Outer"})
		require.NoError(t, err)
		// Node ids 40, 1000000000000, 7, 3 are mesh nodes 0..3; element 12 is triangle 0.
		// Outer lists nodes 40 3 and no element; its child Inner lists node 7 and element 12.
		assert.Equal(t, []Part{
			{Name: "Outer", Nodes: []int32{0, 2, 3}, Tris: []int32{0}},
			{Name: "Outer.Inner", Nodes: []int32{2}, Tris: []int32{0}},
		}, info.Parts)
	})

	t.Run("three levels", func(t *testing.T) {
		_, info, err := ReadMDPA(strings.NewReader(nestedParts), "nested.mdpa", ReadOptions{})
		require.NoError(t, err)
		assert.Equal(t, []Part{
			{Name: "A", Nodes: []int32{0, 1, 2, 3}, Tris: []int32{0, 1}},
			{Name: "A.B", Nodes: []int32{1, 2}, Tris: []int32{0, 1}},
			{Name: "A.B.C", Nodes: []int32{1, 2}, Tris: []int32{0, 1}},
			{Name: "A.D", Nodes: []int32{1}},
			{Name: "E"},
		}, info.Parts)

		// Each part's nodes are the nodes the Boundary option marks for it.
		for _, p := range info.Parts {
			if len(p.Nodes) == 0 {
				continue // the Boundary option rejects a part without nodes
			}
			m, _, err := ReadMDPA(strings.NewReader(nestedParts), "nested.mdpa", ReadOptions{Boundary: p.Name})
			require.NoError(t, err)
			assert.Equal(t, flagged(m.Boundary), p.Nodes, "part %s", p.Name)
		}
	})
}

// unitSquareSides returns the expected side parts of UnitSquare(n) from its node numbering
// (node j*(n+1)+i at (i/n, j/n)), without looking at coordinates.
func unitSquareSides(n int) (left, right, bottom, top, boundary []int32) {
	np := n + 1
	for j := range np {
		for i := range np {
			v := int32(j*np + i)
			if i == 0 {
				left = append(left, v)
			}
			if i == n {
				right = append(right, v)
			}
			if j == 0 {
				bottom = append(bottom, v)
			}
			if j == n {
				top = append(top, v)
			}
			if i == 0 || i == n || j == 0 || j == n {
				boundary = append(boundary, v)
			}
		}
	}
	return
}

func TestBoxParts(t *testing.T) {
	for _, n := range []int{1, 3, 8} {
		t.Run(fmt.Sprintf("unit square n=%d", n), func(t *testing.T) {
			m, err := UnitSquare(n)
			require.NoError(t, err)
			left, right, bottom, top, boundary := unitSquareSides(n)
			assert.Equal(t, []Part{
				{Name: "left", Nodes: left},
				{Name: "right", Nodes: right},
				{Name: "bottom", Nodes: bottom},
				{Name: "top", Nodes: top},
				{Name: "boundary", Nodes: boundary},
				{Name: "domain", Nodes: iota32(m.NumNodes()), Tris: iota32(m.NumTris())},
			}, BoxParts(m))
			assert.Len(t, boundary, 4*n)
		})
	}
	t.Run("triangle", func(t *testing.T) {
		// Not a rectangle: the hypotenuse is on no side of the box; the right and top sides of
		// the box touch the domain in one corner each.
		m := &Mesh{Coords: []float64{0, 0, 2, 0, 0, 1}, Tri: []int32{0, 1, 2}, Boundary: []bool{true, true, true}}
		assert.Equal(t, []Part{
			{Name: "left", Nodes: []int32{0, 2}},
			{Name: "right", Nodes: []int32{1}},
			{Name: "bottom", Nodes: []int32{0, 1}},
			{Name: "top", Nodes: []int32{2}},
			{Name: "boundary", Nodes: []int32{0, 1, 2}},
			{Name: "domain", Nodes: []int32{0, 1, 2}, Tris: []int32{0}},
		}, BoxParts(m))
	})
	t.Run("Kratos mesh", func(t *testing.T) {
		m, info := readKratos(t, "Level1.mdpa", "Subpart_Boundary")
		box := BoxParts(m)
		assert.Equal(t, partByName(t, info.Parts, "Subpart_Boundary").Nodes, partByName(t, box, "boundary").Nodes)
		sides := 0
		for _, name := range []string{"left", "right", "bottom", "top"} {
			p := partByName(t, box, name)
			// GiD writes the square's sides exactly on 0 and 1: every side has nodes beyond
			// its two corners.
			assert.Greater(t, len(p.Nodes), 2, name)
			sides += len(p.Nodes)
		}
		assert.Equal(t, 32+4, sides, "the 32 boundary nodes, the 4 corners counted twice")
	})
}

func TestPermuteParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m, err := UnitSquare(7)
	require.NoError(t, err)
	_, info, err := ReadMDPA(strings.NewReader(nestedParts), "nested.mdpa", ReadOptions{})
	require.NoError(t, err)

	for name, tc := range map[string]struct {
		m     *Mesh
		parts []Part
	}{
		"box parts of the unit square": {m, BoxParts(m)},
		"nested mdpa parts":            {nil, info.Parts},
	} {
		t.Run(name, func(t *testing.T) {
			n := 4
			if tc.m != nil {
				n = tc.m.NumNodes()
			}
			perm := Shuffle(n, rng)
			inv := make([]int32, n)
			for i, old := range perm {
				inv[old] = int32(i)
			}
			before := clonedParts(tc.parts)
			got := PermuteParts(tc.parts, perm)
			assert.Equal(t, before, tc.parts, "the input is not changed")
			require.Len(t, got, len(tc.parts))
			for k, p := range got {
				assert.Equal(t, tc.parts[k].Name, p.Name)
				assert.IsIncreasing(t, p.Nodes, "part %s: sorted and distinct", p.Name)
				assert.Equal(t, tc.parts[k].Tris, p.Tris, "triangles keep their indices")
				var back []int32 // the old indices of the new nodes
				for _, v := range p.Nodes {
					back = append(back, perm[v])
				}
				assert.ElementsMatch(t, tc.parts[k].Nodes, back, "part %s: the same nodes", p.Name)
			}
			assert.Equal(t, tc.parts, PermuteParts(got, inv), "round trip")

			if tc.m != nil {
				// The box parts of the permuted mesh, found from its coordinates.
				assert.Equal(t, BoxParts(tc.m.Permute(perm)), got)
			}
			if len(got) > 0 && len(got[0].Nodes) > 0 {
				got[0].Nodes[0] = -7
				assert.Equal(t, before, tc.parts, "the result shares no memory with the input")
			}
		})
	}

	assert.PanicsWithValue(t, errPermInvalid, func() { PermuteParts(info.Parts, []int32{0, 1, 1, 3}) })
	assert.PanicsWithValue(t, errPartNode, func() { PermuteParts(info.Parts, []int32{0, 1, 2}) })
	assert.Equal(t, []Part{}, PermuteParts([]Part{}, nil))
}

// clonedParts returns a deep copy of parts.
func clonedParts(parts []Part) []Part {
	out := make([]Part, len(parts))
	for k, p := range parts {
		out[k] = Part{Name: p.Name, Nodes: append([]int32(nil), p.Nodes...), Tris: append([]int32(nil), p.Tris...)}
	}
	return out
}
