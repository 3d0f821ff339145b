// Package fem implements the finite-element side of a sample: P1 assembly of the diffusion
// problem −∇·(κ∇u) = f on a mesh.Mesh with the Dirichlet nodes eliminated, so that the
// stiffness matrix (a sparse.CSR) is symmetric positive definite; the load shape
// F_i = ∫ f φ_i; and the lumped-area quantity of interest Σ_i area_i u_i.
//
// The phases live one per file: assemble.go (unknown numbering, sparsity pattern, the
// element-to-CSR scatter map, the element matrices cached once, the numeric stiffness for a
// per-triangle κ), load.go (source and load vector, Radon's 7-point rule; nodal and edge
// loads), boundary.go (non-homogeneous Dirichlet data and reactions), qoi.go (nodal areas, the
// QoI, lumped weights over a part).
//
// The tutorial problem (u = 0 on the boundary, one source) uses NewSystem, Load and QoI. A
// general problem — Dirichlet values ud, Neumann data g on boundary parts, a κ per triangle,
// several QoIs — is built from lower-level pieces, set up once:
//
//	nodal, _ := s.NodalLoad(f)                              ∫ f φ_v, every node
//	edge, _ := s.EdgeLoad(m.BoundaryEdges(part.Nodes), g)   ∫ g φ_v ds over a part
//	w := s.PartWeights(part.Tris)                           lumped areas over a part
//
// and combined per sample, allocation-free (the data may be affine in the random inputs):
//
//	s.AssembleValues(val, kappa)    K(κ) over the unknowns
//	s.Restrict(b, load)             the load at the unknowns
//	s.Lift(b, kappa, ud)            b −= K_fd(κ) ud: the right-hand side of K u = b
//	… solve …
//	s.Expand(u, x, k, j, ud)        the per-node solution
//	s.Reactions(r, kappa, u, load)  r = load − K^full(κ) u: fluxes through boundary parts
//
// Set-up allocates; the per-sample path does not: Load, AssembleStiffness, AssembleValues,
// Restrict, Lift, Expand, Reactions and QoI allocate nothing, so one System serves every
// sample of a rank (a worker whose matrix changes per sample works on a copy with its own
// values, WithOwnValues, or assembles into its own slice with AssembleValues).
//
// No fused multiply-add: every product that feeds a sum is rounded explicitly, so the results
// have the same bits on every architecture (scripts/fma-check.sh).
//
// Programmer misuse (mismatched lengths) panics with a "fem: " message; data conditions (an
// invalid mesh, a source that is not finite) are returned as errors.
package fem
