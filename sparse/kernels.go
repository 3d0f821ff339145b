package sparse

//go:generate go run ./internal/gen -tmpl sparse

// The exported kernels: each checks its arguments once and runs the variant for its lane
// count — generated from sparse.tmpl (kernels_gen.go), in assembly where avx_amd64.s has one —
// or, for a lane count without one, the reference loop (kernels_ref.go).

const (
	errKernelLen  = "sparse: kernel vectors too short for the matrix rows and the lane count"
	errSweepLanes = "sparse: a sweep takes 1, 2 or 4 lanes"
)

// SpMV computes y = A x for the rows of rowPtr: y_i = Σ_e val_e·x_col(e), each sum from 0
// in the stored order. A may be rectangular (x needs a row per column of A). y and x must
// not overlap. It panics if y is shorter than the rows.
func SpMV(y, x []float64, rowPtr, col []int32, val []float64) {
	checkLanes(y, rowPtr, 1)
	spmm1(y, x, rowPtr, col, val)
}

// SpMVDot computes y = A x and returns xᵀy = xᵀA x in the same pass (the pᵀAp of CG), for a
// square A, summed in row order. It panics if x or y is shorter than the rows.
func SpMVDot(y, x []float64, rowPtr, col []int32, val []float64) float64 {
	checkLanes(y, rowPtr, 1)
	checkLanes(x, rowPtr, 1)
	var d [1]float64
	spmmDot1(y, x, rowPtr, col, val, d[:])
	return d[0]
}

// SpMM computes Y = A X for k ≥ 1 vectors stored interleaved (entry i of vector j at
// i·k+j): one pass over the matrix serves the k vectors, each with SpMV's sums. A may be
// rectangular, as for SpMV. It panics if k < 1 or y is shorter than k rows.
func SpMM(y, x []float64, k int, rowPtr, col []int32, val []float64) {
	checkLanes(y, rowPtr, k)
	if k < len(spmmLanes) && spmmLanes[k] != nil {
		spmmLanes[k](y, x, rowPtr, col, val)
		return
	}
	spmmRef(y, x, k, rowPtr, col, val)
}

// SpMMDot computes Y = A X and d_j = x_jᵀy_j in the same pass, like SpMVDot per vector, for
// a square A. It panics if k < 1, x or y is shorter than k rows, or d than k.
func SpMMDot(y, x []float64, k int, rowPtr, col []int32, val []float64, d []float64) {
	checkLanes(y, rowPtr, k)
	checkLanes(x, rowPtr, k)
	if len(d) < k {
		panic(errKernelLen)
	}
	d = d[:k]
	if k < len(spmmDotLanes) && spmmDotLanes[k] != nil {
		spmmDotLanes[k](y, x, rowPtr, col, val, d)
		return
	}
	spmmDotRef(y, x, k, rowPtr, col, val, d)
}

// ColDots sets d_j = Σ_i x[i·k+j]·y[i·k+j] for the k interleaved vectors of x and y, summed
// in row order. It panics if k < 1, y is shorter than x, or d than k.
func ColDots(d, x, y []float64, k int) {
	if k < 1 || len(y) < len(x) || len(d) < k {
		panic(errKernelLen)
	}
	d = d[:k]
	if k < len(colDotsLanes) && colDotsLanes[k] != nil {
		colDotsLanes[k](d, x, y)
		return
	}
	colDotsRef(d, x, y, k)
}

// checkLanes panics unless k ≥ 1 and v holds k lanes of the rows of rowPtr.
func checkLanes(v []float64, rowPtr []int32, k int) {
	if k < 1 || len(rowPtr) < 1 || len(v) < k*(len(rowPtr)-1) {
		panic(errKernelLen)
	}
}

// Sweep is one direction of a Gauss–Seidel sweep over n rows of a matrix scaled by its
// diagonal (ã_ij = a_ij/a_ii): the rows' entries in CSR form, less the one next to the
// diagonal on the side the sweep comes from, which is Near (the sweep keeps the value it has
// just computed in a register). The columns index a vector X of which the n swept rows are
// a part (at an offset), so entries may reach outside them (the AMG's coarse-grid terms).
type Sweep struct {
	RowPtr, Col []int32   // n+1 row pointers; columns index X
	Val         []float64 // the entries ã_ij
	Near        []float64 // ã_{i,i−1} going forward, ã_{i,i+1} going backward (0 where absent)
	Scale       []float64 // SweepForward: 1/a_ii, the factor of b_i
}

// SweepForward is the forward sweep from x = 0 for w ∈ {1, 2, 4} lanes stored interleaved
// in X (entry i of lane q at X[i·w+q]), on the rows x = X[w·off : w·(off+n)]:
//
//	x_i = b_i·Scale_i − Σ_e Val_e·X_Col(e) − Near_i·x_{i−1}     i = 0 … n−1
//
// with the sum in the stored order. b is read with stride kb from offset tb, nb ∈ {w−1, w}
// lanes of it (with w−1 the last lane starts from b = 0). Every lane goes through the same
// operations in the same order as a single vector.
func SweepForward(w int, x []float64, off int, s *Sweep, b []float64, kb, tb, nb int) {
	if w >= len(sweepForwardLanes) || sweepForwardLanes[w] == nil {
		panic(errSweepLanes)
	}
	sweepForwardLanes[w](x, off, s, b, kb, tb, nb)
}

// SweepBackward is the backward sweep in place, for w ∈ {1, 2, 4} lanes as in SweepForward:
//
//	x_i = x_i − Σ_e Val_e·X_Col(e) − Near_i·x_{i+1}     i = n−1 … 0
func SweepBackward(w int, x []float64, off int, s *Sweep) {
	if w >= len(sweepBackwardLanes) || sweepBackwardLanes[w] == nil {
		panic(errSweepLanes)
	}
	sweepBackwardLanes[w](x, off, s)
}
