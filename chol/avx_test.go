package chol

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/internal/testmat"
)

// The assembly kernels for k = 4 (avx.go, avx_amd64.s) against the Go kernels fwd4 and bwd4,
// bit for bit. The tests are package chol's own, so they switch useAVX directly; where it is
// false (no AVX, -tags purego, not amd64) the assembly does not exist and they skip.

// withoutAVX runs f with the Go kernels.
func withoutAVX(f func()) {
	saved := useAVX
	useAVX = false
	defer func() { useAVX = saved }()
	f()
}

// scaled returns a random value of either sign over forty binades, so that any change in the
// order or the rounding of the operations shows in the last bits.
func scaled(rng *rand.Rand) float64 {
	return math.Ldexp(2*rng.Float64()-1, rng.IntN(41)-20)
}

// kernelCase is one call of a kernel: a group of w columns and n rows after it, gathered (the
// rows after the group in x) or in place (in y at the rows below).
type kernelCase struct {
	tri, rest []float64
	w         int
	x, y      []float64 // in place, x is y's rows [fc, fc+w)
	below     []int32
}

// newKernelCase returns a random case; the triangle's diagonal is positive, away from 0.
func newKernelCase(rng *rand.Rand, w, n int, inPlace bool) kernelCase {
	c := kernelCase{tri: make([]float64, w*w), rest: make([]float64, w*n), w: w}
	for i := range c.tri {
		c.tri[i] = scaled(rng)
	}
	for q := range w {
		c.tri[w*q+q] = 0.5 + rng.Float64()
	}
	for i := range c.rest {
		c.rest[i] = scaled(rng)
	}
	if !inPlace {
		c.x = make([]float64, 4*(w+n))
		for i := range c.x {
			c.x[i] = scaled(rng)
		}
		return c
	}
	// y: a few rows, the group's at fc, then n of the later rows (with gaps) as below.
	fc := rng.IntN(3)
	rows := fc + w + 2*n + 1
	c.y = make([]float64, 4*rows)
	for i := range c.y {
		c.y[i] = scaled(rng)
	}
	c.x = c.y[4*fc : 4*(fc+w)]
	later := rng.Perm(rows - fc - w)[:n]
	slices.Sort(later)
	c.below = make([]int32, 0, n) // not nil even when n = 0, as step passes it
	for _, r := range later {
		c.below = append(c.below, int32(fc+w+r))
	}
	return c
}

// clone returns a deep copy (x stays a part of y in place).
func (c kernelCase) clone() kernelCase {
	d := c
	if c.y == nil {
		d.x = slices.Clone(c.x)
		return d
	}
	d.y = slices.Clone(c.y)
	off := (cap(c.y) - cap(c.x)) // x's offset in y, in values
	d.x = d.y[off : off+len(c.x)]
	return d
}

// run applies the kernel and returns every value it may have written.
func (c kernelCase) run(kern kernel) []float64 {
	kern(c.tri, c.rest, c.w, c.x, c.y, c.below, 4)
	if c.y == nil {
		return c.x
	}
	return c.y
}

// requireSameBits fails at the first entry whose bits differ.
func requireSameBits(t *testing.T, want, got []float64, what string) {
	t.Helper()
	require.Len(t, got, len(want), what)
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("%s: entry %d (row %d lane %d): assembly %v, Go %v", what, i, i/4, i%4, got[i], want[i])
		}
	}
}

