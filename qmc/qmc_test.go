package qmc

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sobolRef are points of the unscrambled Sobol' sequence in 32 dimensions from an independent
// implementation, scipy 1.10's (which uses the same Joe–Kuo direction numbers and the
// Gray-code order), produced by
//
//	python3 -c "from scipy.stats import qmc; p = qmc.Sobol(32, scramble=False).random(4096);
//	            [print(j, list(p[j])) for j in (5, 100, 1000, 4095)]"
//
// The points of index < 4096 have at most 12 significant bits, so the values are exact.
var sobolRef = []struct {
	j uint64
	x []float64
}{
	{5, []float64{0.875, 0.875, 0.125, 0.375, 0.875, 0.625, 0.875, 0.375, 0.375, 0.125, 0.375, 0.875, 0.875, 0.125, 0.875, 0.375, 0.875, 0.375, 0.375, 0.625, 0.625, 0.625, 0.875, 0.375, 0.375, 0.375, 0.875, 0.125, 0.625, 0.625, 0.875, 0.625}},
	{100, []float64{0.4140625, 0.2578125, 0.7734375, 0.7265625, 0.8828125, 0.7421875, 0.0234375, 0.4765625, 0.6328125, 0.6953125, 0.4609375, 0.6796875, 0.4765625, 0.8515625, 0.3203125, 0.4921875, 0.6796875, 0.7421875, 0.8359375, 0.3359375, 0.7578125, 0.3984375, 0.0078125, 0.4921875, 0.0234375, 0.0078125, 0.9453125, 0.6640625, 0.2421875, 0.7265625, 0.7109375, 0.4140625}},
	{1000, []float64{0.2197265625, 0.0966796875, 0.5185546875, 0.6767578125, 0.2802734375, 0.9072265625, 0.0458984375, 0.8994140625, 0.5009765625, 0.0693359375, 0.0849609375, 0.2548828125, 0.1611328125, 0.3837890625, 0.1435546875, 0.3701171875, 0.7197265625, 0.3447265625, 0.9912109375, 0.7255859375, 0.5224609375, 0.5498046875, 0.9501953125, 0.5400390625, 0.5830078125, 0.9072265625, 0.0400390625, 0.9794921875, 0.0595703125, 0.3408203125, 0.1474609375, 0.1455078125}},
	{4095, []float64{0.000244140625, 0.941162109375, 0.334228515625, 0.901611328125, 0.940185546875, 0.078857421875, 0.949462890625, 0.390869140625, 0.191650390625, 0.246337890625, 0.569580078125, 0.321533203125, 0.368896484375, 0.519775390625, 0.551025390625, 0.416748046875, 0.062255859375, 0.609130859375, 0.813232421875, 0.521240234375, 0.225830078125, 0.732177734375, 0.677978515625, 0.445556640625, 0.183349609375, 0.532958984375, 0.378662109375, 0.028564453125, 0.934326171875, 0.855224609375, 0.361572265625, 0.087646484375}},
}

func TestSobolMatchesReference(t *testing.T) {
	s, err := NewSobol(MaxSobolDims)
	require.NoError(t, err)
	x := make([]uint64, MaxSobolDims)
	for _, r := range sobolRef {
		s.Point(r.j, x)
		for k, want := range r.x {
			assert.Equal(t, want, float64(x[k])*0x1p-52, "point %d dimension %d", r.j, k+1)
		}
	}
}

// TestSobolNets: for m = 1..12 the first 2^m points put one coordinate in each interval
// [i/2^m, (i+1)/2^m) in every dimension ((0, m, 1)-nets), and dimensions 1 and 2 together one
// point in each elementary interval of area 2^-m (a (0, m, 2)-net); a digital shift keeps both.
func TestSobolNets(t *testing.T) {
	s, _ := NewSobol(MaxSobolDims)
	x := make([]uint64, MaxSobolDims)
	for m := 1; m <= 12; m++ {
		n := uint64(1) << m
		for _, shift := range []uint64{0, 0x9e3779b97f4a7 & (1<<SobolBits - 1)} {
			seen := make([]map[uint64]bool, MaxSobolDims)
			for k := range seen {
				seen[k] = map[uint64]bool{}
			}
			boxes := make([]map[[2]uint64]bool, m+1)
			for a := range boxes {
				boxes[a] = map[[2]uint64]bool{}
			}
			for j := range n {
				s.Point(j, x)
				for k := range x {
					u := Uniform(x[k], shift)
					require.True(t, u > 0 && u < 1)
					cell := uint64(u * float64(n))
					require.False(t, seen[k][cell], "m %d dimension %d: two points in cell %d", m, k+1, cell)
					seen[k][cell] = true
				}
				u1, u2 := Uniform(x[0], shift), Uniform(x[1], shift^0x5555)
				for a := 0; a <= m; a++ { // boxes of 2^-a × 2^-(m-a)
					b := [2]uint64{uint64(u1 * math.Ldexp(1, a)), uint64(u2 * math.Ldexp(1, m-a))}
					require.False(t, boxes[a][b], "m %d: two points in the box %v of shape %d", m, b, a)
					boxes[a][b] = true
				}
			}
		}
	}
	_, err := NewSobol(MaxSobolDims + 1)
	assert.Error(t, err)
}

// TestPermIsABijection: Perm(key, n, ·) is a permutation of [0, n) for every n and key tried,
// keys give different permutations, and the positions are spread (the mean displacement of a
// random permutation is about n/3).
func TestPermIsABijection(t *testing.T) {
	for _, n := range []uint64{1, 2, 3, 7, 64, 1000, 4097} {
		var perms [][]uint64
		for _, key := range []uint64{0, 1, 0xdeadbeef} {
			seen := make([]bool, n)
			p := make([]uint64, n)
			var disp float64
			for j := range n {
				v := Perm(key, n, j)
				require.Less(t, v, n)
				require.False(t, seen[v], "n %d key %d: %d twice", n, key, v)
				seen[v], p[j] = true, v
				disp += math.Abs(float64(v) - float64(j))
			}
			if n == 4097 {
				assert.InDelta(t, float64(n)/3, disp/float64(n), float64(n)/30, "mean displacement")
			}
			perms = append(perms, p)
		}
		if n >= 7 {
			assert.NotEqual(t, perms[0], perms[1], "n %d", n)
			assert.NotEqual(t, perms[1], perms[2], "n %d", n)
		}
	}
}
