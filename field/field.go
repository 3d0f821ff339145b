package field

import (
	"cmp"
	"fmt"
	"math"
	"mcfem/detmath"
	"slices"
)

// Limits checked by Params.Validate.
const (
	// MaxTerms is the largest number of KL terms NewKL builds.
	MaxTerms = 10000
	// MinLambda and MaxLambda bound the correlation length. Inside these bounds every 1D root
	// w_n (n ≤ MaxTerms) lies well inside its interval ((n−1)π, nπ): about 2/(λw_n) ≥ 6e-9
	// past (n−1)π when λw_n ≫ 1, about 2λw_n before nπ when λw_n ≪ 1, far more than the
	// float64 spacing there (≤ 4e-12), so the end signs that kl1d.go brackets with hold in
	// floating point. λ ≪ 1e-4 or λ ≫ 1e4 is meaningless on the unit square anyway (white
	// noise, or a constant field).
	MinLambda = 1e-4
	MaxLambda = 1e4
	// MaxSigma bounds the standard deviation of g: beyond it κ = exp(g) overflows float64
	// (g > 709) within about 7 standard deviations.
	MaxSigma = 100
)

const (
	errXYLen    = "field: Basis needs 2 coordinates per point (odd len(xy))"
	errXiLen    = "field: Kappa needs len(xi) == Terms()"
	errBasisLen = "field: Kappa needs len(basis) == len(kappa)·Terms()"
	errCoordLen = "field: Centroids needs 2 coordinates per node (odd len(coords))"
	errTriLen   = "field: Centroids needs 3 nodes per triangle (len(tri) not a multiple of 3)"
)

// Params are the parameters of the log-normal field κ = exp(g): g has mean 0 and covariance
//
//	C(x, y) = Sigma² exp(−|x₁−y₁|/Lambda − |x₂−y₂|/Lambda),
//
// truncated to Terms Karhunen–Loève terms.
type Params struct {
	Sigma  float64 // standard deviation of g, in (0, MaxSigma]
	Lambda float64 // correlation length, in [MinLambda, MaxLambda]
	Terms  int     // number K of KL terms kept, in [1, MaxTerms]
}

// Validate returns an error naming the first parameter out of its range: Sigma in
// (0, MaxSigma], Lambda in [MinLambda, MaxLambda], Terms in [1, MaxTerms].
func (p Params) Validate() error {
	if !(p.Sigma > 0 && p.Sigma <= MaxSigma) {
		return fmt.Errorf("field: Sigma must be in (0, %g], got %g", float64(MaxSigma), p.Sigma)
	}
	if !(p.Lambda >= MinLambda && p.Lambda <= MaxLambda) {
		return fmt.Errorf("field: Lambda must be in [%g, %g], got %g", float64(MinLambda), float64(MaxLambda), p.Lambda)
	}
	if p.Terms < 1 || p.Terms > MaxTerms {
		return fmt.Errorf("field: Terms must be in [1, %d], got %d", MaxTerms, p.Terms)
	}
	return nil
}

// KL is the Karhunen–Loève expansion of g truncated to its K largest terms. Term k is the
// product of the 1D eigenpairs i = i(k) in x₁ and j = j(k) in x₂ (see kl1d.go):
//
//	μ_k = σ² θ_i θ_j,              θ_n = 2λ / (1 + λ² w_n²),
//	φ_k(x) = b_i(x₁) b_j(x₂),      b_n(s) = A_n (sin(w_n s) + λ w_n cos(w_n s)),
//
// with w_n the n-th positive root of (λ²w² − 1) sin w = 2λw cos w and A_n the closed-form
// normalisation (λ + (1 + λ² w_n²)/2)^(−1/2). A KL is read-only after NewKL and safe for
// concurrent use.
type KL struct {
	lambda float64
	mu     []float64 // μ_k, descending
	sqrtMu []float64 // √μ_k
	ti, tj []int32   // 1D indices (0-based) of term k in x₁ and x₂
	w, a   []float64 // 1D roots w_n and normalisations A_n, n up to the largest index used
	share  float64   // Σ_k θ_i θ_j = Σ_k μ_k / σ²
}

