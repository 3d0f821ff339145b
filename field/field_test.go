package field

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/mat"

	"mcfem/mesh"
)

func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// testLambdas covers short and long correlation lengths, the ends of the valid range, and
// the values where the pole λw = 1 of the tangent form falls on π/2, π and 5π/2.
var testLambdas = []float64{MinLambda, 0.01, 0.05, 0.3, 2 / math.Pi, 1 / math.Pi, 1 / (2.5 * math.Pi), 1, 10, MaxLambda}

// mustKL builds a KL or fails the test.
func mustKL(tb testing.TB, sigma, lambda float64, terms int) *KL {
	tb.Helper()
	kl, err := NewKL(Params{Sigma: sigma, Lambda: lambda, Terms: terms})
	require.NoError(tb, err)
	return kl
}

// gaussLegendre returns the nodes and weights of a composite Gauss–Legendre rule on [0, 1]:
// panels equal panels of order points each.
func gaussLegendre(panels, order int) (x, w []float64) {
	x, w = make([]float64, panels*order), make([]float64, panels*order)
	for p := range panels {
		lo, hi := float64(p)/float64(panels), float64(p+1)/float64(panels)
		quad.Legendre{}.FixedLocations(x[p*order:(p+1)*order], w[p*order:(p+1)*order], lo, hi)
	}
	return x, w
}

func TestValidate(t *testing.T) {
	ok := Params{Sigma: 1, Lambda: 0.3, Terms: 100}
	require.NoError(t, ok.Validate())
	for _, tc := range []struct {
		name string
		p    Params
		want string // substring of the error: the field and its range
	}{
		{"sigma zero", Params{0, 0.3, 10}, "Sigma must be in (0, 100], got 0"},
		{"sigma negative", Params{-1, 0.3, 10}, "Sigma must be in (0, 100]"},
		{"sigma large", Params{101, 0.3, 10}, "Sigma must be in (0, 100]"},
		{"sigma NaN", Params{math.NaN(), 0.3, 10}, "Sigma"},
		{"sigma Inf", Params{math.Inf(1), 0.3, 10}, "Sigma"},
		{"lambda zero", Params{1, 0, 10}, "Lambda must be in [0.0001, 10000]"},
		{"lambda small", Params{1, 1e-5, 10}, "Lambda"},
		{"lambda large", Params{1, 2e4, 10}, "Lambda"},
		{"lambda NaN", Params{1, math.NaN(), 10}, "Lambda"},
		{"terms zero", Params{1, 0.3, 0}, "Terms must be in [1, 10000], got 0"},
		{"terms large", Params{1, 0.3, 10001}, "Terms must be in [1, 10000], got 10001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "field: ")
			_, err = NewKL(tc.p)
			assert.Error(t, err)
		})
	}
}

func TestRoots1D(t *testing.T) {
	const n = 2000
	for _, lambda := range testLambdas {
		t.Run(fmt.Sprintf("lambda=%g", lambda), func(t *testing.T) {
			w := roots1D(lambda, n)
			worst := 0.0
			for j, x := range w {
				// One root per interval ((j)π, (j+1)π) (0-based j), strictly increasing.
				require.Greater(t, x, float64(j)*math.Pi, "root %d", j+1)
				require.Less(t, x, float64(j+1)*math.Pi, "root %d", j+1)
				if j > 0 {
					require.Greater(t, x, w[j-1])
				}
				// The half of the interval predicted by the tangent form (kl1d.go): second
				// half while (j+1)π ≤ 1/λ, first half once jπ ≥ 1/λ.
				mid := (float64(j) + 0.5) * math.Pi
				if float64(j+1)*math.Pi <= 1/lambda {
					assert.GreaterOrEqual(t, x, mid, "root %d", j+1)
				}
				if float64(j)*math.Pi >= 1/lambda {
					assert.LessOrEqual(t, x, mid, "root %d", j+1)
				}
				// Residual of f(w) = (λ²w² − 1) sin w − 2λw cos w relative to the size of its
				// terms, |λ²w² − 1| + 2λw: that is ≈ |w − w*|, and polish leaves w within
				// half an ulp of the root, ≤ 4.6e-13 for w < 8192 (n ≤ 2000 here), with sin
				// and cos accurate to an ulp: 1e-12 holds with a factor 2 to spare.
				lw := lambda * x
				f := (lw-1)*(lw+1)*math.Sin(x) - 2*lw*math.Cos(x)
				rel := math.Abs(f) / (math.Abs((lw-1)*(lw+1)) + 2*lw)
				worst = max(worst, rel)
				require.LessOrEqual(t, rel, 1e-12, "root %d = %v", j+1, x)
			}
			t.Logf("λ = %g: w_1 = %.15g, w_%d = %.15g, worst relative residual %.2g", lambda, w[0], n, w[n-1], worst)
		})
	}
}

