package fem

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/internal/testmat"
	"mcfem/mesh"
)

// naiveStiffness assembles the full (all nodes) dense P1 stiffness matrix by an independent
// route: gradients of the barycentric functions from the inverse Jacobian of the affine map,
// ke = kappa·|T|·Gᵀ G.
func naiveStiffness(m *mesh.Mesh, kappa []float64) [][]float64 {
	nn := m.NumNodes()
	k := make([][]float64, nn)
	for i := range k {
		k[i] = make([]float64, nn)
	}
	for t := range m.NumTris() {
		v := m.Tri[3*t : 3*t+3]
		x := func(a int) (float64, float64) { return m.Coords[2*v[a]], m.Coords[2*v[a]+1] }
		x0, y0 := x(0)
		x1, y1 := x(1)
		x2, y2 := x(2)
		// J = [[x1-x0, x2-x0], [y1-y0, y2-y0]]; ∇λ1, ∇λ2 are the rows of J⁻¹, ∇λ0 = -∇λ1-∇λ2.
		j11, j12, j21, j22 := x1-x0, x2-x0, y1-y0, y2-y0
		det := j11*j22 - j12*j21
		g := [3][2]float64{
			1: {j22 / det, -j12 / det},
			2: {-j21 / det, j11 / det},
		}
		g[0] = [2]float64{-g[1][0] - g[2][0], -g[1][1] - g[2][1]}
		w := det / 2
		if kappa != nil {
			w *= kappa[t]
		}
		for a := range 3 {
			for b := range 3 {
				k[v[a]][v[b]] += w * (g[a][0]*g[b][0] + g[a][1]*g[b][1])
			}
		}
	}
	return k
}

// stiffnessTol bounds the rounding difference between two assemblies of the same stiffness in
// different formulas: each entry sums at most 6 element terms of size ≤ kmax, each term computed
// with ~10 roundings, so 100ε·kmax covers it with a margin.
func stiffnessTol(kmax float64) float64 { return 100 * testmat.Epsilon * kmax }

func TestStiffnessMatchesNaiveDense(t *testing.T) {
	rng := testmat.NewRand()
	tests := []struct {
		name   string
		n      int
		jitter bool
		kappa  bool
	}{
		{"structured n=3", 3, false, false},
		{"structured n=6", 6, false, false},
		{"jittered n=5", 5, true, false},
		{"jittered n=7 random kappa", 7, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m *mesh.Mesh
			if tc.jitter {
				m = testmat.JitteredSquare(t, rng, tc.n)
			} else {
				m = unitSquare(t, tc.n)
			}
			s := newSystem(t, m, testmat.Source)
			var kappa []float64
			if tc.kappa {
				kappa = make([]float64, m.NumTris())
				for i := range kappa {
					kappa[i] = math.Exp(2*rng.Float64() - 1)
				}
				s.AssembleStiffness(kappa)
			}
			full := naiveStiffness(m, kappa)
			got := testmat.Dense(s.K)
			var kmax float64
			for _, row := range full {
				for _, v := range row {
					kmax = max(kmax, math.Abs(v))
				}
			}
			for i, vi := range s.Node {
				for j, vj := range s.Node {
					assert.InDelta(t, full[vi][vj], got[i][j], stiffnessTol(kmax), "K[%d][%d]", i, j)
				}
			}
		})
	}
}

