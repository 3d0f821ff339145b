package fem

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/integrate/quad"

	"mcfem/internal/testmat"
	"mcfem/mesh"
)

// factorial returns k! as a float64 (exact for k ≤ 18).
func factorial(k int) float64 {
	f := 1.0
	for i := 2; i <= k; i++ {
		f *= float64(i)
	}
	return f
}

func TestRadonRuleExactness(t *testing.T) {
	var wsum float64
	for _, q := range radon {
		wsum += q.w
		// Barycentric coordinates of a point sum to 1 (two roundings in 1-2a).
		assert.InDelta(t, 1, q.l[0]+q.l[1]+q.l[2], 4*testmat.Epsilon)
		for _, l := range q.l {
			assert.Greater(t, l, 0.0, "points are interior")
		}
	}
	assert.InDelta(t, 1, wsum, 4*testmat.Epsilon) // 7 positive weights summing to 1
	// On the reference triangle (0,0), (1,0), (0,1): ∫ x^a y^b = a! b! / (a+b+2)!. The rule
	// is exact through degree 5; degree 6 is not (proves the test can fail).
	for deg := 0; deg <= 6; deg++ {
		for a := 0; a <= deg; a++ {
			b := deg - a
			exact := factorial(a) * factorial(b) / factorial(a+b+2)
			var got float64
			for _, q := range radon {
				x, y := q.l[1], q.l[2]
				got += 0.5 * q.w * math.Pow(x, float64(a)) * math.Pow(y, float64(b))
			}
			if deg <= 5 {
				// Seven terms of size ≤ 1/2: a few ε relative.
				assert.InDelta(t, exact, got, 16*testmat.Epsilon*exact, "x^%d y^%d", a, b)
			} else if a == 0 {
				assert.Greater(t, math.Abs(got-exact), 1e-6*exact, "x^%d y^%d must not be exact", a, b)
			}
		}
	}
}

// quadratic is a quadratic source with every monomial present.
func quadratic(x, y float64) float64 {
	return 1 + 2*x - 3*y + 4*x*x - 5*x*y + 6*y*y
}

// exactLoadQuadratic returns ∫_T f φ_a for quadratic f on every unknown by an independent exact
// route: f equals its P2 interpolant, f = Σ_v f(v) λ_v(2λ_v-1) + Σ_edges 4 f(m_uw) λ_u λ_w,
// and ∫_T λ0^i λ1^j λ2^k = 2|T| i! j! k! / (i+j+k+2)! gives, per vertex a,
//
//	∫ λ_a λ_v(2λ_v-1) = |T|/30 (v = a), -|T|/60 (v ≠ a)
//	∫ λ_a 4λ_u λ_w   = 2|T|/15 (a ∈ {u,w}), |T|/15 (a opposite the edge)
func exactLoadQuadratic(s *System, f Source) []float64 {
	m := s.Mesh
	out := make([]float64, len(s.Node))
	for t := range m.NumTris() {
		tri := m.Tri[3*t : 3*t+3]
		area := m.SignedArea(t)
		var fv, fm [3]float64 // at vertices; at the midpoint of the edge opposite vertex k
		for k, v := range tri {
			fv[k] = f(m.Coords[2*v], m.Coords[2*v+1])
			u, w := tri[(k+1)%3], tri[(k+2)%3]
			fm[k] = f((m.Coords[2*u]+m.Coords[2*w])/2, (m.Coords[2*u+1]+m.Coords[2*w+1])/2)
		}
		for a, v := range tri {
			i := s.Dof[v]
			if i < 0 {
				continue
			}
			var sum float64
			for k := range 3 {
				if k == a {
					sum += fv[k]/30 + fm[k]/15
				} else {
					sum += -fv[k]/60 + 2*fm[k]/15
				}
			}
			out[i] += area * sum
		}
	}
	return out
}

