//go:build amd64 && !purego

package chol

import "golang.org/x/sys/cpu"

// useAVX selects the assembly kernels for k = 4 (avx_amd64.s) when the processor and the
// operating system support 256-bit AVX (x/sys/cpu checks both: the CPUID bit and the YMM state
// enabled in XCR0). Tests switch it off to compare with the Go kernels.
var useAVX = cpu.X86.HasAVX

// The assembly kernels (avx.go); each returns false at the first row index of below out of
// range.

//go:noescape
func fwd4AVX(a *avxArgs) bool

//go:noescape
func bwd4AVX(a *avxArgs) bool