// TestAVXKernelsMatchGo: fwd4Fast and bwd4Fast give fwd4's and bwd4's bits exactly, for every
// group width, gathered and in place, from no row after the group to many.
func TestAVXKernelsMatchGo(t *testing.T) {
	if !useAVX {
		t.Skip("no AVX kernels in this build or on this processor")
	}
	rng := testmat.NewRand()
	for w := 1; w <= 4; w++ {
		for _, n := range []int{0, 1, 2, 3, 5, 8, 17, 100} {
			for _, inPlace := range []bool{false, true} {
				name := fmt.Sprintf("w=%d/n=%d/inPlace=%t", w, n, inPlace)
				for rep := range 4 {
					c := newKernelCase(rng, w, n, inPlace)
					requireSameBits(t, c.clone().run(fwd4), c.clone().run(fwd4Fast), name+fmt.Sprintf("/forward/%d", rep))
					requireSameBits(t, c.clone().run(bwd4), c.clone().run(bwd4Fast), name+fmt.Sprintf("/backward/%d", rep))
				}
			}
		}
	}
}

// TestAVXKernelsCheckRows: a row index of below out of y, or arrays inconsistent with the
// group, panic instead of reaching past the arrays.
func TestAVXKernelsCheckRows(t *testing.T) {
	if !useAVX {
		t.Skip("no AVX kernels in this build or on this processor")
	}
	rng := testmat.NewRand()
	for _, kern := range []kernel{fwd4Fast, bwd4Fast} {
		for _, bad := range []int32{-1, 1 << 20} {
			c := newKernelCase(rng, 3, 5, true)
			c.below[2] = bad
			assert.PanicsWithValue(t, errAVXRow, func() { c.run(kern) })
		}
		c := newKernelCase(rng, 3, 5, true)
		c.below[4] = int32(len(c.y) / 4)
		assert.PanicsWithValue(t, errAVXRow, func() { c.run(kern) })
		c = newKernelCase(rng, 2, 4, false)
		assert.PanicsWithValue(t, errAVXLen, func() { kern(c.tri, c.rest[:7], 2, c.x, nil, nil, 4) })
		assert.PanicsWithValue(t, errAVXLen, func() { kern(c.tri[:3], c.rest, 2, c.x, nil, nil, 4) })
		assert.PanicsWithValue(t, errAVXLen, func() { kern(c.tri, c.rest, 5, c.x, nil, nil, 4) })
		assert.PanicsWithValue(t, errAVXLen, func() { kern(c.tri, c.rest, 2, c.x[:7], nil, nil, 4) })
	}
}

// TestSolveBatchAVXBitIdentical: SolveBatch with k = 4 gives the same bits with the assembly
// kernels and with the Go kernels, and the reference's, on real factors (structured,
// shuffled, Kratos meshes, random), whose supernodes reach every group width, gathered and in
// place (TestSolveMatchesReference counts them).
func TestSolveBatchAVXBitIdentical(t *testing.T) {
	if !useAVX {
		t.Skip("no AVX kernels in this build or on this processor")
	}
	rng := testmat.NewRand()
	for _, c := range []testMatrix{
		{"unit square 40", unitSystem(t, 40).K, nil},
		{"unit square 64", unitSystem(t, 64).K, nil},
		{"shuffled square 30", shuffledSystem(t, 30).K, nil},
		{"square_finer_2d.mdpa", mdpaSystem(t, "square_finer_2d.mdpa").K, nil},
		{"Level1.mdpa", mdpaSystem(t, "Level1.mdpa").K, nil},
		{"random n=200 deg=8", testmat.RandomSPD(rng, 200, 8, 1), nil},
		{"random n=30 deg=1", testmat.RandomSPD(rng, 30, 1, 1), nil},
	} {
		f, err := New(c.a, Options{})
		require.NoError(t, err, c.name)
		n := f.N()
		ws := f.NewWorkspace(4)
		b := testmat.RandomVector(rng, 4*n)
		got, want, ref := make([]float64, 4*n), make([]float64, 4*n), make([]float64, 4*n)
		f.SolveBatch(got, b, 4, ws)
		withoutAVX(func() { f.SolveBatch(want, b, 4, ws) })
		f.solveRef(ref, b, 4)
		requireSameBits(t, want, got, c.name+": SolveBatch, AVX against Go")
		requireSameBits(t, ref, got, c.name+": SolveBatch with AVX against solveRef")
	}
}
