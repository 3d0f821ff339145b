package sparse

// Internals for the external tests (package sparse_test), which need internal/testmat and so
// cannot live in package sparse.
var (
	UseAVX       = &useAVX
	ErrMulVecLen = errMulVecLen
	ErrCSRShape  = errCSRShape
)

// Lanes is one kernel's variants by lane count (nil where the reference serves) and its
// reference twin, for the tests that compare them.
type Lanes[F, R any] struct {
	Variants []F
	Ref      R
}

// The kernels under test.
var (
	SpMMLanes          = Lanes[func(y, x []float64, rowPtr, col []int32, val []float64), func(y, x []float64, k int, rowPtr, col []int32, val []float64)]{spmmLanes[:], spmmRef}
	SpMMDotLanes       = Lanes[func(y, x []float64, rowPtr, col []int32, val, d []float64), func(y, x []float64, k int, rowPtr, col []int32, val, d []float64)]{spmmDotLanes[:], spmmDotRef}
	ColDotsLanes       = Lanes[func(d, x, y []float64), func(d, x, y []float64, k int)]{colDotsLanes[:], colDotsRef}
	SweepForwardLanes  = Lanes[func(x []float64, off int, s *Sweep, b []float64, kb, tb, nb int), func(w int, x []float64, off int, s *Sweep, b []float64, kb, tb, nb int)]{sweepForwardLanes[:], sweepForwardRef}
	SweepBackwardLanes = Lanes[func(x []float64, off int, s *Sweep), func(w int, x []float64, off int, s *Sweep)]{sweepBackwardLanes[:], sweepBackwardRef}
)

var (
	ErrKernelLen  = errKernelLen
	ErrSweepLanes = errSweepLanes
)
