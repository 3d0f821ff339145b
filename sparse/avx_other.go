//go:build !amd64 || purego

package sparse

// useAVX is false off amd64 (or with the purego tag): the Go kernels run, and the assembly
// kernels' names stand for one function that must not be called.
var useAVX = false

const errNoAVX = "sparse: AVX kernel called without AVX"

func noAVX(*avxArgs) bool { panic(errNoAVX) }

var (
	spmm4AVX          = noAVX
	spmm8AVX          = noAVX
	spmmDot4AVX       = noAVX
	spmmDot8AVX       = noAVX
	sweepForward4AVX  = noAVX
	sweepBackward4AVX = noAVX
)
