package stats

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bigSum is the exact sum of xs rounded once to float64, with math/big at a precision that
// holds every bit: the oracle.
func bigSum(xs []float64) float64 {
	acc := new(big.Float).SetPrec(4096)
	for _, x := range xs {
		acc.Add(acc, new(big.Float).SetPrec(4096).SetFloat64(x))
	}
	f, _ := acc.Float64()
	return f
}

func TestExactSumMatchesBigFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		gen  func() float64
	}{
		{"uniform", rng.Float64},
		{"normal", rng.NormFloat64},
		{"wide exponents", func() float64 { return math.Ldexp(rng.NormFloat64(), rng.IntN(200)-100) }},
		{"cancelling", func() float64 { return math.Ldexp(float64(rng.IntN(3)-1), rng.IntN(60)) + rng.Float64()*1e-10 }},
		{"subnormal and huge", func() float64 {
			if rng.IntN(2) == 0 {
				return math.Float64frombits(rng.Uint64N(1 << 52)) // subnormal
			}
			return math.Ldexp(rng.Float64(), 1000+rng.IntN(20))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			xs := make([]float64, 5000)
			for i := range xs {
				xs[i] = tc.gen()
				if rng.IntN(2) == 0 {
					xs[i] = -xs[i]
				}
			}
			var s ExactSum
			for _, x := range xs {
				s.Add(x)
			}
			want := bigSum(xs)
			assert.Equal(t, math.Float64bits(want), math.Float64bits(s.Float64()), "want %g got %g", want, s.Float64())
		})
	}
}

func TestExactSumOrderAndGroupingFree(t *testing.T) {
	// The property rank independence rests on: any split into parts, reduced by adding the
	// parts' Slices, gives the same bits as one sum in any order.
	rng := rand.New(rand.NewPCG(3, 4))
	xs := make([]float64, 10_000)
	for i := range xs {
		xs[i] = math.Ldexp(rng.NormFloat64(), rng.IntN(80)-40)
	}
	var whole ExactSum
	for _, x := range xs {
		whole.Add(x)
	}
	for _, parts := range []int{2, 3, 7, 64} {
		total := make([]int64, exactLen)
		perm := rng.Perm(len(xs))
		for p := range parts {
			var s ExactSum
			for _, i := range perm[p*len(xs)/parts : (p+1)*len(xs)/parts] {
				s.Add(xs[i])
			}
			for k, v := range s.Slice() {
				total[k] += v
			}
		}
		var merged ExactSum
		merged.SetSlice(total)
		require.Equal(t, math.Float64bits(whole.Float64()), math.Float64bits(merged.Float64()), "parts %d", parts)
	}
	// Plain float64 summation in another order usually differs: the test can tell.
	fwd, rev := 0.0, 0.0
	for i := range xs {
		fwd += xs[i]
		rev += xs[len(xs)-1-i]
	}
	assert.NotEqual(t, fwd, rev)
}

func TestExactSumSpecials(t *testing.T) {
	var s ExactSum
	assert.Equal(t, 0.0, s.Float64())
	s.Add(1e308)
	s.Add(1e308)
	assert.True(t, math.IsInf(s.Float64(), 1), "an exact sum beyond MaxFloat64 rounds to +Inf")
	s.Add(-1e308)
	assert.Equal(t, 1e308, s.Float64())
	s.Add(math.Inf(-1))
	assert.True(t, math.IsInf(s.Float64(), -1))
	s.Add(math.Inf(1))
	assert.True(t, math.IsNaN(s.Float64()))
	var n ExactSum
	n.Add(math.NaN())
	assert.True(t, math.IsNaN(n.Float64()))
	var z ExactSum
	z.Add(0.1)
	z.Add(0.2)
	z.Add(-0.3)
	// The doubles 0.1 + 0.2 - 0.3 sum exactly to 2^-55; plain float64 arithmetic gives 2^-54
	// (0.1+0.2 rounds up first).
	assert.Equal(t, math.Ldexp(1, -55), z.Float64())
	a, b, c := 0.1, 0.2, 0.3 // variables: Go evaluates constant expressions exactly
	assert.Equal(t, math.Ldexp(1, -54), (a+b)-c)
	assert.Equal(t, math.Ldexp(1, -55), bigSum([]float64{0.1, 0.2, -0.3}))
}