// fineLoad returns ∫ f φ_i by a composite rule: every triangle cut into m² congruent
// sub-triangles, each integrated with the 3-point edge-midpoint rule (degree 2).
func fineLoad(s *System, f Source, m int) []float64 {
	msh := s.Mesh
	out := make([]float64, len(s.Node))
	for t := range msh.NumTris() {
		tri := msh.Tri[3*t : 3*t+3]
		area := msh.SignedArea(t)
		sub := area / float64(m*m)
		var x, y [3]float64
		for a, v := range tri {
			x[a], y[a] = msh.Coords[2*v], msh.Coords[2*v+1]
		}
		// Integrate g at barycentric (1-s-r, s, r) over a sub-triangle with corners given in
		// the (s, r) lattice coordinates divided by m.
		var fe [3]float64
		subTri := func(c [3][2]float64) {
			for e := range 3 {
				ps := (c[e][0] + c[(e+1)%3][0]) / (2 * float64(m))
				pr := (c[e][1] + c[(e+1)%3][1]) / (2 * float64(m))
				l := [3]float64{1 - ps - pr, ps, pr}
				fv := f(l[0]*x[0]+l[1]*x[1]+l[2]*x[2], l[0]*y[0]+l[1]*y[1]+l[2]*y[2])
				for a := range 3 {
					fe[a] += sub / 3 * fv * l[a]
				}
			}
		}
		for i := range m {
			for j := range m - i {
				fi, fj := float64(i), float64(j)
				subTri([3][2]float64{{fi, fj}, {fi + 1, fj}, {fi, fj + 1}})
				if i+j+1 < m {
					subTri([3][2]float64{{fi + 1, fj}, {fi + 1, fj + 1}, {fi, fj + 1}})
				}
			}
		}
		for a, v := range tri {
			if i := s.Dof[v]; i >= 0 {
				out[i] += fe[a]
			}
		}
	}
	return out
}

func TestLoadQuadrature(t *testing.T) {
	rng := testmat.NewRand()
	jit := testmat.JitteredSquare(t, rng, 6)
	square := unitSquare(t, 8)
	tests := []struct {
		name string
		m    *mesh.Mesh
		f    Source
	}{
		{"reference source, structured", square, testmat.Source},
		{"reference source, jittered", jit, testmat.Source},
		{"full quadratic, jittered", jit, quadratic},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSystem(t, tc.m, tc.f)
			exact := exactLoadQuadratic(s, tc.f)
			fine := fineLoad(s, tc.f, 32)
			fmax := 0.0
			for _, v := range exact {
				fmax = max(fmax, math.Abs(v))
			}
			for i := range s.F {
				// Both exact; they differ by rounding of ~7·6 terms per node (observed 2.6e-16
				// of the largest entry); 1e-13 ≈ 450ε leaves a wide margin.
				assert.InDelta(t, exact[i], s.F[i], 1e-13*fmax, "F[%d] vs exact", i)
				// The composite degree-2 rule on 32² sub-triangles has error O(m⁻⁴) for this
				// cubic integrand (observed: ÷16 per halving; 2.7e-10 of fmax at m = 32),
				// allowed 1e-8.
				assert.InDelta(t, fine[i], s.F[i], 1e-8*fmax, "F[%d] vs fine quadrature", i)
			}
		})
	}
}

func TestLoadConstantSourceIsArea(t *testing.T) {
	m := testmat.JitteredSquare(t, testmat.NewRand(), 7)
	s := newSystem(t, m, func(x, y float64) float64 { return 1 })
	var total float64
	for i := range s.F {
		// ∫ φ_i = |star(i)|/3 = Area_i; rounding of 7 weights times ≤ 6 triangles.
		assert.InDelta(t, s.Area[i], s.F[i], 64*testmat.Epsilon*s.Area[i], "node %d", s.Node[i])
		total += s.Area[i]
	}
	// Interior lumped areas sum to 1 minus the boundary nodes' share. With the boundary
	// restored they sum to 1: check on the full mesh below.
	full := 0.0
	for tr := range m.NumTris() {
		full += m.SignedArea(tr)
	}
	assert.InDelta(t, 1, full, 1e-14) // ≤ 100 triangles, each rounded once
	assert.Less(t, total, full)
}

func TestLoadScales(t *testing.T) {
	s := unitSystem(t, 5)
	b := make([]float64, len(s.F))
	for _, eps := range []float64{0, 0.25, -3} {
		t.Run(fmt.Sprint(eps), func(t *testing.T) {
			s.Load(eps, b)
			for i := range b {
				assert.Equal(t, eps*s.F[i], b[i]) // one multiplication, bitwise
			}
		})
	}
	assert.PanicsWithValue(t, errLoadLen, func() { s.Load(1, b[1:]) })
}

