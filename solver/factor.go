package solver

import "mcfem/chol"

// CholeskyFactor returns the Cholesky factor of a direct solver (Method "cholesky", or "auto"
// when it chose the factor), nil for CG: `mcfem bench` reads its size, flop count and times.
func CholeskyFactor(s Solver) *chol.Factor {
	if d, ok := s.(*direct); ok {
		return d.f
	}
	return nil
}
