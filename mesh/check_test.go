package mesh

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// xy is a node of a hand-made .mdpa: its id and coordinates.
type xy struct {
	id   int
	x, y float64
}

// el is an element of a hand-made .mdpa: its id and node ids.
type el struct{ id, a, b, c int }

// mdpaText writes a model part file with the nodes and elements given, and a sub-model-part
// "Dirichlet" listing the node ids of dirichlet (none when nil).
func mdpaText(nodes []xy, elems []el, dirichlet []int) string {
	var b strings.Builder
	b.WriteString("Begin Nodes\n")
	for _, n := range nodes {
		fmt.Fprintf(&b, "  %d %v %v 0\n", n.id, n.x, n.y)
	}
	b.WriteString("End Nodes\nBegin Elements LaplacianElement2D3N\n")
	for _, e := range elems {
		fmt.Fprintf(&b, "  %d 0 %d %d %d\n", e.id, e.a, e.b, e.c)
	}
	b.WriteString("End Elements\n")
	if dirichlet != nil {
		b.WriteString("Begin SubModelPart Dirichlet\n  Begin SubModelPartNodes\n")
		for _, id := range dirichlet {
			fmt.Fprintf(&b, "    %d\n", id)
		}
		b.WriteString("  End SubModelPartNodes\nEnd SubModelPart\n")
	}
	return b.String()
}

// readText reads a hand-made .mdpa (the Dirichlet part as the boundary when it has one, else
// the outer edges): as the reader does, clockwise elements are stored counter-clockwise.
func readText(t *testing.T, text string) (*Mesh, IDs) {
	t.Helper()
	opt := ReadOptions{}
	if strings.Contains(text, "SubModelPart Dirichlet") {
		opt.Boundary = "Dirichlet"
	}
	m, info, err := ReadMDPA(strings.NewReader(text), "hand.mdpa", opt)
	require.NoError(t, err)
	return m, IDs{Elements: info.ElementIDs, Nodes: info.NodeIDs}
}

// fan is the square [0,2]² cut into four elements 10, 20, 30, 40 at node 5, which is at
// (x5, y5) instead of the centre (1, 1) when moved. Nodes 1–4 are the corners, counter-
// clockwise from the origin.
func fan(x5, y5 float64) string {
	return mdpaText([]xy{{1, 0, 0}, {2, 2, 0}, {3, 2, 2}, {4, 0, 2}, {5, x5, y5}},
		[]el{{10, 1, 2, 5}, {20, 2, 3, 5}, {30, 3, 4, 5}, {40, 4, 1, 5}}, nil)
}

// hexagon is the regular hexagon of radius 1 cut into six elements 10, 20, …, 60 at its
// centre, node 7, which is at (x7, y7); nodes 1–6 are the corners, counter-clockwise from
// (1, 0). Element 10k has the corners k, k+1 (mod 6) and the centre.
func hexagon(x7, y7 float64) string {
	const s = 0.8660254037844386 // sin 60°
	nodes := []xy{{1, 1, 0}, {2, 0.5, s}, {3, -0.5, s}, {4, -1, 0}, {5, -0.5, -s}, {6, 0.5, -s}, {7, x7, y7}}
	var elems []el
	for k := 1; k <= 6; k++ {
		elems = append(elems, el{10 * k, k, k%6 + 1, 7})
	}
	return mdpaText(nodes, elems, nil)
}

// square2 is UnitSquare(2) as element lines (ids 1–8, nodes 1–9 as UnitSquare's 0–8), plus
// extra nodes and elements.
func square2(nodes []xy, elems []el) string {
	m, _ := UnitSquare(2)
	var ns []xy
	for v := range m.NumNodes() {
		ns = append(ns, xy{v + 1, m.Coords[2*v], m.Coords[2*v+1]})
	}
	var es []el
	for t := range m.NumTris() {
		c := m.Tri[3*t : 3*t+3]
		es = append(es, el{t + 1, int(c[0]) + 1, int(c[1]) + 1, int(c[2]) + 1})
	}
	return mdpaText(append(ns, nodes...), append(es, elems...), nil)
}

