package fem

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/internal/testmat"
)

func TestRestrictAndExpand(t *testing.T) {
	s := newSystem(t, testmat.JitteredSquare(t, testmat.NewRand(), 5), testmat.Source)
	nn, n := s.Mesh.NumNodes(), len(s.Node)
	nodal := make([]float64, nn)
	for v := range nodal {
		nodal[v] = float64(1000 + v)
	}
	free := make([]float64, n)
	s.Restrict(free, nodal)
	for i, v := range s.Node {
		assert.Equal(t, float64(1000+v), free[i])
	}

	const k = 3
	u := make([]float64, k*n)
	for i := range n {
		for j := range k {
			u[i*k+j] = float64(10*i + j)
		}
	}
	ud := make([]float64, nn)
	for v := range ud {
		ud[v] = -float64(v)
	}
	dst := make([]float64, nn)
	for j := range k {
		s.Expand(dst, u, k, j, ud)
		for v, i := range s.Dof {
			if i >= 0 {
				assert.Equal(t, float64(10*int(i)+j), dst[v], "column %d node %d", j, v)
			} else {
				assert.Equal(t, -float64(v), dst[v], "column %d Dirichlet node %d", j, v)
			}
		}
	}
	s.Expand(dst, free, 1, 0, nil)
	for v, i := range s.Dof {
		if i >= 0 {
			assert.Equal(t, nodal[v], dst[v])
		} else {
			assert.Zero(t, dst[v], "nil ud: 0 at Dirichlet node %d", v)
		}
	}

	assert.Zero(t, testing.AllocsPerRun(5, func() { s.Restrict(free, nodal) }))
	assert.Zero(t, testing.AllocsPerRun(5, func() { s.Expand(dst, u, k, 1, ud) }))
	assert.PanicsWithValue(t, errRestrictLen, func() { s.Restrict(free[1:], nodal) })
	assert.PanicsWithValue(t, errRestrictLen, func() { s.Restrict(free, nodal[1:]) })
	for _, bad := range []func(){
		func() { s.Expand(dst[1:], u, k, 0, ud) },
		func() { s.Expand(dst, u[1:], k, 0, ud) },
		func() { s.Expand(dst, u, k, k, ud) },
		func() { s.Expand(dst, u, k, -1, ud) },
		func() { s.Expand(dst, u, 0, 0, ud) },
		func() { s.Expand(dst, u, k, 0, ud[1:]) },
	} {
		assert.PanicsWithValue(t, errExpandLen, bad)
	}
}

// denseMax returns the largest |entry| of a dense matrix.
func denseMax(a [][]float64) float64 {
	var mx float64
	for _, row := range a {
		for _, v := range row {
			mx = max(mx, math.Abs(v))
		}
	}
	return mx
}

func TestLift(t *testing.T) {
	rng := testmat.NewRand()
	for _, tc := range generalCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			s, m := tc.s, tc.s.Mesh
			full := naiveStiffness(m, tc.kappa) // independent: all nodes, from the Jacobian
			ud := testmat.RandomVector(rng, m.NumNodes())
			start := testmat.RandomVector(rng, len(s.Node))
			want := make([]float64, len(s.Node))
			var scale float64
			for i, vi := range s.Node {
				want[i] = start[i]
				for vj, j := range s.Dof {
					if j < 0 {
						want[i] -= full[vi][vj] * ud[vj]
						scale = max(scale, math.Abs(full[vi][vj]))
					}
				}
			}
			require.Positive(t, scale, "the mesh has free nodes next to Dirichlet ones")
			got := append([]float64(nil), start...)
			s.Lift(got, tc.kappa, ud)
			for i := range got {
				// Each entry sums ≤ 6 element terms of size ≤ max|K|·max|ud| (|ud| ≤ 1), the
				// two formulas differing by rounding: stiffnessTol of the full matrix, plus
				// rounding of the start value.
				assert.InDelta(t, want[i], got[i], stiffnessTol(denseMax(full))+4*testmat.Epsilon, "unknown %d", i)
			}
			// Only the Dirichlet values matter: changing ud at free nodes changes nothing.
			ud2 := append([]float64(nil), ud...)
			for _, v := range s.Node {
				ud2[v] = 1e300
			}
			got2 := append([]float64(nil), start...)
			s.Lift(got2, tc.kappa, ud2)
			assert.Equal(t, got, got2)

			assert.Zero(t, testing.AllocsPerRun(5, func() { s.Lift(got, tc.kappa, ud) }))
		})
	}
	s := unitSystem(t, 3)
	nn, n := s.Mesh.NumNodes(), len(s.Node)
	assert.PanicsWithValue(t, errLiftLen, func() { s.Lift(make([]float64, n+1), nil, make([]float64, nn)) })
	assert.PanicsWithValue(t, errLiftLen, func() { s.Lift(make([]float64, n), nil, make([]float64, nn-1)) })
	assert.PanicsWithValue(t, errKappaLen, func() { s.Lift(make([]float64, n), []float64{1}, make([]float64, nn)) })
}

