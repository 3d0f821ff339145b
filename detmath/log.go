package detmath

import "math"

// Coefficients of the fdlibm logarithm (e_log.c and s_log1p.c, Sun
// Microsystems 1993): a minimax polynomial in s*s for
// R(s) = (log((1+s)/(1-s)) - 2s)/s.
const (
	ln2Hi = 6.93147180369123816490e-01 // 0x3fe62e42fee00000, high part of ln 2
	ln2Lo = 1.90821492927058770002e-10 // 0x3dea39ef35793c76, low part of ln 2
	lg1   = 6.666666666666735130e-01   // 0x3FE5555555555593
	lg2   = 3.999999999940941908e-01   // 0x3FD999999997FA04
	lg3   = 2.857142874366239149e-01   // 0x3FD2492494229359
	lg4   = 2.222219843214978396e-01   // 0x3FCC71C51D8E78AF
	lg5   = 1.818357216161805012e-01   // 0x3FC7466496CB03DE
	lg6   = 1.531383769920937332e-01   // 0x3FC39A09D078C69F
	lg7   = 1.479819860511658591e-01   // 0x3FC2F112DF3E5244
)

// canonicalNaN is the NaN that math.NaN returns and that math.Log's amd64
// assembly returns for negative arguments.
const canonicalNaN = 0x7FF8000000000001

// madd returns x*y + z with the product rounded before the addition, so that
// the compiler cannot fuse the two into a fused multiply-add.
func madd(x, y, z float64) float64 {
	return float64(x*y) + z
}

// Log returns the natural logarithm of x.
//
// The algorithm is fdlibm's e_log.c (Sun Microsystems, 1993): x = 2**k * (1+f)
// with sqrt(2)/2 < 1+f <= sqrt(2), s = f/(2+f), and log(1+f) = 2s + s*R(s*s)
// with a degree-7 minimax polynomial R, evaluated with the operation order of
// Go's amd64 assembly (math/log_amd64.s) and without fused multiply-add, so
// the result equals math.Log on linux/amd64 for every input. As in that
// assembly, the exponent and fraction are taken straight from the bits: a
// subnormal x is treated as if its exponent field were that of 2**-1022, so
// Log of a subnormal is not the true logarithm (Log(5e-324) is about -709.1,
// not -744.4), exactly as math.Log on amd64.
//
// Special cases: Log(+Inf) = +Inf, Log(±0) = -Inf, Log(x < 0) = NaN,
// Log(NaN) = NaN.
func Log(x float64) float64 {
	b := math.Float64bits(x)
	switch {
	case b&^(1<<63) == 0:
		return math.Inf(-1)
	case int64(b) < 0: // negative, -Inf and NaNs with the sign bit set
		return math.Float64frombits(canonicalNaN)
	case b >= 0x7FF0000000000000: // +Inf or NaN
		return x
	}
	f1 := math.Float64frombits(b&(1<<52-1) | 0x3FE0000000000000)
	k := float64(int(b>>52) - 0x3FE)
	// The assembly tests !(sqrt(2)/2 < f1), so f1 == sqrt(2)/2 is doubled.
	if f1 <= math.Sqrt2/2 {
		f1 = float64(f1 * 2) // exact, but rounded so that f1 - 1 cannot fuse
		k--
	}
	f := f1 - 1
	s := f / (2 + f)
	s2 := s * s
	s4 := s2 * s2
	t1 := float64(s2 * madd(s4, madd(s4, madd(s4, lg7, lg5), lg3), lg1))
	t2 := float64(s4 * madd(s4, madd(s4, lg6, lg4), lg2))
	r := t1 + t2
	hfsq := float64(0.5 * f * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+r)) + float64(k*ln2Lo))) - f)
}

// Log2 returns the binary logarithm of x, computed as Go's math.Log2 does:
// x = frac * 2**exp with frac in [0.5, 1), exact powers of two give exact
// results, otherwise Log(frac)/ln 2 + exp, with the product rounded before
// the addition. It equals math.Log2 of the default linux/amd64 build.
//
// Special cases are the same as for Log.
func Log2(x float64) float64 {
	frac, exp := math.Frexp(x)
	if frac == 0.5 {
		return float64(exp - 1)
	}
	return float64(Log(frac)*(1/math.Ln2)) + float64(exp)
}

// log1p returns log(1+x) with the algorithm of fdlibm's s_log1p.c (Sun
// Microsystems, 1993) in the operation order of Go's pure-Go math.Log1p,
// without fused multiply-add.
func log1p(x float64) float64 {
	const (
		sqrt2M1     = 4.142135623730950488017e-01  // sqrt(2)-1 = 0x3fda827999fcef34
		sqrt2HalfM1 = -2.928932188134524755992e-01 // sqrt(2)/2-1 = 0xbfd2bec333018866
		small       = 1.0 / (1 << 29)              // 2**-29
		tiny        = 1.0 / (1 << 54)              // 2**-54
		two53       = 1 << 53                      // 2**53
	)
	switch {
	case x < -1 || x != x: // includes -Inf
		return math.Float64frombits(canonicalNaN)
	case x == -1:
		return math.Inf(-1)
	case math.IsInf(x, 1):
		return math.Inf(1)
	}
	absx := math.Abs(x)
	var f float64
	var iu uint64
	k := 1
	if absx < sqrt2M1 {
		if absx < small {
			if absx < tiny {
				return x
			}
			return x - float64(x*x*0.5)
		}
		if x > sqrt2HalfM1 {
			k = 0
			f = x
			iu = 1
		}
	}
	var c float64
	if k != 0 {
		var u float64
		if absx < two53 {
			u = 1.0 + x
			iu = math.Float64bits(u)
			k = int((iu >> 52) - 1023)
			if k > 0 {
				c = 1.0 - (u - x)
			} else {
				c = x - (u - 1.0)
			}
			c /= u
		} else {
			u = x
			iu = math.Float64bits(u)
			k = int((iu >> 52) - 1023)
			c = 0
		}
		iu &= 0x000fffffffffffff
		if iu < 0x0006a09e667f3bcd { // mantissa of sqrt(2)
			u = math.Float64frombits(iu | 0x3ff0000000000000)
		} else {
			k++
			u = math.Float64frombits(iu | 0x3fe0000000000000)
			iu = (0x0010000000000000 - iu) >> 2
		}
		f = u - 1.0
	}
	hfsq := float64(0.5 * f * f)
	fk := float64(k)
	if iu == 0 { // |f| < 2**-20
		if f == 0 {
			if k == 0 {
				return 0
			}
			c += float64(fk * ln2Lo)
			return float64(fk*ln2Hi) + c
		}
		r := float64(hfsq * (1.0 - float64(0.66666666666666666*f)))
		if k == 0 {
			return f - r
		}
		return float64(fk*ln2Hi) - ((r - (float64(fk*ln2Lo) + c)) - f)
	}
	s := f / (2.0 + f)
	z := s * s
	r := float64(z * madd(z, madd(z, madd(z, madd(z, madd(z, madd(z, lg7, lg6), lg5), lg4), lg3), lg2), lg1))
	if k == 0 {
		return f - (hfsq - float64(s*(hfsq+r)))
	}
	return float64(fk*ln2Hi) - ((hfsq - (float64(s*(hfsq+r)) + (float64(fk*ln2Lo) + c))) - f)
}
