//go:build amd64

// The references of Log and Exp are math.Log and math.Exp, which on amd64
// are assembly (log_amd64.s, exp_amd64.s): their bits do not depend on
// GOAMD64 or on -tags purego, so these comparisons are meaningful in every
// amd64 build. On other architectures math.Log and math.Exp are different
// code and are not references.

package detmath

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// sweep returns n for a full run and n/10 in -short mode.
func sweep(n int) int {
	if testing.Short() {
		return n / 10
	}
	return n
}

// sameBits fails the test with the first inputs at which got and want
// differ in their bits, and reports how many did.
func sameBits(t *testing.T, name string, xs []float64, got, want func(float64) float64) {
	t.Helper()
	bad := 0
	for _, x := range xs {
		g, w := got(x), want(x)
		if math.Float64bits(g) != math.Float64bits(w) {
			if bad < 5 {
				t.Errorf("%s(%v [%#x]) = %v [%#x], reference %v [%#x]", name, x, math.Float64bits(x),
					g, math.Float64bits(g), w, math.Float64bits(w))
			}
			bad++
		}
	}
	require.Zero(t, bad, "%s: %d of %d inputs differ from the reference", name, bad, len(xs))
	t.Logf("%s: %d inputs, all bit-identical to the reference", name, len(xs))
}

func TestLogMatchesAmd64Assembly(t *testing.T) {
	sameBits(t, "Log", logInputs(1, sweep(10_000_000)), Log, math.Log)
}

// expNoFMA is exp_amd64.s's path for CPUs without FMA, used only to tell
// which path the reference takes on the CPU running the test.
func expNoFMA(x float64) float64 {
	const (
		log2e = 1.4426950408889634073599246810018920
		ln2U  = 0.69314718055966295651160180568695068359375
		ln2L  = 0.28235290563031577122588448175013436025525412068e-12
	)
	if math.IsNaN(x) || math.IsInf(x, 0) || x > 7.09782712893384e+02 {
		return Exp(x) // same in both paths
	}
	t := math.RoundToEven(log2e * x)
	if t < -1075 {
		return 0
	}
	k := int32(t)
	fk := float64(k)
	r := (x - float64(fk*ln2U)) - float64(fk*ln2L)
	r *= 0.0625
	p := 2.4801587301587301587e-5
	for _, c := range []float64{1.9841269841269841270e-4, 1.3888888888888888889e-3, 8.3333333333333333333e-3,
		4.1666666666666666667e-2, 1.6666666666666666667e-1, 0.5, 1} {
		p = float64(p*r) + c
	}
	y := float64(r * p)
	for i := 0; i < 4; i++ {
		y = float64(y * (y + 2))
	}
	y++
	e := k + 0x3FF
	if e <= 0 {
		if e < -52 {
			return 0
		}
		y *= math.Float64frombits(uint64(e+0x3FE) << 52)
		e = 1
	} else if e >= 0x7FF {
		return math.Inf(1)
	}
	return y * math.Float64frombits(uint64(e)<<52)
}

// refExpTakesFMAPath reports whether math.Exp takes exp_amd64.s's FMA path
// on this CPU (it does on CPUs with AVX and FMA), telling the paths apart on
// probe inputs where they differ.
func refExpTakesFMAPath(t *testing.T) bool {
	t.Helper()
	fmaDiff, refIsNoFMA := 0, 0
	for _, x := range expInputs(2, 100000) {
		if math.Float64bits(Exp(x)) != math.Float64bits(expNoFMA(x)) {
			fmaDiff++
			if math.Float64bits(math.Exp(x)) == math.Float64bits(expNoFMA(x)) {
				refIsNoFMA++
			}
		}
	}
	require.NotZero(t, fmaDiff, "probe inputs cannot tell the two paths apart")
	t.Logf("the two paths of exp_amd64.s differ on %d of 100000 probe inputs", fmaDiff)
	return refIsNoFMA != fmaDiff
}

func TestExpMatchesAmd64Assembly(t *testing.T) {
	// Exp reproduces the assembly's FMA path, taken only on CPUs with AVX
	// and FMA.
	if !refExpTakesFMAPath(t) {
		t.Skip("this CPU has no FMA: math.Exp takes the non-FMA path, which is not Exp's reference")
	}
	sameBits(t, "Exp", expInputs(2, sweep(10_000_000)), Exp, math.Exp)
}
