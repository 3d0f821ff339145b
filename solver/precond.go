package solver

import (
	"fmt"
	"math"
	"mcfem/sparse"
)

// Preconditioner applies an approximate inverse of a symmetric positive definite matrix.
type Preconditioner interface {
	// Apply computes z = M⁻¹ r. z and r have the matrix's size and do not overlap.
	Apply(z, r []float64)
}

// BatchPreconditioner applies a preconditioner to k vectors stored interleaved (entry i of
// vector j at index i·k+j). For PCGBatch to give each column the bits PCG gives it alone, the
// result for each column must be computed with the same operations in the same order as
// Apply's.
type BatchPreconditioner interface {
	ApplyBatch(z, r []float64, k int)
}

const errJacobiLen = "solver: Jacobi vector length does not match the preconditioner size"

// Jacobi is the diagonal preconditioner M = diag(A): z_i = r_i / a_ii.
//
// CG's Jacobi kernel sets (kernels.go) fuse its application into the vector updates.
type Jacobi struct {
	InvDiag []float64 // 1 / a_ii per row
}

// NewJacobi returns the Jacobi preconditioner of a. It returns an error naming the row if a
// diagonal entry is ≤ 0, not finite, or missing from the pattern.
func NewJacobi(a *sparse.CSR) (*Jacobi, error) {
	j := &Jacobi{InvDiag: make([]float64, a.N)}
	if err := j.Update(a); err != nil {
		return nil, err
	}
	return j, nil
}

// Update recomputes InvDiag in place from a's current values (after AssembleStiffness),
// allocating nothing. It panics if a's size differs from the preconditioner's; on error
// InvDiag is partly updated and must not be used.
func (j *Jacobi) Update(a *sparse.CSR) error {
	a.Check()
	if len(j.InvDiag) != a.N {
		panic(errJacobiLen)
	}
	for i := range a.N {
		lo, hi := a.RowPtr[i], a.RowPtr[i+1]
		d, found := 0.0, false
		for k, c := range a.Col[lo:hi] {
			if int(c) == i {
				d, found = a.Val[int(lo)+k], true
				break
			}
		}
		switch {
		case !found:
			return fmt.Errorf("solver: Jacobi: row %d has no diagonal entry", i)
		case !(d > 0) || d > math.MaxFloat64:
			return fmt.Errorf("solver: Jacobi: diagonal entry of row %d is %g, want positive and finite", i, d)
		}
		j.InvDiag[i] = 1 / d
	}
	return nil
}

// Apply computes z = D⁻¹ r. It panics on a length mismatch.
func (j *Jacobi) Apply(z, r []float64) {
	if len(z) != len(j.InvDiag) || len(r) != len(j.InvDiag) {
		panic(errJacobiLen)
	}
	for i, d := range j.InvDiag {
		z[i] = d * r[i]
	}
}

// Identity is the trivial preconditioner M = I (plain CG), for comparisons.
type Identity struct{}

// Apply sets z = r.
func (Identity) Apply(z, r []float64) { copy(z, r) }

// ApplyBatch sets z = r for k interleaved vectors.
func (Identity) ApplyBatch(z, r []float64, k int) { copy(z, r) }
