// Package fem implements the finite-element side of a sample: P1 assembly of the diffusion
// problem −∇·(κ∇u) = f on a mesh.Mesh with homogeneous Dirichlet nodes eliminated, so that
// the stiffness matrix (a sparse.CSR) is symmetric positive definite; the load shape
// F_i = ∫ f φ_i; and the lumped-area quantity of interest Σ_i area_i u_i.
//
// The phases live one per file: assemble.go (unknown numbering, sparsity pattern, the
// element-to-CSR scatter map, the numeric stiffness for a per-triangle κ), load.go (source
// and load vector, Radon's 7-point rule), qoi.go (nodal areas and the QoI).
//
// Set-up allocates; the per-sample path does not: Load, AssembleStiffness and QoI allocate
// nothing, so one System serves every sample of a rank (a worker whose matrix changes per
// sample works on a copy with its own values, WithOwnValues).
//
// Programmer misuse (mismatched lengths) panics with a "fem: " message; data conditions (an
// invalid mesh, a source that is not finite) are returned as errors.
package fem