// doubleFan is a node whose six elements (ids 1–6) wrap around it twice: element k spans the
// angles 120k° to 120(k+1)°, the outer nodes at radius 1 for the first turn and 2 for the
// second, so elements k and k+3 cover the same sector. Every element is counter-clockwise and
// every shared edge has its two elements on opposite sides.
func doubleFan() string {
	nodes := []xy{{1, 0, 0}}
	for k := range 6 {
		r := 1.0
		if k >= 3 {
			r = 2
		}
		c := [3][2]float64{{1, 0}, {-0.5, 0.8660254037844386}, {-0.5, -0.8660254037844386}}[k%3]
		nodes = append(nodes, xy{k + 2, r * c[0], r * c[1]})
	}
	var elems []el
	for k := range 6 {
		elems = append(elems, el{k + 1, 1, k + 2, (k+1)%6 + 2})
	}
	return mdpaText(nodes, elems, nil)
}

func TestCheckFaults(t *testing.T) {
	// Each fault on a small hand-made mesh, read as a .mdpa: its kind and the ids of exactly
	// the elements at fault.
	tests := []struct {
		name  string
		text  string
		kind  CheckKind
		elems []int
		msg   string // the whole message, when given
	}{
		{"node moved across the bottom edge", fan(1, -0.5), Folded, []int{10},
			"mesh: folded elements: element 10 is inverted relative to its neighbours (elements 10 and 40 lie on the same side of their shared edge, nodes 1 and 5; 2 such edges)"},
		{"node moved across the right edge", fan(3, 1), Folded, []int{20}, ""},
		{"node moved far out", fan(1, -30), Folded, []int{10}, ""},
		{"two folded of six", hexagon(1.5, 0), Folded, []int{10, 60}, ""},
		{"centre moved within", hexagon(0.5, 0.3), 0, nil, ""},
		{"duplicated element", square2(nil, []el{{9, 5, 6, 9}}), Duplicated, []int{7, 9},
			"mesh: duplicated elements: elements 7 and 9 have the same three nodes 5, 6 and 9"},
		{"duplicated element, clockwise", square2(nil, []el{{9, 9, 6, 5}}), Duplicated, []int{7, 9}, ""},
		{"three copies", square2(nil, []el{{9, 6, 9, 5}, {10, 9, 5, 6}}), Duplicated, []int{7, 9, 10}, ""},
		{"two groups", square2(nil, []el{{9, 6, 9, 5}, {10, 1, 2, 5}}), Duplicated, []int{1, 7, 9, 10},
			"mesh: duplicated elements: elements 1 and 10 have the same three nodes 1, 2 and 5; 2 such groups, elements 1, 7, 9 and 10"},
		{"non-manifold edge", mdpaText([]xy{{1, 0, 0}, {2, 1, 0}, {3, 0.5, 1}, {4, 0.5, -1}, {5, 0.5, 2}},
			[]el{{1, 1, 2, 3}, {2, 2, 1, 4}, {3, 1, 2, 5}}, nil), NonManifold, []int{1, 2, 3},
			"mesh: non-manifold edge: elements 1, 2 and 3 share the edge of nodes 1 and 2 (an edge belongs to at most two elements)"},
		{"two crossing triangles", mdpaText([]xy{{1, 0, 0}, {2, 1, 0}, {3, 0, 1}, {4, 0.2, 0.2}, {5, 1.2, 0.2}, {6, 0.2, 1.2}},
			[]el{{7, 1, 2, 3}, {8, 4, 5, 6}}, nil), Overlapping, []int{7, 8}, ""},
		{"a triangle inside another", mdpaText([]xy{{1, 0, 0}, {2, 1, 0}, {3, 0, 1}, {4, 0.1, 0.1}, {5, 0.3, 0.1}, {6, 0.1, 0.3}},
			[]el{{7, 1, 2, 3}, {8, 4, 5, 6}}, nil), Overlapping, []int{7, 8},
			"mesh: overlapping elements: element 8 overlaps element 7 (their interiors intersect)"},
		{"a triangle on a mesh", square2([]xy{{10, 0.3, 0.05}, {11, 0.45, 0.05}, {12, 0.45, 0.2}}, []el{{9, 10, 11, 12}}),
			Overlapping, []int{1, 9}, ""},
		{"a triangle sharing a node", square2([]xy{{10, 0.45, 0.05}, {11, 0.45, 0.3}}, []el{{9, 1, 10, 11}}),
			Overlapping, []int{1, 9}, ""},
		{"a node wrapped twice", doubleFan(), Overlapping, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, ids := readText(t, tc.text)
			require.NoError(t, m.Validate())
			err := m.Check(ids)
			if tc.kind == 0 {
				assert.NoError(t, err)
				return
			}
			var ce *CheckError
			require.True(t, errors.As(err, &ce), "error %v", err)
			assert.Equal(t, tc.kind, ce.Kind, "%v", err)
			if tc.elems != nil {
				assert.Equal(t, tc.elems, ce.Elements, "%v", err)
			}
			if tc.msg != "" {
				assert.EqualError(t, err, tc.msg)
			}
			assert.NotContains(t, err.Error(), "\n")
			if tc.kind == NonManifold {
				return
			}
			// Every element named overlaps another element, or duplicates one.
			byID := map[int]int{}
			for tr, id := range ids.Elements {
				byID[id] = tr
			}
			for _, id := range ce.Elements {
				tr := byID[id]
				found := false
				for s := range m.NumTris() {
					found = found || s != tr && (m.trianglesOverlap(tr, s) || sameNodes(m, s, tr))
				}
				assert.True(t, found, "element %d overlaps no other element", id)
			}
			if tc.kind == Overlapping {
				// One element and every element it overlaps.
				require.GreaterOrEqual(t, len(ce.Elements), 2)
			}
		})
	}
}

