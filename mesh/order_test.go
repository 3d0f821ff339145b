package mesh

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newRand is the tests' deterministic generator.
func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// inverse returns inv with inv[perm[i]] = i.
func inverse(perm []int32) []int32 {
	inv := make([]int32, len(perm))
	for i, v := range perm {
		inv[v] = int32(i)
	}
	return inv
}

// isPermutation reports whether perm holds each of 0..n-1 exactly once.
func isPermutation(perm []int32, n int) bool {
	if len(perm) != n {
		return false
	}
	s := slices.Clone(perm)
	slices.Sort(s)
	for i, v := range s {
		if v != int32(i) {
			return false
		}
	}
	return true
}

// unitSquare returns UnitSquare(n), failing the test on an error.
func unitSquare(t testing.TB, n int) *Mesh {
	t.Helper()
	m, err := UnitSquare(n)
	require.NoError(t, err)
	return m
}

// twoPieces is two disjoint unit squares, [0,1]² and [2,3]×[0,1], each cut into two
// triangles, with their nodes interleaved (even nodes in the left piece, odd in the right) so
// that the input order mixes the components, plus node 8 at (1.5, 0.5) in no triangle.
func twoPieces() *Mesh {
	return &Mesh{
		Coords: []float64{
			0, 0, 2, 0, 1, 0, 3, 0, 1, 1, 3, 1, 0, 1, 2, 1,
			1.5, 0.5,
		},
		Tri: []int32{
			0, 2, 4, 0, 4, 6, // left square
			1, 3, 5, 1, 5, 7, // right square
		},
		Boundary: []bool{true, true, true, true, true, true, true, true, false},
	}
}

// strip is the 1×k rectangle [0,k]×[0,1] triangulated like UnitSquare: a single row of k
// squares, nodes (i, 0) = i and (i, 1) = k+1+i.
func strip(k int) *Mesh {
	m := &Mesh{Boundary: make([]bool, 2*(k+1))}
	for j := range 2 {
		for i := range k + 1 {
			m.Coords = append(m.Coords, float64(i), float64(j))
			m.Boundary[j*(k+1)+i] = true
		}
	}
	for i := range k {
		v00 := int32(i)
		v10, v01 := v00+1, v00+int32(k+1)
		v11 := v01 + 1
		m.Tri = append(m.Tri, v00, v10, v11, v00, v11, v01)
	}
	return m
}

// namedMesh is a test case of the ordering tests.
type namedMesh struct {
	name string
	m    *Mesh
}

// orderMeshes are the meshes the ordering tests run on.
func orderMeshes(t *testing.T) []namedMesh {
	return []namedMesh{
		{"unit square n=1", unitSquare(t, 1)},
		{"unit square n=2", unitSquare(t, 2)},
		{"unit square n=7", unitSquare(t, 7)},
		{"unit square n=16", unitSquare(t, 16)},
		{"one triangle", &Mesh{
			Coords:   []float64{0, 0, 1, 0, 0, 1},
			Tri:      []int32{0, 1, 2},
			Boundary: []bool{true, true, true},
		}},
		{"two pieces", twoPieces()},
		{"strip k=9", strip(9)},
	}
}

