// Package sparse implements the compressed-sparse-row matrix (int32 indices) that fem
// assembles and the solvers and chol factor, with its kernels: SpMV and its fused form that
// also returns xᵀAx, SpMM on k vectors stored interleaved (one matrix pass serves them all),
// with the column dot products fused in, and their byte and flop models for benchmarks.
//
// Each tuned kernel has a reference twin (MulVecRef) and tests comparing them bit for bit.
// On amd64 the four- and eight-lane SpMM kernels run in assembly (avx_amd64.s) when the
// processor has AVX: a multiply then an add per entry, never a fused multiply-add, so they
// give the Go kernels' bits; with -tags purego or on other architectures the Go kernels run.
//
// Programmer misuse (lengths inconsistent with the matrix) panics with a "sparse: " message.
package sparse
