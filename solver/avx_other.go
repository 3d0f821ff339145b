//go:build !amd64 || purego

package solver

// useAVX is false off amd64 (or with the purego tag): the Go kernels run.
var useAVX = false

const errNoAVX = "solver: AVX kernel called without AVX"

func gsLower4AVX(xl, x *float64, xrows int, b *float64, bstride int, rowPtr, col *int32, val *float64, ncol int, invDiag, sub *float64, n int) bool {
	panic(errNoAVX)
}

func gsBack4AVX(xl, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol int, sup *float64, n int) bool {
	panic(errNoAVX)
}
