package mc

import (
	"mcfem/solver"
	"mcfem/sparse"
)

// bindPC returns a worker's view of the shared preconditioner: the AMG hierarchy is shared
// read-only and bound to the worker's own workspace (sized for batches of k); Jacobi and the
// identity keep no per-call state and are used as they are.
func bindPC(pc any, k int) solver.Preconditioner {
	switch p := pc.(type) {
	case *solver.AMG:
		return p.Bind(p.NewBatchWorkspace(k))
	case solver.Preconditioner:
		return p
	}
	panic("mc: unknown preconditioner type")
}

// newAMG builds the smoothed-aggregation hierarchy with its default options.
func newAMG(a *sparse.CSR) (*solver.AMG, error) {
	return solver.NewAMG(a, solver.AMGOptions{})
}
