package solver

import (
	"fmt"
	"mcfem/sparse"
)

// AMGOptions configures NewAMG. A zero field selects its default; the defaults were chosen by
// measuring PCG on the P1 Poisson stiffness of UnitSquare(n), n = 64…1024 (see
// BenchmarkAMGSolve).
type AMGOptions struct {
	// Theta is the strength-of-connection threshold: an off-diagonal a_ij couples i and j
	// strongly when
	//
	//	|a_ij| > Theta·√(a_ii a_jj)
	//
	// and only strong couplings build aggregates. 0 selects the default 0.08; a negative
	// value makes every nonzero coupling strong. Exact zeros are never strong. (0.02 gave the
	// same iterations on the structured mesh with a 3 % smaller hierarchy, but 21 instead of
	// 16 on a jittered mesh at n = 512; 0.12 and above lose both; every coupling strong, 19
	// at n = 1024.)
	Theta float64
	// MaxCoarse stops the coarsening once a level has at most MaxCoarse unknowns; that level
	// is solved exactly by a dense Cholesky factorisation. 0 selects the default 100 (50 to
	// 400 measured alike).
	MaxCoarse int
	// MaxLevels bounds the number of levels, the fine one included. 0 selects the default 20.
	MaxLevels int
}

// Defaults of AMGOptions, and fixed parameters of the set-up.
const (
	amgDefaultTheta     = 0.08
	amgDefaultMaxCoarse = 100
	amgDefaultMaxLevels = 20
	// amgPowerIters power iterations estimate ρ(D⁻¹A) for the prolongator smoothing weight.
	// 10 gave the same CG iterations as 20 at every size; Gershgorin's bound (2.05–2.15
	// against a true 1.35–1.55 on the coarse levels) under-smoothed P and cost 13 → 21
	// iterations at n = 1024.
	amgPowerIters = 10
	// amgMaxDense is the largest coarsest level factorised densely (n³/3 flops, n² floats).
	// A coarsest level left larger because the coarsening stalled (few or no strong
	// couplings, or MaxLevels reached) is smoothed by amgCoarseSweeps symmetric Gauss–Seidel
	// sweeps instead.
	amgMaxDense     = 1000
	amgCoarseSweeps = 4
	// amgMinCoarsening stops the coarsening when a level would keep more than this fraction
	// of the unknowns.
	amgMinCoarsening = 0.9
	// amgMaxGalerkinWork stops the coarsening when a level's Galerkin product would cost more
	// than this many multiply-adds per stored entry of the input matrix: the coarse operators
	// are turning dense (a random sparse graph reaches ~600 nonzeros per row on its second
	// level, and the next product would take minutes). On the P1 stiffness the products cost
	// 6–10 per input entry at the first level and less below.
	amgMaxGalerkinWork = 50
)

// withDefaults returns o with every zero field replaced by its default.
func (o AMGOptions) withDefaults() AMGOptions {
	if o.Theta == 0 {
		o.Theta = amgDefaultTheta
	}
	if o.MaxCoarse <= 0 {
		o.MaxCoarse = amgDefaultMaxCoarse
	}
	if o.MaxLevels <= 0 {
		o.MaxLevels = amgDefaultMaxLevels
	}
	return o
}

// AMG is a smoothed-aggregation algebraic multigrid V-cycle (Vaněk, Mandel, Brezina), used as a
// preconditioner: one cycle from a zero initial guess approximates A⁻¹ r. It is built once per
// matrix by NewAMG and read-only afterwards, so several goroutines may apply it concurrently,
// each with its own AMGWorkspace.
//
// Level l+1 has one unknown per aggregate of level l; the prolongator P is the piecewise
// constant tentative prolongator smoothed by one damped-Jacobi step, the coarse operator is the
// Galerkin product Pᵀ A P. Every level but the coarsest is smoothed by one forward
// Gauss–Seidel sweep before and one backward sweep after the coarse-grid correction, so the
// cycle is a symmetric positive definite operator and CG may use it. The coarsest level is
// solved by a dense Cholesky factorisation.
//
// With A = L + D + U (strict lower, diagonal, strict upper) and level right-hand side b, the
// textbook level cycle
//
//	x₁ = (D+L)⁻¹ b                     forward sweep from x = 0
//	b_c = Pᵀ (b − A x₁),  x_c ≈ A_c⁻¹ b_c   coarse-grid correction
//	x₂ = x₁ + P x_c
//	x₃ = x₂ + (D+U)⁻¹ (b − A x₂)        backward sweep
//
// is computed with two identities that hold because (D+L) x₁ = b: the residual after the
// forward sweep is b − A x₁ = −U x₁, so b_c = −PᵀU x₁; and the backward sweep, whose row i
// reads L x₂ = L x₁ + L P x_c = b − D x₁ + L P x_c, becomes
//
//	x₃ = x₁ − D⁻¹L P x_c − D⁻¹U x₃      (row by row, i descending)
//
// So a level stores −PᵀU (restriction) and D⁻¹LP (prolongation) instead of P and Pᵀ, and a
// cycle reads per level: the lower triangle once, −PᵀU once, D⁻¹LP and the upper triangle
// once — no separate residual, prolongation or lower-triangle pass in the backward sweep. The
// operator is the same as the textbook cycle's (to rounding). With Q = LP and U = Lᵀ it is
//
//	M⁻¹ = (D+L)⁻ᵀ (D + Q B_c Qᵀ) (D+L)⁻¹
//
// where B_c is the next level's cycle (A_c⁻¹ on the coarsest): symmetric positive definite
// for any Q, whatever the quality of the aggregates or of ω.
//
// The solutions of all levels lie end to end in one workspace vector X, and the matrices'
// columns index X directly: a row of the backward pass is one gather over D⁻¹LP (columns in
// the next level's part of X) and the upper triangle (columns in this level's part).
type AMG struct {
	levels []amgLevel
}

