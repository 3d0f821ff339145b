package output

import (
	"errors"
	"fmt"
	"image/png"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/plot/vg"

	"mcfem/detmath"
)

// areaTol is how far the bars' total area may be from 1: at most 80 products width·weight,
// each exact to a few ulps of O(1) values, summed; 1e-12 leaves a factor 100 of slack.
const areaTol = 1e-12

// welfordTol is the relative agreement asked of Welford's one-pass mean and variance with the
// two-pass ones on up to 10⁴ values offset by 10³: both carry rounding errors of order
// n·eps·|mean|/s ≈ 1e4·1.1e-16·1e3 ≈ 1e-9 at worst, usually far less.
const welfordTol = 1e-8

// pngPixels is the size every PNG must have: 16 cm × 10 cm at 150 dpi, rounded as vgimg does.
var pngPixels = [2]int{pixels(pngWidth), pixels(pngHeight)}

func pixels(l vg.Length) int { return int(float64(l/vg.Inch*pngDPI) + 0.5) }

// requirePNG checks that path is a PNG file of pngPixels.
func requirePNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err, "decode %s", path)
	b := img.Bounds()
	assert.Equal(t, pngPixels, [2]int{b.Dx(), b.Dy()}, "size of %s", path)
}

func TestPNGPixels(t *testing.T) {
	// 16 cm = 6.299 in and 10 cm = 3.937 in, at 150 dpi.
	assert.Equal(t, [2]int{945, 591}, pngPixels)
}

func betaSample(n int, seed uint64) []float64 {
	d := distuv.Beta{Alpha: 2, Beta: 6, Src: rand.New(rand.NewPCG(seed, 2))}
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = 6 * d.Rand()
	}
	return xs
}

func TestHistogramBins(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cauchy := make([]float64, 5000)
	for i := range cauchy {
		cauchy[i] = math.Tan(math.Pi * (rng.Float64() - 0.5))
	}
	for _, tc := range []struct {
		name   string
		xs     []float64
		finite int
		bins   int // 0: the Freedman–Diaconis count, computed here
	}{
		{"beta-10000", betaSample(10000, 1), 10000, 0},
		{"three", []float64{1, 2, 4}, 3, minBins},
		{"one", []float64{7}, 1, minBins},
		{"all-equal", []float64{3, 3, 3, 3}, 4, minBins},
		{"zero-iqr", []float64{0, 1, 1, 1, 1, 1, 1, 1, 1, 2}, 10, maxBins},
		{"cauchy-capped", cauchy, 5000, maxBins},
		{"non-finite", []float64{math.NaN(), 1, math.Inf(1), 2, 3, math.Inf(-1), 2.5}, 4, 0},
		{"none-finite", []float64{math.NaN()}, 0, 0},
		{"empty", nil, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bins, n := histogramBins(tc.xs)
			require.Equal(t, tc.finite, n)
			if n == 0 {
				assert.Empty(t, bins)
				return
			}
			var v []float64
			for _, x := range tc.xs {
				if !math.IsNaN(x) && !math.IsInf(x, 0) {
					v = append(v, x)
				}
			}
			slices.Sort(v)
			want := tc.bins
			if want == 0 {
				iqr := stat.Quantile(0.75, stat.Empirical, v, nil) - stat.Quantile(0.25, stat.Empirical, v, nil)
				want = min(max(int(math.Ceil((v[len(v)-1]-v[0])*math.Cbrt(float64(n))/(2*iqr))), minBins), maxBins)
			}
			require.Len(t, bins, want)
			if v[0] < v[len(v)-1] {
				assert.Equal(t, v[0], bins[0].Min, "bins start at the minimum")
				assert.Equal(t, v[len(v)-1], bins[len(bins)-1].Max, "bins end at the maximum")
			}
			area, count := 0.0, 0.0
			for j, b := range bins {
				require.Less(t, b.Min, b.Max)
				if j > 0 {
					assert.Equal(t, bins[j-1].Max, b.Min, "bins are contiguous")
				}
				area += (b.Max - b.Min) * b.Weight
				// Each weight is count/(n·width); the count comes back to within rounding.
				count += math.Round(b.Weight * float64(n) * (bins[0].Max - bins[0].Min))
			}
			assert.InDelta(t, 1, area, areaTol, "the bars' area")
			assert.Equal(t, float64(n), count, "every finite value is in a bin")
		})
	}
}

