package dist

import (
	"fmt"
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

// TestParseRefusesUnusableDraws: a distribution whose draws overflow, underflow a solve's sums
// of squares or are NaN is refused by Parse, and the refusal is real: 2000 draws of each (built
// without Parse) hold an unusable value. The accepted ones near the edges draw 10⁵ usable
// values.
func TestParseRefusesUnusableDraws(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want string // in the error
	}{
		{"beta:1e-3,1e-3", "with probability 0.4"},     // both gamma variates underflow: 0/0 = NaN
		{"beta:1e-300,1e-300", "with probability 0.5"}, // every draw NaN
		{"beta:0.01,5", "with probability 0.1"},        // draws like 1.5e-162: CG breaks down on p'Ap = 0
		{"beta:1e308,1e308", "with probability 1"},     // the gamma variates' sum overflows: Inf/Inf
		{"uniform:-1e308,1e308", "with probability 1"},
		{"uniform:-1.7e308,1.7e308", "with probability 1"}, // b − a overflows
		{"uniform:0,1e-200", "with probability 1"},
		{"normal:0,1e307", "with probability 1"},
		{"normal:1e308,1", "with probability 1"},
		{"normal:0,1e-120", "with probability 1"},
		{"lognormal:700,1", "with probability 1"}, // exp(700) ≈ 1e304
		{"lognormal:-800,1", "with probability 1"},
	} {
		t.Run(tc.s, func(t *testing.T) {
			_, err := Parse(tc.s, ".")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "want at most 1e-14")
			kind, args, _ := strings.Cut(tc.s, ":")
			var a, b float64
			_, err = fmt.Sscanf(strings.Replace(args, ",", " ", 1), "%g %g", &a, &b)
			require.NoError(t, err)
			d := Random{Kind: kind, A: a, B: b}
			src := rand.NewPCG(1, 2)
			bad := 0
			for i := range 2000 {
				// 0 is usable, but only a uniform draw can be 0 without an underflow.
				if v := d.Draw(i, src); math.IsNaN(v) || !usable(v) || (v == 0 && kind != "uniform") {
					bad++
				}
			}
			assert.Positive(t, bad, "no unusable draw in 2000: the refusal is not needed")
		})
	}
	for _, s := range []string{"beta:2,6", "beta:0.15,0.15", "beta:1,1", "beta:1e6,1e6", "uniform:-1e100,1e100", "uniform:-1e-85,1e-85",
		"normal:0,1", "normal:0,1e99", "lognormal:0,19", "lognormal:-100,10"} {
		t.Run(s, func(t *testing.T) {
			d, err := Parse(s, ".")
			require.NoError(t, err)
			src := rand.NewPCG(1, 2)
			for i := range 100_000 {
				v := d.Draw(i, src)
				require.True(t, usable(v), "draw %d = %g", i, v)
			}
		})
	}
}

// List values follow the same rule, and list errors name the file as given.
func TestListErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ body, want string }{
		{"0.1\n1e300\n", "big.txt:2: dist: list: 1e300: want 0 or a magnitude in [1e-100, 1e+100]"},
		{"0.1\n\n1e-200\n", "big.txt:3: dist: list: 1e-200: want 0 or a magnitude"},
		{"# nothing\n", "big.txt: dist: list: no values"},
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "big.txt"), []byte(tc.body), 0o644))
		_, err := Parse("list:big.txt", dir)
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), filepath.Join(dir, tc.want)), err.Error())
	}
	_, err := Parse("list:", dir)
	assert.EqualError(t, err, `dist: "list:": want list:FILE, a file of values one per line`)
	_, err = Parse("list:.", dir)
	assert.EqualError(t, err, "dist: list: "+dir+" is a directory, not a file of values")

	// Over the limit: refused by its size, before it is read.
	big := filepath.Join(dir, "huge.txt")
	f, err := os.Create(big)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(65<<20))
	require.NoError(t, f.Close())
	_, err = Parse("list:huge.txt", dir)
	assert.EqualError(t, err, "dist: list: "+big+": 65 MiB (68157440 bytes), over the 64 MiB limit of a list file")
}
