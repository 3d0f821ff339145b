package mesh

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shoelace returns Σ over the edges of (x1−x0)(y1+y0)/2: minus the enclosed area when the
// edges run counter-clockwise around it.
func shoelace(m *Mesh, edges [][2]int32) float64 {
	var s float64
	for _, e := range edges {
		x0, y0 := m.Coords[2*e[0]], m.Coords[2*e[0]+1]
		x1, y1 := m.Coords[2*e[1]], m.Coords[2*e[1]+1]
		s += (x1 - x0) * (y1 + y0) / 2
	}
	return s
}

// ownerOf returns the triangle and local edge k (corners k→k+1) holding the directed edge e,
// or fails the test.
func ownerOf(t *testing.T, m *Mesh, e [2]int32) (int, int) {
	t.Helper()
	for tr := range m.NumTris() {
		for k := range 3 {
			if m.Tri[3*tr+k] == e[0] && m.Tri[3*tr+(k+1)%3] == e[1] {
				return tr, k
			}
		}
	}
	require.Failf(t, "edge not found", "no triangle has the directed edge %v", e)
	return -1, -1
}

func TestBoundaryEdges(t *testing.T) {
	for _, n := range []int{1, 2, 5, 16} {
		t.Run(fmt.Sprintf("unit square n=%d", n), func(t *testing.T) {
			m, err := UnitSquare(n)
			require.NoError(t, err)
			box := BoxParts(m)

			edges := m.BoundaryEdges(partByName(t, box, "boundary").Nodes)
			assert.Len(t, edges, 4*n)
			// The edges enclose the unit square counter-clockwise. Terms are exact multiples
			// of 1/(2n²) below 1 except for the rounding of i/n: a few ε per term.
			assert.InDelta(t, -1, shoelace(m, edges), 16*float64(n)*epsilon)
			// Deterministic order: by triangle, then local edge.
			prevT, prevK := -1, 0
			for _, e := range edges {
				tr, k := ownerOf(t, m, e)
				assert.True(t, tr > prevT || tr == prevT && k > prevK, "edge %v after triangle %d edge %d", e, prevT, prevK)
				prevT, prevK = tr, k
			}
			assert.Equal(t, edges, m.BoundaryEdges(partByName(t, box, "domain").Nodes), "all nodes: the same outer edges")

			// Each side: n edges along it, in the counter-clockwise direction.
			for _, side := range []struct {
				name   string
				dx, dy float64 // direction of every edge
			}{{"bottom", 1, 0}, {"right", 0, 1}, {"top", -1, 0}, {"left", 0, -1}} {
				es := m.BoundaryEdges(partByName(t, box, side.name).Nodes)
				require.Len(t, es, n, side.name)
				for _, e := range es {
					dx := (m.Coords[2*e[1]] - m.Coords[2*e[0]]) * float64(n)
					dy := (m.Coords[2*e[1]+1] - m.Coords[2*e[0]+1]) * float64(n)
					// One step of 1/n, each coordinate rounded once: a few ε.
					assert.InDelta(t, side.dx, dx, 4*float64(n)*epsilon, "%s edge %v", side.name, e)
					assert.InDelta(t, side.dy, dy, 4*float64(n)*epsilon, "%s edge %v", side.name, e)
				}
			}
		})
	}

	t.Run("interior nodes have no outer edges", func(t *testing.T) {
		m, err := UnitSquare(4)
		require.NoError(t, err)
		assert.Empty(t, m.BoundaryEdges(flagged(notFlags(m.Boundary))))
	})

	t.Run("Kratos coarse: an interior edge between boundary nodes is not an outer edge", func(t *testing.T) {
		// Element 1 (nodes 5 8 2) cuts the corner: its edge 8–2 joins two boundary nodes
		// inside the domain.
		m, info := readKratos(t, "square_coarse_2d.mdpa", "Subpart_Boundary")
		edges := m.BoundaryEdges(partByName(t, info.Parts, "Subpart_Boundary").Nodes)
		assert.Len(t, edges, 8)
		// Exact: coordinates are multiples of 1/2.
		assert.Equal(t, -1.0, shoelace(m, edges))
	})

	t.Run("Kratos Level1", func(t *testing.T) {
		m, info := readKratos(t, "Level1.mdpa", "Subpart_Boundary")
		edges := m.BoundaryEdges(partByName(t, info.Parts, "Subpart_Boundary").Nodes)
		assert.Len(t, edges, 32, "a closed polygon through the 32 boundary nodes")
		// 32 terms of size ≤ 1/8, each with a few roundings.
		assert.InDelta(t, -1, shoelace(m, edges), 64*epsilon)
	})

	m, err := UnitSquare(2)
	require.NoError(t, err)
	assert.PanicsWithValue(t, errEdgeNode, func() { m.BoundaryEdges([]int32{9}) })
	assert.PanicsWithValue(t, errEdgeNode, func() { m.BoundaryEdges([]int32{-1}) })
}