func TestPermute(t *testing.T) {
	for _, c := range orderMeshes(t) {
		name, m := c.name, c.m
		require.NoError(t, m.Validate(), name)
		n := m.NumNodes()
		identity, reverse := make([]int32, n), make([]int32, n)
		for i := range n {
			identity[i] = int32(i)
			reverse[i] = int32(n - 1 - i)
		}
		perms := []struct {
			name string
			perm []int32
		}{
			{"identity", identity},
			{"reverse", reverse},
			{"shuffle", Shuffle(n, newRand())},
			{"rcm", m.RCM()},
		}
		for _, pc := range perms {
			perm := pc.perm
			t.Run(name+"/"+pc.name, func(t *testing.T) {
				orig := &Mesh{
					Coords:   slices.Clone(m.Coords),
					Tri:      slices.Clone(m.Tri),
					Boundary: slices.Clone(m.Boundary),
				}
				p := m.Permute(perm)
				require.NoError(t, p.Validate())
				assert.Equal(t, orig, m, "Permute must not change its receiver")
				require.Equal(t, n, p.NumNodes())
				require.Equal(t, m.NumTris(), p.NumTris())

				// Node i of p is node perm[i] of m: same coordinates and flag, exactly.
				for i, old := range perm {
					assert.Equal(t, m.Coords[2*old], p.Coords[2*i], "x of node %d", i)
					assert.Equal(t, m.Coords[2*old+1], p.Coords[2*i+1], "y of node %d", i)
					assert.Equal(t, m.Boundary[old], p.Boundary[i], "boundary flag of node %d", i)
				}
				// Triangle t keeps its corners in order, so its signed area is the same
				// computation on the same numbers: equal bit for bit, no tolerance. That also
				// covers the total area and the counter-clockwise orientation.
				for tr := range m.NumTris() {
					for k := range 3 {
						assert.Equal(t, m.Tri[3*tr+k], perm[p.Tri[3*tr+k]], "triangle %d corner %d", tr, k)
					}
					assert.Equal(t, m.SignedArea(tr), p.SignedArea(tr), "triangle %d", tr)
					assert.Positive(t, p.SignedArea(tr), "triangle %d must stay counter-clockwise", tr)
				}
				assert.Equal(t, countTrue(m.Boundary), countTrue(p.Boundary))

				// The inverse permutation undoes it exactly.
				assert.Equal(t, m, p.Permute(inverse(perm)))
			})
		}
	}
}

// countTrue returns the number of true flags.
func countTrue(b []bool) int {
	var c int
	for _, x := range b {
		if x {
			c++
		}
	}
	return c
}

func TestPermuteEmpty(t *testing.T) {
	p := (&Mesh{}).Permute(nil)
	assert.Zero(t, p.NumNodes())
	assert.Zero(t, p.NumTris())
}

func TestPermutePanics(t *testing.T) {
	tests := []struct {
		name string
		perm []int32
		want string
	}{
		{"short", []int32{0, 1, 2}, errPermLen},
		{"long", []int32{0, 1, 2, 3, 4}, errPermLen},
		{"nil", nil, errPermLen},
		{"repeated", []int32{0, 1, 1, 3}, errPermInvalid},
		{"too large", []int32{0, 1, 2, 4}, errPermInvalid},
		{"negative", []int32{0, -1, 2, 3}, errPermInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tc.want, func() { twoTriangles().Permute(tc.perm) })
		})
	}
	t.Run("bad triangle", func(t *testing.T) {
		m := twoTriangles()
		m.Tri[2] = 9
		assert.PanicsWithValue(t, errPermMesh, func() { m.Permute([]int32{0, 1, 2, 3}) })
	})
	t.Run("bad boundary", func(t *testing.T) {
		m := twoTriangles()
		m.Boundary = m.Boundary[:2]
		assert.PanicsWithValue(t, errPermMesh, func() { m.Permute([]int32{0, 1, 2, 3}) })
	})
	assert.PanicsWithValue(t, errShuffleN, func() { Shuffle(-1, newRand()) })
	assert.PanicsWithValue(t, errGraphIndex, func() {
		m := twoTriangles()
		m.Tri[2] = -3
		m.RCM()
	})
}

func TestShuffle(t *testing.T) {
	for _, n := range []int{0, 1, 2, 10, 1000} {
		p := Shuffle(n, newRand())
		assert.True(t, isPermutation(p, n), "n=%d", n)
		assert.Equal(t, p, Shuffle(n, newRand()), "same seed, same permutation (n=%d)", n)
	}
	// 1000! orders: a shuffle equal to the identity would be a broken generator.
	assert.False(t, slices.IsSorted(Shuffle(1000, newRand())))
}

func TestBandwidth(t *testing.T) {
	// Natural UnitSquare order: the diagonal v00–v11 spans n+2; row i's smallest neighbour is
	// i-(n+2) inside the grid (the v00 of the square below-left), less at the sides.
	for _, n := range []int{1, 2, 5} {
		m := unitSquare(t, n)
		bw, prof := m.Bandwidth()
		assert.Equal(t, n+2, bw, "n=%d", n)
		assert.Equal(t, bruteProfile(m), prof, "n=%d", n)
	}
	bw, prof := twoPieces().Bandwidth()
	assert.Equal(t, 6, bw) // edge 0–6 and 1–7
	assert.Equal(t, bruteProfile(twoPieces()), prof)
	bw, prof = (&Mesh{}).Bandwidth()
	assert.Zero(t, bw)
	assert.Zero(t, prof)
}