// sameNodes reports whether triangles s and t have the same nodes.
func sameNodes(m *Mesh, s, t int) bool {
	a := slices.Clone(m.Tri[3*s : 3*s+3])
	b := slices.Clone(m.Tri[3*t : 3*t+3])
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestCheckOverlapNames(t *testing.T) {
	// An overlap names one element and exactly the elements it overlaps. Element 9, the
	// triangle (0.4, 0.1), (0.6, 0.1), (0.6, 0.7) laid over the 2×2 mesh, is the one found; by
	// hand it overlaps, square by square (element 2k+1 below the square's diagonal, 2k+2 above):
	// (0,0) x < 0.5, y ≤ 3x − 1.1 < x: element 1 only; (1,0) y > 0.1 ≥ x − 0.5: element 4
	// only; (1,1) x ∈ (0.5, 0.6), y ∈ (0.5, 3x − 1.1): both 7 (y < x at x = 0.58) and 8
	// (y > x at x = 0.59); (0,1) needs x > 0.53: none.
	m, ids := readText(t, square2([]xy{{10, 0.4, 0.1}, {11, 0.6, 0.1}, {12, 0.6, 0.7}}, []el{{9, 10, 11, 12}}))
	var ce *CheckError
	require.True(t, errors.As(m.Check(ids), &ce))
	assert.Equal(t, []int{1, 4, 7, 8, 9}, ce.Elements)
	assert.EqualError(t, ce, "mesh: overlapping elements: element 9 overlaps elements 1, 4, 7 and 8 (their interiors intersect)")

	// The node wrapped twice: a pair of elements k, k+3 over the same sector.
	m, ids = readText(t, doubleFan())
	require.True(t, errors.As(m.Check(ids), &ce))
	require.Len(t, ce.Elements, 2)
	assert.Equal(t, 3, ce.Elements[1]-ce.Elements[0], "%v", ce)
}

func TestCheckDirichletFaults(t *testing.T) {
	// Two separate squares of two elements each (101, 102 and 201, 202); a bowtie joined at
	// one node; a node in no element.
	squares := []xy{{1, 0, 0}, {2, 1, 0}, {3, 1, 1}, {4, 0, 1}, {5, 3, 0}, {6, 4, 0}, {7, 4, 1}, {8, 3, 1}}
	elems := []el{{101, 1, 2, 3}, {102, 1, 3, 4}, {201, 5, 6, 7}, {202, 5, 7, 8}}
	bowtie := []xy{{1, 0, 0}, {2, 1, 0}, {3, 1, 1}, {4, 2, 1}, {5, 2, 2}}
	tests := []struct {
		name      string
		nodes     []xy
		elems     []el
		dirichlet []int
		elemsBad  []int
		nodesBad  []int
		msg       string
	}{
		{"second square without", squares, elems, []int{1, 2}, []int{201, 202}, nil,
			"mesh: no Dirichlet node in a part of the mesh: elements 201 and 202 share no node with the rest of the mesh and have no Dirichlet node, so the solution is not determined there"},
		{"first square without", squares, elems, []int{7}, []int{101, 102}, nil, ""},
		{"two squares of three without", append(slices.Clone(squares), xy{9, 6, 0}, xy{10, 7, 0}, xy{11, 7, 1}, xy{12, 6, 1}),
			append(slices.Clone(elems), el{301, 9, 10, 11}, el{302, 9, 11, 12}), []int{4}, []int{201, 202, 301, 302}, nil,
			"mesh: no Dirichlet node in 2 parts of the mesh: elements 201, 202, 301 and 302, in parts that share no node with the rest of the mesh, have no Dirichlet node, so the solution is not determined there"},
		{"both with", squares, elems, []int{3, 8}, nil, nil, ""},
		{"bowtie, one side", bowtie, []el{{1, 1, 2, 3}, {2, 3, 4, 5}}, []int{1}, nil, nil, ""},
		{"bowtie, the shared node", bowtie, []el{{1, 1, 2, 3}, {2, 3, 4, 5}}, []int{3}, nil, nil, ""},
		{"a node in no element", append(slices.Clone(squares[:4]), xy{9, 5, 5}), elems[:2], []int{1}, nil, []int{9},
			"mesh: no Dirichlet node: node 9 is in no element and not a Dirichlet node"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := mdpaText(tc.nodes, tc.elems, tc.dirichlet)
			if tc.nodesBad != nil { // the reader refuses a node in no element: build the mesh
				m, ids := readText(t, mdpaText(tc.nodes[:len(tc.nodes)-1], tc.elems, tc.dirichlet))
				last := tc.nodes[len(tc.nodes)-1]
				m.Coords = append(m.Coords, last.x, last.y)
				m.Boundary = append(m.Boundary, false)
				ids.Nodes = append(ids.Nodes, last.id)
				err := m.CheckDirichlet(m.Boundary, ids)
				var ce *CheckError
				require.True(t, errors.As(err, &ce), "%v", err)
				assert.Equal(t, NoDirichlet, ce.Kind)
				assert.Empty(t, ce.Elements)
				assert.Equal(t, tc.nodesBad, ce.Nodes)
				assert.EqualError(t, err, tc.msg)
				return
			}
			m, ids := readText(t, text)
			require.NoError(t, m.Check(ids))
			err := m.CheckDirichlet(m.Boundary, ids)
			if tc.elemsBad == nil {
				assert.NoError(t, err)
				return
			}
			var ce *CheckError
			require.True(t, errors.As(err, &ce), "%v", err)
			assert.Equal(t, NoDirichlet, ce.Kind)
			assert.Equal(t, tc.elemsBad, ce.Elements)
			if tc.msg != "" {
				assert.EqualError(t, err, tc.msg)
			}
		})
	}

	// No Dirichlet node at all: every element is named.
	m, ids := readText(t, mdpaText(squares, elems, nil))
	var ce *CheckError
	require.True(t, errors.As(m.CheckDirichlet(make([]bool, m.NumNodes()), ids), &ce))
	assert.Equal(t, []int{101, 102, 201, 202}, ce.Elements)
	assert.EqualError(t, ce, "mesh: no Dirichlet node: no node of an element has a Dirichlet condition, so the solution is not determined")

	// Without ids, 1-based triangle numbers: the second square's triangles are 3 and 4.
	dir := make([]bool, m.NumNodes())
	dir[0] = true
	require.True(t, errors.As(m.CheckDirichlet(dir, IDs{}), &ce))
	assert.Equal(t, []int{3, 4}, ce.Elements)
}

