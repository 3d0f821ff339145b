package detmath

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	inf  = math.Inf(1)
	nan  = math.NaN()
	negZ = math.Copysign(0, -1)
)

// bitsEqual asserts that got and want are the same float64, NaN matching
// any NaN and -0 differing from +0.
func bitsEqual(t *testing.T, want, got float64, msg string, args ...any) {
	t.Helper()
	if math.IsNaN(want) {
		assert.True(t, math.IsNaN(got), append([]any{msg + ": want NaN, got %v"}, append(args, got)...)...)
		return
	}
	assert.Equal(t, math.Float64bits(want), math.Float64bits(got), append([]any{msg + ": want %v, got %v"}, append(args, want, got)...)...)
}

func TestSpecialValues(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func(float64) float64
		x    float64
		want float64
	}{
		{"Log", Log, 0, -inf},
		{"Log", Log, negZ, -inf},
		{"Log", Log, -1, nan},
		{"Log", Log, -inf, nan},
		{"Log", Log, inf, inf},
		{"Log", Log, nan, nan},
		{"Log", Log, 1, 0},
		{"Log", Log, 2, math.Ln2},
		// Like math.Log on amd64, a subnormal's exponent is read as -1022.
		{"Log", Log, math.SmallestNonzeroFloat64, -709.0895657128241},
		{"Exp", Exp, 0, 1},
		{"Exp", Exp, negZ, 1},
		{"Exp", Exp, inf, inf},
		{"Exp", Exp, -inf, 0},
		{"Exp", Exp, nan, nan},
		{"Exp", Exp, 1, math.E},
		{"Exp", Exp, 709.78, inf}, // past the assembly's threshold k = 1024
		{"Exp", Exp, 709.43, 1.2633808701860083e+308},
		{"Exp", Exp, -745.2, 0},
		{"Exp", Exp, -745.1, 5e-324}, // smallest subnormal, via the two-step scaling
		{"Exp", Exp, -800, 0},
		{"Exp", Exp, -1e300, 0}, // exponent out of int32 range
		{"Log2", Log2, 8, 3},
		{"Log2", Log2, 0.25, -2},
		{"Log2", Log2, math.SmallestNonzeroFloat64, -1074},
		{"Log2", Log2, 0, -inf},
		{"Log2", Log2, -2, nan},
		{"Log2", Log2, inf, inf},
		{"Exp2", Exp2, 10, 1024},
		{"Exp2", Exp2, -1074, math.SmallestNonzeroFloat64},
		{"Exp2", Exp2, 1024, inf},
		{"Exp2", Exp2, -inf, 0},
		{"Exp2", Exp2, nan, nan},
		{"NormalQuantile", NormalQuantile, 0, -inf},
		{"NormalQuantile", NormalQuantile, 1, inf},
		{"NormalQuantile", NormalQuantile, 0.5, 0},
		{"NormalQuantile", NormalQuantile, nan, nan},
		{"log1p", log1p, -1, -inf},
		{"log1p", log1p, -2, nan},
		{"log1p", log1p, 0, 0},
		{"log1p", log1p, inf, inf},
	} {
		bitsEqual(t, c.want, c.f(c.x), "%s(%v)", c.name, c.x)
	}
	for _, c := range []struct{ x, sin, cos float64 }{
		{0, 0, 1},
		{negZ, negZ, 1},
		{inf, nan, nan},
		{-inf, nan, nan},
		{nan, nan, nan},
	} {
		s, co := Sincos(c.x)
		bitsEqual(t, c.sin, s, "Sincos(%v).sin", c.x)
		bitsEqual(t, c.cos, co, "Sincos(%v).cos", c.x)
	}
}

// TestAccuracy checks the functions against the standard library (not bit
// by bit: that is the reference tests' job) so that a wrong constant shows
// up on every build.
func TestAccuracy(t *testing.T) {
	r := rand.NewPCG(9, 9)
	for i := 0; i < 100000; i++ {
		x := between(unit(r), -700, 700)
		// fdlibm and Shibata's method are accurate to < 1 ulp; 4e-16 relative
		// leaves room for the last-bit differences from other builds.
		assert.InEpsilon(t, math.Exp(x), Exp(x), 4e-16, "Exp(%v)", x)
		y := math.Abs(x) + 1e-3
		assert.InDelta(t, math.Log(y), Log(y), 4e-16*math.Abs(math.Log(y))+1e-300, "Log(%v)", y)
		s, c := Sincos(x)
		s0, c0 := math.Sincos(x)
		// Cephes' sin/cos: errors < 1 ulp of 1 for |x| < 2**29.
		assert.InDelta(t, s0, s, 2.3e-16, "sin(%v)", x)
		assert.InDelta(t, c0, c, 2.3e-16, "cos(%v)", x)
		p := unit(r)
		if p > 0 {
			// AS 241 is accurate to about 1e-16 relative.
			assert.InDelta(t, -NormalQuantile(1-p), NormalQuantile(p), 1e-9*(1+math.Abs(NormalQuantile(p))), "symmetry at %v", p)
		}
	}
}