// NewKL validates p and builds the expansion: the first K roots of the 1D equation, one per
// interval ((n−1)π, nπ) by Brent's method to 1e-14, and the K largest products
// μ = σ² θ_i θ_j, sorted descending with ties (such as (i, j) and (j, i)) broken by ascending
// (i, j).
//
// K roots per direction suffice: θ_n decreases strictly in n, so each of the i·j pairs
// (i', j') ≤ (i, j) componentwise has μ' ≥ μ and sorts first; a term (i, j) among the K largest
// thus has i·j ≤ K, and only these candidates (about K ln K) are ranked.
func NewKL(p Params) (*KL, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	K, lambda := p.Terms, p.Lambda
	roots := roots1D(lambda, K)
	theta := make([]float64, K)
	for n, w := range roots {
		theta[n] = theta1D(lambda, w)
	}
	type cand struct {
		th   float64 // θ_i θ_j
		i, j int32
	}
	var cands []cand
	for i := 1; i <= K; i++ {
		for j := 1; i*j <= K; j++ {
			// Ranked by θ_i θ_j, σ-free; the product is commutative in floating point, so
			// (i, j) and (j, i) tie exactly.
			cands = append(cands, cand{theta[i-1] * theta[j-1], int32(i - 1), int32(j - 1)})
		}
	}
	slices.SortFunc(cands, func(x, y cand) int {
		if c := cmp.Compare(y.th, x.th); c != 0 {
			return c
		}
		if c := cmp.Compare(x.i, y.i); c != 0 {
			return c
		}
		return cmp.Compare(x.j, y.j)
	})
	cands = cands[:K]
	kl := &KL{
		lambda: lambda,
		mu:     make([]float64, K),
		sqrtMu: make([]float64, K),
		ti:     make([]int32, K),
		tj:     make([]int32, K),
	}
	n1 := 0
	s2 := p.Sigma * p.Sigma
	for k, c := range cands {
		kl.mu[k] = s2 * c.th
		kl.sqrtMu[k] = math.Sqrt(kl.mu[k])
		kl.ti[k], kl.tj[k] = c.i, c.j
		kl.share += c.th
		n1 = max(n1, int(c.i)+1, int(c.j)+1)
	}
	kl.w = roots[:n1:n1]
	kl.a = make([]float64, n1)
	for n, w := range kl.w {
		kl.a[n] = norm1D(lambda, w)
	}
	return kl, nil
}

// Terms returns K, the number of terms kept.
func (k *KL) Terms() int { return len(k.mu) }

// Mu returns a copy of the eigenvalues μ_1 ≥ μ_2 ≥ … ≥ μ_K.
func (k *KL) Mu() []float64 { return slices.Clone(k.mu) }

// VarianceCaptured returns the share of the variance of g that the truncation keeps,
//
//	Σ_{k≤K} μ_k / σ²,
//
// in (0, 1]: the total is ∫∫_D C(x, x) dx = σ² on the unit square, and the full expansion has
// Σ μ = σ² (Σ_n θ_n)² with Σ_n θ_n = ∫₀¹ c(s, s) ds = 1. It is computed as Σ_k θ_i θ_j, so it
// does not depend on σ even in rounding.
func (k *KL) VarianceCaptured() float64 { return k.share }

// Basis evaluates the K eigenfunctions at the points xy (x₁, x₂ per point) into a dense
// point-major matrix of len(xy)/2 rows and K columns,
//
//	basis[t·K + k] = φ_k(x_t) = b_{i(k)}(x_t,₁) b_{j(k)}(x_t,₂),
//
// once per mesh, so that a sample costs one matrix-vector product (Kappa). It allocates the
// 8·K·len(xy)/2 bytes of the result. An odd len(xy) panics.
func (k *KL) Basis(xy []float64) []float64 {
	if len(xy)%2 != 0 {
		panic(errXYLen)
	}
	K, n1 := len(k.mu), len(k.w)
	out := make([]float64, len(xy)/2*K)
	bx, by := make([]float64, n1), make([]float64, n1)
	for p := range len(xy) / 2 {
		x, y := xy[2*p], xy[2*p+1]
		for n, w := range k.w {
			bx[n] = eigfun1D(k.lambda, w, k.a[n], x)
			by[n] = eigfun1D(k.lambda, w, k.a[n], y)
		}
		row := out[p*K : (p+1)*K]
		for j := range row {
			row[j] = bx[k.ti[j]] * by[k.tj[j]]
		}
	}
	return out
}

// kappaChunk is how many coefficients √μ_k ξ_k Kappa keeps on its stack at a time (2 KiB);
// K ≤ 256, the common case, is one chunk.
const kappaChunk = 256