// notFlags returns the negation of f.
func notFlags(f []bool) []bool {
	g := make([]bool, len(f))
	for i, b := range f {
		g[i] = !b
	}
	return g
}

// cornersOf returns the sorted triangles that have node v as a corner.
func cornersOf(m *Mesh, v int32) []int {
	var ts []int
	for k, w := range m.Tri {
		if w == v {
			ts = append(ts, k/3)
		}
	}
	return ts
}

// checkLocated checks that l are barycentric coordinates of (x, y) in triangle tr.
func checkLocated(t *testing.T, m *Mesh, tr int, l [3]float64, x, y float64) {
	t.Helper()
	var px, py float64
	for a := range 3 {
		assert.GreaterOrEqual(t, l[a], 0.0)
		assert.LessOrEqual(t, l[a], 1.0)
		v := m.Tri[3*tr+a]
		px += l[a] * m.Coords[2*v]
		py += l[a] * m.Coords[2*v+1]
	}
	// Three coordinates, each from a quotient of two rounded cross products: a few ε.
	assert.InDelta(t, 1, l[0]+l[1]+l[2], 4*epsilon)
	// Interpolating coordinates of size ≤ 1 with those weights: ~10ε for the unit square and
	// the Kratos meshes.
	assert.InDelta(t, x, px, 16*epsilon, "x in triangle %d", tr)
	assert.InDelta(t, y, py, 16*epsilon, "y in triangle %d", tr)
}

