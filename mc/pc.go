package mc

import "mcfem/fem"

// bindPC returns a worker's view of the shared preconditioner: the AMG hierarchy is shared
// read-only and bound to the worker's own workspace (sized for batches of k); Jacobi and the
// identity keep no per-call state and are used as they are.
func bindPC(pc any, k int) fem.Preconditioner {
	switch p := pc.(type) {
	case *fem.AMG:
		return p.Bind(p.NewBatchWorkspace(k))
	case fem.Preconditioner:
		return p
	}
	panic("mc: unknown preconditioner type")
}

// newAMG builds the smoothed-aggregation hierarchy with its default options.
func newAMG(a *fem.CSR) (*fem.AMG, error) {
	return fem.NewAMG(a, fem.AMGOptions{})
}
