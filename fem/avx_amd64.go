//go:build amd64 && !purego

package fem

// useAVX selects the assembly four-lane kernels (avx_amd64.s) when the processor and the
// operating system support 256-bit AVX. Tests switch it off to compare with the Go kernels.
var useAVX = cpuHasAVX()

func cpuHasAVX() bool

//go:noescape
func spmm4DotAVX(y, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol, n int, d *[4]float64) bool

//go:noescape
func spmm4AVX(y, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol, n int) bool

//go:noescape
func gsLower4AVX(xl, x *float64, xrows int, b *float64, bstride int, rowPtr, col *int32, val *float64, ncol int, invDiag, sub *float64, n int) bool

//go:noescape
func gsBack4AVX(xl, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol int, sup *float64, n int) bool

//go:noescape
func spmm8DotAVX(y, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol, n int, d *[8]float64) bool