func TestHistogramPNG(t *testing.T) {
	dir := t.TempDir()
	xs := betaSample(2000, 3)
	beta := distuv.Beta{Alpha: 2, Beta: 6}
	for _, tc := range []struct {
		name    string
		density func(float64) float64
	}{
		{"with-density", func(q float64) float64 { return beta.Prob(q/6) / 6 }},
		{"no-density", nil},
		{"density-with-poles", func(q float64) float64 { return 1 / (q - 1) }}, // ±Inf at 1, huge nearby: gaps and a cut top
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".png")
			require.NoError(t, HistogramPNG(path, xs, tc.density, "QoI "+tc.name, "QoI"))
			requirePNG(t, path)
		})
	}
	t.Run("no-finite-values", func(t *testing.T) {
		path := filepath.Join(dir, "none.png")
		err := HistogramPNG(path, []float64{math.NaN()}, nil, "t", "x")
		require.ErrorContains(t, err, "no finite values")
		_, err = os.Stat(path)
		assert.ErrorIs(t, err, fs.ErrNotExist, "no file is left behind")
	})
	t.Run("bad-path", func(t *testing.T) {
		err := HistogramPNG(filepath.Join(dir, "missing", "h.png"), xs, nil, "t", "x")
		require.ErrorContains(t, err, "output: ")
	})
}

func TestThinIndices(t *testing.T) {
	for _, tc := range []struct{ n, m int }{{0, 10}, {1, 10}, {10, 10}, {11, 10}, {10003, 2000}, {1 << 20, 2000}} {
		idx := thinIndices(tc.n, tc.m)
		require.Len(t, idx, min(tc.n, tc.m))
		if tc.n == 0 {
			continue
		}
		assert.Equal(t, 0, idx[0])
		assert.Equal(t, tc.n-1, idx[len(idx)-1])
		for j := 1; j < len(idx); j++ {
			require.Less(t, idx[j-1], idx[j], "n %d, m %d: increasing", tc.n, tc.m)
		}
		if tc.n > tc.m {
			// Evenly spread: consecutive gaps differ by at most one.
			lo, hi := tc.n, 0
			for j := 1; j < len(idx); j++ {
				lo, hi = min(lo, idx[j]-idx[j-1]), max(hi, idx[j]-idx[j-1])
			}
			assert.LessOrEqual(t, hi-lo, 1)
		}
	}
}

func TestRunningMeanWelford(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const c = 0.95
	for _, tc := range []struct {
		name string
		n    int
		draw func() float64
	}{
		{"one", 1, rng.Float64},
		{"two", 2, rng.NormFloat64},
		{"uniform-7", 7, rng.Float64},
		{"beta-1999", 1999, nil},
		{"offset-10000", 10000, func() float64 { return 1e3 + rng.NormFloat64() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			xs := betaSample(tc.n, 5)
			if tc.draw != nil {
				for i := range xs {
					xs[i] = tc.draw()
				}
			}
			pts := runningMean(xs, c, maxCurvePoints)
			require.Len(t, pts, min(tc.n, maxCurvePoints))
			assert.Equal(t, 1, pts[0].N)
			assert.True(t, math.IsNaN(pts[0].Half), "no band at n = 1")
			assert.Equal(t, tc.n, pts[len(pts)-1].N)
			for _, q := range pts {
				// Two passes over xs[:n]: the mean, then the unbiased variance about it.
				mean := stat.Mean(xs[:q.N], nil)
				assert.InDelta(t, mean, q.Mean, welfordTol*math.Max(1, math.Abs(mean)), "mean at n = %d", q.N)
				if q.N >= 2 {
					z := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(q.N - 1)}.Quantile((1 + c) / 2)
					half := z * math.Sqrt(stat.Variance(xs[:q.N], nil)/float64(q.N))
					assert.InDelta(t, half, q.Half, welfordTol*math.Max(half, 1e-300), "half width at n = %d", q.N)
				}
			}
		})
	}
}