func TestPanics(t *testing.T) {
	src := rand.NewPCG(1, 1)
	for _, c := range []struct {
		name string
		f    func()
		msg  string
	}{
		{"Float64 nil", func() { Float64(nil) }, "detmath: nil rand.Source"},
		{"NormFloat64 nil", func() { NormFloat64(nil) }, "detmath: nil rand.Source"},
		{"ExpFloat64 nil", func() { ExpFloat64(nil) }, "detmath: nil rand.Source"},
		{"Uniform nil", func() { Uniform(nil, 0, 1) }, "detmath: nil rand.Source"},
		{"Normal nil", func() { Normal(nil, 0, 1) }, "detmath: nil rand.Source"},
		{"LogNormal nil", func() { LogNormal(nil, 0, 1) }, "detmath: nil rand.Source"},
		{"Gamma nil", func() { Gamma(nil, 1, 1) }, "detmath: nil rand.Source"},
		{"Beta nil", func() { Beta(nil, 1, 1) }, "detmath: nil rand.Source"},
		{"Gamma alpha 0", func() { Gamma(src, 0, 1) }, "detmath: Gamma shape alpha must be > 0"},
		{"Gamma alpha NaN", func() { Gamma(src, nan, 1) }, "detmath: Gamma shape alpha must be > 0"},
		{"Gamma beta -1", func() { Gamma(src, 1, -1) }, "detmath: Gamma rate beta must be > 0"},
		{"Beta a 0", func() { Beta(src, 0, 1) }, "detmath: Beta shape parameters must be > 0"},
		{"Beta b -1", func() { Beta(src, 1, -1) }, "detmath: Beta shape parameters must be > 0"},
		{"NormalQuantile -0.1", func() { NormalQuantile(-0.1) }, "detmath: NormalQuantile probability out of [0, 1]"},
		{"NormalQuantile 1.1", func() { NormalQuantile(1.1) }, "detmath: NormalQuantile probability out of [0, 1]"},
	} {
		assert.PanicsWithValue(t, c.msg, c.f, c.name)
	}
}

func TestVariatesDoNotAllocate(t *testing.T) {
	src := rand.NewPCG(3, 4)
	var s rand.Source = src
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"Float64", func() { Float64(s) }},
		{"NormFloat64", func() { NormFloat64(s) }},
		{"ExpFloat64", func() { ExpFloat64(s) }},
		{"Uniform", func() { Uniform(s, 0, 1) }},
		{"Normal", func() { Normal(s, 0, 1) }},
		{"LogNormal", func() { LogNormal(s, 0, 1) }},
		{"Gamma small", func() { Gamma(s, 0.1, 1) }},
		{"Gamma boosted", func() { Gamma(s, 0.5, 1) }},
		{"Gamma 1", func() { Gamma(s, 1, 1) }},
		{"Gamma", func() { Gamma(s, 3, 1) }},
		{"Beta", func() { Beta(s, 2, 6) }},
	} {
		assert.Zero(t, testing.AllocsPerRun(1000, c.f), c.name)
	}
}