// amgLevel is one level of the hierarchy. The operator is stored split and scaled by its
// diagonal, without its exact zeros: the strict lower and upper triangles row by row, less the
// entries next to the diagonal, which sit in sub and sup. The value a sweep has just computed
// (x_{i−1} going forward, x_{i+1} going backward) then stays in a register, and the sweep's
// critical path is one multiply and one subtraction per row.
type amgLevel struct {
	n   int // unknowns
	off int // offset of the level's solution in the workspace vector X
	nnz int // nonzero entries of the operator (for Stats)
	// down is the forward sweep: a_ij / a_ii for j < i−1 with column off+j, Near a_{i,i−1}/a_ii
	// (0 when absent), Scale 1/a_ii.
	down sparse.Sweep
	// up is the backward sweep: row by row (D⁻¹LP)_iJ with column off+n+J (the next level's
	// part of X; none on the coarsest level), then a_ij / a_ii for j > i+1 with column off+j;
	// Near a_{i,i+1}/a_ii.
	up sparse.Sweep
	// restrict is −PᵀU (n_{l+1} × n), column off+j; empty on the coarsest level.
	restrict rect
	// Coarsest level: the dense Cholesky factor L (row-major n×n, lower triangle) and 1/L_ii,
	// or nil to smooth instead.
	chol, cholInv []float64
}

// rect is a rectangular CSR matrix (rows × cols) with int32 indices.
type rect struct {
	rows, cols int
	rowPtr     []int32
	col        []int32
	val        []float64
}

// nnz returns the number of stored entries.
func (s *rect) nnz() int { return len(s.val) }

// AMGStats describes an AMG hierarchy for run reports.
type AMGStats struct {
	Levels []AMGLevelStats // fine to coarse
	// OperatorComplexity is Σ_l NNZ_l / NNZ_0: the smoothing work and operator storage of the
	// hierarchy relative to the fine level's.
	OperatorComplexity float64
	// GridComplexity is Σ_l N_l / N_0: the vector storage relative to the fine level's.
	GridComplexity float64
}

// AMGLevelStats describes one level.
type AMGLevelStats struct {
	N   int // unknowns
	NNZ int // nonzero entries of the level operator (stored exact zeros of the input not counted)
}

// Stats returns the levels' sizes and the complexities.
func (m *AMG) Stats() AMGStats {
	var s AMGStats
	var n, nnz int
	for i := range m.levels {
		l := &m.levels[i]
		s.Levels = append(s.Levels, AMGLevelStats{N: l.n, NNZ: l.nnz})
		n += l.n
		nnz += l.nnz
	}
	if f := s.Levels[0]; f.N > 0 {
		s.OperatorComplexity = float64(nnz) / float64(f.NNZ)
		s.GridComplexity = float64(n) / float64(f.N)
	}
	return s
}

// String formats the statistics on one line, e.g. "3 levels, n 3969/687/104, nnz
// 19593/6009/1456, operator complexity 1.38, grid complexity 1.2".
func (s AMGStats) String() string {
	ns, nnzs := "", ""
	for i, l := range s.Levels {
		sep := "/"
		if i == 0 {
			sep = ""
		}
		ns += fmt.Sprintf("%s%d", sep, l.N)
		nnzs += fmt.Sprintf("%s%d", sep, l.NNZ)
	}
	return fmt.Sprintf("%d levels, n %s, nnz %s, operator complexity %.3g, grid complexity %.3g",
		len(s.Levels), ns, nnzs, s.OperatorComplexity, s.GridComplexity)
}

