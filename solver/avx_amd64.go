//go:build amd64 && !purego

package solver

import "golang.org/x/sys/cpu"

// useAVX selects the assembly four-lane Gauss–Seidel kernels (avx_amd64.s) when the
// processor and the operating system support 256-bit AVX. Tests switch it off to compare with
// the Go kernels.
var useAVX = cpu.X86.HasAVX

//go:noescape
func gsLower4AVX(xl, x *float64, xrows int, b *float64, bstride int, rowPtr, col *int32, val *float64, ncol int, invDiag, sub *float64, n int) bool

//go:noescape
func gsBack4AVX(xl, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol int, sup *float64, n int) bool
