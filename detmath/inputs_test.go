package detmath

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
)

// This file builds the deterministic inputs shared by the reference tests
// (amd64 only) and the digest tests (every build). Inputs are made from
// PCG words with integer operations, Float64frombits and explicitly rounded
// arithmetic only, so that they are the same on every build: a plain
// a + u*(b-a) in a test could itself be fused under GOAMD64=v3 or on arm64.

// digest accumulates an FNV-1a hash of float64 bits. All NaNs are hashed as
// one value, since NaN payloads are not promised to agree across builds.
type digest struct{ h uint64 }

func newDigest() *digest { return &digest{h: fnv.New64a().Sum64()} }

func (d *digest) word(w uint64) {
	const prime = 1099511628211
	for i := 0; i < 8; i++ {
		d.h ^= w & 0xFF
		d.h *= prime
		w >>= 8
	}
}

func (d *digest) f64(x float64) {
	if x != x {
		d.word(0x7FF8000000000000)
		return
	}
	d.word(math.Float64bits(x))
}

// between returns a + u*(b-a), rounded step by step.
func between(u, a, b float64) float64 { return a + float64(u*(b-a)) }

// unit returns a uniform float64 in [0, 1) from one PCG word.
func unit(r *rand.PCG) float64 { return float64(r.Uint64()>>11) / (1 << 53) }

// specials are inputs every function should see.
var specials = []float64{
	0, math.Copysign(0, -1), 1, -1, 0.5, 2, math.Inf(1), math.Inf(-1), math.NaN(),
	math.SmallestNonzeroFloat64, 2.2250738585072014e-308, 2.225073858507201e-308,
	math.MaxFloat64, -math.MaxFloat64, math.Sqrt2 / 2, math.Sqrt2, math.Pi, math.E,
	1 + 0x1p-52, 1 - 0x1p-53, 0x1p-1022 * (math.Sqrt2 / 2),
}

// logInputs returns n inputs for Log and Log2: random bit patterns of every
// exponent (positive, subnormal and negative ones), values near 1, and the
// specials.
func logInputs(seed uint64, n int) []float64 {
	r := rand.NewPCG(seed, 0x10)
	xs := append([]float64(nil), specials...)
	for len(xs) < n {
		w := r.Uint64()
		switch w % 8 {
		case 0, 1, 2: // any positive finite double, exponents uniform
			xs = append(xs, math.Float64frombits(w>>1%0x7FF0000000000000))
		case 3: // near 1
			xs = append(xs, between(unit(r), 0.9, 1.1))
		case 4: // very near 1
			xs = append(xs, between(unit(r), 1-0x1p-20, 1+0x1p-20))
		case 5: // subnormals
			xs = append(xs, math.Float64frombits(w>>12))
		case 6: // around sqrt(2)/2 * 2**k
			k := int(w>>40%2000) - 1000
			xs = append(xs, math.Ldexp(math.Float64frombits(math.Float64bits(math.Sqrt2/2)+w%64-32), k))
		default: // negative or non-finite bit patterns
			xs = append(xs, math.Float64frombits(w|1<<63))
		}
	}
	return xs
}

// piece makes one input from u, uniform in [0, 1), and, where it needs them, further words
// of r.
type piece func(u float64, r *rand.PCG) float64

// span is the piece uniform on [a, b).
func span(a, b float64) piece {
	return func(u float64, _ *rand.PCG) float64 { return between(u, a, b) }
}

// mixture returns first followed by random inputs, n in all, from PCG(seed, stream): each
// input takes u from one word and then its piece by the next word modulo len(pieces) (a piece
// listed twice is drawn twice as often).
func mixture(seed, stream uint64, first []float64, n int, pieces ...piece) []float64 {
	r := rand.NewPCG(seed, stream)
	xs := append([]float64(nil), first...)
	for len(xs) < n {
		u := unit(r)
		xs = append(xs, pieces[r.Uint64()%uint64(len(pieces))](u, r))
	}
	return xs
}

// expInputs returns n inputs for Exp: uniform on [-746, 710], near 0, near
// the overflow and underflow edges, and the specials.
func expInputs(seed uint64, n int) []float64 {
	return mixture(seed, 0x20, specials, n,
		span(-746, 710), span(-746, 710), span(-1, 1), span(-0x1p-20, 0x1p-20),
		span(709, 710),   // overflow edge
		span(-746, -707)) // underflow and subnormal edge
}

// exp2Inputs returns n inputs for Exp2: uniform on [-1080, 1030], small
// ones, exact integers and halves, and the specials.
func exp2Inputs(seed uint64, n int) []float64 {
	return mixture(seed, 0x30, specials, n,
		span(-1080, 1030), span(-1080, 1030), span(-2, 2),
		func(_ float64, r *rand.PCG) float64 { return float64(int(r.Uint64()%4300)-2150) / 2 })
}

// sincosInputs returns n inputs for Sincos: |x| < 1e6 (mcfem's domain),
// |x| < 10, tiny ones, multiples of pi/4 and the specials.
func sincosInputs(seed uint64, n int) []float64 {
	return mixture(seed, 0x40, specials[:len(specials)-5], n, // not ±MaxFloat64: past 2**29
		span(-1e6, 1e6), span(-1e6, 1e6), span(-10, 10), span(-1e-6, 1e-6),
		func(_ float64, r *rand.PCG) float64 { return float64(int(r.Uint64()%20001)-10000) * (math.Pi / 4) })
}

// quantileInputs returns probabilities in [0, 1]: a dense uniform grid, a
// log-spaced grid into both tails, the boundaries of AS 241's regions and
// mcfem's 0.5 + confidence/2 levels.
func quantileInputs() []float64 {
	ps := []float64{0, 1, 0.5, 0.075, 0.925, 0.0750000001, math.SmallestNonzeroFloat64, 0x1p-1022, 1 - 0x1p-53}
	for _, c := range []float64{0.5, 0.8, 0.9, 0.95, 0.975, 0.99, 0.999} {
		ps = append(ps, 0.5+c/2, 0.5-c/2)
	}
	for i := 1; i < 100000; i++ {
		ps = append(ps, float64(i)/100000)
	}
	for e := 1; e <= 1074*8; e++ { // p = 2**(-e/8) and 1 - p
		p := math.Ldexp(math.Float64frombits(math.Float64bits(1)+uint64(e%8)<<49), -e/8-1)
		ps = append(ps, p, 1-p)
	}
	return ps
}

// studentsTGrid returns mcfem's degrees of freedom: 1..100, then 300
// log-spaced values from 100 to 1e7, each both as computed (made with this
// package's build-independent Exp) and rounded down to an integer, as
// mcfem's n-1.
func studentsTGrid() []float64 {
	var nus []float64
	for nu := 1; nu <= 100; nu++ {
		nus = append(nus, float64(nu))
	}
	const n = 300
	for i := 0; i <= n; i++ {
		nu := Exp(float64(math.Log(100) + float64(float64(i)*(5*math.Ln10/n))))
		nus = append(nus, nu, math.Floor(nu))
	}
	return nus
}

// studentsTProbs returns mcfem's levels 0.5 + confidence/2, their lower
// counterparts and a few others.
func studentsTProbs() []float64 {
	var ps []float64
	for _, c := range []float64{0.5, 0.8, 0.9, 0.95, 0.975, 0.99, 0.999} {
		ps = append(ps, 0.5+c/2, 0.5-c/2)
	}
	return append(ps, 0.5, 0, 1, 0.6, 0.9999, 1e-6)
}