// nystromEigenvalues returns the eigenvalues, descending, of the midpoint-rule discretisation
// of the 1D kernel on [0, 1] with m points: the m×m matrix h·exp(−|s_a − s_b|/λ), s_a = (a+½)h.
func nystromEigenvalues(lambda float64, m int) []float64 {
	h := 1 / float64(m)
	a := mat.NewSymDense(m, nil)
	for i := range m {
		for j := i; j < m; j++ {
			a.SetSym(i, j, h*math.Exp(-float64(j-i)*h/lambda))
		}
	}
	var e mat.EigenSym
	if !e.Factorize(a, false) {
		panic("EigenSym failed")
	}
	v := e.Values(nil)
	slices.Reverse(v)
	return v
}

func TestTheta1DNystrom(t *testing.T) {
	if testing.Short() {
		t.Skip("2000×2000 symmetric eigenproblem skipped under -short")
	}
	const m = 2000
	for _, lambda := range []float64{0.3} {
		t.Run(fmt.Sprintf("lambda=%g", lambda), func(t *testing.T) {
			ny := nystromEigenvalues(lambda, m)
			w := roots1D(lambda, 10)
			worst := 0.0
			for n, x := range w {
				th := theta1D(lambda, x)
				rel := math.Abs(ny[n]-th) / th
				worst = max(worst, rel)
				// The midpoint Nyström method is second order: the eigenvalue error is
				// O(h² w_n²) relative (the eigenfunction's curvature; the kernel's kink sits
				// on the grid diagonal symmetrically and adds no lower-order term). With
				// h = 1/2000 and w_10 ≈ 30 that is ≈ (30/2000)²/12 ≈ 2e-5, so 1e-4 is a
				// safe bound that still catches any wrong root or eigenvalue formula (the
				// gaps between consecutive θ_n are ≥ 10% here). Measured: 1.7e-5.
				assert.InDelta(t, 0, rel, 1e-4, "θ_%d = %v, Nyström %v", n+1, th, ny[n])
			}
			t.Logf("λ = %g: θ_1 = %.10g, worst relative difference to the %d-point Nyström eigenvalues (first 10): %.2g", lambda, theta1D(lambda, w[0]), m, worst)
		})
	}
}

func TestEigfun1DOrthonormal(t *testing.T) {
	const n = 20
	// 64 panels of 20 Gauss–Legendre points: b_m b_n oscillates with frequency ≤ 2 w_20 < 40π
	// ≈ 126 (w_n < nπ for every λ), i.e. ≤ 2 radians per panel, which a 20-point rule (exact for
	// degree 39) integrates to rounding.
	x, wt := gaussLegendre(64, 20)
	for _, lambda := range testLambdas {
		t.Run(fmt.Sprintf("lambda=%g", lambda), func(t *testing.T) {
			w := roots1D(lambda, n)
			b := make([][]float64, n)
			for i, r := range w {
				a := norm1D(lambda, r)
				b[i] = make([]float64, len(x))
				for q, s := range x {
					b[i][q] = eigfun1D(lambda, r, a, s)
				}
			}
			worst := 0.0
			for i := range n {
				for j := range n {
					g := 0.0
					for q := range x {
						g += wt[q] * b[i][q] * b[j][q]
					}
					want := 0.0
					if i == j {
						want = 1
					}
					worst = max(worst, math.Abs(g-want))
					// Quadrature exact to rounding (above) and A_n in closed form: 1e-8 is
					// the brief's bound; the measured error is ~1e-14.
					assert.InDelta(t, want, g, 1e-8, "<b_%d, b_%d>", i+1, j+1)
				}
			}
			t.Logf("λ = %g: max |<b_i, b_j> − δ_ij| over i, j ≤ %d: %.2g", lambda, n, worst)
		})
	}
}