// Kappa sets, for every point t of basis (rows of K = Terms() values made by Basis),
//
//	kappa[t] = exp(g_t),   g_t = Σ_k √μ_k ξ_k basis[t·K + k],
//
// without allocating. It panics unless len(xi) == K and len(basis) == len(kappa)·K.
//
// The coefficients c_k = √μ_k ξ_k go to a stack buffer, g = basis·c is formed row by row (dot,
// four partial sums), and exp is taken in a second pass over kappa (≈ 1.4× faster than exp
// inside the row loop). For K > 256 the product accumulates over column chunks of 256; the
// basis is still read once (kappaBytes). (gonum's assembly floats.Dot is faster still, but its
// arguments escape, so the buffer would have to come from the caller.)
func (k *KL) Kappa(kappa, basis, xi []float64) {
	K := len(k.mu)
	if len(xi) != K {
		panic(errXiLen)
	}
	if len(basis) != len(kappa)*K {
		panic(errBasisLen)
	}
	var buf [kappaChunk]float64
	for k0 := 0; k0 < K; k0 += kappaChunk {
		c := buf[:min(kappaChunk, K-k0)]
		for j := range c {
			c[j] = k.sqrtMu[k0+j] * xi[k0+j]
		}
		dotRows(kappa, basis, c, K, k0, k0 > 0)
	}
	for t, g := range kappa {
		kappa[t] = detmath.Exp(g)
	}
}

// dotRows sets (or, with add, increments) g[t] by rows[t·stride+off : t·stride+off+len(c)] · c.
func dotRows(g, rows, c []float64, stride, off int, add bool) {
	n := len(c)
	if add {
		for t := range g {
			lo := t*stride + off
			g[t] += dot(rows[lo:lo+n], c)
		}
		return
	}
	for t := range g {
		lo := t*stride + off
		g[t] = dot(rows[lo:lo+n], c)
	}
}

// dot returns Σ r[j] c[j] over len(r) ≤ len(c) with four partial sums (independent add
// chains instead of one latency-bound chain), combined as (s0 + s1) + (s2 + s3).
func dot(r, c []float64) float64 {
	c = c[:len(r)]
	var s0, s1, s2, s3 float64
	for len(r) >= 4 && len(c) >= 4 {
		s0 += float64(r[0] * c[0])
		s1 += float64(r[1] * c[1])
		s2 += float64(r[2] * c[2])
		s3 += float64(r[3] * c[3])
		r, c = r[4:], c[4:]
	}
	c = c[:len(r)]
	for j, v := range r {
		s0 += float64(v * c[j])
	}
	return (s0 + s1) + (s2 + s3)
}

// kappaBytes is the byte model of one Kappa over P points and K terms: the basis read once
// (8·P·K), κ written by the product and read and rewritten by the exp pass (24·P), the
// coefficients and ξ (16·K). The 8·K bytes of basis per point dominate, so Kappa is
// memory-bound once the basis outgrows the caches.
func kappaBytes(points, terms int) int64 {
	return 8*int64(points)*int64(terms) + 24*int64(points) + 16*int64(terms)
}

// kappaFlops is the flop model of one Kappa: a multiply and an add per basis entry (the exp per
// point, ~20 flops, is not counted).
func kappaFlops(points, terms int) int64 { return 2 * int64(points) * int64(terms) }

// Centroids returns the centroid ((x_a + x_b + x_c)/3, (y_a + y_b + y_c)/3) of every triangle
// (a, b, c) of tri over the node coordinates coords (x, y per node), 2 values per triangle:
// the points at which one κ per triangle is sampled. Lengths that are not whole nodes or
// triangles panic, as do node indices out of range.
func Centroids(coords []float64, tri []int32) []float64 {
	if len(coords)%2 != 0 {
		panic(errCoordLen)
	}
	if len(tri)%3 != 0 {
		panic(errTriLen)
	}
	out := make([]float64, 2*(len(tri)/3))
	for t := range len(tri) / 3 {
		a, b, c := tri[3*t], tri[3*t+1], tri[3*t+2]
		out[2*t] = (coords[2*a] + coords[2*b] + coords[2*c]) / 3
		out[2*t+1] = (coords[2*a+1] + coords[2*b+1] + coords[2*c+1]) / 3
	}
	return out
}