func TestNodalLoad(t *testing.T) {
	rng := testmat.NewRand()
	jit := testmat.JitteredSquare(t, rng, 6)
	square := unitSquare(t, 8)
	tests := []struct {
		name    string
		m       *mesh.Mesh
		f       Source
		fx, fx2 float64 // ∫ f and ∫ f·x over the unit square
	}{
		// ∫ −432(x² + y² − x − y) = −432(1/3 + 1/3 − 1/2 − 1/2) = 144;
		// ∫ x·f = −432(1/4 + 1/6 − 1/3 − 1/4) = 72.
		{"reference source, structured", square, testmat.Source, 144, 72},
		{"reference source, jittered", jit, testmat.Source, 144, 72},
		// ∫ (1 + 2x − 3y + 4x² − 5xy + 6y²) = 1 + 1 − 3/2 + 4/3 − 5/4 + 2 = 31/12;
		// ∫ x·(…) = 1/2 + 2/3 − 3/4 + 1 − 5/6 + 1 = 19/12.
		{"full quadratic, jittered", jit, quadratic, 31.0 / 12, 19.0 / 12},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSystem(t, tc.m, tc.f)
			nodal, err := s.NodalLoad(tc.f)
			require.NoError(t, err)
			require.Len(t, nodal, tc.m.NumNodes())
			f := make([]float64, len(s.Node))
			s.Restrict(f, nodal)
			assert.Equal(t, s.F, f, "restricted to the unknowns: F, bit for bit")
			assert.Equal(t, loadBeforeNodal(s, tc.f), f, "and the F of the loop before NodalLoad")

			// All nodes, Dirichlet ones included: Σ_v φ_v = 1 and Σ_v x_v φ_v = x, so the
			// nodal load sums to ∫ f and its x-moment to ∫ f·x, exactly for a quadratic f (the
			// rule is exact for f·φ); rounding of ~7 terms per triangle, 1e-13 relative.
			var sum, sumX float64
			for v, b := range nodal {
				sum += b
				sumX += b * tc.m.Coords[2*v]
			}
			assert.InDelta(t, tc.fx, sum, 1e-13*math.Abs(tc.fx))
			assert.InDelta(t, tc.fx2, sumX, 1e-13*math.Abs(tc.fx2))
		})
	}

	s := unitSystem(t, 4)
	_, err := s.NodalLoad(func(x, y float64) float64 { return math.Log(x - 0.5) })
	assert.ErrorContains(t, err, "fem: source is not finite at (")
	assert.ErrorContains(t, err, "in triangle 0: f = NaN")
	assert.PanicsWithValue(t, errNilSource, func() { _, _ = s.NodalLoad(nil) })
}

// quarticEdge is a polynomial of degree 4 with every kind of term along the square's sides.
func quarticEdge(x, y float64) float64 {
	return 1 + x - 2*y + 3*x*x*y - x*y*y*y + y*y*y*y
}

// refEdgeLoad returns ∫ g φ_v ds over the edges for every node by gonum's 6-point
// Gauss–Legendre rule (exact for g·φ of degree ≤ 11): an independent implementation.
func refEdgeLoad(m *mesh.Mesh, edges [][2]int32, g Source) []float64 {
	out := make([]float64, m.NumNodes())
	for _, e := range edges {
		x0, y0 := m.Coords[2*e[0]], m.Coords[2*e[0]+1]
		x1, y1 := m.Coords[2*e[1]], m.Coords[2*e[1]+1]
		length := math.Hypot(x1-x0, y1-y0)
		at := func(s float64) float64 { return g(x0+s*(x1-x0), y0+s*(y1-y0)) }
		out[e[0]] += length * quad.Fixed(func(s float64) float64 { return at(s) * (1 - s) }, 0, 1, 6, quad.Legendre{}, 0)
		out[e[1]] += length * quad.Fixed(func(s float64) float64 { return at(s) * s }, 0, 1, 6, quad.Legendre{}, 0)
	}
	return out
}