// AMGWorkspace holds one goroutine's vectors for cycles of up to w ∈ {1, 2, 4} vectors at a
// time (a batch of k vectors is cycled four at a time, see cycle): the solutions of all levels
// end to end (X) and the right-hand side of every coarse level (the fine level's is the
// caller's r), each interleaved with the pass width as stride. Allocated once by NewWorkspace
// or NewBatchWorkspace.
type AMGWorkspace struct {
	k int         // batch size it was made for
	w int         // widest pass: 1, 2 or 4 (k = 1, 2, ≥ 3)
	x []float64   // X: level l's solution at [off_l·w′, (off_l+n_l)·w′) in a pass of width w′ ≤ w
	b [][]float64 // per level; entry 0 unused
}

const (
	errAMGLen       = "solver: AMG vector length does not match the matrix size"
	errAMGWorkspace = "solver: AMG workspace does not belong to this hierarchy or is too small for k"
	errAMGBatch     = "solver: AMG batch size k must be ≥ 1"
)

// NewWorkspace returns a workspace for ApplyWith.
func (m *AMG) NewWorkspace() *AMGWorkspace { return m.NewBatchWorkspace(1) }

// NewBatchWorkspace returns a workspace for ApplyBatch with up to k vectors (and for
// ApplyWith). Its size does not grow past k = 4. It panics if k < 1.
func (m *AMG) NewBatchWorkspace(k int) *AMGWorkspace {
	if k < 1 {
		panic(errAMGBatch)
	}
	w := min(k, 4)
	if w == 3 {
		w = 4
	}
	c := &m.levels[len(m.levels)-1]
	ws := &AMGWorkspace{k: k, w: w, x: make([]float64, (c.off+c.n)*w), b: make([][]float64, len(m.levels))}
	for i := 1; i < len(m.levels); i++ {
		ws.b[i] = make([]float64, m.levels[i].n*w)
	}
	return ws
}

// fits panics unless ws serves this hierarchy with k vectors.
func (m *AMG) fits(ws *AMGWorkspace, k int) {
	c := &m.levels[len(m.levels)-1]
	if ws == nil || ws.k < k || len(ws.x) != (c.off+c.n)*ws.w || len(ws.b) != len(m.levels) {
		panic(errAMGWorkspace)
	}
	for i := 1; i < len(m.levels); i++ {
		if len(ws.b[i]) != m.levels[i].n*ws.w {
			panic(errAMGWorkspace)
		}
	}
}

// ApplyWith computes z = M⁻¹ r, one V-cycle from a zero initial guess, using ws (any workspace
// of this hierarchy). It allocates nothing. It panics if len(z) or len(r) is not the matrix
// size or ws does not fit; z and r must not overlap.
func (m *AMG) ApplyWith(z, r []float64, ws *AMGWorkspace) {
	if len(z) != m.levels[0].n || len(r) != m.levels[0].n {
		panic(errAMGLen)
	}
	m.fits(ws, 1)
	m.cycle(z, r, 1, ws)
}

// ApplyBatch computes z = M⁻¹ r for k vectors stored interleaved (entry i of vector j at
// [i*k+j]): one pass over each level's matrices serves four vectors (eight lanes in one pass
// spill registers and were slower than two passes of four; see cycle for the rest of k). Each vector's result is bit-for-bit the one ApplyWith gives: the same operations in
// the same order. It allocates nothing and panics if k < 1, len(z) or len(r) is not N·k, or
// ws was made for fewer than k vectors; z and r must not overlap.
func (m *AMG) ApplyBatch(z, r []float64, k int, ws *AMGWorkspace) {
	if k < 1 {
		panic(errAMGBatch)
	}
	if len(z) != m.levels[0].n*k || len(r) != m.levels[0].n*k {
		panic(errAMGLen)
	}
	m.fits(ws, k)
	m.cycle(z, r, k, ws)
}

// Bind returns a Preconditioner that applies m with the workspace ws, for PCG. It is also a
// BatchPreconditioner, for PCGBatch with up to the k that ws was made for. The result must be
// used by one goroutine at a time (it owns ws). It panics if ws does not fit.
func (m *AMG) Bind(ws *AMGWorkspace) Preconditioner {
	m.fits(ws, 1)
	return amgBound{m, ws}
}

// amgBound is an AMG bound to one workspace.
type amgBound struct {
	m  *AMG
	ws *AMGWorkspace
}

// Apply computes z = M⁻¹ r with the bound workspace.
func (b amgBound) Apply(z, r []float64) { b.m.ApplyWith(z, r, b.ws) }

// ApplyBatch computes z = M⁻¹ r for k interleaved vectors with the bound workspace.
func (b amgBound) ApplyBatch(z, r []float64, k int) { b.m.ApplyBatch(z, r, k, b.ws) }
