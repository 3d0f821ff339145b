//go:build amd64 && !purego

package sparse

import "golang.org/x/sys/cpu"

// useAVX selects the assembly four- and eight-lane kernels (avx_amd64.s) when the processor
// and the operating system support 256-bit AVX (x/sys/cpu checks both: the CPUID bit and the
// YMM state enabled in XCR0). Tests switch it off to compare with the Go kernels.
var useAVX = cpu.X86.HasAVX

//go:noescape
func spmm4DotAVX(y, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol, n int, d *[4]float64) bool

//go:noescape
func spmm4AVX(y, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol, n int) bool

//go:noescape
func spmm8DotAVX(y, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol, n int, d *[8]float64) bool
