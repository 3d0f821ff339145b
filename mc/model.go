package mc

import (
	"fmt"

	"mcfem/fem"
	"mcfem/mesh"
)

// Model is the reference problem on one mesh (SPEC.md): -Δu = ε f on the unit square,
// u = 0 on the boundary, QoI = Σ_i area_i u_i. Everything in it is independent of the sample
// and read-only once built, so a rank builds it once and every sample shares it: the mesh, the
// CSR pattern and stiffness matrix, the Jacobi preconditioner and the load shape ∫ f φ_i.
// Each sample still assembles its own load vector ε·F and runs its own CG solve from u = 0.
type Model struct {
	Cells int
	Mesh  *mesh.Mesh
	Sys   *fem.System
	PC    *fem.Jacobi
	Rtol  float64
	MaxIt int
}

// NewModel builds the model on the structured mesh of cells×cells squares.
func NewModel(cells int, rtol float64, maxit int) (*Model, error) {
	m, err := mesh.UnitSquare(cells)
	if err != nil {
		return nil, err
	}
	sys, err := fem.NewSystem(m, fem.ReferenceSource)
	if err != nil {
		return nil, err
	}
	pc, err := fem.NewJacobi(sys.K)
	if err != nil {
		return nil, fmt.Errorf("mc: preconditioner: %w", err)
	}
	return &Model{Cells: cells, Mesh: m, Sys: sys, PC: pc, Rtol: rtol, MaxIt: maxit}, nil
}

// Solver is one worker's writable state for the model: the load and solution vectors and the
// CG workspace, allocated once and reused by every sample.
type Solver struct {
	m    *Model
	b, u []float64
	ws   *fem.Workspace
}

// NewSolver allocates a worker's state.
func (m *Model) NewSolver() *Solver {
	n := m.Sys.K.N
	return &Solver{m: m, b: make([]float64, n), u: make([]float64, n), ws: fem.NewWorkspace(n)}
}

// Solve assembles the load for ε, solves K u = b by Jacobi-preconditioned CG from u = 0 and
// returns the QoI. It allocates nothing. On a CG failure the error is fem's (typed) and the
// QoI is NaN.
func (s *Solver) Solve(eps float64) (qoi float64, res fem.Result, err error) {
	sys := s.m.Sys
	sys.Load(eps, s.b)
	clear(s.u)
	res, err = fem.PCG(sys.K, s.m.PC, s.b, s.u, s.m.Rtol, s.m.MaxIt, s.ws)
	if err != nil {
		return nan, res, err
	}
	return sys.QoI(s.u), res, nil
}
