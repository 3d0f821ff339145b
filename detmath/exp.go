package detmath

import "math"

// Exp returns e**x, the base-e exponential of x.
//
// The method is the one of Go's amd64 assembly (math/exp_amd64.s), after
// N. Shibata, "Efficient evaluation methods of elementary functions suitable
// for SIMD computation", Proc. ISC'10 (2010): k = round(x/ln 2) to nearest
// even, r = (x - k ln 2)/16 with ln 2 split in two parts, a degree-8 Taylor
// polynomial giving e**r - 1, four squarings of (1 + ·) undoing the division
// by 16, and a scaling by 2**k (in two steps for subnormal results). It
// reproduces the assembly's FMA path (taken on CPUs with AVX and FMA, such as
// the machines mcfem's reference results were made on) exactly: where the
// assembly uses VFMADD/VFNMADD this code calls math.FMA, which is correctly
// rounded on every architecture, and every other operation is rounded
// separately. So Exp equals math.Exp of linux/amd64 on an FMA-capable CPU for
// every input, and gives those bits on every build and architecture.
//
// Like the assembly, Exp returns +Inf already for x a little below the true
// overflow threshold (from x >= 1023.5*ln 2, about 709.44, where the rounded
// exponent k reaches 1024).
//
// Special cases: Exp(+Inf) = +Inf, Exp(-Inf) = 0, Exp(NaN) = NaN, and
// Exp(x) = +Inf for x > 7.09782712893384e+02.
func Exp(x float64) float64 {
	const (
		log2e    = 1.4426950408889634073599246810018920                  // 1/ln 2
		ln2U     = 0.69314718055966295651160180568695068359375           // upper part of ln 2
		ln2L     = 0.28235290563031577122588448175013436025525412068e-12 // lower part of ln 2
		overflow = 7.09782712893384e+02
		// Taylor coefficients 1/n! for n = 8, 7, ..., 3; then 1/2 and 1.
		c8 = 2.4801587301587301587e-5
		c7 = 1.9841269841269841270e-4
		c6 = 1.3888888888888888889e-3
		c5 = 8.3333333333333333333e-3
		c4 = 4.1666666666666666667e-2
		c3 = 1.6666666666666666667e-1
	)
	b := math.Float64bits(x)
	if b&^(1<<63) >= 0x7FF0000000000000 { // not finite
		if b == 0xFFF0000000000000 {
			return 0 // -Inf
		}
		return x // +Inf or NaN
	}
	if x > overflow {
		return math.Inf(1)
	}
	// CVTSD2SL: round to nearest even; out of int32 range gives -2**31,
	// which underflows below as in the assembly.
	t := math.RoundToEven(log2e * x)
	k := int32(math.MinInt32)
	if t >= math.MinInt32 {
		k = int32(t)
	}
	e := k + 0x3FF // biased exponent of 2**k
	if e < -52 {
		return 0
	}
	fk := float64(k)
	r := math.FMA(-fk, ln2U, x)
	r = math.FMA(-fk, ln2L, r)
	r *= 0.0625
	p := math.FMA(r, c8, c7)
	p = math.FMA(r, p, c6)
	p = math.FMA(r, p, c5)
	p = math.FMA(r, p, c4)
	p = math.FMA(r, p, c3)
	p = math.FMA(r, p, 0.5)
	p = math.FMA(r, p, 1)
	// y = e**r - 1; (1+y)**2 - 1 = y*(y+2), four times, the last one with
	// the final +1 fused.
	y := float64(r * p)
	y = float64(y * (y + 2))
	y = float64(y * (y + 2))
	y = float64(y * (y + 2))
	y = math.FMA(y, y+2, 1)
	if e <= 0 { // subnormal result: scale by 2**(k+1022), then by 2**-1022
		y = float64(y * math.Float64frombits(uint64(e+0x3FE)<<52))
		e = 1
	} else if e >= 0x7FF {
		return math.Inf(1)
	}
	return float64(y * math.Float64frombits(uint64(e)<<52))
}

