package fem

const errQoILen = "fem: QoI vector length does not match the number of unknowns"

// lumpedArea sets Area_i = Σ_{triangles T ∋ node i} |T|/3 for every unknown i.
func (s *System) lumpedArea() {
	m := s.Mesh
	s.Area = make([]float64, len(s.Node))
	for t := range m.NumTris() {
		a3 := m.SignedArea(t) / 3
		for _, v := range m.Tri[3*t : 3*t+3] {
			if i := s.Dof[v]; i >= 0 {
				s.Area[i] += a3
			}
		}
	}
}

// QoI returns Σ_i Area_i u_i over the unknowns (Dirichlet nodes contribute 0).
//
// This is the Kratos tutorial's quantity of interest, Σ_nodes (nodal area × u), an O(h²)
// approximation of ∫_Ω u. It panics if len(u) is not the number of unknowns and allocates
// nothing.
func (s *System) QoI(u []float64) float64 {
	if len(u) != len(s.Area) {
		panic(errQoILen)
	}
	return s.QoIColumn(u, 1, 0)
}

// QoIColumn is QoI of column j of k interleaved vectors (u_i at u[i·k+j]), summed in the same
// order, so its bits do not depend on k. It panics on a length mismatch or j outside [0, k).
func (s *System) QoIColumn(u []float64, k, j int) float64 {
	if k < 1 || j < 0 || j >= k || len(u) != k*len(s.Area) {
		panic(errQoILen)
	}
	var q float64
	for i, a := range s.Area {
		q += float64(a * u[i*k+j])
	}
	return q
}

const errPartTri = "fem: PartWeights triangle index out of range"

// PartWeights returns, for every node, its lumped area over the given triangles: Σ |T|/3 over
// the triangles T of tris that have the node as a corner, summed in the order of tris. Then
// Σ_v w_v u_v is the lumped integral of u over those triangles (the tutorial's QoI over a
// part) and, divided by Σ_v w_v (their area, to rounding), its average. Over all triangles in
// order, its values at the unknowns are Area, bit for bit. A triangle index out of range
// panics. Set-up: it allocates its result.
func (s *System) PartWeights(tris []int32) []float64 {
	m := s.Mesh
	nt := m.NumTris()
	w := make([]float64, m.NumNodes())
	for _, t := range tris {
		if t < 0 || int(t) >= nt {
			panic(errPartTri)
		}
		a3 := m.SignedArea(int(t)) / 3
		for _, v := range m.Tri[3*t : 3*t+3] {
			w[v] += a3
		}
	}
	return w
}
