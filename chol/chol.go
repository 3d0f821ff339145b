package chol

import (
	"fmt"
	"mcfem/sparse"
	"time"
)

// Options configures New. The zero value is the default: nested dissection down to parts of
// 64 vertices, ordered by minimum degree.
type Options struct {
	// LeafSize is the part size at which nested dissection stops and minimum degree orders
	// the part (0: the default, 64).
	LeafSize int
	// Perm, when not nil, replaces nested dissection by the given ordering, perm[new] = old
	// (the elimination tree postorder is still applied on top). New panics when it is not a
	// permutation of 0..N-1.
	Perm []int32
}

// leafSize returns the effective leaf size.
func (o Options) leafSize() int {
	if o.LeafSize > 0 {
		return o.LeafSize
	}
	return defaultLeafSize
}

// Factor is the Cholesky factorisation P A Pᵀ = L Lᵀ of a symmetric positive definite matrix.
// It is read-only once New returns: any number of goroutines may solve with it at once, each
// with its own Workspace.
//
// L is stored by supernodes: supernode s owns the consecutive columns super[s]..super[s+1]-1
// and one sorted list of row indices, rows[rowPtr[s]:rowPtr[s+1]] (its own columns first, then
// the rows below). Its values, val[valPtr[s]:valPtr[s+1]], are the lower trapezoid of that
// dense nr×nc block in groups of four columns, each group stored by rows from its first
// column's diagonal down (w values per row, zero above the diagonal): the order in which the
// solves read them (see solve.go).
type Factor struct {
	n        int
	perm     []int32 // perm[new] = old
	super    []int32
	rowPtr   []int
	rows     []int32
	valPtr   []int
	val      []float64
	maxFront int // largest row count of a supernode
	flops    float64
	nnz      int64
	ordering string
	times    [3]time.Duration // ordering, symbolic analysis, numeric factorisation
}

// NotPDError reports a pivot that is not positive and finite: the matrix is not (numerically)
// positive definite.
type NotPDError struct {
	Pivot int     // elimination step, in the factor's ordering
	Row   int     // the row (and column) of the input matrix eliminated at that step
	Value float64 // the pivot, before its square root
}

// Error returns "chol: matrix is not positive definite: pivot P (row R of the input) = V".
func (e *NotPDError) Error() string {
	return fmt.Sprintf("chol: matrix is not positive definite: pivot %d (row %d of the input) = %g",
		e.Pivot, e.Row, e.Value)
}

// New orders, analyses and factors the symmetric positive definite matrix a: Analyze, then
// Factor. Only a's lower triangle (entries with column ≤ row) is read; the upper one is taken
// to mirror it. a is not retained.
//
// It returns a *NotPDError when a pivot is not positive and finite. It panics when a is nil or
// inconsistent (RowPtr, Col and Val lengths, column indices out of range) or opt.Perm is not a
// permutation.
func New(a *sparse.CSR, opt Options) (*Factor, error) {
	return Analyze(a, opt).Factor()
}

// Analysis is the ordering and symbolic analysis of a matrix: the size of its Cholesky factor
// (NNZ, Bytes) and the work to compute it (Flops), known before the numeric factorisation,
// so that a caller can decide whether to factor at all.
type Analysis struct {
	f  *Factor // the structure; values not computed yet
	sy *symbolic
}

// Analyze orders a and runs the symbolic analysis, as New does before factoring. Same
// panics as New.
func Analyze(a *sparse.CSR, opt Options) *Analysis {
	checkCSR(a)
	f := &Factor{n: a.N}
	t0 := time.Now()
	perm := opt.Perm
	if perm != nil {
		checkPerm(perm, a.N)
		f.ordering = "given ordering"
	} else {
		perm = newGraph(a).dissect(opt.leafSize())
		f.ordering = "nested dissection"
	}
	t1 := time.Now()
	sy := analyse(a, perm)
	t2 := time.Now()
	f.perm = sy.perm
	f.super = sy.super
	f.rowPtr = sy.rowPtr
	f.rows = sy.rows
	f.valPtr = sy.valPtr
	f.maxFront = sy.maxFront
	f.flops = sy.flops
	f.nnz = sy.nnz
	f.times = [3]time.Duration{t1.Sub(t0), t2.Sub(t1), 0}
	return &Analysis{f: f, sy: sy}
}

