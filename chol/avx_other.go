//go:build !amd64 || purego

package chol

// useAVX is false off amd64 (or with the purego tag): the Go kernels run, and the assembly
// kernels' names stand for one function that must not be called.
var useAVX = false

const errNoAVX = "chol: AVX kernel called without AVX"

func noAVX(*avxArgs) bool { panic(errNoAVX) }

var (
	fwd4AVX = noAVX
	bwd4AVX = noAVX
)
