package sparse

// Internals for the external tests (package sparse_test), which need internal/testmat and so
// cannot live in package sparse.
var (
	UseAVX       = &useAVX
	Spmm4Dot     = spmm4Dot
	Spmm8Dot     = spmm8Dot
	ErrMulVecLen = errMulVecLen
	ErrCSRShape  = errCSRShape
)