// NNZ returns the number of entries L will have (see Factor.NNZ).
func (an *Analysis) NNZ() int64 { return an.f.nnz }

// Flops returns the flop count of the numeric factorisation (see Factor.Flops).
func (an *Analysis) Flops() float64 { return an.f.flops }

// Bytes returns the memory the factor will hold (see Factor.Bytes).
func (an *Analysis) Bytes() int64 { return an.f.bytes(int64(an.f.valPtr[len(an.f.valPtr)-1])) }

// Ordering names the fill-reducing ordering.
func (an *Analysis) Ordering() string { return an.f.ordering }

// Factor runs the numeric factorisation of the analysed matrix (whose values must not have
// changed since Analyze). It returns a *NotPDError when a pivot is not positive and finite.
// It panics when called twice.
func (an *Analysis) Factor() (*Factor, error) {
	if an.sy == nil {
		panic(errFactorTwice)
	}
	f, sy := an.f, an.sy
	an.sy = nil
	t := time.Now()
	err := f.factor(sy)
	f.times[2] = time.Since(t)
	if err != nil {
		return nil, err
	}
	return f, nil
}

const errFactorTwice = "chol: Analysis.Factor called twice"

// checkPerm panics unless p is a permutation of 0..n-1.
func checkPerm(p []int32, n int) {
	if len(p) != n {
		panic(errPerm)
	}
	seen := make([]bool, n)
	for _, v := range p {
		if v < 0 || int(v) >= n || seen[v] {
			panic(errPerm)
		}
		seen[v] = true
	}
}

// N returns the order of the matrix.
func (f *Factor) N() int { return f.n }

// NNZ returns the number of entries of L in its supernodal structure, the diagonal included:
// the explicit zeros of relaxed supernodes count (they are stored and computed with), the few
// padding zeros of the storage layout do not (Bytes counts them).
func (f *Factor) NNZ() int64 { return f.nnz }

// Bytes returns the memory held by the factor: values, row indices, the permutation and the
// per-supernode offsets.
func (f *Factor) Bytes() int64 { return f.bytes(int64(len(f.val))) }

// bytes is Bytes with nval values.
func (f *Factor) bytes(nval int64) int64 {
	return 8*nval + 4*int64(len(f.rows)) + 4*int64(len(f.perm)) +
		4*int64(len(f.super)) + 8*int64(len(f.rowPtr)+len(f.valPtr))
}

// Flops returns the floating-point operation count of the numeric factorisation, Σ_j c_j²
// over the columns of L with c_j entries each (a multiply and an add per pair of entries of a
// column, to leading order), explicit zeros of relaxed supernodes included.
func (f *Factor) Flops() float64 { return f.flops }

// Supernodes returns the number of supernodes.
func (f *Factor) Supernodes() int { return len(f.super) - 1 }

// Ordering names the fill-reducing ordering: "nested dissection" or "given ordering".
func (f *Factor) Ordering() string { return f.ordering }

// Perm returns a copy of the factor's ordering, perm[new] = old (the fill-reducing ordering
// composed with the elimination-tree postorder).
func (f *Factor) Perm() []int32 { return append([]int32(nil), f.perm...) }

// Times returns the time New spent on the ordering, the symbolic analysis and the numeric
// factorisation.
func (f *Factor) Times() (order, symbolic, numeric time.Duration) {
	return f.times[0], f.times[1], f.times[2]
}

// String describes the factor for a run report, e.g. "cholesky: nested dissection,
// L 1.23M nonzeros (19.9 MB), 4093 supernodes, factor 0.21 s".
func (f *Factor) String() string {
	total := f.times[0] + f.times[1] + f.times[2]
	return fmt.Sprintf("cholesky: %s, L %.3gM nonzeros (%.3g MB), %d supernodes, factor %.3g s",
		f.ordering, float64(f.NNZ())/1e6, float64(f.Bytes())/1e6, f.Supernodes(), total.Seconds())
}