// tailBound1D bounds Σ_{n>N} θ_n: θ_n < 2/(λ w_n²) and w_n > (n−1)π, so the tail is below
// 2/(λπ²) Σ_{n>N} 1/(n−1)² < 2/(λπ²(N−1)).
func tailBound1D(lambda float64, n int) float64 {
	return 2 / (lambda * math.Pi * math.Pi * float64(n-1))
}

func TestTheta1DTrace(t *testing.T) {
	const lambda, n = 0.3, 2000
	w := roots1D(lambda, n)
	sum := 0.0
	for _, x := range w {
		sum += theta1D(lambda, x)
	}
	bound := tailBound1D(lambda, n)
	t.Logf("λ = %g: Σ_{n≤%d} θ_n = %.10f, 1 − sum = %.6g, tail bound %.6g", lambda, n, sum, 1-sum, bound)
	// The trace ∫₀¹ c(s, s) ds = 1 is Σ_all θ_n; the partial sum misses the tail, below the
	// bound (nearly tight: w_n → (n−1)π⁺ and θ_n → 2/(λ w_n²) for large n), ≈ 3.4e-4 here;
	// 1e-12 covers the rounding of 2000 positive terms.
	assert.LessOrEqual(t, sum, 1+1e-12)
	assert.GreaterOrEqual(t, sum, 1-bound)
	assert.Greater(t, sum, 0.99) // the brief's check
}

func TestMercer1D(t *testing.T) {
	// Σ_{n≤N} θ_n b_n(s) b_n(t) → exp(−|s−t|/λ) uniformly (Mercer). |b_n|² ≤
	// A_n²(1 + λ²w_n²) < 2, so the error is below 2·tailBound1D ≈ 6.8e-4 for λ = 0.3, N = 2000:
	// a check that eigenvalues, roots and normalisations belong together.
	const lambda, n = 0.3, 2000
	w := roots1D(lambda, n)
	bound := 2 * tailBound1D(lambda, n)
	worst := 0.0
	for _, st := range [][2]float64{{0, 0}, {0.1, 0.1}, {0.5, 0.5}, {0.2, 0.3}, {0, 1}, {0.37, 0.91}, {0.5, 0.55}} {
		s, u := st[0], st[1]
		sum := 0.0
		for _, x := range w {
			a := norm1D(lambda, x)
			sum += theta1D(lambda, x) * eigfun1D(lambda, x, a, s) * eigfun1D(lambda, x, a, u)
		}
		want := math.Exp(-math.Abs(s-u) / lambda)
		worst = max(worst, math.Abs(sum-want))
		assert.InDelta(t, want, sum, bound, "c(%g, %g)", s, u)
	}
	// Nearly tight at s = t = 0, where b_n(0)² = A_n²λ²w_n² → 2.
	t.Logf("max |Mercer sum − c(s,t)| = %.6g (bound %.6g)", worst, bound)
}

