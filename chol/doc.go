// Package chol implements a supernodal sparse Cholesky factorisation for the symmetric
// positive definite stiffness matrices of package fem: factor once, then solve for many
// right-hand sides, one at a time or k at once.
//
// New (Analyze, then Analysis.Factor: the size of the factor and its flop count are known
// before the numeric phase, for -solver auto) orders the matrix by nested dissection
// (recursive bisection with breadth-first level structures, minimum degree on the small
// parts; order.go), analyses it (elimination tree,
// column counts, supernodes with relaxed amalgamation, storage layout; symbolic.go) and
// factors P A Pᵀ = L Lᵀ by the multifrontal method (numeric.go) with register-blocked dense
// kernels written in Go (dense.go). Solve and SolveBatch (solve.go) do the permuted forward
// and backward substitutions; SolveBatch with k interleaved right-hand sides reads L once for
// all of them, and each of its columns is bit-identical to Solve of that column, so results
// do not depend on how samples are grouped.
//
// The files, one phase each: chol.go (Options, Factor, New, reporting), order.go, symbolic.go,
// numeric.go, dense.go, and for the solves:
//
//	solve.go      Workspace, Solve, SolveBatch, the canonical order of operations, and the
//	              driver that walks a supernode's groups of columns and hands each to a kernel
//	solve_gen.go  the kernels, generated: forward and backward on one group of columns for
//	              k = 1 (group width unrolled), 4 and 8 (lanes unrolled) and any other k
//	              (lanes in a loop), the row moves (gather, scatter) and the choice by k
//	solve_ref.go  the reference twin: the obvious column-by-column substitutions on the
//	              factor, in the same canonical order; the tests hold every kernel and
//	              SolveBatch for every k to it, bit for bit
//	avx.go, avx_amd64.go, avx_amd64.s
//	              the kernels for k = 4 in assembly with 256-bit AVX (a row's four lanes in
//	              one register; multiply, then subtract, never fused), their argument
//	              checks, the switch useAVX (x/sys/cpu) and the choice of kernels that
//	              SolveBatch makes; avx_other.go stands in off amd64 and with -tags purego
//
// solve_gen.go is written by go generate (the //go:generate line in solve.go runs
// internal/gen, whose one template holds every variant); edit the template, not the output.
// scripts/check-generated.sh fails when the committed file is not what go generate writes.
//
// Set-up allocates; the per-sample path does not: Solve and SolveBatch with a Workspace
// allocate nothing, and a Factor is read-only after New, so goroutines may solve
// concurrently, each with its own Workspace.
//
// Programmer misuse (a nil or inconsistent matrix, mismatched lengths, a bad workspace)
// panics with a "chol: " message; a matrix that is not positive definite is an error
// (*NotPDError) naming the pivot and the input row.
package chol