func TestRunningMeanPNG(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		xs    []float64
		exact float64
	}{
		{"beta-10000", betaSample(10000, 7), 1.5},
		{"no-exact", betaSample(300, 7), math.NaN()},
		{"single", []float64{2}, 2},
		{"constant", []float64{2, 2, 2, 2}, math.NaN()},
		{"large-thinned", betaSample(100_000, 9), 1.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".png")
			require.NoError(t, RunningMeanPNG(path, tc.xs, 0.95, tc.exact, "running mean "+tc.name))
			requirePNG(t, path)
		})
	}
	t.Run("errors", func(t *testing.T) {
		require.ErrorContains(t, RunningMeanPNG(filepath.Join(dir, "e.png"), nil, 0.95, 1, "t"), "no samples")
		require.ErrorContains(t, RunningMeanPNG(filepath.Join(dir, "e.png"), []float64{1, math.NaN(), 2}, 0.95, 1, "t"), "sample 1 is NaN")
		for _, c := range []float64{0, 1, 1.96, -0.5, math.NaN()} {
			assert.Panics(t, func() { _ = RunningMeanPNG(filepath.Join(dir, "e.png"), []float64{1}, c, 1, "t") }, "confidence %v", c)
		}
	})
}

// scalingCSV is a made-up strong-scaling run in the layout of scripts/scaling.sh: two
// repeats on 1, 2, 4 and 8 ranks.
const scalingCSV = ScalingColumns + `
1,1,400,1,10.000000,10.900,40.00,1.0000,1.0000,1.000
1,1,400,2,10.400000,11.300,38.46,0.9615,0.9615,1.000
2,1,400,1,5.300000,6.200,75.47,1.8868,0.9434,1.020
2,1,400,2,5.200000,6.100,76.92,1.9231,0.9615,1.015
4,1,400,1,2.900000,3.800,137.93,3.4483,0.8621,1.050
4,1,400,2,3.100000,4.000,129.03,3.2258,0.8065,1.060
8,1,400,1,1.800000,2.700,222.22,5.5556,0.6944,1.100
8,1,400,2,1.700000,2.600,235.29,5.8824,0.7353,1.090
`

func TestScaling(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "scaling.csv")
	require.NoError(t, os.WriteFile(path, []byte(scalingCSV), 0o644))
	pts, err := ReadScalingCSV(path)
	require.NoError(t, err)
	require.Len(t, pts, 8)
	assert.Equal(t, ScalingPoint{Ranks: 1, Threads: 1, Speedup: 1, Efficiency: 1}, pts[0])
	assert.Equal(t, ScalingPoint{Ranks: 8, Threads: 1, Speedup: 5.8824, Efficiency: 0.7353}, pts[7])

	groups := scalingGroups(pts)
	require.Len(t, groups, 1)
	assert.Len(t, groups[0].runs, 8)
	var best []float64
	for _, q := range groups[0].best {
		best = append(best, q.Speedup)
	}
	assert.Equal(t, []float64{1, 1.9231, 3.4483, 5.8824}, best, "the best run of each rank count, in rank order")

	sp, ef := filepath.Join(dir, "speedup.png"), filepath.Join(dir, "efficiency.png")
	require.NoError(t, ScalingPNGs(sp, ef, pts, "strong scaling"))
	requirePNG(t, sp)
	requirePNG(t, ef)

	t.Run("columns-by-name", func(t *testing.T) {
		p := filepath.Join(dir, "reordered.csv")
		require.NoError(t, os.WriteFile(p, []byte("efficiency, Speedup ,extra,threads,ranks\n0.5,8,x,2,16\n0.25,8,y,2,32\n"), 0o644))
		got, err := ReadScalingCSV(p)
		require.NoError(t, err)
		assert.Equal(t, []ScalingPoint{{16, 2, 8, 0.5}, {32, 2, 8, 0.25}}, got)
	})
	t.Run("log-axes-and-thread-groups", func(t *testing.T) {
		var many []ScalingPoint
		for _, th := range []int{1, 4} {
			for r := 1; r <= 64; r *= 2 {
				s := float64(r) * (1 - 0.05*math.Log2(float64(r)))
				many = append(many, ScalingPoint{Ranks: r, Threads: th, Speedup: s, Efficiency: s / float64(r)})
			}
		}
		sp, ef := filepath.Join(dir, "sp-log.png"), filepath.Join(dir, "ef-log.png")
		require.NoError(t, ScalingPNGs(sp, ef, many, "log"))
		requirePNG(t, sp)
		requirePNG(t, ef)
	})
	t.Run("bad-points", func(t *testing.T) {
		for _, bad := range [][]ScalingPoint{nil, {{Ranks: 0, Threads: 1, Speedup: 1, Efficiency: 1}}, {{Ranks: 1, Threads: 1, Speedup: math.NaN(), Efficiency: 1}}} {
			assert.Error(t, ScalingPNGs(sp, ef, bad, "bad"))
		}
	})
}