func TestKLTerms(t *testing.T) {
	const sigma, lambda, K = 1.5, 0.3, 60
	kl := mustKL(t, sigma, lambda, K)
	require.Equal(t, K, kl.Terms())
	mu := kl.Mu()
	require.Len(t, mu, K)
	assert.True(t, slices.IsSortedFunc(mu, func(a, b float64) int { return -cmpF(a, b) }), "Mu descending")
	mu[0] = -1
	assert.NotEqual(t, -1.0, kl.Mu()[0], "Mu returns a copy")

	// Ties broken by (i, j): the first terms are (1,1), (1,2), (2,1) with μ_(1,2) == μ_(2,1)
	// exactly.
	assert.Equal(t, []int32{0, 0, 1}, kl.ti[:3])
	assert.Equal(t, []int32{0, 1, 0}, kl.tj[:3])
	assert.Equal(t, kl.mu[1], kl.mu[2])

	// Brute force over all pairs i, j ≤ 200 ≥ K: the same K values in the same order (exact:
	// the same floating-point products).
	w := roots1D(lambda, 200)
	var all []float64
	for _, x := range w {
		for _, y := range w {
			all = append(all, sigma*sigma*(theta1D(lambda, x)*theta1D(lambda, y)))
		}
	}
	slices.Sort(all)
	slices.Reverse(all)
	assert.Equal(t, all[:K], kl.mu)

	// μ_k = σ² θ_i θ_j for the recorded (i, j), and Σ μ ≤ σ².
	sum := 0.0
	for k, m := range kl.mu {
		i, j := kl.ti[k], kl.tj[k]
		assert.Equal(t, sigma*sigma*(theta1D(lambda, kl.w[i])*theta1D(lambda, kl.w[j])), m)
		sum += m
	}
	assert.LessOrEqual(t, sum, sigma*sigma)
	// VarianceCaptured is Σμ/σ², computed as Σ θ_i θ_j: the two sums of K terms differ by
	// rounding, ≲ K·ε.
	assert.InDelta(t, sum/(sigma*sigma), kl.VarianceCaptured(), K*0x1p-52)
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

func TestVarianceCaptured(t *testing.T) {
	const lambda = 0.3
	prev := 0.0
	for _, K := range []int{25, 50, 100, 200, 1000, 10000} {
		kl := mustKL(t, 1, lambda, K)
		vc := kl.VarianceCaptured()
		// Lower bound: the K largest terms hold at least as much as the N² ≤ K terms with
		// i, j ≤ N = ⌊√K⌋, whose sum is (Σ_{n≤N} θ_n)² (σ = 1). Upper bound: the full sum is
		// (Σ_all θ_n)² = 1. 1e-13 covers the rounding of sums of ≤ 10000 positive terms.
		N := int(math.Sqrt(float64(K)))
		s := 0.0
		for _, w := range roots1D(lambda, N) {
			s += theta1D(lambda, w)
		}
		t.Logf("σ = 1, λ = %g, K = %5d: VarianceCaptured = %.6f (lower bound from i, j ≤ %d: %.6f)", lambda, K, vc, N, s*s)
		assert.GreaterOrEqual(t, vc, s*s-1e-13)
		assert.LessOrEqual(t, vc, 1.0)
		assert.Greater(t, vc, prev, "increasing in K")
		prev = vc
		// Independent of σ, exactly: it is summed from the σ-free θ_i θ_j.
		assert.Equal(t, vc, mustKL(t, 3, lambda, K).VarianceCaptured())
	}
}

func TestBasisOrthonormal2D(t *testing.T) {
	const K = 20
	kl := mustKL(t, 1, 0.3, K)
	require.LessOrEqual(t, len(kl.w), 7, "the first 20 terms use 1D indices ≤ 7")
	// Tensor Gauss–Legendre, 8 panels × 20 points per side: the first 20 terms use w ≤ w_7 <
	// 7π, so products oscillate with ≤ 2·22 rad over [0,1], ≤ 6 per panel: exact to rounding.
	x, wt := gaussLegendre(8, 20)
	xy := make([]float64, 0, 2*len(x)*len(x))
	wts := make([]float64, 0, len(x)*len(x))
	for i := range x {
		for j := range x {
			xy = append(xy, x[i], x[j])
			wts = append(wts, wt[i]*wt[j])
		}
	}
	basis := kl.Basis(xy)
	require.Len(t, basis, len(wts)*K)
	for k := range K {
		for l := range K {
			g := 0.0
			for p, w := range wts {
				g += w * basis[p*K+k] * basis[p*K+l]
			}
			want := 0.0
			if k == l {
				want = 1
			}
			// As in 1D: exact quadrature, so rounding only; 1e-8 is the brief's bound.
			assert.InDelta(t, want, g, 1e-8, "<φ_%d, φ_%d>", k+1, l+1)
		}
	}
	odd := xy[:2*len(wts)-1] // a slice whose length staticcheck cannot see is odd
	assert.PanicsWithValue(t, errXYLen, func() { kl.Basis(odd) })
	assert.Empty(t, kl.Basis(nil))
}

// covTrunc returns Σ_k μ_k φ_k(x) φ_k(y) evaluated from the 1D factors.
func covTrunc(kl *KL, x, y [2]float64) float64 {
	s := 0.0
	for k, m := range kl.mu {
		s += m * phiDirect(kl, k, x) * phiDirect(kl, k, y)
	}
	return s
}

// phiDirect evaluates φ_k(x) = b_i(x₁) b_j(x₂) from the formula, not through Basis.
func phiDirect(kl *KL, k int, x [2]float64) float64 {
	i, j := kl.ti[k], kl.tj[k]
	return eigfun1D(kl.lambda, kl.w[i], kl.a[i], x[0]) * eigfun1D(kl.lambda, kl.w[j], kl.a[j], x[1])
}

func TestCovarianceConvergence2D(t *testing.T) {
	// Σ_{k≤K} μ_k φ_k(x) φ_k(y) → C(x, y). |φ_k|² < 4 (two 1D factors each < 2), so the
	// error is at most 4 Σ_{k>K} μ_k = 4σ²(1 − VarianceCaptured).
	kl := mustKL(t, 1, 0.3, 10000)
	bound := 4 * (1 - kl.VarianceCaptured())
	for _, p := range [][2][2]float64{
		{{0.3, 0.6}, {0.3, 0.6}},
		{{0.3, 0.6}, {0.35, 0.62}},
		{{0.1, 0.9}, {0.8, 0.2}},
		{{0, 0}, {1, 1}},
	} {
		x, y := p[0], p[1]
		want := math.Exp(-math.Abs(x[0]-y[0])/0.3 - math.Abs(x[1]-y[1])/0.3)
		got := covTrunc(kl, x, y)
		t.Logf("C(%v, %v) = %.5f, truncated K = 10000: %.5f", x, y, want, got)
		assert.InDelta(t, want, got, bound)
	}
}

func TestSampling(t *testing.T) {
	const K, draws = 100, 20000
	kl := mustKL(t, 1, 0.3, K)
	pts := [][2]float64{{0.3, 0.6}, {0.35, 0.62}, {0.9, 0.1}}
	xy := make([]float64, 0, 2*len(pts))
	for _, p := range pts {
		xy = append(xy, p[0], p[1])
	}
	basis := kl.Basis(xy)
	kappa := make([]float64, len(pts))
	xi := make([]float64, K)
	rng := newRand()
	var sum [3]float64
	var prod [3][3]float64
	for range draws {
		for k := range xi {
			xi[k] = rng.NormFloat64()
		}
		kl.Kappa(kappa, basis, xi)
		for a := range pts {
			ga := math.Log(kappa[a])
			sum[a] += ga
			for b := range pts {
				prod[a][b] += ga * math.Log(kappa[b])
			}
		}
	}
	n := float64(draws)
	cov := func(a, b int) float64 { return (prod[a][b] - sum[a]*sum[b]/n) / (n - 1) }
	for a := range pts {
		want := covTrunc(kl, pts[a], pts[a])
		// The sample variance of n Gaussian draws has relative standard error √(2/(n−1)) ≈
		// 1.0% for n = 20000: 5% is five standard errors.
		assert.InEpsilon(t, want, cov(a, a), 0.05, "var g(%v)", pts[a])
		t.Logf("var g(%v): truncated %.4f, empirical %.4f", pts[a], want, cov(a, a))
	}
	for _, ab := range [][2]int{{0, 1}, {0, 2}, {1, 2}} {
		a, b := ab[0], ab[1]
		want := covTrunc(kl, pts[a], pts[b])
		va, vb := covTrunc(kl, pts[a], pts[a]), covTrunc(kl, pts[b], pts[b])
		// The sample covariance of n Gaussian pairs has standard error √((v_a v_b + c²)/n);
		// five of them.
		tol := 5 * math.Sqrt((va*vb+want*want)/n)
		assert.InDelta(t, want, cov(a, b), tol, "cov g(%v), g(%v)", pts[a], pts[b])
		t.Logf("cov g(%v), g(%v): truncated %.4f, empirical %.4f (±%.4f)", pts[a], pts[b], want, cov(a, b), tol)
	}
}

// kappaRef is the obvious evaluation of κ at the points xy: φ_k from the formula, one
// accumulator.
func kappaRef(kl *KL, xy, xi []float64) []float64 {
	out := make([]float64, len(xy)/2)
	for p := range out {
		x := [2]float64{xy[2*p], xy[2*p+1]}
		g := 0.0
		for k := range kl.mu {
			g += math.Sqrt(kl.mu[k]) * xi[k] * phiDirect(kl, k, x)
		}
		out[p] = math.Exp(g)
	}
	return out
}

func TestKappa(t *testing.T) {
	rng := newRand()
	// 1, 7 and 100 terms fit one chunk of coefficients; 257 and 600 take 2 and 3 chunks
	// (the last of 1 and 88 columns).
	for _, K := range []int{1, 7, 100, 257, 600} {
		for _, P := range []int{0, 1, 13} {
			t.Run(fmt.Sprintf("K=%d/P=%d", K, P), func(t *testing.T) {
				kl := mustKL(t, 1, 0.3, K)
				xy := make([]float64, 2*P)
				for i := range xy {
					xy[i] = rng.Float64()
				}
				xi := make([]float64, K)
				for i := range xi {
					xi[i] = rng.NormFloat64()
				}
				basis := kl.Basis(xy)
				kappa := make([]float64, P)
				kl.Kappa(kappa, basis, xi)
				want := kappaRef(kl, xy, xi)
				for p := range kappa {
					// Same terms summed in another order: g differs by a few ulps of
					// Σ|√μ ξ φ| (≤ 10), so κ = exp(g) by ≲ 1e-14 relative; 1e-12 leaves room.
					assert.InEpsilon(t, want[p], kappa[p], 1e-12, "point %d", p)
				}
				allocs := testing.AllocsPerRun(10, func() { kl.Kappa(kappa, basis, xi) })
				assert.Zero(t, allocs, "Kappa allocates")
			})
		}
	}
	kl := mustKL(t, 1, 0.3, 10)
	basis := kl.Basis([]float64{0.5, 0.5, 0.1, 0.2})
	assert.PanicsWithValue(t, errXiLen, func() { kl.Kappa(make([]float64, 2), basis, make([]float64, 9)) })
	assert.PanicsWithValue(t, errBasisLen, func() { kl.Kappa(make([]float64, 3), basis, make([]float64, 10)) })
}

func TestCentroids(t *testing.T) {
	m, err := mesh.UnitSquare(2)
	require.NoError(t, err)
	c := Centroids(m.Coords, m.Tri)
	require.Len(t, c, 2*m.NumTris())
	// Square (0,0) of side ½: triangles (v00, v10, v11) and (v00, v11, v01); exact thirds
	// up to rounding of one division (1e-15).
	assert.InDeltaSlice(t, []float64{1.0 / 3, 1.0 / 6, 1.0 / 6, 1.0 / 3}, c[:4], 1e-15)
	// The area-weighted mean of the centroids of a uniform triangulation is the centre of
	// the square: all areas are equal here.
	sx, sy := 0.0, 0.0
	for t := range m.NumTris() {
		sx += c[2*t]
		sy += c[2*t+1]
	}
	assert.InDelta(t, 0.5, sx/float64(m.NumTris()), 1e-15)
	assert.InDelta(t, 0.5, sy/float64(m.NumTris()), 1e-15)
	assert.Empty(t, Centroids(nil, nil))
	assert.PanicsWithValue(t, errTriLen, func() { Centroids(m.Coords, m.Tri[:4]) })
	odd := m.Coords[:len(m.Coords)-1]
	assert.PanicsWithValue(t, errCoordLen, func() { Centroids(odd, m.Tri) })
}

// benchBasis returns the basis at the centroids of UnitSquare(n) (2n² triangles) for K terms.
func benchBasis(b *testing.B, n, K int) (*KL, []float64, int) {
	m, err := mesh.UnitSquare(n)
	require.NoError(b, err)
	kl := mustKL(b, 1, 0.3, K)
	return kl, kl.Basis(Centroids(m.Coords, m.Tri)), m.NumTris()
}

// BenchmarkKappa straddles the caches: n = 64 (8192 triangles; basis 3.3 MB at K = 50, in
// L2/L3) and n = 512 (524288 triangles; basis 210 MB at K = 50, 420 MB at K = 100, memory).
func BenchmarkKappa(b *testing.B) {
	for _, n := range []int{64, 512} {
		for _, K := range []int{50, 100} {
			b.Run(fmt.Sprintf("n=%d/K=%d", n, K), func(b *testing.B) {
				if n > 64 && testing.Short() {
					b.Skip("n = 512 skipped under -short")
				}
				kl, basis, P := benchBasis(b, n, K)
				xi := make([]float64, K)
				rng := newRand()
				for i := range xi {
					xi[i] = rng.NormFloat64()
				}
				kappa := make([]float64, P)
				b.SetBytes(kappaBytes(P, K))
				b.ReportAllocs()
				for b.Loop() {
					kl.Kappa(kappa, basis, xi)
				}
				sec := b.Elapsed().Seconds()
				b.ReportMetric(sec*1e9/float64(b.N)/float64(P*K), "ns/tri/term")
				b.ReportMetric(float64(kappaFlops(P, K))*float64(b.N)/sec/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkKappaRef is the obvious loop for comparison: one accumulator per row and exp
// inside the row loop, over the same basis (K = 100).
func BenchmarkKappaRef(b *testing.B) {
	for _, n := range []int{64, 512} {
		const K = 100
		b.Run(fmt.Sprintf("n=%d/K=%d", n, K), func(b *testing.B) {
			if n > 64 && testing.Short() {
				b.Skip("n = 512 skipped under -short")
			}
			kl, basis, P := benchBasis(b, n, K)
			c := make([]float64, K)
			for i := range c {
				c[i] = kl.sqrtMu[i] * 0.5
			}
			kappa := make([]float64, P)
			b.SetBytes(kappaBytes(P, K))
			for b.Loop() {
				for t := range kappa {
					r := basis[t*K : (t+1)*K]
					g := 0.0
					for k, v := range r {
						g += v * c[k]
					}
					kappa[t] = math.Exp(g)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N)/float64(P*K), "ns/tri/term")
		})
	}
}

// BenchmarkBasis is the once-per-mesh set-up: K = 100 at the centroids of UnitSquare(n).
func BenchmarkBasis(b *testing.B) {
	for _, n := range []int{64, 512} {
		b.Run(fmt.Sprintf("n=%d/K=100", n), func(b *testing.B) {
			if n > 64 && testing.Short() {
				b.Skip("n = 512 skipped under -short")
			}
			m, err := mesh.UnitSquare(n)
			require.NoError(b, err)
			kl := mustKL(b, 1, 0.3, 100)
			xy := Centroids(m.Coords, m.Tri)
			for b.Loop() {
				kl.Basis(xy)
			}
		})
	}
}

func BenchmarkNewKL(b *testing.B) {
	for _, K := range []int{100, 10000} {
		b.Run(fmt.Sprintf("K=%d", K), func(b *testing.B) {
			for b.Loop() {
				mustKL(b, 1, 0.3, K)
			}
		})
	}
}
