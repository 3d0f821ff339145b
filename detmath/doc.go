// Package detmath implements the elementary functions, random variates and
// quantiles whose bits mcfem's results depend on, computed the same way on
// every build.
//
// The Go compiler may fuse x*y + z into one fused multiply-add (FMA)
// instruction, and does so under GOAMD64=v3 and always on arm64. That changes
// the last bits of the standard library's pure-Go math, of math/rand/v2's
// variates and of gonum's distributions, which cannot be compiled any other
// way. Every function here is written so that no such fusion can happen: each
// product that feeds an addition or subtraction is rounded explicitly with a
// conversion, float64(x*y) + z (or float32(a*b) + c), which the Go
// specification says rounds to the target precision and so prevents fusion.
// Where the reference uses a fused multiply-add itself (the amd64 assembly of
// math.Exp on CPUs with FMA), math.FMA is called, which is correctly rounded
// on every architecture, with or without FMA hardware.
//
// Inside this package only standard-library functions whose results do not
// depend on the build are called: math.Sqrt and math.FMA (correctly
// rounded), math.Abs, math.RoundToEven, math.Modf, math.Frexp, math.Ldexp,
// math.Inf, math.IsInf, math.Signbit and the Float64bits family (exact), and
// integer arithmetic. The one exception is Sincos for |x| >= 2**29, outside
// mcfem's domain, which falls back to math.Sincos (see Sincos).
//
// Each function reproduces, bit for bit, a reference as computed by the
// default linux/amd64 build (GOAMD64=v1) on a CPU with FMA, so that results
// recorded with those references do not change:
//
//   - Log: math.Log (amd64 assembly, log_amd64.s), subnormal inputs included.
//   - Exp: math.Exp (amd64 assembly, exp_amd64.s, its FMA path).
//   - Sincos: math.Sincos (pure Go, Cephes) for |x| < 2**29.
//   - Log2, Exp2: math.Log2, math.Exp2 (pure Go on amd64).
//   - Float64, NormFloat64, ExpFloat64: the methods of rand.New(src) from
//     math/rand/v2, consuming the same words of the source.
//   - Uniform, Normal, LogNormal, Gamma, Beta: Rand of gonum's distuv types
//     with the same parameters and Src.
//   - NormalQuantile: gonum's distuv.Normal{Mu: 0, Sigma: 1}.Quantile.
//   - StudentsTQuantile: gonum's distuv.StudentsT{Mu: 0, Sigma: 1, Nu: nu}.Quantile.
//
// NaN results are NaN on every build, but their payload bits are whatever the
// hardware makes of the operations and are not promised to agree.
package detmath