func TestCheckValid(t *testing.T) {
	// Meshes that are triangulations pass both checks (their outer-edge nodes as the Dirichlet
	// boundary).
	type tc struct {
		name string
		m    *Mesh
		ids  IDs
	}
	var cases []tc
	for _, n := range []int{1, 2, 3, 8, 17, 64} {
		cases = append(cases, tc{fmt.Sprintf("unit square %d", n), unitSquare(t, n), IDs{}})
	}
	for _, f := range kratosFiles {
		m, info := readKratos(t, f.file, "Subpart_Boundary")
		cases = append(cases, tc{f.file, m, IDs{info.ElementIDs, info.NodeIDs}})
		r, _, _ := Refine(m, nil, nil)
		r, _, _ = Refine(r, nil, nil)
		cases = append(cases, tc{f.file + " refined twice", r, IDs{}})
		cases = append(cases, tc{f.file + " RCM", m.Permute(m.RCM()), IDs{Elements: info.ElementIDs}})
	}
	r, _, _ := Refine(unitSquare(t, 3), nil, nil)
	cases = append(cases, tc{"unit square 3 refined", r, IDs{}})
	for _, name := range []string{"square with a hole", "square with an island in its hole", "two squares touching at a corner",
		"two squares along a side, no shared node", "bowtie", "crack", "sheared square", "far from the origin"} {
		cases = append(cases, tc{name, validMesh(t, name), IDs{}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, c.m.Validate())
			assert.NoError(t, c.m.Check(c.ids))
			// The outer nodes are the Dirichlet ones; a node in no triangle (the hole's
			// middle) must be one too.
			dir := c.m.OnOuterEdges()
			used := make([]bool, len(dir))
			for _, v := range c.m.Tri {
				used[v] = true
			}
			for v := range dir {
				dir[v] = dir[v] || !used[v]
			}
			assert.NoError(t, c.m.CheckDirichlet(dir, c.ids))
		})
	}
}

