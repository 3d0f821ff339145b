//go:build amd64 && !purego

package sparse

import "golang.org/x/sys/cpu"

// useAVX selects the assembly kernels (avx_amd64.s) when the processor and the operating
// system support 256-bit AVX (x/sys/cpu checks both: the CPUID bit and the YMM state enabled
// in XCR0). Tests switch it off to compare with the Go kernels.
var useAVX = cpu.X86.HasAVX

// The assembly kernels; each returns false at the first row pointer or column index out of
// range.

//go:noescape
func spmm4AVX(a *avxArgs) bool

//go:noescape
func spmm8AVX(a *avxArgs) bool

//go:noescape
func spmmDot4AVX(a *avxArgs) bool

//go:noescape
func spmmDot8AVX(a *avxArgs) bool

//go:noescape
func sweepForward4AVX(a *avxArgs) bool

//go:noescape
func sweepBackward4AVX(a *avxArgs) bool
