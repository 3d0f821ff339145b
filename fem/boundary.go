package fem

// Non-homogeneous Dirichlet data and reactions.
//
// With u = ud on the Dirichlet nodes, the unknowns solve the reduced system
//
//	K u_free = F − K_fd ud
//
// where K (the System's matrix, AssembleValues) couples unknowns to unknowns and K_fd unknowns
// to Dirichlet nodes: start from the restricted load (Restrict), subtract the coupling (Lift),
// solve, and put the solution and ud back together per node (Expand). Reactions then gives
// the residual of the full, unreduced system at every node: what the boundary must supply.

const (
	errLiftLen      = "fem: Lift needs len(dst) = unknowns and len(ud) = nodes"
	errExpandLen    = "fem: Expand needs len(dst) = nodes, len(u) = k·unknowns, 0 ≤ j < k and len(ud) = nodes (or ud nil)"
	errReactionsLen = "fem: Reactions needs len(dst) = len(u) = nodes and len(f) = nodes (or f nil)"
)

// Lift subtracts from dst (one entry per unknown) the coupling of the unknowns to the
// Dirichlet values ud (one per node; entries at free nodes are not read):
//
//	dst[i] −= Σ_{Dirichlet nodes j} K_ij(κ) ud[j]
//
// element by element over the triangles that have both a free and a Dirichlet corner, in
// triangle order: dst[i] −= float64(float64(kappa[t]·ke[a][b])·ud[j]) for each such pair
// (kappa nil means 1). With dst = the restricted load, dst is the right-hand side of the
// reduced system for the Dirichlet data ud. It allocates nothing; lengths that do not match
// panic.
func (s *System) Lift(dst []float64, kappa []float64, ud []float64) {
	m := s.Mesh
	nt := m.NumTris()
	if kappa != nil && len(kappa) != nt {
		panic(errKappaLen)
	}
	if len(dst) != len(s.Node) || len(ud) != len(s.Dof) {
		panic(errLiftLen)
	}
	tri, kes, dof := m.Tri[:3*nt], s.ke[:9*nt], s.Dof
	for _, t := range s.mixed {
		w := 1.0
		if kappa != nil {
			w = kappa[t]
		}
		c := tri[3*t : 3*t+3]
		ke := kes[9*t : 9*t+9]
		for a, va := range c {
			i := dof[va]
			if i < 0 {
				continue
			}
			for b, vb := range c {
				if dof[vb] < 0 {
					dst[i] -= float64(float64(w*ke[3*a+b]) * ud[vb])
				}
			}
		}
	}
}

// Expand writes the per-node solution: dst[v] = u[Dof[v]·k + j] at a free node v (column j of
// k interleaved solution vectors, as LoadColumn and QoIColumn lay them out; k = 1, j = 0 for
// one vector) and dst[v] = ud[v] at a Dirichlet node (0 when ud is nil). It allocates nothing;
// lengths that do not match, or j outside [0, k), panic.
func (s *System) Expand(dst, u []float64, k, j int, ud []float64) {
	nn := len(s.Dof)
	if k < 1 || j < 0 || j >= k || len(u) != k*len(s.Node) || len(dst) != nn || ud != nil && len(ud) != nn {
		panic(errExpandLen)
	}
	for v, i := range s.Dof {
		switch {
		case i >= 0:
			dst[v] = u[int(i)*k+j]
		case ud != nil:
			dst[v] = ud[v]
		default:
			dst[v] = 0
		}
	}
}

// Reactions writes, for every node i, the residual of the full (unreduced) system
//
//	r_i = f_i − Σ_j K^full_ij(κ) u_j
//
// for the per-node solution u (Expand) and per-node load f (nil means 0), K^full being the
// stiffness over all nodes, Dirichlet ones included, for the per-triangle diffusivity kappa
// (nil means 1). Element by element in triangle order: r starts at f and each triangle t
// subtracts, at its corner a, Σ_b float64(float64(kappa[t]·ke[a][b])·u[b]). It allocates
// nothing; lengths that do not match panic.
//
// What it means. The weak form with test function φ_i gives (K^full u)_i = ∫ f φ_i +
// ∫_∂Ω κ ∂u/∂n φ_i ds, so r_i = −∫_∂Ω κ ∂u/∂n φ_i ds: the reaction, minus the flux of κ∇u
// into the domain at node i, i.e. the heat that leaves the domain there (heat flux −κ∇u).
// The identities the tests check:
//
//   - with u solving the reduced system for f (the load that includes any Neumann loads),
//     r_i = 0 at every free node, to the solver's tolerance;
//   - Σ_i r_i over all nodes = Σ_i f_i (= ∫ f, the discrete balance), to rounding, whatever
//     u is: every row (and column) of K^full sums to zero (Σ_i φ_i = 1 has no gradient);
//   - with f the volume load only (NodalLoad), Σ_{i ∈ P} r_i over the nodes of a boundary part
//     P approximates the flux out of the domain through P, −∫_P κ ∂u/∂n ds, at order ≥ 1 (the
//     hat functions of P's end nodes reach one edge beyond P: an O(h) contribution from the
//     neighbouring boundary, none when the flux there is zero or P is the whole boundary).
func (s *System) Reactions(dst []float64, kappa []float64, u []float64, f []float64) {
	m := s.Mesh
	nt, nn := m.NumTris(), len(s.Dof)
	if kappa != nil && len(kappa) != nt {
		panic(errKappaLen)
	}
	if len(dst) != nn || len(u) != nn || f != nil && len(f) != nn {
		panic(errReactionsLen)
	}
	if f != nil {
		copy(dst, f)
	} else {
		clear(dst)
	}
	tri, kes := m.Tri[:3*nt], s.ke[:9*nt]
	for t := range nt {
		w := 1.0
		if kappa != nil {
			w = kappa[t]
		}
		c := tri[3*t : 3*t+3]
		ke := kes[9*t : 9*t+9]
		u0, u1, u2 := u[c[0]], u[c[1]], u[c[2]]
		for a, va := range c {
			row := ke[3*a : 3*a+3]
			dst[va] -= float64(float64(w*row[0])*u0) + float64(float64(w*row[1])*u1) + float64(float64(w*row[2])*u2)
		}
	}
}

// findMixed sets s.mixed: the triangles with both a free and a Dirichlet corner.
func (s *System) findMixed() {
	m := s.Mesh
	s.mixed = s.mixed[:0]
	for t := range m.NumTris() {
		var free, fixed bool
		for _, v := range m.Tri[3*t : 3*t+3] {
			if s.Dof[v] >= 0 {
				free = true
			} else {
				fixed = true
			}
		}
		if free && fixed {
			s.mixed = append(s.mixed, int32(t))
		}
	}
}
