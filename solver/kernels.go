package solver

import "mcfem/sparse"

//go:generate go run ../sparse/internal/gen -tmpl solver

// The CG kernel sets. A set is the part of the iteration that touches the vectors: the
// matrix product, the preconditioner and the vector updates, for the k interleaved columns
// of a cgState; the driver (cgSolve, cg.go) owns the scalars and the stopping tests. A set is
// chosen once, when a Worker is made or a matrix given (SetMatrix), or once per call by the
// one-shot PCG and PCGBatch; the driver never asks which set it runs:
//
//	jacobiCSR  Jacobi on the CSR matrix, z = D⁻¹r fused into the sweeps: per iteration one
//	           SpMM with the pᵀAp dots, one sweep for x, r, rᵀD⁻¹r and rᵀr, one for p
//	jacobiBand Jacobi on the matrix's band form (band.go), one column: two sweeps per
//	           iteration, the SpMV with the x and p updates of the previous one fused in
//	textbook   any preconditioner: z = M⁻¹r stored, then rᵀz, then p = z + βp
//
// Each gives a column the bits of every other set's and lane count's for the same
// preconditioner: the same operations on every entry, in the same order.

// cgKernels is a CG kernel set. The driver calls start once; then per iteration mulDot,
// update and, while columns are left, precondDot and direction; and finish once after an
// update that ended the iteration.
type cgKernels interface {
	// start sets p = M⁻¹r and rz_j = r_jᵀM⁻¹r_j.
	start(c *cgState)
	// mulDot sets q = A p and pq_j = p_jᵀq_j (iteration it ≥ 1).
	mulDot(c *cgState, it int)
	// update does x += αp, r −= αq and sets rr_j = r_jᵀr_j (a fused set rzNew too).
	update(c *cgState)
	// precondDot sets rzNew_j = r_jᵀM⁻¹r_j when update has not.
	precondDot(c *cgState)
	// direction sets p = M⁻¹r + βp.
	direction(c *cgState)
	// finish does what update or direction left pending.
	finish(c *cgState)
}

// laneKernels is a vector kernel's variants: the generated ones for k = 1, 4 and 8 columns
// and the reference twin, which serves any other k.
type laneKernels[F any] struct {
	ref, one, four, eight F
}

// at returns the variant for k columns.
func (l *laneKernels[F]) at(k int) F {
	switch k {
	case 1:
		return l.one
	case 4:
		return l.four
	case 8:
		return l.eight
	}
	return l.ref
}

// The vector kernels of the sets, by number of columns.
var (
	residualK        = laneKernels[func(r, b, rr []float64)]{residualRef, residual1, residual4, residual8}
	jacobiStartK     = laneKernels[func(p, r, invDiag, rz []float64)]{jacobiStartRef, jacobiStart1, jacobiStart4, jacobiStart8}
	jacobiUpdateK    = laneKernels[func(x, r, p, q, invDiag, alpha, rz, rr []float64)]{jacobiUpdateRef, jacobiUpdate1, jacobiUpdate4, jacobiUpdate8}
	jacobiDirectionK = laneKernels[func(p, r, invDiag, beta []float64)]{jacobiDirectionRef, jacobiDirection1, jacobiDirection4, jacobiDirection8}
	cgUpdateK        = laneKernels[func(x, r, p, q, alpha, rr []float64)]{cgUpdateRef, cgUpdate1, cgUpdate4, cgUpdate8}
	directionK       = laneKernels[func(p, z, beta []float64)]{directionRef, direction1, direction4, direction8}
)

// jacobiCSR is Jacobi-PCG on the CSR matrix for any k: the preconditioner fused into the
// vector sweeps (z is never stored; rᵀD⁻¹r is summed as r·d·r while r is updated).
type jacobiCSR struct {
	a       *sparse.CSR
	invDiag []float64
}