func TestReadScalingCSVErrors(t *testing.T) {
	dir := t.TempDir()
	const row = "2,1,400,1,5.3,6.2,75.47,"
	for _, tc := range []struct {
		name, text   string
		line, column int    // of the *ParseError; line 0: not a ParseError
		msg          string // the whole message, with FILE for the path
	}{
		{"bad-speedup", ScalingColumns + "\n1,1,400,1,10,11,40,1,1,1\n" + row + "abc,0.94,1.02\n", 3, len(row) + 1,
			`output: FILE:3:25: column "speedup": "abc" is not a finite number`},
		{"nan-efficiency", ScalingColumns + "\n" + row + "1.9,NaN,1.02\n", 2, len(row) + 5,
			`output: FILE:2:29: column "efficiency": "NaN" is not a finite number`},
		{"zero-ranks", ScalingColumns + "\n0,1,400,1,5.3,6.2,75.47,1.9,0.9,1.02\n", 2, 1,
			`output: FILE:2:1: column "ranks": "0" is not a positive integer`},
		{"fractional-threads", ScalingColumns + "\n2,1.5,400,1,5.3,6.2,75.47,1.9,0.9,1.02\n", 2, 3,
			`output: FILE:2:3: column "threads": "1.5" is not a positive integer`},
		{"missing-column", "ranks,threads,speedup\n1,1,1\n", 1, 0,
			`output: FILE:1: no column "efficiency" in the header "ranks,threads,speedup"`},
		{"short-row", ScalingColumns + "\n1,1,400,1,10,11,40,1,1,1\n2,1,400\n", 3, 0,
			`output: FILE:3: 3 fields, the header has 10`},
		// encoding/csv's column: the quote that closes "4" too early.
		{"bad-quote", ScalingColumns + "\n1,1,400,1,10,11,40,1,1,1\n2,1,\"4\"00,1,5,6,7,1,1,1\n", 3, 7,
			`output: FILE:3:7: extraneous or missing " in quoted-field`},
		{"header-only", ScalingColumns + "\n", 0, 0, `output: FILE: no data rows after the header`},
		{"empty", "", 0, 0, `output: FILE: empty file, expected the header ` + ScalingColumns},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".csv")
			require.NoError(t, os.WriteFile(path, []byte(tc.text), 0o644))
			pts, err := ReadScalingCSV(path)
			require.Error(t, err)
			assert.Nil(t, pts)
			assert.Equal(t, strings.ReplaceAll(tc.msg, "FILE", path), err.Error())
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "a *ParseError")
			assert.Equal(t, path, pe.File)
			assert.Equal(t, tc.line, pe.Line)
			assert.Equal(t, tc.column, pe.Column)
		})
	}
	t.Run("no-file", func(t *testing.T) {
		_, err := ReadScalingCSV(filepath.Join(dir, "nope.csv"))
		require.ErrorIs(t, err, fs.ErrNotExist)
		assert.Contains(t, err.Error(), "nope.csv")
	})
}

