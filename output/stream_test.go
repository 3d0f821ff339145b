package output

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oldRunningMean is runningMean as it was before RunningMean (one pass over a slice): the
// points must keep their bits.
func oldRunningMean(xs []float64, z float64, maxPts int) []meanPoint {
	keep := thinIndices(len(xs), maxPts)
	pts := make([]meanPoint, 0, len(keep))
	var mean, m2 float64
	next := 0
	for i, x := range xs {
		n := float64(i + 1)
		d := x - mean
		mean += d / n
		m2 += float64(d * (x - mean))
		if next < len(keep) && keep[next] == i {
			half := math.NaN()
			if i > 0 {
				half = z * math.Sqrt(m2/(n-1)/n)
			}
			pts = append(pts, meanPoint{N: i + 1, Mean: mean, Half: half})
			next++
		}
	}
	return pts
}

func TestRunningMeanStreamedKeepsItsBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 7, 1999, 2000, 2001, 100003} {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = 1e3 + rng.NormFloat64()
		}
		// The standard errors s/√n (z = 1 multiplies exactly), before the t quantiles scale them.
		want := oldRunningMean(xs, 1, maxCurvePoints)
		rm := newRunningMean(n, maxCurvePoints)
		for _, x := range xs {
			rm.Add(x)
		}
		got := rm.pts
		require.Equal(t, len(want), len(got), "n=%d", n)
		for k := range want {
			assert.Equal(t, want[k].N, got[k].N)
			assert.Equal(t, math.Float64bits(want[k].Mean), math.Float64bits(got[k].Mean), "n=%d point %d", n, k)
			assert.Equal(t, math.Float64bits(want[k].Half), math.Float64bits(got[k].Half), "n=%d point %d", n, k)
		}
	}
}

// TestRunningMeanStreamedDrawsRunningMeanPNG: a RunningMean fed one value at a time draws
// RunningMeanPNG's file of the same values, byte for byte, for small and thinned N.
func TestRunningMeanStreamedDrawsRunningMeanPNG(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{3, 10, 2001} {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = 2 + rng.NormFloat64()
		}
		a, b := filepath.Join(dir, "slice.png"), filepath.Join(dir, "stream.png")
		require.NoError(t, RunningMeanPNG(a, xs, 0.95, 2, "t"))
		rm := NewRunningMean(n)
		for _, x := range xs {
			rm.Add(x)
		}
		require.NoError(t, rm.WritePNG(b, 0.95, 2, "t"))
		ba, err := os.ReadFile(a)
		require.NoError(t, err)
		bb, err := os.ReadFile(b)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(ba, bb), "n=%d: the streamed PNG differs", n)
	}
}

func TestRunningMeanCountsItsValues(t *testing.T) {
	dir := t.TempDir()
	rm := NewRunningMean(5)
	for _, x := range []float64{1, 2, 3} {
		rm.Add(x)
	}
	assert.ErrorContains(t, rm.WritePNG(filepath.Join(dir, "r.png"), 0.95, math.NaN(), "t"), "3 values, not the 5 announced")
	rm.Add(4)
	rm.Add(5)
	require.NoError(t, rm.WritePNG(filepath.Join(dir, "r.png"), 0.95, math.NaN(), "t"))
	rm.Add(6)
	assert.ErrorContains(t, rm.WritePNG(filepath.Join(dir, "r.png"), 0.95, math.NaN(), "t"), "6 values, not the 5 announced")
}

func TestHistogramFixedBins(t *testing.T) {
	// Fixed bins over [min, max]: every value in the bin its position says, in any order;
	// the bars' area 1, contiguous bins from min to max.
	rng := rand.New(rand.NewPCG(5, 6))
	xs := betaSample(20000, 2)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	a, b := NewHistogram(lo, hi), NewHistogram(lo, hi)
	for _, x := range xs {
		a.Add(x)
	}
	for _, i := range rng.Perm(len(xs)) {
		b.Add(xs[i])
	}
	b.Add(math.NaN())
	assert.Equal(t, a.count, b.count, "the counts do not depend on the order")
	assert.Equal(t, 1, b.skipped)
	require.Len(t, a.count, maxBins)
	var total int64
	for j, c := range a.count {
		var want int64
		for _, x := range xs {
			k := min(int((x-lo)/a.width), maxBins-1)
			if k == j {
				want++
			}
		}
		assert.Equal(t, want, c, "bin %d", j)
		total += c
	}
	assert.Equal(t, int64(len(xs)), total)
	dir := t.TempDir()
	require.NoError(t, b.WritePNG(filepath.Join(dir, "h.png"), nil, "t", "x"))

	one := NewHistogram(3, 3)
	one.Add(3)
	assert.Len(t, one.count, minBins, "a range of one value: 10 bins around it")
	assert.Equal(t, int64(1), one.count[minBins/2])
	require.NoError(t, one.WritePNG(filepath.Join(dir, "one.png"), nil, "t", "x"))
	none := NewHistogram(0, 1)
	assert.ErrorContains(t, none.WritePNG(filepath.Join(dir, "none.png"), nil, "t", "x"), "no finite values")
	assert.Panics(t, func() { NewHistogram(1, 0) })
	assert.Panics(t, func() { NewHistogram(math.Inf(-1), 0) })
}