// bruteProfile is the profile from its definition, over all node pairs of every triangle.
func bruteProfile(m *Mesh) int64 {
	var p int64
	for i := range m.NumNodes() {
		low := i
		for k, v := range m.Tri {
			if int(v) != i {
				continue
			}
			for _, w := range m.Tri[k/3*3 : k/3*3+3] {
				low = min(low, int(w))
			}
		}
		p += int64(i - low)
	}
	return p
}

func TestRCM(t *testing.T) {
	for _, c := range orderMeshes(t) {
		m := c.m
		t.Run(c.name, func(t *testing.T) {
			perm := m.RCM()
			require.True(t, isPermutation(perm, m.NumNodes()), "%v", perm)
			assert.Equal(t, perm, m.RCM(), "RCM must be deterministic")
			p := m.Permute(perm)
			require.NoError(t, p.Validate())
			// Not a theorem, but true of every mesh here (their natural orders are
			// row-by-row or arbitrary): RCM does no worse. The tests below pin the values.
			bw, prof := p.Bandwidth()
			bw0, prof0 := m.Bandwidth()
			assert.LessOrEqual(t, bw, bw0)
			assert.LessOrEqual(t, prof, prof0)
		})
	}
}

func TestRCMUnitSquareShuffled(t *testing.T) {
	for _, n := range []int{1, 2, 3, 8, 31, 64} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			m := unitSquare(t, n)
			nn := m.NumNodes()
			rng := newRand()
			for trial := range 3 {
				s := m.Permute(Shuffle(nn, rng))
				bwShuf, profShuf := s.Bandwidth()
				perm := s.RCM()
				require.True(t, isPermutation(perm, nn))
				r := s.Permute(perm)
				require.NoError(t, r.Validate())
				bw, prof := r.Bandwidth()
				t.Logf("trial %d: bandwidth %d → %d, profile %d → %d", trial, bwShuf, bw, profShuf, prof)
				// The start, a node of smallest degree, is a degree-2 corner, (n,0) or (0,n):
				// eccentricity 2n, the diameter, so it is the root, and the BFS levels are the
				// anti-diagonals, at most n+1 wide. The bandwidth is below the sum of two
				// adjacent widths: ≤ 2(n+1) - 1, whatever the shuffle.
				assert.LessOrEqual(t, bw, 2*(n+1)-1, "trial %d", trial)
				// Tighter, as a regression: CM sweeps every diagonal in the same direction, so
				// node k of level d (d+1 nodes, d < n) is adjacent to nodes k and k+1 of level
				// d+1, at distance d+1 or d+2 ≤ n+1 (the diagonal edges stay inside a level,
				// and the shrinking half mirrors it). Measured: exactly n+1 for every n and
				// shuffle here, one less than the natural order's n+2.
				assert.LessOrEqual(t, bw, n+1, "trial %d", trial)
				// Profile: the natural order has ≤ n+2 per node (see TestBandwidth); RCM
				// must not do worse (measured ≈ 0.7 of it at n = 31, 64).
				assert.LessOrEqual(t, prof, int64(n+2)*int64(nn), "trial %d", trial)
				if n >= 8 {
					// A random order of the 3(n+1)² edges almost surely has one spanning most
					// of the node range; the seed is fixed, so this is a regression value
					// checked with a margin of 2: at least half the nodes.
					assert.Greater(t, bwShuf, nn/2, "trial %d", trial)
				}
			}
		})
	}
}

func TestRCMShuffleInvariant(t *testing.T) {
	// The ordering depends on the labels only through tie-breaking, so the bandwidth reached
	// from any shuffle of the same mesh is the same on a structured grid; this pins it.
	m := unitSquare(t, 20)
	rng := newRand()
	var bws []int
	for range 5 {
		s := m.Permute(Shuffle(m.NumNodes(), rng))
		bw, _ := s.Permute(s.RCM()).Bandwidth()
		bws = append(bws, bw)
	}
	bw0, _ := m.Permute(m.RCM()).Bandwidth()
	for _, bw := range bws {
		assert.Equal(t, bw0, bw, "%v", bws)
	}
}

