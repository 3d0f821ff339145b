package detmath

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The digest tests run in every build (GOAMD64=v1/v3, -tags purego, arm64):
// each hashes the bits of a function's outputs over a fixed input set that
// is made the same way on every build (inputs_test.go) and compares the hash
// with a constant. The constants were recorded from the references on
// linux/amd64 with GOAMD64=v1, and TestReferenceDigests (ref_v1_test.go)
// recomputes them from the references there, so a matching digest in any
// other build shows that it computes the reference bits.

// impls is one implementation of everything digested: this package's
// (ours), or the references (ref_v1_test.go).
type impls struct {
	log, exp, log2, exp2, log1p, normalQuantile func(float64) float64
	sincos                                      func(float64) (float64, float64)
	studentsTQuantile                           func(nu, p float64) float64
	float64, normFloat64, expFloat64            func(rand.Source) float64
	uniform, normal, logNormal, gamma, beta     func(src rand.Source, a, b float64) float64
}

var ours = impls{
	log: Log, exp: Exp, log2: Log2, exp2: Exp2, log1p: log1p, normalQuantile: NormalQuantile,
	sincos: Sincos, studentsTQuantile: StudentsTQuantile,
	float64: Float64, normFloat64: NormFloat64, expFloat64: ExpFloat64,
	uniform: Uniform, normal: Normal, logNormal: LogNormal, gamma: Gamma, beta: Beta,
}

// digestFunc hashes f over xs.
func digestFunc(xs []float64, f func(float64) float64) uint64 {
	d := newDigest()
	for _, x := range xs {
		d.f64(f(x))
	}
	return d.h
}

// digestStream hashes n draws of f from a PCG, and the word that follows.
func digestStream(seed uint64, n int, f func(rand.Source) float64) uint64 {
	d := newDigest()
	src := rand.NewPCG(seed, seed^0x5eed)
	for i := 0; i < n; i++ {
		d.f64(f(src))
	}
	d.word(src.Uint64())
	return d.h
}

// digest2 hashes n draws of a two-parameter variate for each parameter pair.
func digest2(seed uint64, n int, f func(rand.Source, float64, float64) float64, params [][2]float64) uint64 {
	d := newDigest()
	for _, p := range params {
		d.word(digestStream(seed, n, func(s rand.Source) float64 { return f(s, p[0], p[1]) }))
	}
	return d.h
}

// gammaParams and betaParams cover every branch of Gamma and Beta.
var (
	gammaParams = [][2]float64{{0.01, 1}, {0.1, 2}, {0.199, 1}, {0.2, 1}, {0.5, 1}, {0.9, 3}, {1, 1}, {1, 0.25},
		{1.5, 1}, {2, 1}, {6, 2}, {100, 1}, {1e4, 0.5}}
	betaParams = [][2]float64{{2, 6}, {0.5, 0.5}, {1, 3}, {0.1, 0.15}, {30, 0.7}, {1, 1}}
)

// digestCases are the digests and the constants recorded from the
// references (GOAMD64=v1 on linux/amd64, a CPU with FMA).
var digestCases = []struct {
	name string
	want uint64
	f    func(m impls) uint64
}{
	{"Log", 0x32d22b40706165e4, func(m impls) uint64 { return digestFunc(logInputs(101, 200_000), m.log) }},
	{"Exp", 0x4a7d7603882948e7, func(m impls) uint64 { return digestFunc(expInputs(102, 200_000), m.exp) }},
	{"Sincos", 0xfba9ccf7cec50f1e, func(m impls) uint64 {
		xs := sincosInputs(103, 200_000)
		return digestFunc(xs, func(x float64) float64 { s, _ := m.sincos(x); return s }) ^
			digestFunc(xs, func(x float64) float64 { _, c := m.sincos(x); return c })*3
	}},
	{"Log2", 0x9b89118cc2efe55, func(m impls) uint64 { return digestFunc(logInputs(104, 100_000), m.log2) }},
	{"Exp2", 0x461f50fc6342bd4c, func(m impls) uint64 { return digestFunc(exp2Inputs(105, 100_000), m.exp2) }},
	{"log1p", 0x42eb01fee135d1f5, func(m impls) uint64 { return digestFunc(logInputs(106, 100_000), m.log1p) }},
	{"NormalQuantile", 0x3a8eb774c5c681af, func(m impls) uint64 { return digestFunc(quantileInputs(), m.normalQuantile) }},
	{"StudentsTQuantile", 0x7059911804a5bc70, func(m impls) uint64 {
		d := newDigest()
		for _, nu := range studentsTGrid() {
			for _, p := range studentsTProbs() {
				d.f64(m.studentsTQuantile(nu, p))
			}
		}
		return d.h
	}},
	{"Float64", 0x9221803dfc0508ae, func(m impls) uint64 { return digestStream(107, 50_000, m.float64) }},
	{"NormFloat64", 0x936db6d17d6f0144, func(m impls) uint64 { return digestStream(108, 200_000, m.normFloat64) }},
	{"ExpFloat64", 0x7ddc0981318d291, func(m impls) uint64 { return digestStream(109, 200_000, m.expFloat64) }},
	{"Uniform", 0xc8fa00c400d1d9b6, func(m impls) uint64 { return digest2(110, 20_000, m.uniform, [][2]float64{{-3, 7.5}, {0, 1}}) }},
	{"Normal", 0x2b90df7fe1d71274, func(m impls) uint64 { return digest2(111, 20_000, m.normal, [][2]float64{{1.5, 0.3}, {-2, 10}}) }},
	{"LogNormal", 0x52708596ec47b20c, func(m impls) uint64 { return digest2(112, 20_000, m.logNormal, [][2]float64{{-0.2, 0.8}, {3, 2}}) }},
	{"Gamma", 0x60adfd7d25a3a475, func(m impls) uint64 { return digest2(113, 20_000, m.gamma, gammaParams) }},
	{"Beta", 0x9a1c8382ee8927bc, func(m impls) uint64 { return digest2(114, 20_000, m.beta, betaParams) }},
}

func TestDigests(t *testing.T) {
	for _, c := range digestCases {
		got := c.f(ours)
		assert.Equal(t, c.want, got, "%s: digest %#x, reference %#x", c.name, got, c.want)
	}
}

// TestZigguratTableDigest checks the ziggurat tables computed at init, on
// every build, against the digest of math/rand/v2's tables (which
// TestZigguratTablesMatchGo compares entry by entry on amd64).
func TestZigguratTableDigest(t *testing.T) {
	d := newDigest()
	for i := range kn {
		d.word(uint64(kn[i]))
		d.f64(float64(wn[i]))
		d.f64(float64(fn[i]))
	}
	for i := range ke {
		d.word(uint64(ke[i]))
		d.f64(float64(we[i]))
		d.f64(float64(fe[i]))
	}
	assert.Equal(t, uint64(0x409c4a8f65bae3bd), d.h, "ziggurat tables digest %#x", d.h)
}