// TestVariateMoments is a sanity check of the distributions on every build:
// sample means within 5 standard errors (a false alarm about once in 10**6
// runs, and the streams are fixed, so it is deterministic).
func TestVariateMoments(t *testing.T) {
	const n = 20000
	for _, c := range []struct {
		name     string
		f        func(rand.Source) float64
		mean, sd float64
	}{
		{"Float64", Float64, 0.5, math.Sqrt(1.0 / 12)},
		{"NormFloat64", NormFloat64, 0, 1},
		{"ExpFloat64", ExpFloat64, 1, 1},
		{"Uniform(2,5)", func(s rand.Source) float64 { return Uniform(s, 2, 5) }, 3.5, 3 / math.Sqrt(12)},
		{"Normal(1,2)", func(s rand.Source) float64 { return Normal(s, 1, 2) }, 1, 2},
		{"LogNormal(0,0.5)", func(s rand.Source) float64 { return LogNormal(s, 0, 0.5) }, math.Exp(0.125), math.Sqrt((math.Exp(0.25) - 1) * math.Exp(0.25))},
		{"Gamma(0.1,1)", func(s rand.Source) float64 { return Gamma(s, 0.1, 1) }, 0.1, math.Sqrt(0.1)},
		{"Gamma(0.5,2)", func(s rand.Source) float64 { return Gamma(s, 0.5, 2) }, 0.25, math.Sqrt(0.5) / 2},
		{"Gamma(6,2)", func(s rand.Source) float64 { return Gamma(s, 6, 2) }, 3, math.Sqrt(6) / 2},
		{"Beta(2,6)", func(s rand.Source) float64 { return Beta(s, 2, 6) }, 0.25, math.Sqrt(2.0 * 6 / (64 * 9))},
	} {
		src := rand.NewPCG(77, 78)
		sum := 0.0
		for i := 0; i < n; i++ {
			sum += c.f(src)
		}
		assert.InDelta(t, c.mean, sum/n, 5*c.sd/math.Sqrt(n), c.name)
	}
}

func TestZigguratTablesShape(t *testing.T) {
	// Strip edges decrease away from the tail; f = exp(-x²/2) (or exp(-x))
	// increases towards x = 0 where it is 1.
	require.Equal(t, float32(1), fn[0])
	require.Equal(t, float32(1), fe[0])
	for i := 2; i < len(fn); i++ {
		require.Less(t, fn[i], fn[i-1], "fn[%d]", i)
		require.Greater(t, wn[i], wn[i-1], "wn[%d]", i)
	}
	for i := 2; i < len(fe); i++ {
		require.Less(t, fe[i], fe[i-1], "fe[%d]", i)
		require.Greater(t, we[i], we[i-1], "we[%d]", i)
	}
}

func TestStudentsTQuantileSpecialValues(t *testing.T) {
	for _, c := range []struct{ nu, p, want float64 }{
		{5, 0.5, 0},
		{5, 0, -inf},
		{5, 1, inf},
		{1e7, 0.5, 0},
		{3, nan, nan},
	} {
		bitsEqual(t, c.want, StudentsTQuantile(c.nu, c.p), "StudentsTQuantile(%v, %v)", c.nu, c.p)
	}
	// nu = 1 is the Cauchy distribution: tan(pi*(p-1/2)); incbi converges to
	// a few ulps, so 1e-14 relative.
	assert.InEpsilon(t, math.Tan(math.Pi*0.475), StudentsTQuantile(1, 0.975), 1e-14)
	// Large nu tends to the normal quantile: within 1e-6 at nu = 1e7
	// (the difference is about z(z²+1)/(4 nu) ~ 2e-7).
	assert.InDelta(t, NormalQuantile(0.975), StudentsTQuantile(1e7, 0.975), 1e-6)
	for _, f := range []func(){
		func() { StudentsTQuantile(5, -0.1) },
		func() { StudentsTQuantile(5, 1.1) },
	} {
		assert.PanicsWithValue(t, "detmath: StudentsTQuantile probability out of [0, 1]", f)
	}
	for _, nu := range []float64{0, -1, nan, inf} {
		assert.PanicsWithValue(t, "detmath: StudentsTQuantile needs 0 < nu < +Inf", func() { StudentsTQuantile(nu, 0.9) })
	}
}

// TestBinomialCDF: against the sums of the probability mass function for small n, and the
// normal approximation's neighbourhood for a large one.
func TestBinomialCDF(t *testing.T) {
	for _, n := range []int64{1, 5, 20, 101} {
		for _, p := range []float64{0.01, 0.3, 0.5, 0.95} {
			cdf, pmf := 0.0, math.Pow(1-p, float64(n))
			for k := int64(0); k < n; k++ {
				cdf += pmf
				got := BinomialCDF(k, n, p)
				if math.Abs(got-cdf) > 1e-12 {
					t.Fatalf("n %d p %g k %d: %g, want %g", n, p, k, got, cdf)
				}
				pmf *= float64(n-k) / float64(k+1) * p / (1 - p)
			}
		}
	}
	if got := BinomialCDF(500_000, 1_000_000, 0.5); math.Abs(got-0.5) > 1e-3 {
		t.Fatalf("median of Bin(1e6, 0.5): CDF %g", got)
	}
}