func TestStiffnessProperties(t *testing.T) {
	rng := testmat.NewRand()
	for _, tc := range []struct {
		name   string
		n      int
		jitter bool
	}{{"structured n=8", 8, false}, {"jittered n=9", 9, true}, {"structured n=33", 33, false}} {
		t.Run(tc.name, func(t *testing.T) {
			m := unitSquare(t, tc.n)
			if tc.jitter {
				m = testmat.JitteredSquare(t, rng, tc.n)
			}
			s := newSystem(t, m, testmat.Source)
			k := s.K
			require.Equal(t, len(s.Node), k.N)

			// Node numbering keeps the mesh order and skips the Dirichlet nodes.
			for i, v := range s.Node {
				assert.Equal(t, int32(i), s.Dof[v])
				assert.False(t, m.Boundary[v])
				if i > 0 {
					assert.Greater(t, v, s.Node[i-1])
				}
			}
			nDirichlet := 0
			for v, d := range s.Dof {
				if d < 0 {
					nDirichlet++
					assert.True(t, m.Boundary[v])
				}
			}
			assert.Equal(t, 4*tc.n, nDirichlet)

			d := testmat.Dense(k)
			farFromBoundary := interiorStars(m)
			for i := range k.N {
				cols := k.Col[k.RowPtr[i]:k.RowPtr[i+1]]
				assert.IsIncreasing(t, cols, "row %d columns sorted and unique", i)
				assert.Greater(t, d[i][i], 0.0, "diagonal of row %d", i)
				var rowSum float64
				for j := range k.N {
					// Symmetric to rounding: K_ij and K_ji sum the same element terms,
					// possibly in a different order (a few ε of the diagonal).
					assert.InDelta(t, d[i][j], d[j][i], 8*testmat.Epsilon*d[i][i], "K[%d][%d] vs K[%d][%d]", i, j, j, i)
					rowSum += d[i][j]
				}
				if farFromBoundary[s.Node[i]] {
					// Σ_j ∇φ_j = 0, so a full row sums to 0; only rounding of ≤ 7 terms of
					// size ≤ diag remains.
					assert.InDelta(t, 0, rowSum, 16*testmat.Epsilon*d[i][i], "row %d sum", i)
				}
			}
			if !tc.jitter {
				// Structured mesh: the 5-point Laplacian, diag 4 and -1 for the axis neighbours,
				// 0 for the diagonal neighbour (right angles opposite that edge). Each entry sums
				// ≤ 6 element terms of size ≤ 1 computed from exact differences: a few ε.
				c := (tc.n/2)*(tc.n+1) + tc.n/2
				i := s.Dof[c]
				assert.InDelta(t, 4, d[i][i], 4*testmat.Epsilon)
				assert.InDelta(t, -1, d[i][s.Dof[c+1]], 4*testmat.Epsilon)
				assert.InDelta(t, -1, d[i][s.Dof[c+tc.n+1]], 4*testmat.Epsilon)
				assert.InDelta(t, 0, d[i][s.Dof[c+tc.n+2]], 4*testmat.Epsilon) // the diagonal neighbour
			}
		})
	}
}

// interiorStars reports, per node, whether no triangle touching it has a Dirichlet node (its
// whole stiffness row survives the elimination).
func interiorStars(m *mesh.Mesh) []bool {
	ok := make([]bool, m.NumNodes())
	for v, b := range m.Boundary {
		ok[v] = !b
	}
	for t := range m.NumTris() {
		tri := m.Tri[3*t : 3*t+3]
		if m.Boundary[tri[0]] || m.Boundary[tri[1]] || m.Boundary[tri[2]] {
			for _, v := range tri {
				ok[v] = false
			}
		}
	}
	return ok
}

func TestScatterMap(t *testing.T) {
	m := testmat.JitteredSquare(t, testmat.NewRand(), 6)
	s := newSystem(t, m, testmat.Source)
	require.Len(t, s.Scatter, 9*m.NumTris())
	hit := make([]bool, s.K.NNZ())
	for tr := range m.NumTris() {
		for a := range 3 {
			for b := range 3 {
				pos := s.Scatter[9*tr+3*a+b]
				i, j := s.Dof[m.Tri[3*tr+a]], s.Dof[m.Tri[3*tr+b]]
				if i < 0 || j < 0 {
					assert.Equal(t, int32(-1), pos)
					continue
				}
				require.GreaterOrEqual(t, pos, s.K.RowPtr[i])
				require.Less(t, pos, s.K.RowPtr[i+1])
				assert.Equal(t, j, s.K.Col[pos], "triangle %d pair (%d,%d)", tr, a, b)
				hit[pos] = true
			}
		}
	}
	// Every stored entry comes from some triangle: the pattern has no spurious entries.
	for p, h := range hit {
		assert.True(t, h, "entry %d never scattered to", p)
	}
}

