//go:build !amd64 || purego

package sparse

// useAVX is false off amd64 (or with the purego tag): the Go kernels run.
var useAVX = false

const errNoAVX = "sparse: AVX kernel called without AVX"

func spmm4DotAVX(y, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol, n int, d *[4]float64) bool {
	panic(errNoAVX)
}

func spmm4AVX(y, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol, n int) bool {
	panic(errNoAVX)
}

func spmm8DotAVX(y, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol, n int, d *[8]float64) bool {
	panic(errNoAVX)
}
