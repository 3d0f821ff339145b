// Package fem implements the finite-element side of a sample: P1 assembly of the Poisson
// problem on a mesh.Mesh with homogeneous Dirichlet nodes eliminated, the load vector, the
// lumped-area quantity of interest, a compressed-sparse-row matrix with int32 indices, and
// preconditioned conjugate-gradient solvers (one right-hand side, or k at once).
//
// The phases live one per file: csr.go (the matrix and SpMV), assemble.go (sparsity pattern,
// element-to-CSR scatter map, stiffness), load.go (source and load vector), qoi.go (nodal
// areas and the QoI), precond.go (Jacobi, identity), cg.go (PCG), band.go (a banded
// matrix stored by diagonals, and the fused two-sweep Jacobi-PCG iteration on it), avx.go
// with avx_amd64.s (assembly of the four- and eight-lane batch kernels, bit-identical to the
// Go ones, used when the processor has AVX), spmm.go and pcg_batch.go (k
// interleaved vectors per matrix pass, each column bit-identical to PCG), amg.go,
// amg_setup.go and amg_smooth.go (smoothed-aggregation algebraic multigrid). Each tuned kernel has an
// obvious reference version in the tests (spmvRef, cgRef) and a byte model next to it
// (SpMVBytes, PCGIterationBytes) for benchmarks and run reports.
//
// Set-up allocates; the per-sample path does not: Load, PCG with a Workspace, and QoI allocate
// nothing, so one System, one preconditioner and one Workspace serve every sample of a rank.
//
// Programmer misuse (mismatched lengths) panics with a "fem: " message; data conditions (an
// invalid mesh, CG not converging, a breakdown) are returned as errors.
package fem
