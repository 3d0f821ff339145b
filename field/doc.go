// Package field implements the log-normal random diffusivity of the standard MLMC elliptic
// benchmark on the unit square D = [0,1]²:
//
//	κ(x, ω) = exp(g(x, ω)),
//	g Gaussian, mean 0, covariance C(x, y) = σ² exp(−|x₁−y₁|/λ − |x₂−y₂|/λ),
//
// represented by its Karhunen–Loève expansion truncated to K terms,
//
//	g(x, ω) ≈ Σ_{k=1..K} √μ_k ξ_k φ_k(x),   ξ_k ~ N(0, 1) independent.
//
// The covariance is separable, so the 2D eigenpairs are products of the eigenpairs (θ_n, b_n)
// of the 1D kernel c(s, t) = exp(−|s−t|/λ) on [0, 1], which are known in closed form up to the
// roots w_n of a transcendental equation (kl1d.go). NewKL finds the roots by bracketing and
// Brent's method and keeps the K largest products μ = σ² θ_i θ_j (field.go).
//
// The per-sample path is one dense matrix-vector product: Basis evaluates every φ_k at a set of
// points once per mesh (for the P1 solver, at the triangle centroids, see Centroids, giving one
// κ per triangle as fem.System.AssembleStiffness wants), and Kappa turns a draw ξ into κ at those
// points without allocating. The basis costs 8·K bytes per point.
//
// Programmer misuse (mismatched lengths) panics with a "field: " message; invalid parameters
// are returned as errors by Params.Validate and NewKL.
package field