// validMesh returns the valid mesh called name (TestCheckValid).
func validMesh(t *testing.T, name string) *Mesh {
	t.Helper()
	// hole is UnitSquare(4) without the 8 triangles of its middle 2×2 squares: the hole
	// [0.25, 0.75]².
	hole := func() *Mesh {
		m := unitSquare(t, 4)
		var tri []int32
		for s := range m.NumTris() {
			i, j := (s/2)%4, (s/2)/4
			if (i == 1 || i == 2) && (j == 1 || j == 2) {
				continue
			}
			tri = append(tri, m.Tri[3*s:3*s+3]...)
		}
		m.Tri = tri
		return m
	}
	// add returns a and b side by side, b's node indices shifted, b moved by (dx, dy).
	add := func(a, b *Mesh, dx, dy float64) *Mesh {
		m := &Mesh{Coords: slices.Clone(a.Coords), Tri: slices.Clone(a.Tri), Boundary: slices.Clone(a.Boundary)}
		nn := int32(a.NumNodes())
		for v := range b.NumNodes() {
			m.Coords = append(m.Coords, b.Coords[2*v]+dx, b.Coords[2*v+1]+dy)
		}
		for _, v := range b.Tri {
			m.Tri = append(m.Tri, v+nn)
		}
		m.Boundary = append(m.Boundary, b.Boundary...)
		return m
	}
	switch name {
	case "square with a hole":
		return hole()
	case "square with an island in its hole":
		island := unitSquare(t, 2)
		for i := range island.Coords {
			island.Coords[i] = 0.3 + 0.4*island.Coords[i]
		}
		return add(hole(), island, 0, 0)
	case "two squares touching at a corner":
		return add(unitSquare(t, 2), unitSquare(t, 3), 1, 1)
	case "two squares along a side, no shared node":
		return add(unitSquare(t, 2), unitSquare(t, 3), 1, 0)
	case "bowtie":
		return &Mesh{Coords: []float64{0, 0, 1, 0, 1, 1, 2, 1, 2, 2, 0, 2, 2, 0}, Tri: []int32{0, 1, 2, 2, 3, 4, 2, 4, 5, 2, 6, 3},
			Boundary: []bool{true, true, true, true, true, true, true}}
	case "crack":
		// UnitSquare(4) cut along y = 0.5 from x = 0 to 0.5: the nodes (0, 0.5) and
		// (0.25, 0.5) doubled, the triangles above the cut using the copies.
		m := unitSquare(t, 4)
		nn := int32(m.NumNodes())
		copyOf := map[int32]int32{}
		for _, v := range []int32{10, 11} { // (0, 0.5), (0.25, 0.5)
			copyOf[v] = nn
			m.Coords = append(m.Coords, m.Coords[2*v], m.Coords[2*v+1])
			m.Boundary = append(m.Boundary, true)
			nn++
		}
		for s := range m.NumTris() {
			i, j := (s/2)%4, (s/2)/4
			if j == 2 && i <= 1 {
				for k := 3 * s; k < 3*s+3; k++ {
					if c, ok := copyOf[m.Tri[k]]; ok {
						m.Tri[k] = c
					}
				}
			}
		}
		return m
	case "sheared square":
		m := unitSquare(t, 8)
		for v := range m.NumNodes() {
			m.Coords[2*v] += 3 * m.Coords[2*v+1]
		}
		return m
	case "far from the origin":
		m := unitSquare(t, 8)
		for v := range m.NumNodes() {
			m.Coords[2*v] = 1e6 + m.Coords[2*v]*1e-3
			m.Coords[2*v+1] = -1e6 + m.Coords[2*v+1]*1e-3
		}
		return m
	}
	t.Fatalf("no mesh %q", name)
	return nil
}