func (s *jacobiCSR) start(c *cgState) {
	jacobiStartK.at(c.k)(c.p, c.r, s.invDiag, c.rz)
}

func (s *jacobiCSR) mulDot(c *cgState, _ int) {
	sparse.SpMMDot(c.q, c.p, c.k, s.a.RowPtr, s.a.Col, s.a.Val, c.pq)
}

func (s *jacobiCSR) update(c *cgState) {
	jacobiUpdateK.at(c.k)(c.x, c.r, c.p, c.q, s.invDiag, c.alpha, c.rzNew, c.rr)
}

func (s *jacobiCSR) precondDot(*cgState) {}

func (s *jacobiCSR) direction(c *cgState) {
	jacobiDirectionK.at(c.k)(c.p, c.r, s.invDiag, c.beta)
}

func (s *jacobiCSR) finish(*cgState) {}

// jacobiBand is Jacobi-PCG on the band form b of the matrix a, for one column, in two sweeps
// per iteration instead of three: the SpMV sweep also applies the previous iteration's
// x += αp and the new direction p = D⁻¹r + βp (band.fusedDot), and one sweep does r −= αq
// with rᵀD⁻¹r and rᵀr (jacobiResidual). Every operation on every entry is jacobiCSR's, in
// the same order, so the iterates, the iteration count and x are bit-identical to it; the
// last x update is applied by finish.
type jacobiBand struct {
	a       *sparse.CSR // the matrix b was built from: the band must still hold its values
	b       *band
	invDiag []float64
}

const errBandStale = "solver: the matrix's values changed since its band form was built (SetMatrix rebuilds it)"

func (s *jacobiBand) start(c *cgState) {
	if !s.b.of(s.a) {
		panic(errBandStale)
	}
	jacobiStart1(c.p, c.r, s.invDiag, c.rz)
}

func (s *jacobiBand) mulDot(c *cgState, it int) {
	if it == 1 {
		c.pq[0] = s.b.mulDot(c.q, c.p)
		return
	}
	c.pq[0] = s.b.fusedDot(c.q, c.p, c.x, c.r, s.invDiag, c.alpha[0], c.beta[0])
}

func (s *jacobiBand) update(c *cgState) {
	c.rzNew[0], c.rr[0] = jacobiResidual(c.r, c.q, s.invDiag, c.alpha[0])
}

func (s *jacobiBand) precondDot(*cgState) {}

func (s *jacobiBand) direction(*cgState) {} // fused into the next mulDot

func (s *jacobiBand) finish(c *cgState) { axpy(c.x, c.p, c.alpha[0]) }

// textbook is PCG with any preconditioner: Apply for one column, ApplyBatch (which must keep
// Apply's operations per column) for k > 1.
type textbook struct {
	a  *sparse.CSR
	m  Preconditioner
	mb BatchPreconditioner // nil: one column only
}

// precondition sets z = M⁻¹r and d_j = r_jᵀz_j.
func (s *textbook) precondition(c *cgState, d []float64) {
	if c.k == 1 {
		s.m.Apply(c.z, c.r)
	} else {
		s.mb.ApplyBatch(c.z, c.r, c.k)
	}
	sparse.ColDots(d, c.r, c.z, c.k)
}

func (s *textbook) start(c *cgState) {
	s.precondition(c, c.rz)
	copy(c.p, c.z)
}

func (s *textbook) mulDot(c *cgState, _ int) {
	sparse.SpMMDot(c.q, c.p, c.k, s.a.RowPtr, s.a.Col, s.a.Val, c.pq)
}

func (s *textbook) update(c *cgState) {
	cgUpdateK.at(c.k)(c.x, c.r, c.p, c.q, c.alpha, c.rr)
}

func (s *textbook) precondDot(c *cgState) { s.precondition(c, c.rzNew) }

func (s *textbook) direction(c *cgState) { directionK.at(c.k)(c.p, c.z, c.beta) }

func (s *textbook) finish(*cgState) {}