func TestRCMTwoPieces(t *testing.T) {
	m := twoPieces()
	perm := m.RCM()
	require.True(t, isPermutation(perm, m.NumNodes()), "%v", perm)
	// piece: 0 left square, 1 right square, 2 isolated node.
	piece := func(v int32) int {
		switch {
		case v == 8:
			return 2
		case v%2 == 0:
			return 0
		default:
			return 1
		}
	}
	// Each component is numbered contiguously.
	var runs []int
	for i, v := range perm {
		if i == 0 || piece(v) != piece(perm[i-1]) {
			runs = append(runs, piece(v))
		}
	}
	assert.ElementsMatch(t, []int{0, 1, 2}, runs, "components must be contiguous: %v", perm)
	// Components are taken in the order of their smallest-degree node (the isolated node 8,
	// degree 0, first; then the left square through node 2, degree 2, index 2 < 3, then the
	// right one), and the whole sequence is reversed.
	assert.Equal(t, []int{1, 0, 2}, runs)
	assert.Equal(t, int32(8), perm[len(perm)-1])
	p := m.Permute(perm)
	require.NoError(t, p.Validate())
	bw, _ := p.Bandwidth()
	// Within a 4-node square every node is ≤ 3 from the others; RCM finds 2: the path of
	// levels {2}, {0, 4}, {6} (or its mirror) numbers a square with bandwidth 2.
	assert.Equal(t, 2, bw)
}

func TestRCMStrip(t *testing.T) {
	// A row of k squares: the levels from a degree-2 corner are pairs, so the bandwidth is
	// below 2 + 2 = 4; the optimum is 2.
	m := strip(9)
	s := m.Permute(Shuffle(m.NumNodes(), newRand()))
	bw, _ := s.Permute(s.RCM()).Bandwidth()
	assert.LessOrEqual(t, bw, 3)
}

func TestRCMTiny(t *testing.T) {
	// No nodes.
	assert.Empty(t, (&Mesh{}).RCM())
	// One node in no triangle.
	assert.Equal(t, []int32{0}, (&Mesh{Coords: []float64{0, 0}, Boundary: []bool{true}}).RCM())
	// Three isolated nodes: three components, each of degree 0, taken in index order, then
	// reversed.
	assert.Equal(t, []int32{2, 1, 0}, (&Mesh{Coords: make([]float64, 6), Boundary: make([]bool, 3)}).RCM())
	// One triangle: all degree 2; start 0, last level {1, 2}, node 1 is no deeper, so the
	// root is 0; BFS 0, 1, 2, reversed.
	tri := &Mesh{Coords: []float64{0, 0, 1, 0, 0, 1}, Tri: []int32{0, 1, 2}, Boundary: []bool{true, true, true}}
	assert.Equal(t, []int32{2, 1, 0}, tri.RCM())
	// UnitSquare(1): nodes 1 and 2 have degree 2 (no diagonal), 0 and 3 degree 3. Start at 1,
	// levels {1}, {0, 3}, {2}; node 2 is as deep: root 1. BFS 1, then its neighbours by
	// (degree, index) 0, 3, then 2; reversed: 2, 3, 0, 1.
	assert.Equal(t, []int32{2, 3, 0, 1}, unitSquare(t, 1).RCM())
}

func TestNodeGraphSorted(t *testing.T) {
	// The adjacency lists are the neighbour sets, sorted by (degree, index).
	m := unitSquare(t, 6)
	m = m.Permute(Shuffle(m.NumNodes(), newRand()))
	g := newNodeGraph(m)
	want := make([]map[int32]bool, m.NumNodes())
	for i := range want {
		want[i] = map[int32]bool{}
	}
	for k, v := range m.Tri {
		for _, w := range m.Tri[k/3*3 : k/3*3+3] {
			if w != v {
				want[v][w] = true
			}
		}
	}
	less := func(a, b int32) bool {
		da, db := g.degree(a), g.degree(b)
		return da < db || da == db && a < b
	}
	for v := range int32(m.NumNodes()) {
		nb := g.adj[g.ptr[v]:g.ptr[v+1]]
		got := map[int32]bool{}
		for k, w := range nb {
			got[w] = true
			if k > 0 {
				assert.True(t, less(nb[k-1], w), "node %d: %v not sorted", v, nb)
			}
		}
		assert.Equal(t, want[v], got, "node %d", v)
	}
	for k := 1; k < len(g.order); k++ {
		assert.True(t, less(g.order[k-1], g.order[k]))
	}
}