func TestLocate(t *testing.T) {
	const n = 8
	m, err := UnitSquare(n)
	require.NoError(t, err)

	t.Run("random interior points", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for range 200 {
			x, y := rng.Float64(), rng.Float64()
			tr, l, ok := m.Locate(x, y)
			require.True(t, ok, "(%g, %g)", x, y)
			// Square (i, j); the diagonal v00–v11 splits it into the lower-right triangle
			// 2(jn+i) (x−i/n ≥ y−j/n) and the upper-left one 2(jn+i)+1.
			i, j := int(x*n), int(y*n)
			want := 2 * (j*n + i)
			if x*n-float64(i) < y*n-float64(j) {
				want++
			}
			assert.Equal(t, want, tr, "(%g, %g)", x, y)
			checkLocated(t, m, tr, l, x, y)
		}
	})

	t.Run("vertices", func(t *testing.T) {
		for v := range int32(m.NumNodes()) {
			x, y := m.Coords[2*v], m.Coords[2*v+1]
			tr, l, ok := m.Locate(x, y)
			require.True(t, ok, "node %d", v)
			assert.Equal(t, cornersOf(m, v)[0], tr, "node %d: the lowest triangle at it", v)
			// At a corner the other two sub-areas have a zero factor: exactly a unit vector.
			var want [3]float64
			for a := range 3 {
				if m.Tri[3*tr+a] == v {
					want[a] = 1
				}
			}
			assert.Equal(t, want, l, "node %d", v)
		}
	})

	t.Run("edge midpoints", func(t *testing.T) {
		for tr := range m.NumTris() {
			for k := range 3 {
				a, b := m.Tri[3*tr+k], m.Tri[3*tr+(k+1)%3]
				x := (m.Coords[2*a] + m.Coords[2*b]) / 2
				y := (m.Coords[2*a+1] + m.Coords[2*b+1]) / 2
				got, l, ok := m.Locate(x, y)
				require.True(t, ok)
				shared := intersect(cornersOf(m, a), cornersOf(m, b))
				assert.Equal(t, shared[0], got, "midpoint of %d–%d: the lowest triangle with that edge", a, b)
				checkLocated(t, m, got, l, x, y)
				for c := range 3 {
					if v := m.Tri[3*got+c]; v != a && v != b {
						// The opposite corner's sub-area is a product of differences
						// that are exact or nearly: ≤ a few ε.
						assert.InDelta(t, 0, l[c], 4*epsilon)
					} else {
						assert.InDelta(t, 0.5, l[c], 4*epsilon)
					}
				}
			}
		}
	})

	t.Run("outside", func(t *testing.T) {
		// The tolerance is 1e-12 of the unit square's size.
		for _, p := range [][2]float64{
			{-1e-11, 0.5}, {0.5, 1 + 1e-11}, {1.5, 0.5}, {-3, -3},
			{math.NaN(), 0.5}, {0.5, math.Inf(1)},
		} {
			tr, _, ok := m.Locate(p[0], p[1])
			assert.False(t, ok, "(%g, %g)", p[0], p[1])
			assert.Equal(t, -1, tr)
		}
		// Within the tolerance, just left of the middle of the left side's edge from (0, 1/2)
		// to (0, 5/8): found in the triangle of that edge, 2(4n+0)+1, with the coordinate of
		// the corner off the side clamped to exactly 0.
		tr, l, ok := m.Locate(-1e-14, 0.5625)
		require.True(t, ok)
		assert.Equal(t, 2*(4*n)+1, tr)
		for a, v := range m.Tri[3*tr : 3*tr+3] {
			if m.Coords[2*v] == 0 {
				// Two quotients of rounded cross products; the point is 1e-14 off.
				assert.InDelta(t, 0.5, l[a], 1e-12, "corner %d", a)
			} else {
				assert.Equal(t, 0.0, l[a], "corner %d", a)
			}
		}
	})

	t.Run("non-convex domain", func(t *testing.T) {
		// UnitSquare(2) without its top-right square: an L whose notch is inside the box.
		l2, err := UnitSquare(2)
		require.NoError(t, err)
		l2.Tri = l2.Tri[:18]
		_, _, ok := l2.Locate(0.75, 0.75)
		assert.False(t, ok, "the notch")
		_, _, ok = l2.Locate(0.75, 0.5+1e-9)
		assert.False(t, ok, "just inside the notch, beyond the tolerance")
		tr, _, ok := l2.Locate(0.75, 0.5)
		assert.True(t, ok, "on the notch's edge")
		// The top edge of square (1, 0) belongs to its upper-left triangle 2(0·2+1)+1.
		assert.Equal(t, 3, tr)
	})

	t.Run("Kratos Level1", func(t *testing.T) {
		k, _ := readKratos(t, "Level1.mdpa", "Subpart_Boundary")
		for tr := range k.NumTris() {
			var x, y float64
			for _, v := range k.Tri[3*tr : 3*tr+3] {
				x += k.Coords[2*v] / 3
				y += k.Coords[2*v+1] / 3
			}
			got, l, ok := k.Locate(x, y)
			require.True(t, ok)
			assert.Equal(t, tr, got, "the centroid of triangle %d is in no other", tr)
			checkLocated(t, k, got, l, x, y)
			for a := range 3 {
				// Centroid, each coordinate rounded: barycentric 1/3 to a few ε over the
				// triangle's relative size (elements are ≥ 1/20 of the square).
				assert.InDelta(t, 1.0/3, l[a], 1e-13)
			}
		}
		for v := range int32(k.NumNodes()) {
			got, _, ok := k.Locate(k.Coords[2*v], k.Coords[2*v+1])
			require.True(t, ok)
			assert.Equal(t, cornersOf(k, v)[0], got, "node %d", v)
		}
	})
}

// intersect returns the common elements of two sorted lists.
func intersect(a, b []int) []int {
	var c []int
	for _, x := range a {
		for _, y := range b {
			if x == y {
				c = append(c, x)
			}
		}
	}
	return c
}
