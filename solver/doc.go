// Package solver implements the linear solvers of a sample: preconditioned conjugate
// gradients for one right-hand side (PCG) or k interleaved ones (PCGBatch, each column
// bit-identical to PCG), with the Jacobi preconditioner fused into the vector sweeps (on the
// matrix's band form when it has one, band.go), and a smoothed-aggregation algebraic
// multigrid V-cycle (amg.go, amg_setup.go, amg_smooth.go; its four-lane Gauss–Seidel sweeps in
// assembly on amd64, avx_amd64.s).
//
// Set-up allocates; a solve with a Workspace allocates nothing. CG's data conditions (not
// converged, breakdown) are typed errors; programmer misuse panics with a "solver: " message.
package solver
