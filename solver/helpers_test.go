package solver

import (
	"testing"

	"github.com/stretchr/testify/require"

	"mcfem/fem"
	"mcfem/internal/testmat"
	"mcfem/sparse"
)

// unitSystem returns the reference-problem fem.System on UnitSquare(n).
func unitSystem(t testing.TB, n int) *fem.System {
	s, err := fem.NewSystem(testmat.UnitSquare(t, n), testmat.Source)
	require.NoError(t, err)
	return s
}

// jacobiSystem returns the reference-problem fem.System on UnitSquare(n) and the Jacobi
// preconditioner of its K.
func jacobiSystem(t testing.TB, n int) (*fem.System, *Jacobi) {
	s := unitSystem(t, n)
	jac, err := NewJacobi(s.K)
	require.NoError(t, err)
	return s, jac
}

// identity is the identity preconditioner; being a distinct type, it sends PCG down the
// generic (unfused) path.
type identity struct{}

func (identity) Apply(z, r []float64) { copy(z, r) }

// generic wraps a Jacobi preconditioner so that PCG takes the generic path with the same
// preconditioner as the fused one.
type generic struct{ j *Jacobi }

func (g generic) Apply(z, r []float64) { g.j.Apply(z, r) }

// oddSizes are the sizes kernels are compared on: empty, one, a small odd size and a large
// prime-ish size past any unrolling.
var oddSizes = []int{0, 1, 7, 10003}

// jacobiQoI solves the System's load for ε with Jacobi-PCG to rtol from u = 0 and returns
// the QoI.
func jacobiQoI(t testing.TB, s *fem.System, eps, rtol float64) float64 {
	jac, err := NewJacobi(s.K)
	require.NoError(t, err)
	b, u := make([]float64, s.K.N), make([]float64, s.K.N)
	s.Load(eps, b)
	_, err = PCG(s.K, jac, b, u, rtol, 10*s.K.N+10, NewWorkspace(s.K.N))
	require.NoError(t, err)
	return s.QoI(u)
}

// solveWith runs the CG driver with the kernel set ks on one column, as PCG does.
func solveWith(ks cgKernels, a *sparse.CSR, b, x []float64, rtol float64, maxit int) (Result, error) {
	res, errs := make([]Result, 1), make([]error, 1)
	cgSolve(a, ks, b, x, 1, rtol, maxit, NewWorkspace(a.N), res, errs)
	return res[0], errs[0]
}

// newCGWorker returns a worker of CG with preconditioner pc and batches of k on a.
func newCGWorker(t testing.TB, a *sparse.CSR, pc string, k int) *cgWorker {
	s, err := New(a, Options{PC: pc, Rtol: 1e-8, MaxIt: 10*a.N + 10, Batch: k}, false)
	require.NoError(t, err)
	return s.NewWorker().(*cgWorker)
}
