package fem

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"mcfem/mesh"
	"mcfem/sparse"
)

// System is the discrete Poisson problem on a mesh with u = 0 on the boundary nodes, the
// boundary eliminated: unknowns are the interior nodes only, so K is SPD.
//
// The unknowns keep the mesh's node order (Node is increasing). A System is read-only while
// samples are solved; AssembleStiffness is the one method that changes it (K.Val).
type System struct {
	Mesh *mesh.Mesh
	Dof  []int32     // per node: unknown index, or -1 for a Dirichlet node
	Node []int32     // per unknown: its node
	K    *sparse.CSR // stiffness (diffusivity 1) over the unknowns, SPD, sorted columns per row
	// Scatter holds 9 entries per triangle: the position in K.Val of the local pair (a,b),
	// row-major, or -1 when either node is Dirichlet or the pair's element entry is zero by
	// geometry (see prunePattern). Built once with the pattern.
	Scatter []int32
	Area    []float64 // lumped nodal area per unknown: 1/3 of the areas of the triangles touching it
	// F holds, per unknown i, the load ∫ f φ_i over the mesh for the System's source f,
	// integrated triangle by triangle with Radon's 7-point degree-5 rule (see load.go): exact
	// when f is a polynomial of degree ≤ 4, in particular for the tutorial problem's quadratic f.
	F []float64

	// ke holds the 3×3 P1 element stiffness of every triangle for diffusivity 1, row-major, 9
	// per triangle (elementStiffness), computed once: every per-sample element loop
	// (AssembleValues, Lift, Reactions) scales it by the triangle's κ instead of recomputing
	// it from the coordinates, 2.4–2.9 times faster (BenchmarkAssembleValues, UnitSquare(n),
	// n = 64…1024) for 72 bytes per triangle. Read-only after NewSystem.
	ke []float64
	// mixed lists the triangles with both a free and a Dirichlet corner, in triangle order:
	// the only ones that couple the unknowns to the Dirichlet values (Lift).
	mixed []int32
}

const (
	errNilSource = "fem: NewSystem with a nil source"
	errKappaLen  = "fem: kappa length does not match the number of triangles"
	errValLen    = "fem: AssembleValues dst length does not match the number of nonzeros"
)

