package detmath

import (
	"math"
	"math/rand/v2"
)

// Ziggurat tables of Marsaglia & Tsang (2000), "The Ziggurat Method for
// Generating Random Variables", J. Stat. Softw. 5(8), for the normal (128
// strips) and the exponential (256 strips) distribution, as used by
// math/rand/v2. They are computed at package initialization with the
// paper's set-up recurrence (its zigset routine) evaluated with this
// package's Exp and Log, so they are the same on every build; they equal
// math/rand/v2's tables (see the tests).
var (
	kn [128]uint32
	wn [128]float32
	fn [128]float32

	ke [256]uint32
	we [256]float32
	fe [256]float32
)

const (
	// rn is the start of the normal ziggurat's tail, r in Marsaglia & Tsang.
	rn = 3.442619855899
	// vn is the area of each normal ziggurat strip.
	vn = 9.91256303526217e-3
	// re is the start of the exponential ziggurat's tail.
	re = 7.69711747013104972
	// ve is the area of each exponential ziggurat strip.
	ve = 3.949659822581572e-3
)

func init() {
	setupNormal()
	setupExp()
}

// setupNormal fills kn, wn and fn with Marsaglia & Tsang's recurrence:
// x_{i-1} = sqrt(-2 log(v/x_i + f(x_i))), f(x) = exp(-x²/2), m1 = 2**31.
func setupNormal() {
	const m1 = 1 << 31
	dn := rn
	tn := dn
	q := vn / Exp(-.5*dn*dn)
	kn[0] = uint32((dn / q) * m1)
	kn[1] = 0
	wn[0] = float32(q / m1)
	wn[127] = float32(dn / m1)
	fn[0] = 1
	fn[127] = float32(Exp(-.5 * dn * dn))
	for i := 126; i >= 1; i-- {
		dn = math.Sqrt(-2 * Log(vn/dn+Exp(-.5*dn*dn)))
		kn[i+1] = uint32((dn / tn) * m1)
		tn = dn
		fn[i] = float32(Exp(-.5 * dn * dn))
		wn[i] = float32(dn / m1)
	}
}

// setupExp fills ke, we and fe with Marsaglia & Tsang's recurrence:
// x_{i-1} = -log(v/x_i + f(x_i)), f(x) = exp(-x), m2 = 2**32.
func setupExp() {
	const m2 = 1 << 32
	de := re
	te := de
	q := ve / Exp(-de)
	ke[0] = uint32((de / q) * m2)
	ke[1] = 0
	we[0] = float32(q / m2)
	we[255] = float32(de / m2)
	fe[0] = 1
	fe[255] = float32(Exp(-de))
	for i := 254; i >= 1; i-- {
		de = -Log(ve/de + Exp(-de))
		ke[i+1] = uint32((de / te) * m2)
		te = de
		fe[i] = float32(Exp(-de))
		we[i] = float32(de / m2)
	}
}

// checkSource panics if src is nil.
func checkSource(src rand.Source) {
	if src == nil {
		panic("detmath: nil rand.Source")
	}
}

// Float64 returns a uniform float64 in [0, 1) made from one word of src
// exactly as rand.New(src).Float64() of math/rand/v2: the low 53 bits of the
// word divided by 2**53.
func Float64(src rand.Source) float64 {
	checkSource(src)
	return float64(src.Uint64()<<11>>11) / (1 << 53)
}

// NormFloat64 returns a standard normal variate (mean 0, standard deviation
// 1) drawn from src with the ziggurat method of Marsaglia & Tsang (2000),
// "The Ziggurat Method for Generating Random Variables", J. Stat. Softw.
// 5(8), 128 strips, exactly as rand.New(src).NormFloat64() of math/rand/v2:
// the same words of src are consumed and the same value is returned, on
// every build (the wedge test's float32 multiply-add is rounded explicitly
// and Exp and Log are this package's).
func NormFloat64(src rand.Source) float64 {
	checkSource(src)
	for {
		u := src.Uint64()
		j := int32(u) // possibly negative
		i := u >> 32 & 0x7F
		x := float64(float64(j) * float64(wn[i])) // rounded: callers may add it
		if absInt32(j) < kn[i] {
			return x // the rectangle: better than 99% of the time
		}
		if i == 0 { // the tail beyond rn (Marsaglia 1964)
			for {
				x = float64(-Log(Float64(src)) * (1.0 / rn)) // rounded: rn + x below
				y := -Log(Float64(src))
				if y+y >= float64(x*x) {
					break
				}
			}
			if j > 0 {
				return rn + x
			}
			return -rn - x
		}
		// The wedge.
		if fn[i]+float32(float32(Float64(src))*(fn[i-1]-fn[i])) < float32(Exp(-.5*x*x)) {
			return x
		}
	}
}

// absInt32 returns |i| as a uint32 (2**31 for math.MinInt32).
func absInt32(i int32) uint32 {
	if i < 0 {
		return uint32(-i)
	}
	return uint32(i)
}

// ExpFloat64 returns an exponential variate with rate 1 drawn from src with
// the ziggurat method of Marsaglia & Tsang (2000), 256 strips, exactly as
// rand.New(src).ExpFloat64() of math/rand/v2: the same words of src are
// consumed and the same value is returned, on every build.
func ExpFloat64(src rand.Source) float64 {
	checkSource(src)
	for {
		u := src.Uint64()
		j := uint32(u)
		i := uint8(u >> 32)
		x := float64(float64(j) * float64(we[i])) // rounded: callers may add it
		if j < ke[i] {
			return x
		}
		if i == 0 {
			return re - Log(Float64(src))
		}
		if fe[i]+float32(float32(Float64(src))*(fe[i-1]-fe[i])) < float32(Exp(-x)) {
			return x
		}
	}
}
