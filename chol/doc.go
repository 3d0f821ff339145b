// Package chol implements a supernodal sparse Cholesky factorisation for the symmetric
// positive definite stiffness matrices of package fem: factor once, then solve for many
// right-hand sides, one at a time or k at once.
//
// New (Analyze, then Analysis.Factor: the size of the factor and its flop count are known
// before the numeric phase, for -solver auto) orders the matrix by nested dissection (recursive bisection with breadth-first level
// structures, minimum degree on the small parts; order.go), analyses it (elimination tree,
// column counts, supernodes with relaxed amalgamation, storage layout; symbolic.go) and
// factors P A Pᵀ = L Lᵀ by the multifrontal method (numeric.go) with register-blocked dense
// kernels written in Go (dense.go). Solve and SolveBatch (solve.go) do the permuted forward
// and backward substitutions; SolveBatch with k interleaved right-hand sides reads L once for
// all of them, and each of its columns is bit-identical to Solve of that column, so results
// do not depend on how samples are grouped.
//
// The files, one phase each: chol.go (Options, Factor, New, reporting), order.go, symbolic.go,
// numeric.go, dense.go, solve.go.
//
// Set-up allocates; the per-sample path does not: Solve and SolveBatch with a Workspace
// allocate nothing, and a Factor is read-only after New, so goroutines may solve
// concurrently, each with its own Workspace.
//
// Programmer misuse (a nil or inconsistent matrix, mismatched lengths, a bad workspace)
// panics with a "chol: " message; a matrix that is not positive definite is an error
// (*NotPDError) naming the pivot and the input row.
package chol