// NewSystem validates the mesh, builds the pattern and scatter map once, assembles K
// (diffusivity 1) and F for source f. Errors: invalid mesh, no unknowns (all nodes Dirichlet).
//
// It also returns an error when the matrix would have more than MaxInt32 nonzeros (int32
// positions) or when f is not finite at a quadrature point. A nil f panics. The System keeps
// m (not a copy): m must not change while the System is in use.
func NewSystem(m *mesh.Mesh, f Source) (*System, error) {
	if f == nil {
		panic(errNilSource)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	s := &System{Mesh: m}
	s.numberDofs()
	if len(s.Node) == 0 {
		return nil, fmt.Errorf("fem: no unknowns: all %d nodes are Dirichlet nodes", m.NumNodes())
	}
	start, adj := nodeCorners(m)
	if err := s.buildPattern(start, adj); err != nil {
		return nil, err
	}
	s.buildScatter(start, adj)
	s.elementMatrices()
	s.prunePattern()
	s.AssembleStiffness(nil)
	s.lumpedArea()
	s.findMixed()
	if err := s.assembleLoad(f); err != nil {
		return nil, err
	}
	return s, nil
}

// numberDofs numbers the non-Dirichlet nodes 0, 1, … in node order.
func (s *System) numberDofs() {
	m := s.Mesh
	s.Dof = make([]int32, m.NumNodes())
	s.Node = make([]int32, 0, m.NumNodes())
	for v, b := range m.Boundary {
		if b {
			s.Dof[v] = -1
			continue
		}
		s.Dof[v] = int32(len(s.Node))
		s.Node = append(s.Node, int32(v))
	}
}

// nodeCorners returns the node-to-triangle adjacency in CSR form: the corners c = 3t + a
// (triangle t, local node a) at node v are adj[start[v]:start[v+1]].
func nodeCorners(m *mesh.Mesh) (start, adj []int32) {
	nn := m.NumNodes()
	start = make([]int32, nn+1)
	for _, v := range m.Tri {
		start[v+1]++
	}
	for v := range nn {
		start[v+1] += start[v]
	}
	next := slices.Clone(start[:nn])
	adj = make([]int32, len(m.Tri))
	for c, v := range m.Tri {
		adj[next[v]] = int32(c)
		next[v]++
	}
	return start, adj
}

// buildPattern builds K's sparsity pattern from the node-to-corner adjacency (nodeCorners):
// row i holds every unknown that shares a triangle with unknown i (itself included), columns
// sorted. Values are allocated and left zero.
func (s *System) buildPattern(start, adj []int32) error {
	m := s.Mesh
	n := len(s.Node)
	rowPtr := make([]int32, n+1)
	col := make([]int32, 0, 7*n) // 7 per row on a regular P1 mesh; append grows otherwise
	mark := make([]int32, n)     // mark[j] = i+1 once column j is in row i
	for i, v := range s.Node {
		lo := len(col)
		for _, c := range adj[start[v]:start[v+1]] {
			t := c / 3
			for _, w := range m.Tri[3*t : 3*t+3] {
				j := s.Dof[w]
				if j < 0 || mark[j] == int32(i+1) {
					continue
				}
				mark[j] = int32(i + 1)
				col = append(col, j)
			}
		}
		slices.Sort(col[lo:])
		if len(col) > math.MaxInt32 {
			return errors.New("fem: stiffness matrix has more than MaxInt32 nonzeros")
		}
		rowPtr[i+1] = int32(len(col))
	}
	s.K = &sparse.CSR{N: n, RowPtr: rowPtr, Col: col, Val: make([]float64, len(col))}
	return nil
}

// buildScatter builds the element-to-CSR map: Scatter[9t+3a+b] is the position in K.Val of
// the entry (row Dof[a], column Dof[b]) for local nodes a, b of triangle t, or -1. It walks the
// rows: a dense marker maps each column of the row to its position, and every triangle at the
// row's node fills its three entries of that row, with no search. start and adj are
// nodeCorners'.
func (s *System) buildScatter(start, adj []int32) {
	m, k := s.Mesh, s.K
	s.Scatter = make([]int32, 9*m.NumTris())
	for i := range s.Scatter {
		s.Scatter[i] = -1
	}
	pos := make([]int32, k.N)
	for i, v := range s.Node {
		lo, hi := k.RowPtr[i], k.RowPtr[i+1]
		for p := lo; p < hi; p++ {
			pos[k.Col[p]] = p
		}
		for _, c := range adj[start[v]:start[v+1]] {
			t, a := int(c)/3, int(c)%3
			tri := m.Tri[3*t : 3*t+3]
			for b, vb := range tri {
				if j := s.Dof[vb]; j >= 0 {
					s.Scatter[9*t+3*a+b] = pos[j]
				}
			}
		}
	}
}

// WithOwnValues returns a copy of s that shares everything but K's values, so that a worker
// can assemble its own per-sample matrix (AssembleStiffness) while others use theirs.
func (s *System) WithOwnValues() *System {
	c := *s
	k := *s.K
	k.Val = slices.Clone(s.K.Val)
	c.K = &k
	return &c
}

// prunePattern drops from K's pattern the off-diagonal entries that every triangle
// contributes exactly zero to: the pair (a,b) of a triangle whose angle opposite edge ab is a
// right angle has β_a β_b + γ_a γ_b = 0, whatever the diffusivity on the triangle. On the
// structured mesh these are the diagonal neighbours, so K keeps the 5-point stencil (5 entries
// per row instead of 7: 28% fewer bytes per SpMV). Entries that vanish only by cancellation
// between triangles are kept: a per-triangle diffusivity can make them nonzero.
func (s *System) prunePattern() {
	m, k := s.Mesh, s.K
	used := make([]bool, len(k.Col))
	for i := range k.N {
		lo, hi := k.RowPtr[i], k.RowPtr[i+1]
		if p, ok := slices.BinarySearch(k.Col[lo:hi], int32(i)); ok {
			used[int(lo)+p] = true // the diagonal stays
		}
	}
	for t := range m.NumTris() {
		ke := s.ke[9*t : 9*t+9]
		for l, pos := range s.Scatter[9*t : 9*t+9] {
			if pos >= 0 && ke[l] != 0 {
				used[pos] = true
			}
		}
	}
	// Compact in place and map old positions to new ones.
	newPos := make([]int32, len(k.Col))
	w := int32(0)
	lo := k.RowPtr[0]
	for i := range k.N {
		hi := k.RowPtr[i+1]
		for p := lo; p < hi; p++ {
			newPos[p] = -1
			if used[p] {
				newPos[p] = w
				k.Col[w] = k.Col[p]
				w++
			}
		}
		lo = hi
		k.RowPtr[i+1] = w
	}
	k.Col = slices.Clone(k.Col[:w])
	k.Val = make([]float64, w)
	for l, pos := range s.Scatter {
		if pos >= 0 {
			s.Scatter[l] = newPos[pos]
		}
	}
}

// AssembleStiffness re-assembles the numeric values of K in place for a per-triangle diffusivity
// kappa (len NumTris) through the scatter map: val[pos[k]] += ke[k], no search, no allocation.
// (The random-field model of a later issue uses it; NewSystem uses it with kappa ≡ 1 — or a
// nil kappa meaning 1.) It is AssembleValues(s.K.Val, kappa).
//
// The P1 element matrix of triangle t with vertices (x_a, y_a) and area A is
//
//	ke[a][b] = kappa[t] (β_a β_b + γ_a γ_b) / (4A)
//	β_a = y_{a+1} - y_{a+2},  γ_a = x_{a+2} - x_{a+1}   (indices mod 3)
//
// A non-nil kappa of the wrong length panics. A preconditioner built on K must be rebuilt
// (Jacobi.Update) after the values change.
func (s *System) AssembleStiffness(kappa []float64) {
	s.AssembleValues(s.K.Val, kappa)
}

// AssembleValues writes into dst (len K.NNZ(), K's pattern) the values of K, the stiffness over
// the unknowns, for the per-triangle diffusivity kappa (len NumTris; nil means 1 everywhere):
// element by element, in triangle order, dst[pos] += float64(kappa[t]·ke[l]) with the cached
// element matrices and the scatter map (AssembleStiffness's arithmetic, so the same bits). It
// allocates nothing. A dst or non-nil kappa of the wrong length panics.
func (s *System) AssembleValues(dst []float64, kappa []float64) {
	nt := s.Mesh.NumTris()
	if kappa != nil && len(kappa) != nt {
		panic(errKappaLen)
	}
	if len(dst) != len(s.K.Val) {
		panic(errValLen)
	}
	clear(dst)
	scatter, kes := s.Scatter[:9*nt], s.ke[:9*nt]
	for t := range nt {
		w := 1.0
		if kappa != nil {
			w = kappa[t]
		}
		ke := kes[9*t : 9*t+9]
		for l, pos := range scatter[9*t : 9*t+9] {
			if pos >= 0 {
				dst[pos] += float64(w * ke[l])
			}
		}
	}
}

// elementMatrices sets s.ke: the element stiffness of every triangle (diffusivity 1).
func (s *System) elementMatrices() {
	m := s.Mesh
	nt := m.NumTris()
	s.ke = make([]float64, 9*nt)
	for t := range nt {
		elementStiffness((*[9]float64)(s.ke[9*t:9*t+9]), m.Coords, m.Tri[3*t:3*t+3])
	}
}

// elementStiffness writes the 3×3 P1 stiffness of the triangle with nodes tri (diffusivity 1),
// row-major, into ke.
func elementStiffness(ke *[9]float64, coords []float64, tri []int32) {
	a, b, c := tri[0], tri[1], tri[2]
	x0, y0 := coords[2*a], coords[2*a+1]
	x1, y1 := coords[2*b], coords[2*b+1]
	x2, y2 := coords[2*c], coords[2*c+1]
	beta := [3]float64{y1 - y2, y2 - y0, y0 - y1}
	gamma := [3]float64{x2 - x1, x0 - x2, x1 - x0}
	area2 := float64(gamma[2]*beta[1]) - float64(gamma[1]*beta[2]) // 2A = (x1-x0)(y2-y0) - (x2-x0)(y1-y0)
	w := 1 / (2 * area2)                                           // 1/(4A)
	for i := range 3 {
		for j := range 3 {
			ke[3*i+j] = w * (float64(beta[i]*beta[j]) + float64(gamma[i]*gamma[j]))
		}
	}
}
