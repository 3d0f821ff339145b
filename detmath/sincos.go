package detmath

import "math"

// Cephes polynomial coefficients for sin and cos on [0, pi/4]
// (S. L. Moshier, Methods and Programs for Mathematical Functions, 1989;
// cephes/cmath/sin.c).
var (
	sinCoef = [...]float64{
		1.58962301576546568060e-10, // 0x3de5d8fd1fd19ccd
		-2.50507477628578072866e-8, // 0xbe5ae5e5a9291f5d
		2.75573136213857245213e-6,  // 0x3ec71de3567d48a1
		-1.98412698295895385996e-4, // 0xbf2a01a019bfdf03
		8.33333333332211858878e-3,  // 0x3f8111111110f7d0
		-1.66666666666666307295e-1, // 0xbfc5555555555548
	}
	cosCoef = [...]float64{
		-1.13585365213876817300e-11, // 0xbda8fa49a0861a9b
		2.08757008419747316778e-9,   // 0x3e21ee9d7b4e3f05
		-2.75573141792967388112e-7,  // 0xbe927e4f7eac4bc6
		2.48015872888517045348e-5,   // 0x3efa01a019c844f5
		-1.38888888888730564116e-3,  // 0xbf56c16c16c14f91
		4.16666666666665929218e-2,   // 0x3fa555555555554b
	}
)

// SincosReduceThreshold is the magnitude from which Sincos no longer uses
// its own argument reduction but calls math.Sincos, whose bits for such
// arguments may depend on the build.
const SincosReduceThreshold = 1 << 29

// Sincos returns Sin(x), Cos(x).
//
// For |x| < SincosReduceThreshold (2**29) it is Cephes' sin.c/cos.c
// (S. L. Moshier, Methods and Programs for Mathematical Functions, 1989):
// Cody–Waite reduction modulo pi/4 with pi/4 split in three parts, then
// degree-6 polynomials in z² for sin and cos on [0, pi/4], in the operation
// order of Go's pure-Go math.Sincos and without fused multiply-add, so it
// equals math.Sincos of the default linux/amd64 build on every build.
//
// For |x| >= 2**29 it returns math.Sincos(x), whose Payne–Hanek reduction is
// followed by the same polynomials in pure Go: those results are NOT
// promised to be build-independent (they may differ under GOAMD64=v3 or on
// arm64).
//
// Special cases: Sincos(±0) = ±0, 1; Sincos(±Inf) = Sincos(NaN) = NaN, NaN.
func Sincos(x float64) (sin, cos float64) {
	const (
		pi4A = 7.85398125648498535156e-1  // 0x3fe921fb40000000, pi/4 split into three parts
		pi4B = 3.77489470793079817668e-8  // 0x3e64442d00000000
		pi4C = 2.69515142907905952645e-15 // 0x3ce8469898cc5170
	)
	switch {
	case x == 0:
		return x, 1
	case x != x || math.IsInf(x, 0):
		nan := math.Float64frombits(canonicalNaN)
		return nan, nan
	case math.Abs(x) >= SincosReduceThreshold:
		return math.Sincos(x)
	}
	sinSign, cosSign := false, false
	if x < 0 {
		x = -x
		sinSign = true
	}
	j := uint64(x * (4 / math.Pi)) // octant: integer part of x/(pi/4)
	y := float64(j)
	if j&1 == 1 { // map zeros to origin
		j++
		y++
	}
	j &= 7
	z := ((x - float64(y*pi4A)) - float64(y*pi4B)) - float64(y*pi4C)
	if j > 3 { // reflect in x axis
		j -= 4
		sinSign, cosSign = !sinSign, !cosSign
	}
	if j > 1 {
		cosSign = !cosSign
	}
	zz := z * z
	pc := madd(madd(madd(madd(madd(cosCoef[0], zz, cosCoef[1]), zz, cosCoef[2]), zz, cosCoef[3]), zz, cosCoef[4]), zz, cosCoef[5])
	ps := madd(madd(madd(madd(madd(sinCoef[0], zz, sinCoef[1]), zz, sinCoef[2]), zz, sinCoef[3]), zz, sinCoef[4]), zz, sinCoef[5])
	cos = (1.0 - float64(0.5*zz)) + float64(float64(zz*zz)*pc)
	sin = z + float64(float64(z*zz)*ps)
	if j == 1 || j == 2 {
		sin, cos = cos, sin
	}
	if cosSign {
		cos = -cos
	}
	if sinSign {
		sin = -sin
	}
	return sin, cos
}