func TestCheckRandomMeshes(t *testing.T) {
	// Oracle: a unit square's nodes moved to random points of a coarse lattice (so that
	// collinear nodes, vertical and coincident edges, nodes on other edges and nodes at the
	// same place are frequent), its clockwise triangles turned counter-clockwise as the reader
	// does, its degenerate ones and some random ones dropped. Check fails exactly when two
	// triangles overlap (pairwise test, O(T²)), and each element it names overlaps another.
	rng := rand.New(rand.NewPCG(1, 2))
	failed, passed := 0, 0
	kinds := map[CheckKind]int{}
	for iter := range 6000 {
		n := 2 + rng.IntN(4)
		m := unitSquare(t, n)
		moves := rng.IntN(4) // how many nodes move
		lattice := float64(2 * n)
		for range moves {
			v := rng.IntN(m.NumNodes())
			m.Coords[2*v] = float64(rng.IntN(int(lattice)+3)-1) / lattice
			m.Coords[2*v+1] = float64(rng.IntN(int(lattice)+3)-1) / lattice
		}
		drop := rng.Float64() < 0.3
		var tri []int32
		for s := range m.NumTris() {
			c := slices.Clone(m.Tri[3*s : 3*s+3])
			m.Tri[3*s], m.Tri[3*s+1], m.Tri[3*s+2] = c[0], c[1], c[2]
			a := m.SignedArea(s)
			if math.Abs(a) <= areaRelTol*m.maxEdge2(s) || drop && rng.IntN(4) == 0 {
				continue // degenerate for Validate
			}
			if a < 0 {
				c[1], c[2] = c[2], c[1]
			}
			tri = append(tri, c...)
		}
		// Sometimes a triangle more, on new nodes: at random lattice points (inside, outside,
		// across, touching the mesh) or on the nodes' places of a triangle of the mesh (exactly
		// on top of it, its edges on the mesh's).
		switch rng.IntN(3) {
		case 1:
			var c [6]float64
			for i := range c {
				c[i] = float64(rng.IntN(int(lattice)+3)-1) / lattice
			}
			if o := orient(c[0], c[1], c[2], c[3], c[4], c[5]); o != 0 {
				if o < 0 {
					c[2], c[3], c[4], c[5] = c[4], c[5], c[2], c[3]
				}
				nn := int32(m.NumNodes())
				m.Coords = append(m.Coords, c[:]...)
				m.Boundary = append(m.Boundary, true, true, true)
				tri = append(tri, nn, nn+1, nn+2)
			}
		case 2:
			if len(tri) > 0 {
				s := rng.IntN(len(tri) / 3)
				nn := int32(m.NumNodes())
				for _, v := range tri[3*s : 3*s+3] {
					m.Coords = append(m.Coords, m.Coords[2*v], m.Coords[2*v+1])
				}
				m.Boundary = append(m.Boundary, true, true, true)
				tri = append(tri, nn, nn+1, nn+2)
			}
		}
		m.Tri = tri
		if s := m.NumTris() - 1; s >= 0 && math.Abs(m.SignedArea(s)) <= areaRelTol*m.maxEdge2(s) {
			m.Tri = m.Tri[:3*s] // the random one, degenerate
		}
		if len(m.Tri) == 0 {
			continue
		}
		for i := range m.Boundary {
			m.Boundary[i] = true
		}
		require.NoError(t, m.Validate())
		overlap := false
		for s := range m.NumTris() {
			for r := s + 1; r < m.NumTris(); r++ {
				overlap = overlap || m.trianglesOverlap(s, r)
			}
		}
		err := m.Check(IDs{})
		if !assert.Equal(t, overlap, err != nil, "iteration %d: pairwise overlap %v, Check: %v\n%v\n%v", iter, overlap, err, m.Coords, m.Tri) {
			continue
		}
		if err == nil {
			passed++
			continue
		}
		failed++
		var ce *CheckError
		require.True(t, errors.As(err, &ce))
		kinds[ce.Kind]++
		switch ce.Kind {
		case Folded:
			// Each edge whose two triangles lie on its same side has one of them named.
			named := map[int]bool{}
			for _, id := range ce.Elements {
				named[id-1] = true
			}
			for _, p := range disagreeing(m) {
				assert.True(t, named[p[0]] || named[p[1]], "iteration %d: neither of %v named: %v", iter, p, err)
			}
		case Overlapping:
			// One element named overlaps every other named.
			found := false
			for _, w := range ce.Elements {
				all := true
				for _, id := range ce.Elements {
					all = all && (id == w || m.trianglesOverlap(w-1, id-1))
				}
				found = found || all
			}
			assert.True(t, found, "iteration %d: %v", iter, err)
		default:
			t.Errorf("iteration %d: %v", iter, err)
		}
	}
	// Both outcomes are common, or the test tests little; so are both faults.
	t.Logf("%d passed, %d failed: %v", passed, failed, kinds)
	assert.Greater(t, passed, 500)
	assert.Greater(t, kinds[Folded], 500)
	assert.Greater(t, kinds[Overlapping], 500)
}

