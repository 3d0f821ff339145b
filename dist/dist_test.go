package dist

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

func TestParseMomentsMatchSampling(t *testing.T) {
	// Each distribution's exact mean and variance against 2·10⁵ draws: within 5 standard
	// errors of the sample mean and (for the variance) a 5% band, generous for these
	// light-tailed cases (lognormal with σ = 0.25 is mildly skewed).
	for _, s := range []string{"beta:2,6", "uniform:-1,3", "normal:0.5,0.2", "lognormal:-1,0.25"} {
		t.Run(s, func(t *testing.T) {
			d, err := Parse(s, ".")
			require.NoError(t, err)
			assert.Equal(t, s, d.String())
			assert.Zero(t, d.Len())
			src := rand.NewPCG(1, 2)
			xs := make([]float64, 200_000)
			for i := range xs {
				xs[i] = d.Draw(i, src)
			}
			mean, v := stat.MeanVariance(xs, nil)
			assert.InDelta(t, d.Mean(), mean, 5*math.Sqrt(d.Variance()/float64(len(xs))))
			assert.InEpsilon(t, d.Variance(), v, 0.05)
			assert.InDelta(t, d.Skewness(), stat.Skew(xs, nil), 0.05+0.1*math.Abs(d.Skewness()))
			require.NotNil(t, d.PDF())
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{"beta", "beta:0,6", "beta:2", "beta:a,b", "uniform:3,1", "normal:0,0", "normal:0,-1",
		"lognormal:0,0", "gamma:1,2", "beta:NaN,2", "beta:2,Inf", "list:/does/not/exist"} {
		_, err := Parse(s, ".")
		assert.Error(t, err, s)
		assert.Contains(t, err.Error(), "dist: ", s)
	}
}

func TestListDist(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "eps.txt"), []byte("# heat fluxes\n0.1\n\n0.25 # mean\n0.5"), 0o644))
	d, err := Parse("list:eps.txt", dir)
	require.NoError(t, err)
	assert.Equal(t, 3, d.Len())
	assert.Equal(t, "list:eps.txt", d.String())
	assert.Equal(t, []float64{0.1, 0.25, 0.5}, []float64{d.Draw(0, nil), d.Draw(1, nil), d.Draw(2, nil)})
	assert.True(t, math.IsNaN(d.Mean()))

	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.txt"), []byte("0.1\n0.2\nzero\n"), 0o644))
	_, err = Parse("list:bad.txt", dir)
	require.Error(t, err)
	assert.True(t, strings.HasSuffix(strings.SplitN(err.Error(), ": ", 2)[0], "bad.txt:3"), err.Error())
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"beta:2,6", "uniform:0,1", "normal:0,1", "lognormal:0,1", "beta:", ":", "list:", "beta:1e308,1e308"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.HasPrefix(s, "list:") {
			return // reads files: covered by TestListDist
		}
		d, err := Parse(s, t.TempDir())
		if err != nil {
			return
		}
		src := rand.NewPCG(1, 2)
		for i := range 3 {
			_ = d.Draw(i, src)
		}
		_ = d.String()
	})
}

func TestBetaExactMoments(t *testing.T) {
	// SPEC.md: skewness 0.6928203 and excess kurtosis 0.1090909 of Beta(2,6), mean 1/4,
	// variance 12/576 (printed to 7 digits there).
	d := Beta(2, 6)
	assert.InDelta(t, 0.25, d.Mean(), 1e-15)
	assert.InDelta(t, 12.0/576, d.Variance(), 1e-15)
	assert.InDelta(t, 0.6928203, d.Skewness(), 1e-7)
	assert.InDelta(t, 0.1090909, d.ExKurtosis(), 1e-7)
}

func TestStreamKeyIndependentOfNeighbours(t *testing.T) {
	// Adjacent (seed, i) must give unrelated keys: no two of 3×1000 keys coincide, and the
	// first draws of adjacent samples are not correlated (|r| < 4/√n, a 4σ bound).
	seen := map[[2]uint64]bool{}
	const n = 1000
	var xs, ys []float64
	for seed := uint64(0); seed < 3; seed++ {
		for i := uint64(0); i < n; i++ {
			k1, k2 := StreamKey(seed, 0, i)
			require.False(t, seen[[2]uint64{k1, k2}])
			seen[[2]uint64{k1, k2}] = true
		}
	}
	src := rand.NewPCG(0, 0)
	for i := uint64(0); i < n; i++ {
		SeedSample(src, 1, 0, i)
		xs = append(xs, float64(src.Uint64()>>11))
		SeedSample(src, 1, 0, i+1)
		ys = append(ys, float64(src.Uint64()>>11))
	}
	assert.Less(t, math.Abs(stat.Correlation(xs, ys, nil)), 4/math.Sqrt(n))
	// Same key, same stream.
	SeedSample(src, 42, 0, 7)
	a := src.Uint64()
	SeedSample(src, 42, 0, 7)
	assert.Equal(t, a, src.Uint64())
}

func TestMomentsAgreeWithGonum(t *testing.T) {
	// Every kind's exact moments are gonum's (to rounding: ours round products before sums and
	// use detmath's exp), and its density is gonum's.
	for _, tc := range []struct {
		d   Random
		ref interface {
			Mean() float64
			Variance() float64
			ExKurtosis() float64
			Prob(float64) float64
		}
		skew float64
	}{
		{Beta(2, 6), distuv.Beta{Alpha: 2, Beta: 6}, 0.6928203230275509},
		{Random{"uniform", -1, 3}, distuv.Uniform{Min: -1, Max: 3}, 0},
		{Random{"normal", 0.5, 2}, distuv.Normal{Mu: 0.5, Sigma: 2}, 0},
		{Random{"lognormal", 0.1, 0.4}, distuv.LogNormal{Mu: 0.1, Sigma: 0.4}, distuv.LogNormal{Mu: 0.1, Sigma: 0.4}.Skewness()},
	} {
		d := tc.d
		// 1e-14 relative: a few roundings apart.
		assert.InEpsilon(t, tc.ref.Mean(), d.Mean(), 1e-14, d.String())
		assert.InEpsilon(t, tc.ref.Variance(), d.Variance(), 1e-14, d.String())
		assert.InDelta(t, tc.skew, d.Skewness(), 1e-14, d.String())
		assert.InDelta(t, tc.ref.ExKurtosis(), d.ExKurtosis(), 1e-13, d.String())
		assert.Equal(t, tc.ref.Prob(0.3), d.PDF()(0.3), d.String())
		p, err := Parse(d.String(), ".")
		require.NoError(t, err)
		assert.Equal(t, d, p)
	}
}