func TestReactions(t *testing.T) {
	rng := testmat.NewRand()
	for _, tc := range generalCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			s, m := tc.s.WithOwnValues(), tc.s.Mesh
			nn := m.NumNodes()
			full := naiveStiffness(m, tc.kappa)

			t.Run("against the dense product", func(t *testing.T) {
				u := testmat.RandomVector(rng, nn)
				f := testmat.RandomVector(rng, nn)
				r := make([]float64, nn)
				s.Reactions(r, tc.kappa, u, f)
				for i := range nn {
					want := f[i]
					for j := range nn {
						want -= full[i][j] * u[j]
					}
					// ≤ 7 entries per row, each of ≤ 6 terms (see stiffnessTol), |u| ≤ 1.
					assert.InDelta(t, want, r[i], 8*stiffnessTol(denseMax(full)), "node %d", i)
				}
				rNil := make([]float64, nn)
				s.Reactions(rNil, tc.kappa, u, nil)
				zero := make([]float64, nn)
				s.Reactions(r, tc.kappa, u, zero)
				assert.Equal(t, r, rNil, "f nil means 0")
				assert.Zero(t, testing.AllocsPerRun(5, func() { s.Reactions(r, tc.kappa, u, f) }))
			})

			t.Run("solved: zero at free nodes, balance", func(t *testing.T) {
				// Non-zero Dirichlet data and a source: solve the reduced system.
				ud := testmat.RandomVector(rng, nn)
				fsrc := func(x, y float64) float64 { return 3 + x - 2*float64(y*y) }
				nodal, err := s.NodalLoad(fsrc)
				require.NoError(t, err)
				s.AssembleStiffness(tc.kappa)
				b := make([]float64, len(s.Node))
				s.Restrict(b, nodal)
				s.Lift(b, tc.kappa, ud)
				uf := cholSolve(t, s, b)
				u := make([]float64, nn)
				s.Expand(u, uf, 1, 0, ud)
				r := make([]float64, nn)
				s.Reactions(r, tc.kappa, u, nodal)

				var rowScale float64 // |K|·|u| + |f|, the size of what cancels in r_i
				for _, v := range u {
					rowScale = max(rowScale, math.Abs(v))
				}
				rowScale = 7*denseMax(full)*rowScale + 1
				var sumR, sumF, maxFree float64
				for v := range nn {
					sumR += r[v]
					sumF += nodal[v]
					if s.Dof[v] >= 0 {
						maxFree = max(maxFree, math.Abs(r[v]))
						// The Cholesky solve is backward stable: the residual is a small
						// multiple of ε·(|K|·|u| + |f|) (observed ≤ 3.6e-16 against 60);
						// 1e-13 relative is ~500ε.
						assert.InDelta(t, 0, r[v], 1e-13*rowScale, "free node %d", v)
					}
				}
				t.Logf("max |r| at free nodes %.2g, |Σr − Σf| %.2g, |K|·|u| + |f| ≈ %.3g", maxFree, math.Abs(sumR-sumF), rowScale)
				// The rows of K^full sum to zero, so Σ r = Σ f = ∫ f (exact for this quadratic
				// f: ∫ (3 + x − 2y²) = 3 + 1/2 − 2/3) up to the rounding of every term
				// (observed |Σr − Σf| ≤ 3.1e-15): 1e-12 relative.
				exact := 3 + 0.5 - 2.0/3
				assert.InDelta(t, exact, sumF, 1e-12*exact)
				assert.InDelta(t, exact, sumR, 1e-12*exact)
			})
		})
	}
	s := unitSystem(t, 3)
	nn := s.Mesh.NumNodes()
	r := make([]float64, nn)
	assert.PanicsWithValue(t, errReactionsLen, func() { s.Reactions(r[1:], nil, r, nil) })
	assert.PanicsWithValue(t, errReactionsLen, func() { s.Reactions(r, nil, r[1:], nil) })
	assert.PanicsWithValue(t, errReactionsLen, func() { s.Reactions(r, nil, r, r[1:]) })
	assert.PanicsWithValue(t, errKappaLen, func() { s.Reactions(r, []float64{1}, r, nil) })
}