func TestCheckRandomTriangles(t *testing.T) {
	// Oracle: two to five triangles on their own nodes at random points of a coarse lattice
	// (crossing, nested, touching, sharing places): Check fails exactly when two overlap.
	rng := rand.New(rand.NewPCG(3, 4))
	failed, passed := 0, 0
	for iter := range 20000 {
		m := &Mesh{}
		for range 2 + rng.IntN(4) {
			var c [6]float64
			for i := range c {
				c[i] = float64(rng.IntN(5))
			}
			switch o := orient(c[0], c[1], c[2], c[3], c[4], c[5]); {
			case o == 0:
				continue
			case o < 0:
				c[2], c[3], c[4], c[5] = c[4], c[5], c[2], c[3]
			}
			nn := int32(m.NumNodes())
			m.Coords = append(m.Coords, c[:]...)
			m.Boundary = append(m.Boundary, true, true, true)
			m.Tri = append(m.Tri, nn, nn+1, nn+2)
		}
		if len(m.Tri) == 0 {
			continue
		}
		overlap := false
		for s := range m.NumTris() {
			for r := s + 1; r < m.NumTris(); r++ {
				overlap = overlap || m.trianglesOverlap(s, r)
			}
		}
		err := m.Check(IDs{})
		require.Equal(t, overlap, err != nil, "iteration %d: pairwise overlap %v, Check: %v\n%v\n%v", iter, overlap, err, m.Coords, m.Tri)
		if err != nil {
			failed++
		} else {
			passed++
		}
	}
	t.Logf("%d passed, %d failed", passed, failed)
	assert.Greater(t, passed, 2000)
	assert.Greater(t, failed, 2000)
}

// disagreeing returns the pairs of triangles that share an edge in the same direction: on the
// same side of it (brute force, by a map of directed edges).
func disagreeing(m *Mesh) [][2]int {
	at := map[[2]int32]int{}
	var out [][2]int
	for s := range m.NumTris() {
		for k := range 3 {
			e := [2]int32{m.Tri[3*s+k], m.Tri[3*s+(k+1)%3]}
			if r, ok := at[e]; ok {
				out = append(out, [2]int{r, s})
			}
			at[e] = s
		}
	}
	return out
}

// orientRat is the orientation determinant's sign in exact rational arithmetic.
func orientRat(ax, ay, bx, by, cx, cy float64) int {
	r := func(v float64) *big.Rat { return new(big.Rat).SetFloat64(v) }
	sub := func(a, b float64) *big.Rat { return new(big.Rat).Sub(r(a), r(b)) }
	l := new(big.Rat).Mul(sub(ax, cx), sub(by, cy))
	rr := new(big.Rat).Mul(sub(ay, cy), sub(bx, cx))
	return l.Sub(l, rr).Sign()
}

func TestOrient(t *testing.T) {
	// Against exact rationals, on points near a line (where the floating-point determinant's
	// sign is wrong or 0 half the time), of scales 1e-100 to 1e100, and some exactly collinear.
	rng := rand.New(rand.NewPCG(1, 2))
	wrongFloat := 0
	for i := range 100000 {
		scale := []float64{1, 1e-100, 1e100, 3e7, 1e-9}[i%5]
		ax, ay := rng.Float64()*scale, rng.Float64()*scale
		bx, by := rng.Float64()*scale, rng.Float64()*scale
		s := rng.Float64()
		cx, cy := ax+s*(bx-ax), ay+s*(by-ay)
		switch i % 3 {
		case 1:
			cx += (rng.Float64() - 0.5) * 1e-15 * scale
		case 2: // exactly collinear: c = a + k(b − a) for k a small integer on a dyadic grid
			ax, ay, bx, by = 0.5*scale, 0.25*scale, 0.75*scale, 0.375*scale
			cx, cy = ax+3*(bx-ax), ay+3*(by-ay)
		}
		want := orientRat(ax, ay, bx, by, cx, cy)
		require.Equal(t, want, orient(ax, ay, bx, by, cx, cy), "(%v,%v) (%v,%v) (%v,%v)", ax, ay, bx, by, cx, cy)
		// The orientation is the same for every cyclic order and the opposite reversed.
		require.Equal(t, want, orient(bx, by, cx, cy, ax, ay))
		require.Equal(t, -want, orient(bx, by, ax, ay, cx, cy))
		naive := float64((ax-cx)*(by-cy)) - float64((ay-cy)*(bx-cx))
		if (naive > 0) != (want > 0) || (naive < 0) != (want < 0) {
			wrongFloat++
		}
	}
	// The test exercises the exact path: plain floating point gets many of them wrong.
	assert.Greater(t, wrongFloat, 1000)
}