// TestRunningMeanBandUsesEachNsQuantile: at every n the band's half-width is Student's
// t_{n−1,(1+c)/2}·s_n/√n (not one z for every n), against a table of t quantiles, the legend
// states the chosen level, and for N ≤ 10 the y range holds the whole band.
func TestRunningMeanBandUsesEachNsQuantile(t *testing.T) {
	// t_{ν,0.975} from the printed tables.
	table := map[int]float64{1: 12.706, 2: 4.303, 3: 3.182, 9: 2.262, 1999: 1.961}
	rng := rand.New(rand.NewPCG(11, 12))
	dir := t.TempDir()
	for _, N := range []int{3, 10, 2000} {
		xs := make([]float64, N)
		for i := range xs {
			xs[i] = 1.5 + rng.NormFloat64()
		}
		pts := runningMean(xs, 0.95, maxCurvePoints)
		require.Len(t, pts, N)
		for _, q := range pts[1:] {
			se := math.Sqrt(stat.Variance(xs[:q.N], nil) / float64(q.N))
			ratio := q.Half / se
			assert.Equal(t, detmath.StudentsTQuantile(float64(q.N-1), 0.975), bandQuantile(q.N, 0.95))
			assert.InDelta(t, bandQuantile(q.N, 0.95), ratio, 1e-9*ratio, "N=%d n=%d", N, q.N)
			if want, ok := table[q.N-1]; ok {
				assert.InDelta(t, want, ratio, 5e-4, "N=%d n=%d: t_%d", N, q.N, q.N-1)
			}
		}
		legend := bandLegend(N, 0.95)
		assert.Contains(t, legend, "(95% confidence; t = ")
		assert.NotContains(t, legend, "100%")
		lo, hi := runningMeanRange(pts, N, 1.5)
		top, bottom := math.Inf(-1), math.Inf(1)
		for _, q := range pts[1:] {
			top, bottom = math.Max(top, q.Mean+q.Half), math.Min(bottom, q.Mean-q.Half)
		}
		if N <= 10 {
			assert.Equal(t, bottom, lo, "N=%d: the whole band is shown", N)
			assert.Equal(t, top, hi, "N=%d: the whole band is shown", N)
		} else {
			assert.Greater(t, lo, bottom, "N=%d: the band's start is cut", N)
			assert.Less(t, hi, top, "N=%d: the band's start is cut", N)
		}
		require.NoError(t, RunningMeanPNG(filepath.Join(dir, fmt.Sprintf("rm-%d.png", N)), xs, 0.95, 1.5,
			fmt.Sprintf("running mean, N = %d", N)))
	}
	assert.Equal(t, "mean ± t(n−1)·s/√n (95% confidence; t = 4.303 at n = 3)", bandLegend(3, 0.95))
	assert.Equal(t, "mean ± t(n−1)·s/√n (95% confidence; t = 2.262 at n = 10)", bandLegend(10, 0.95))
	assert.Equal(t, "mean ± t(n−1)·s/√n (95% confidence; t = 1.961 at n = 2000)", bandLegend(2000, 0.95))
	assert.Equal(t, "mean ± t(n−1)·s/√n (99% confidence; t = 63.66 at n = 2)", bandLegend(2, 0.99))
	assert.Equal(t, "mean ± t(n−1)·s/√n (99.9% confidence)", bandLegend(1, 0.999))
	if d := os.Getenv("MCFEM_RUNNING_MEAN_DEMO"); d != "" {
		for _, N := range []int{3, 10, 2000} {
			b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("rm-%d.png", N)))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(d, fmt.Sprintf("rm-%d.png", N)), b, 0o644))
		}
	}
}

// TestFitTitle: a title that fits stays on one line; one too wide for the PNG breaks at spaces
// into the fewest lines that fit, a title up to twice the width into two lines broken near
// its middle; a word wider than the PNG stays whole.
func TestFitTitle(t *testing.T) {
	p := newPlot("", "x", "y")
	style, width := p.Title.TextStyle, pngWidth-2*titleMargin
	short := "strong scaling: -samples 400"
	assert.Equal(t, short, fitTitle(style, short, width))
	assert.Equal(t, short, newPlot(short, "x", "y").Title.Text)

	long := "strong scaling: -samples 400 -mesh 128 -seed 1 -solver cg -precond ichol, 1 thread(s) per rank: parallel efficiency"
	require.Greater(t, style.Width(long), width, "the test title must be too wide")
	require.Less(t, style.Width(long), 2*width)
	got := fitTitle(style, long, width)
	lines := strings.Split(got, "\n")
	require.Len(t, lines, 2, "%q", got)
	assert.Equal(t, long, strings.Join(lines, " "), "only a space is replaced")
	for _, l := range lines {
		assert.LessOrEqual(t, style.Width(l), width, "%q fits", l)
	}
	// Near the middle: the two lines differ by less than a third of the title's width.
	assert.Less(t, math.Abs(float64(style.Width(lines[0])-style.Width(lines[1]))), float64(style.Width(long))/3, "%q", got)
	assert.Equal(t, got, newPlot(long, "x", "y").Title.Text, "newPlot fits its title")

	longer := strings.Repeat(long+" ", 2) + long
	lines = strings.Split(fitTitle(style, longer, width), "\n")
	assert.GreaterOrEqual(t, len(lines), 4)
	for _, l := range lines {
		assert.LessOrEqual(t, style.Width(l), width, "%q fits", l)
	}
	word := strings.Repeat("x", 200)
	assert.Equal(t, "a\n"+word+"\nb", fitTitle(style, "a "+word+" b", width))

	// The scaling plots carry the fitted title.
	dir := t.TempDir()
	pts := []ScalingPoint{{1, 1, 1, 1}, {2, 1, 1.8, 0.9}}
	require.NoError(t, ScalingPNGs(filepath.Join(dir, "s.png"), filepath.Join(dir, "e.png"), pts, long))
}