func TestAssembleStiffnessInPlace(t *testing.T) {
	s := unitSystem(t, 10)
	orig := append([]float64(nil), s.K.Val...)
	val := &s.K.Val[0]

	kappa := make([]float64, s.Mesh.NumTris())
	for i := range kappa {
		kappa[i] = 2.5
	}
	s.AssembleStiffness(kappa)
	assert.Same(t, val, &s.K.Val[0], "values are updated in place")
	for p := range orig {
		// A constant kappa scales every entry: one extra rounding per term.
		assert.InDelta(t, 2.5*orig[p], s.K.Val[p], 8*testmat.Epsilon*4*2.5, "entry %d", p)
	}
	s.AssembleStiffness(nil)
	assert.Equal(t, orig, s.K.Val, "nil kappa reproduces the kappa ≡ 1 values exactly")

	allocs := testing.AllocsPerRun(5, func() { s.AssembleStiffness(kappa) })
	assert.Zero(t, allocs)

	assert.PanicsWithValue(t, errKappaLen, func() { s.AssembleStiffness(kappa[1:]) })
}

func TestNewSystemErrors(t *testing.T) {
	one := unitSquare(t, 1)
	bad := unitSquare(t, 3)
	bad.Tri[0], bad.Tri[1] = bad.Tri[1], bad.Tri[0] // inverted triangle 0
	sq := unitSquare(t, 4)

	tests := []struct {
		name string
		m    *mesh.Mesh
		f    Source
		want string
	}{
		{"invalid mesh", bad, testmat.Source, "mesh: triangle 0 is inverted"},
		{"no unknowns", one, testmat.Source, "fem: no unknowns: all 4 nodes are Dirichlet nodes"},
		{"NaN source", sq, func(x, y float64) float64 { return math.Log(x - 0.5) }, "fem: source is not finite"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSystem(tc.m, tc.f)
			assert.Nil(t, s)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	assert.PanicsWithValue(t, errNilSource, func() { _, _ = NewSystem(sq, nil) })
}

func TestSystemSizes(t *testing.T) {
	for _, n := range []int{2, 5, 16} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			s := unitSystem(t, n)
			u := (n - 1) * (n - 1)
			assert.Equal(t, u, s.K.N)
			assert.Len(t, s.Node, u)
			assert.Len(t, s.Area, u)
			assert.Len(t, s.F, u)
			assert.Len(t, s.Dof, (n+1)*(n+1))
		})
	}
}

func TestAssembleValues(t *testing.T) {
	for _, tc := range generalCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s.WithOwnValues()
			dst := make([]float64, s.K.NNZ())
			for i := range dst {
				dst[i] = math.NaN() // AssembleValues overwrites, whatever dst held
			}
			s.AssembleValues(dst, tc.kappa)
			s.AssembleStiffness(tc.kappa)
			assert.Equal(t, s.K.Val, dst, "the same bits as AssembleStiffness")

			// Against the element matrices recomputed from the coordinates: the cache is what
			// elementStiffness gives.
			m := s.Mesh
			for tr := range m.NumTris() {
				var ke [9]float64
				elementStiffness(&ke, m.Coords, m.Tri[3*tr:3*tr+3])
				require.Equal(t, ke[:], s.ke[9*tr:9*tr+9], "triangle %d", tr)
			}
			assert.Zero(t, testing.AllocsPerRun(5, func() { s.AssembleValues(dst, tc.kappa) }))
		})
	}
	s := unitSystem(t, 3)
	assert.PanicsWithValue(t, errValLen, func() { s.AssembleValues(make([]float64, s.K.NNZ()+1), nil) })
	assert.PanicsWithValue(t, errKappaLen, func() { s.AssembleValues(make([]float64, s.K.NNZ()), []float64{1}) })
}

// TestAssembleValuesBitsUnchanged pins AssembleStiffness to the values computed before the
// element matrices were cached (the element loop of main at b567122, copied here), so the
// golden campaigns keep their bits.
func TestAssembleValuesBitsUnchanged(t *testing.T) {
	for _, tc := range generalCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s.WithOwnValues()
			m := s.Mesh
			want := make([]float64, s.K.NNZ())
			for tr := range m.NumTris() {
				var ke [9]float64
				elementStiffness(&ke, m.Coords, m.Tri[3*tr:3*tr+3])
				w := 1.0
				if tc.kappa != nil {
					w = tc.kappa[tr]
				}
				for l, pos := range s.Scatter[9*tr : 9*tr+9] {
					if pos >= 0 {
						want[pos] += float64(w * ke[l])
					}
				}
			}
			s.AssembleStiffness(tc.kappa)
			assert.Equal(t, want, s.K.Val)
		})
	}
}