// Exp2 returns 2**x, the base-2 exponential of x, computed as Go's pure-Go
// math.Exp2 (after fdlibm's e_exp.c, Sun Microsystems 1993): k = x rounded
// half away from zero, r = (x-k)*ln 2 split into hi - lo, a degree-5 Remez
// polynomial giving e**r, and a scaling by 2**k, without fused multiply-add.
// It equals math.Exp2 of the default linux/amd64 build.
//
// Special cases: Exp2(+Inf) = +Inf, Exp2(NaN) = NaN, Exp2(x) = +Inf for
// x > 1023.9999999999999 and 0 for x < -1074 (so Exp2(-Inf) = 0).
func Exp2(x float64) float64 {
	const (
		overflow  = 1.0239999999999999e+03
		underflow = -1.0740e+03
	)
	switch {
	case x != x:
		return x
	case x > overflow:
		return math.Inf(1)
	case x < underflow:
		return 0
	}
	var k int
	switch {
	case x > 0:
		k = int(x + 0.5)
	case x < 0:
		k = int(x - 0.5)
	}
	t := x - float64(k)
	hi := float64(t * ln2Hi)
	lo := float64(-t * ln2Lo)
	return expmulti(hi, lo, k)
}

// expmulti returns e**r * 2**k where r = hi - lo and |r| <= ln(2)/2, with
// fdlibm's e_exp.c polynomial (Sun Microsystems, 1993):
// c = r - r²(P1 + r²(P2 + ...)), e**r = 1 - ((lo - r*c/(2-c)) - hi).
func expmulti(hi, lo float64, k int) float64 {
	const (
		p1 = 1.66666666666666657415e-01  // 0x3FC55555; 0x55555555
		p2 = -2.77777777770155933842e-03 // 0xBF66C16C; 0x16BEBD93
		p3 = 6.61375632143793436117e-05  // 0x3F11566A; 0xAF25DE2C
		p4 = -1.65339022054652515390e-06 // 0xBEBBBD41; 0xC5D26BF1
		p5 = 4.13813679705723846039e-08  // 0x3E663769; 0x72BEA4D0
	)
	r := hi - lo
	t := r * r
	c := r - float64(t*madd(t, madd(t, madd(t, madd(t, p5, p4), p3), p2), p1))
	y := 1 - ((lo - float64(r*c)/(2-c)) - hi)
	return math.Ldexp(y, k)
}

// Pow returns x**y as Go's pure-Go math.Pow computes it (binary powering of
// the integer part of y, Exp(yf*Log(x)) for the fractional part, with Exp and
// Log those of this package, as math.Pow on amd64 calls the assembly ones).
// It has no additions of products, so fusion cannot change it; it is here so
// that its Exp and Log are the build-independent ones.
func Pow(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case y == 1:
		return x
	case x != x || y != y:
		return math.Float64frombits(canonicalNaN)
	case x == 0:
		switch {
		case y < 0:
			if math.Signbit(x) && isOddInt(y) {
				return math.Inf(-1)
			}
			return math.Inf(1)
		case y > 0:
			if math.Signbit(x) && isOddInt(y) {
				return x
			}
			return 0
		}
	case math.IsInf(y, 0):
		switch {
		case x == -1:
			return 1
		case (math.Abs(x) < 1) == math.IsInf(y, 1):
			return 0
		default:
			return math.Inf(1)
		}
	case math.IsInf(x, 0):
		if math.IsInf(x, -1) {
			return Pow(1/x, -y) // Pow(-0, -y)
		}
		switch {
		case y < 0:
			return 0
		case y > 0:
			return math.Inf(1)
		}
	case y == 0.5:
		return math.Sqrt(x)
	case y == -0.5:
		return 1 / math.Sqrt(x)
	}
	yi, yf := math.Modf(math.Abs(y))
	if yf != 0 && x < 0 {
		return math.Float64frombits(canonicalNaN)
	}
	if yi >= 1<<63 {
		switch {
		case x == -1:
			return 1
		case (math.Abs(x) < 1) == (y > 0):
			return 0
		default:
			return math.Inf(1)
		}
	}
	a1 := 1.0
	ae := 0
	if yf != 0 {
		if yf > 0.5 {
			yf--
			yi++
		}
		a1 = Exp(yf * Log(x))
	}
	x1, xe := math.Frexp(x)
	for i := int64(yi); i != 0; i >>= 1 {
		if xe < -1<<12 || 1<<12 < xe {
			ae += xe
			break
		}
		if i&1 == 1 {
			a1 *= x1
			ae += xe
		}
		x1 = float64(x1 * x1) // rounded: x1 + x1 below must not fuse with it
		xe <<= 1
		if x1 < .5 {
			x1 += x1
			xe--
		}
	}
	if y < 0 {
		a1 = 1 / a1
		ae = -ae
	}
	return math.Ldexp(a1, ae)
}

// isOddInt reports whether x is an odd integer.
func isOddInt(x float64) bool {
	if math.Abs(x) >= 1<<53 {
		return false // every float64 this large is even
	}
	xi, xf := math.Modf(x)
	return xf == 0 && int64(xi)&1 == 1
}