func TestEdgeLoad(t *testing.T) {
	const n = 5
	m := unitSquare(t, n)
	s := newSystem(t, m, testmat.Source)
	box := mesh.BoxParts(m)
	sides := map[string]float64{ // ∫ quarticEdge ds along each side
		"bottom": 1.5,  // 1 + x
		"right":  2.45, // 2 + y − y³ + y⁴
		"top":    1,    // 3x²
		"left":   0.2,  // 1 − 2y + y⁴
	}
	for _, p := range box {
		total, ok := sides[p.Name]
		if !ok {
			continue
		}
		t.Run(p.Name, func(t *testing.T) {
			edges := m.BoundaryEdges(p.Nodes)
			require.Len(t, edges, n)
			got, err := s.EdgeLoad(edges, quarticEdge)
			require.NoError(t, err)
			want := refEdgeLoad(m, edges, quarticEdge)
			var sum float64
			for v := range got {
				// Both rules exact for this degree-5 integrand; they differ by rounding of a
				// few terms of size ≤ 3·h (observed ~1e-16): 1e-14.
				assert.InDelta(t, want[v], got[v], 1e-14, "node %d", v)
				if !slices.Contains(p.Nodes, int32(v)) {
					assert.Zero(t, got[v], "node %d is not on the side", v)
				}
				sum += got[v]
			}
			assert.InDelta(t, total, sum, 1e-14, "Σ_v ∫ g φ_v = ∫ g along the side")

			// Degree 6 along the side: the 3-point rule is no longer exact (the comparison
			// above can fail).
			sextic := func(x, y float64) float64 { return math.Pow(x+y, 6) }
			got6, err := s.EdgeLoad(edges, sextic)
			require.NoError(t, err)
			want6 := refEdgeLoad(m, edges, sextic)
			var worst float64
			for v := range got6 {
				worst = max(worst, math.Abs(got6[v]-want6[v]))
			}
			t.Logf("degree 6: largest nodal difference %.2g", worst)
			assert.Greater(t, worst, 1e-9)
		})
	}

	t.Run("errors", func(t *testing.T) {
		right := m.BoundaryEdges(box[1].Nodes)
		_, err := s.EdgeLoad(right, func(x, y float64) float64 { return 1 / (x - 1) })
		assert.ErrorContains(t, err, "fem: boundary data is not finite at (1, ")
		assert.ErrorContains(t, err, "on edge 0 (nodes ")
		_, err = s.EdgeLoad(right, func(x, y float64) float64 { return math.Log(y - 0.5) })
		assert.ErrorContains(t, err, "g = NaN")
		assert.PanicsWithValue(t, errNilSource, func() { _, _ = s.EdgeLoad(right, nil) })
		assert.PanicsWithValue(t, errEdgeNode, func() { _, _ = s.EdgeLoad([][2]int32{{0, 36}}, quarticEdge) })
		got, err := s.EdgeLoad(nil, quarticEdge)
		require.NoError(t, err)
		assert.Equal(t, make([]float64, m.NumNodes()), got, "no edges: zero load")
	})
}

// loadBeforeNodal is assembleLoad as it was before NodalLoad (main at b567122), F over the
// unknowns only: the golden campaigns' bits.
func loadBeforeNodal(s *System, f Source) []float64 {
	m := s.Mesh
	out := make([]float64, len(s.Node))
	for t := range m.NumTris() {
		tri := m.Tri[3*t : 3*t+3]
		var x, y [3]float64
		for a, v := range tri {
			x[a], y[a] = m.Coords[2*v], m.Coords[2*v+1]
		}
		area := m.SignedArea(t)
		var fe [3]float64
		for _, q := range radon {
			px := float64(q.l[0]*x[0]) + float64(q.l[1]*x[1]) + float64(q.l[2]*x[2])
			py := float64(q.l[0]*y[0]) + float64(q.l[1]*y[1]) + float64(q.l[2]*y[2])
			fv := f(px, py)
			for a := range 3 {
				fe[a] += float64(q.w * fv * q.l[a])
			}
		}
		for a, v := range tri {
			if i := s.Dof[v]; i >= 0 {
				out[i] += float64(area * fe[a])
			}
		}
	}
	return out
}

func TestIntegrate(t *testing.T) {
	// Radon's rule is exact for degree ≤ 5, Gauss–Legendre on the edges too: ∫ x²y³ over the
	// unit square is 1/12, over its left half 1/96; ∫ x² ds over the boundary is 1/3 + 1/3 + 1,
	// and the edge index reaches the integrand.
	m, err := mesh.UnitSquare(6)
	require.NoError(t, err)
	s, err := NewSystem(m, func(x, y float64) float64 { return 0 })
	require.NoError(t, err)
	all := make([]int32, m.NumTris())
	var left []int32
	for k := range all {
		all[k] = int32(k)
		if c := m.Tri[3*k : 3*k+3]; m.Coords[2*c[0]]+m.Coords[2*c[1]]+m.Coords[2*c[2]] < 1.5 {
			left = append(left, int32(k))
		}
	}
	f := func(x, y float64) float64 { return x * x * y * y * y }
	v, err := s.Integrate(all, f)
	require.NoError(t, err)
	assert.InDelta(t, 1.0/12, v, 1e-15)
	v, err = s.Integrate(left, f)
	require.NoError(t, err)
	assert.InDelta(t, 1.0/96, v, 1e-15)
	edges := m.BoundaryEdges(mesh.BoxParts(m)[4].Nodes)
	seen := 0
	v, err = s.IntegrateEdges(edges, func(x, y float64, e int) float64 { seen = max(seen, e+1); return x * x })
	require.NoError(t, err)
	assert.InDelta(t, 5.0/3, v, 1e-14)
	assert.Equal(t, len(edges), seen)
	_, err = s.Integrate(all, func(x, y float64) float64 { return 1 / (x - 0.5) })
	assert.NoError(t, err) // no quadrature point on x = 0.5
	_, err = s.Integrate(all, func(x, y float64) float64 { return math.Log(x - 0.3) })
	assert.ErrorContains(t, err, "fem: not finite at")
}
