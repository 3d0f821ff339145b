package sparse

// CSR is a sparse matrix in compressed sparse row form with int32 indices.
//
// Row i holds the columns Col[RowPtr[i]:RowPtr[i+1]] and values Val[RowPtr[i]:RowPtr[i+1]];
// the matrix is N×N. A nonzero costs 12 bytes (8 value + 4 column).
type CSR struct {
	N      int
	RowPtr []int32
	Col    []int32
	Val    []float64
}

const (
	errCSRShape    = "sparse: CSR RowPtr, Col and Val lengths are inconsistent with N"
	errMulVecLen   = "sparse: MulVec vector length does not match the matrix size"
	errMulMultiLen = "sparse: MulMulti block length does not match N·k"
)

// NNZ returns the number of stored entries (explicit zeros included).
func (a *CSR) NNZ() int { return len(a.Val) }

// Check panics unless RowPtr has N+1 entries ending at len(Col) == len(Val).
func (a *CSR) Check() {
	if a.N < 0 || len(a.RowPtr) != a.N+1 || len(a.Col) != len(a.Val) ||
		int(a.RowPtr[a.N]) != len(a.Col) || a.RowPtr[0] != 0 {
		panic(errCSRShape)
	}
}

// MulVec computes y = A x. It panics if len(x) or len(y) differs from N or the CSR arrays
// are inconsistent. y and x must not overlap.
func (a *CSR) MulVec(y, x []float64) {
	a.Check()
	if len(x) != a.N || len(y) != a.N {
		panic(errMulVecLen)
	}
	SpMV(y, x, a.RowPtr, a.Col, a.Val)
}

// MulMulti computes Y = A X for k vectors stored interleaved: vector j's entry i is
// x[i*k+j], so one pass over the matrix serves all k vectors and each stored entry is read once
// for k multiply-adds. It panics if k < 1 or len(x), len(y) differ from N·k; y and x must not
// overlap.
func (a *CSR) MulMulti(y, x []float64, k int) {
	a.Check()
	if k < 1 || len(x) != a.N*k || len(y) != a.N*k {
		panic(errMulMultiLen)
	}
	SpMM(y, x, k, a.RowPtr, a.Col, a.Val)
}

// MulVecRef is MulVec's reference twin: the obvious loop over the stored entries, with no
// slicing, unrolling or fusion, against which the tuned kernels are tested. It computes the
// same bits as SpMV (spmmRef is the same loop for k interleaved vectors).
func (a *CSR) MulVecRef(y, x []float64) {
	for i := 0; i < a.N; i++ {
		var s float64
		for k := a.RowPtr[i]; k < a.RowPtr[i+1]; k++ {
			s += float64(a.Val[k] * x[a.Col[k]])
		}
		y[i] = s
	}
}

// SpMVBytes is the byte model of one SpMV y = A x on an n×n CSR matrix with nnz entries: the
// compulsory memory traffic when x stays in cache after its first touch,
//
//	nnz·(8 value + 4 column) + (n+1)·4 row pointers + n·8 read of x + n·8 write of y.
//
// Bytes per nonzero dominate (≈ 12 + 20/7 for the 7-point P1 rows), so SpMV is memory-bound:
// its attainable rate is bandwidth / SpMVBytes.
func SpMVBytes(n, nnz int) int64 {
	return 12*int64(nnz) + 4*int64(n+1) + 16*int64(n)
}

// SpMVFlops is the flop model of one SpMV: a multiply and an add per stored entry.
func SpMVFlops(nnz int) int64 { return 2 * int64(nnz) }