func TestStatus(t *testing.T) {
	// The sweep's treap against a sorted slice: random inserts (ordered by a key) and removals;
	// after each, every edge's neighbours and the σ-sum below it.
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 300
	edges := make([]sweepEdge, n)
	key := make([]float64, n)
	for i := range edges {
		edges[i].sigma = int32(1 - 2*rng.IntN(2))
		key[i] = rng.Float64()
	}
	st := newStatus(edges)
	above := func(i, j int32) bool { return key[i] > key[j] }
	var ref []int32 // in order
	perm := rng.Perm(n)
	inserted := 0
	for step := range 2 * n {
		if inserted < n && (len(ref) == 0 || rng.IntN(3) > 0) {
			i := int32(perm[inserted])
			inserted++
			st.insert(i, above)
			at, _ := slices.BinarySearchFunc(ref, i, func(a, b int32) int {
				switch {
				case key[a] < key[b]:
					return -1
				case key[a] > key[b]:
					return 1
				}
				return 0
			})
			ref = slices.Insert(ref, at, i)
		} else if len(ref) > 0 {
			k := rng.IntN(len(ref))
			st.remove(ref[k])
			assert.False(t, st.alive(ref[k]))
			ref = slices.Delete(ref, k, k+1)
		}
		var w int32
		for k, i := range ref {
			require.True(t, st.alive(i))
			prev, next := int32(-1), int32(-1)
			if k > 0 {
				prev = ref[k-1]
			}
			if k+1 < len(ref) {
				next = ref[k+1]
			}
			require.Equal(t, prev, st.prev(i), "step %d", step)
			require.Equal(t, next, st.next(i), "step %d", step)
			require.Equal(t, w, st.prefix(i), "step %d", step)
			w += edges[i].sigma
		}
	}
}

func TestCheckErrors(t *testing.T) {
	// An invalid mesh gives Validate's error; wrong lengths of ids panic.
	m := twoTriangles()
	m.Tri[4], m.Tri[5] = m.Tri[5], m.Tri[4]
	assert.ErrorContains(t, m.Check(IDs{}), "triangle 1 is inverted")
	m = twoTriangles()
	assert.PanicsWithValue(t, errCheckIDs, func() { _ = m.Check(IDs{Elements: []int{1}}) })
	assert.PanicsWithValue(t, errCheckIDs, func() { _ = m.Check(IDs{Nodes: []int{1}}) })
	assert.PanicsWithValue(t, errCheckDirichlet, func() { _ = m.CheckDirichlet([]bool{true}, IDs{}) })
	assert.Equal(t, "folded elements", Folded.String())
	assert.Equal(t, "CheckKind(9)", CheckKind(9).String())
}

func TestListIDs(t *testing.T) {
	assert.Equal(t, "none", listIDs(nil))
	assert.Equal(t, "4", listIDs([]int{4}))
	assert.Equal(t, "4 and 9", listIDs([]int{4, 9}))
	assert.Equal(t, "4, 9 and 12", listIDs([]int{4, 9, 12}))
	assert.Equal(t, "1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more", listIDs([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}))
}

func BenchmarkCheck(b *testing.B) {
	// Check and CheckDirichlet on unit squares; ns/triangle is the figure to compare with the
	// set-up's (assembly, ordering) per triangle.
	for _, n := range []int{64, 256, 1024} {
		m, err := UnitSquare(n)
		require.NoError(b, err)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := m.Check(IDs{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(m.NumTris()), "ns/triangle")
		})
		b.Run(fmt.Sprintf("dirichlet/n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := m.CheckDirichlet(m.Boundary, IDs{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(m.NumTris()), "ns/triangle")
		})
	}
}
