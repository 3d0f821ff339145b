package fem

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/chol"
	"mcfem/internal/testmat"
	"mcfem/mesh"
)

// solve solves the System for ε with a sparse Cholesky factor (to rounding; fem's tests do not
// depend on the iterative solvers) and returns u and the QoI.
func solve(t testing.TB, s *System, eps float64) ([]float64, float64) {
	f, err := chol.Analyze(s.K, chol.Options{}).Factor()
	require.NoError(t, err)
	b := make([]float64, s.K.N)
	u := make([]float64, s.K.N)
	s.Load(eps, b)
	f.Solve(u, b, f.NewWorkspace(1))
	return u, s.QoI(u)
}

// kratosCoarse is square_coarse_2d.mdpa from the Kratos MultilevelMonteCarloApplication tests
// (see /work/shared/testdata/kratos/README.md): node ids 1..9 and the 8 LaplacianElement2D3N
// connectivities, copied as literals, 1-based as in the file.
var kratosCoarse = struct {
	coords [9][2]float64
	elems  [8][3]int32
	inner  int32 // the one node not in Subpart_Boundary
}{
	coords: [9][2]float64{
		{0.0, 1.0}, // 1
		{0.0, 0.5}, // 2
		{0.5, 1.0}, // 3
		{0.5, 0.5}, // 4
		{0.0, 0.0}, // 5
		{1.0, 1.0}, // 6
		{1.0, 0.5}, // 7
		{0.5, 0.0}, // 8
		{1.0, 0.0}, // 9
	},
	elems: [8][3]int32{
		{5, 8, 2}, {9, 7, 8}, {6, 3, 7}, {1, 2, 3},
		{2, 8, 4}, {4, 8, 7}, {4, 7, 3}, {4, 3, 2},
	},
	inner: 4,
}

func TestKratosCoarseReference(t *testing.T) {
	k := kratosCoarse
	m := &mesh.Mesh{Boundary: make([]bool, len(k.coords))}
	for v, c := range k.coords {
		m.Coords = append(m.Coords, c[0], c[1])
		m.Boundary[v] = int32(v+1) != k.inner
	}
	for e, el := range k.elems {
		tri := []int32{el[0] - 1, el[1] - 1, el[2] - 1}
		m.Tri = append(m.Tri, tri...)
		if m.SignedArea(e) < 0 { // GiD writes them counter-clockwise, but do not rely on it
			n := len(m.Tri)
			m.Tri[n-2], m.Tri[n-1] = m.Tri[n-1], m.Tri[n-2]
		}
		assert.Greater(t, m.SignedArea(e), 0.0, "element %d", e+1)
	}
	require.NoError(t, m.Validate())

	s := newSystem(t, m, testmat.Source)
	require.Equal(t, 1, s.K.N)
	assert.Equal(t, k.inner-1, s.Node[0])
	// One interior node with lumped area 4 triangles · (1/8)/3 = 1/6, exact in binary up to
	// one rounding per term.
	assert.InDelta(t, 1.0/6, s.Area[0], 4*testmat.Epsilon)

	for _, tc := range []struct{ eps, u, qoi float64 }{
		{1, 8.1, 1.35},        // README: u = 8.1, QoI(1) = 1.35
		{0.25, 2.025, 0.3375}, // README: QoI(0.25) = 0.3375
	} {
		t.Run(fmt.Sprint("eps=", tc.eps), func(t *testing.T) {
			u, q := solve(t, s, tc.eps)
			// A 1×1 system: u = F/K, computed in a handful of roundings; 1e-12 is the
			// reference's stated precision (it holds only if the load integration is exact).
			assert.InDelta(t, tc.u, u[0], 1e-12)
			assert.InDelta(t, tc.qoi, q, 1e-12)
		})
	}
}

func TestQoIConvergesAtOrderTwo(t *testing.T) {
	ns := []int{8, 16, 32, 64}
	errs := make([]float64, len(ns))
	for k, n := range ns {
		s := unitSystem(t, n)
		// rtol 1e-12 keeps the algebraic error (≲ κ·1e-12 ≈ 1e-9 relative at n = 64) far
		// below the discretisation error (≈ 4e-3 at n = 64).
		_, q := solve(t, s, 1)
		errs[k] = math.Abs(q - 6) // continuum QoI = 6ε
	}
	for k := 1; k < len(ns); k++ {
		order := math.Log2(errs[k-1] / errs[k])
		t.Logf("n=%d error %.4g observed order %.4f", ns[k], errs[k], order)
		// O(h²) convergence; observed 1.978, 1.995, 1.999 (pre-asymptotic at n = 8).
		assert.InDelta(t, 2.0, order, 0.1, "order between n=%d and n=%d", ns[k-1], ns[k])
	}
}

func TestQoILinearInEps(t *testing.T) {
	s := unitSystem(t, 12)
	_, q1 := solve(t, s, 1)
	_, q := solve(t, s, 0.25)
	// Separate solves to rtol 1e-12: QoI(ε) = ε·QoI(1) to ~κ·1e-12 relative (κ ≈ 60).
	assert.InDelta(t, 0.25*q1, q, 1e-9*q1)
}

func TestQoI(t *testing.T) {
	s := unitSystem(t, 4)
	ones := make([]float64, s.K.N)
	for i := range ones {
		ones[i] = 1
	}
	// Σ Area_i over the 9 interior nodes of the 4×4 grid: each has 6 triangles of area 1/32,
	// so 9·6/32/3 = 9/16; a few roundings.
	assert.InDelta(t, 9.0/16, s.QoI(ones), 8*testmat.Epsilon)
	assert.PanicsWithValue(t, errQoILen, func() { s.QoI(ones[1:]) })
}
