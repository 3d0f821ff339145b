package output

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"mcfem/detmath"
	"mcfem/internal/atomicfile"
)

// Every PNG is 16 cm × 10 cm at 150 dpi: 945 × 591 pixels, with 13 pt titles, 12 pt axis
// labels and 10 pt tick labels and legends, readable on a screen and in a printed report.
const (
	pngWidth  = 16 * vg.Centimeter
	pngHeight = 10 * vg.Centimeter
	pngDPI    = 150
)

// The histogram's bin count is the Freedman–Diaconis one, capped to [minBins, maxBins].
const (
	minBins = 10
	maxBins = 80
)

// maxCurvePoints bounds the points of a running-mean curve, so that plotting 10⁸ samples
// costs no more than plotting 2000.
const maxCurvePoints = 2000

// densitySamples is the number of points at which an overlaid density is evaluated.
const densitySamples = 400

var (
	barColor     = color.RGBA{R: 158, G: 190, B: 222, A: 255} // light steel blue
	curveColor   = color.RGBA{R: 200, G: 30, B: 30, A: 255}   // dark red
	meanColor    = color.RGBA{R: 20, G: 70, B: 160, A: 255}   // dark blue
	bandColor    = color.NRGBA{R: 20, G: 70, B: 160, A: 56}   // the mean's blue, translucent
	idealColor   = color.Gray{Y: 90}
	gridColor    = color.Gray{Y: 225}
	seriesColors = []color.RGBA{
		{R: 20, G: 70, B: 160, A: 255},
		{R: 200, G: 90, B: 20, A: 255},
		{R: 30, G: 140, B: 60, A: 255},
		{R: 150, G: 40, B: 150, A: 255},
		{R: 120, G: 120, B: 20, A: 255},
	}
)

// HistogramPNG draws a density-normalised histogram of xs and, if density != nil, overlays it
// as a line over the data range, with the given title and x label, to a PNG file at path.
// A title too wide for the PNG is broken into lines (see fitTitle).
//
// The bin width is Freedman–Diaconis's
//
//	h = 2·IQR·n^(−1/3)
//
// and the bin count ⌈(max − min)/h⌉ is capped to [10, 80] (80 when the IQR is zero); bin
// heights are count/(n·width), so the bars have area 1. NaN and ±Inf values are left out
// (the legend says how many); all values equal gives 10 bins over [x − 0.5, x + 0.5]. Where the
// density is not finite the curve has a gap (the legend says so when it is finite nowhere over
// the bins, so nothing is drawn), and a density peak more than twice the highest bar
// is cut at the top of the plot so that the bars stay readable. It returns an error if xs has
// no finite value or the file cannot be written.
func HistogramPNG(path string, xs []float64, density func(float64) float64, title, xlabel string) error {
	bins, n := histogramBins(xs)
	return drawHistogram(path, bins, n, len(xs)-n, density, title, xlabel)
}

// drawHistogram draws the bins of n finite values (skipped non-finite ones left out) as
// HistogramPNG describes.
func drawHistogram(path string, bins []plotter.HistogramBin, n, skipped int, density func(float64) float64, title, xlabel string) error {
	if n == 0 {
		return fmt.Errorf("output: histogram %s: no finite values among %d", path, skipped)
	}
	p := newPlot(title, xlabel, "density")
	h := &plotter.Histogram{
		Bins:      bins,
		Width:     bins[0].Max - bins[0].Min,
		FillColor: barColor,
		LineStyle: draw.LineStyle{Color: color.White, Width: vg.Points(0.5)},
	}
	p.Add(h)
	label := fmt.Sprintf("samples (N = %d, %d bins)", n, len(bins))
	if skipped > 0 {
		label += fmt.Sprintf(", %d non-finite left out", skipped)
	}
	p.Legend.Add(label, h)

	top := maxWeight(bins)
	peak := top
	if density != nil {
		lo, hi := bins[0].Min, bins[len(bins)-1].Max
		segs := curveSegments(density, lo, hi, densitySamples)
		for i, seg := range segs {
			for _, q := range seg {
				peak = math.Max(peak, q.Y)
			}
			l := &plotter.Line{XYs: seg, LineStyle: draw.LineStyle{Color: curveColor, Width: vg.Points(2)}}
			p.Add(l)
			if i == 0 {
				p.Legend.Add("density", l)
			}
		}
		if len(segs) == 0 {
			// Say so rather than leave a caller's "density overlaid" unexplained.
			p.Legend.Add("density: not finite over the bins, not drawn")
		}
	}
	// Leave room at the top for the legend, on the side where the bars are lower.
	p.Y.Min = 0
	p.Y.Max = 1.15 * math.Min(peak, 2*top)
	half := len(bins) / 2
	placeLegend(p, true, maxWeight(bins[:half]) < maxWeight(bins[half:]))
	return savePNG(p, path)
}

// Histogram counts a stream of values in equal-width bins over a range fixed in advance (the
// least and largest of the values, known before they pass): memory independent of the number
// of values, and counts that do not depend on their order. The bins and their heights are
// HistogramPNG's, but their number is fixed (maxBins, or minBins for a range of one value:
// then the bins cover [x − 0.5, x + 0.5]) instead of Freedman–Diaconis's, whose quartiles
// would need every value.
type Histogram struct {
	lo, hi, width float64
	count         []int64
	n, skipped    int
}

// NewHistogram returns an empty histogram of values in [lo, hi] (lo ≤ hi, both finite).
func NewHistogram(lo, hi float64) *Histogram {
	if !(lo <= hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		panic("output: NewHistogram: the range is not finite and ordered")
	}
	k := maxBins
	if lo == hi {
		lo, hi, k = lo-0.5, hi+0.5, minBins
	}
	return &Histogram{lo: lo, hi: hi, width: (hi - lo) / float64(k), count: make([]int64, k)}
}

// Add counts x (NaN and ±Inf are left out, and counted apart).
func (h *Histogram) Add(x float64) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		h.skipped++
		return
	}
	h.n++
	j := int((x - h.lo) / h.width)
	h.count[min(max(j, 0), len(h.count)-1)]++ // the maximum falls on the right edge of the last bin
}

// WritePNG draws the histogram as HistogramPNG does.
func (h *Histogram) WritePNG(path string, density func(float64) float64, title, xlabel string) error {
	k := len(h.count)
	bins := make([]plotter.HistogramBin, k)
	for j := range bins {
		bins[j] = plotter.HistogramBin{
			Min:    h.lo + float64(float64(j)*h.width),
			Max:    h.lo + float64(float64(j+1)*h.width),
			Weight: float64(h.count[j]) / (float64(h.n) * h.width),
		}
	}
	bins[k-1].Max = h.hi
	return drawHistogram(path, bins, h.n, h.skipped, density, title, xlabel)
}

// histogramBins returns the density-normalised bins of the finite values of xs, as described
// at HistogramPNG, and the number of those values; no bins if there are none.
func histogramBins(xs []float64) ([]plotter.HistogramBin, int) {
	v := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			v = append(v, x)
		}
	}
	n := len(v)
	if n == 0 {
		return nil, 0
	}
	slices.Sort(v)
	lo, hi := v[0], v[n-1]
	k := minBins
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	} else {
		iqr := stat.Quantile(0.75, stat.Empirical, v, nil) - stat.Quantile(0.25, stat.Empirical, v, nil)
		k = maxBins
		if h := 2 * iqr / math.Cbrt(float64(n)); h > 0 {
			k = int(min(math.Ceil((hi-lo)/h), maxBins))
		}
		k = max(k, minBins)
	}
	width := (hi - lo) / float64(k)
	count := make([]int, k)
	for _, x := range v {
		j := int((x - lo) / width)
		count[min(max(j, 0), k-1)]++ // the maximum falls on the right edge of the last bin
	}
	bins := make([]plotter.HistogramBin, k)
	for j := range bins {
		bins[j] = plotter.HistogramBin{
			Min:    lo + float64(float64(j)*width),
			Max:    lo + float64(float64(j+1)*width),
			Weight: float64(count[j]) / (float64(n) * width),
		}
	}
	bins[k-1].Max = hi
	return bins, n
}

func maxWeight(bins []plotter.HistogramBin) float64 {
	m := 0.0
	for _, b := range bins {
		m = math.Max(m, b.Weight)
	}
	return m
}

// curveSegments evaluates f at n+1 evenly spaced points of [lo, hi] and returns the runs of
// consecutive points where it is finite.
func curveSegments(f func(float64) float64, lo, hi float64, n int) []plotter.XYs {
	var segs []plotter.XYs
	var cur plotter.XYs
	for i := 0; i <= n; i++ {
		x := lo + (hi-lo)*float64(i)/float64(n)
		y := f(x)
		if math.IsNaN(y) || math.IsInf(y, 0) {
			if len(cur) > 0 {
				segs = append(segs, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: x, Y: y})
	}
	if len(cur) > 0 {
		segs = append(segs, cur)
	}
	return segs
}

// RunningMeanPNG draws the running mean of xs against the sample count n = 1..N with its
// confidence band at the two-sided level confidence (0 < confidence < 1, e.g. 0.95),
//
//	mean ± t_{n−1,(1+c)/2}·s/√n,
//
// where s² is the running unbiased variance, computed in one pass with Welford's update (so
// the band starts at n = 2), and t_{n−1,(1+c)/2} is Student's t quantile with n − 1 degrees
// of freedom at each n (detmath.StudentsTQuantile, as stats.Describe's interval uses at n = N):
// at every n the band is the confidence interval of the mean of the first n samples. A dashed
// horizontal line marks exact, labelled with its value, unless exact is NaN. The PNG goes to
// path.
//
// The statistics are accumulated over every sample; only the drawn points are thinned, to
// at most 2000 evenly spaced sample counts that include n = 1 and n = N. The legend states the
// level c and the quantile at n = N. The y range covers the exact value and the band and the
// mean from n0 on: n0 = 1 (the whole band) when N ≤ 10, else n0 = max(N/100, 10), so that for
// larger N the wide start of the band (n = 2, 3, …) is cut at the plot's edge and the
// convergence stays visible. It returns an error if xs is empty or holds a NaN or ±Inf (which
// would make every later mean NaN), and panics unless 0 < confidence < 1.
func RunningMeanPNG(path string, xs []float64, confidence float64, exact float64, title string) error {
	rm := newRunningMean(len(xs), maxCurvePoints)
	for _, x := range xs {
		rm.Add(x)
	}
	return rm.WritePNG(path, confidence, exact, title)
}

// RunningMean accumulates the running mean of a stream of n values (n announced in advance)
// and keeps the points that RunningMeanPNG draws: its memory does not depend on n, and its
// plot is RunningMeanPNG's of the same values, bit for bit.
type RunningMean struct {
	keep     []int // the indices whose points are kept
	pts      []meanPoint
	i        int     // values added
	mean, m2 float64 // Welford's state
	bad      int     // the first non-finite value's index (-1: none)
	badX     float64
}

// NewRunningMean returns the running mean of a stream of n values.
func NewRunningMean(n int) *RunningMean { return newRunningMean(n, maxCurvePoints) }

func newRunningMean(n, maxPts int) *RunningMean {
	keep := thinIndices(n, maxPts)
	return &RunningMean{keep: keep, pts: make([]meanPoint, 0, len(keep)), bad: -1}
}

// Add adds the next value, with Welford's update
//
//	δ = x − mean, mean += δ/n, M2 += δ·(x − mean), s² = M2/(n − 1)
//
// and keeps the point of the sample count n if thinIndices picks it, with its standard error
// s/√n (the band's half-width over the t quantile; NaN at n = 1).
func (r *RunningMean) Add(x float64) {
	if r.bad < 0 && (math.IsNaN(x) || math.IsInf(x, 0)) {
		r.bad, r.badX = r.i, x
	}
	i := r.i
	r.i++
	n := float64(i + 1)
	d := x - r.mean
	r.mean += d / n
	r.m2 += float64(d * (x - r.mean))
	if next := len(r.pts); next < len(r.keep) && r.keep[next] == i {
		sd := math.NaN()
		if i > 0 {
			sd = math.Sqrt(r.m2 / (n - 1) / n)
		}
		r.pts = append(r.pts, meanPoint{N: i + 1, Mean: r.mean, Half: sd})
	}
}

// bandQuantile is the factor of the band's half-width at sample count n ≥ 2 for the
// two-sided level confidence: Student's t quantile t_{n−1,(1+c)/2}, computed as
// stats.Describe computes its interval's.
func bandQuantile(n int, confidence float64) float64 {
	return detmath.StudentsTQuantile(float64(n-1), 0.5+float64(confidence/2))
}

// points returns the kept points with their half-widths t_{n−1,(1+c)/2}·s/√n at the level
// confidence (NaN at n = 1).
func (r *RunningMean) points(confidence float64) []meanPoint {
	pts := make([]meanPoint, len(r.pts))
	for k, q := range r.pts {
		if q.N >= 2 {
			q.Half = float64(bandQuantile(q.N, confidence) * q.Half)
		}
		pts[k] = q
	}
	return pts
}

// WritePNG draws the running mean of the values added with its band at the level confidence,
// as RunningMeanPNG describes. It returns an error if fewer or more values than announced
// were added, and panics unless 0 < confidence < 1.
func (r *RunningMean) WritePNG(path string, confidence float64, exact float64, title string) error {
	if !(confidence > 0 && confidence < 1) {
		panic("output: RunningMeanPNG: the confidence level is not in (0, 1)")
	}
	if r.i == 0 {
		return fmt.Errorf("output: running mean %s: no samples", path)
	}
	if r.bad >= 0 {
		return fmt.Errorf("output: running mean %s: sample %d is %v", path, r.bad, r.badX)
	}
	if len(r.pts) != len(r.keep) || r.i != r.keep[len(r.keep)-1]+1 {
		return fmt.Errorf("output: running mean %s: %d values, not the %d announced", path, r.i, len(r.keep))
	}
	pts := r.points(confidence)
	N := r.i
	p := newPlot(title, "samples n", "running mean")

	var upper, lower plotter.XYs
	for _, q := range pts {
		if q.N >= 2 {
			upper = append(upper, plotter.XY{X: float64(q.N), Y: q.Mean + q.Half})
			lower = append(lower, plotter.XY{X: float64(q.N), Y: q.Mean - q.Half})
		}
	}
	if len(upper) > 0 {
		slices.Reverse(lower)
		band := &plotter.Polygon{XYs: []plotter.XYs{append(upper, lower...)}, Color: bandColor}
		p.Add(band)
		p.Legend.Add(bandLegend(N, confidence), band)
	}
	curve := make(plotter.XYs, len(pts))
	for i, q := range pts {
		curve[i] = plotter.XY{X: float64(q.N), Y: q.Mean}
	}
	mean := &plotter.Line{XYs: curve, LineStyle: draw.LineStyle{Color: meanColor, Width: vg.Points(1.5)}}
	p.Add(mean)
	p.Legend.Add(fmt.Sprintf("running mean (%.6g at n = %d)", pts[len(pts)-1].Mean, N), mean)
	if !math.IsNaN(exact) {
		ex := &plotter.Line{
			XYs:       plotter.XYs{{X: 1, Y: exact}, {X: float64(max(N, 2)), Y: exact}},
			LineStyle: draw.LineStyle{Color: curveColor, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}},
		}
		p.Add(ex)
		p.Legend.Add("exact "+fmtG(exact), ex)
	}

	lo, hi := runningMeanRange(pts, N, exact)
	span := hi - lo
	if span == 0 {
		span = math.Max(math.Abs(hi), 1) * 0.1
	}
	p.Y.Min, p.Y.Max = lo-float64(0.05*span), hi+float64(0.45*span)
	p.X.Min, p.X.Max = 1, float64(max(N, 2))
	return savePNG(p, path)
}

// bandLegend is the running-mean band's legend entry for N samples at the level confidence:
// the level itself, in percent, and Student's t quantile at n = N (when N ≥ 2), e.g.
// "mean ± t(n−1)·s/√n (95% confidence; t = 4.303 at n = 3)".
func bandLegend(N int, confidence float64) string {
	// The level in percent, to 10 significant digits (0.95 → 95, not 94.99999999999999).
	pct, _ := strconv.ParseFloat(strconv.FormatFloat(float64(100*confidence), 'g', 10, 64), 64)
	s := fmt.Sprintf("mean ± t(n−1)·s/√n (%s%% confidence", fmtG(pct))
	if N >= 2 {
		s += fmt.Sprintf("; t = %.4g at n = %d", bandQuantile(N, confidence), N)
	}
	return s + ")"
}

// runningMeanRange is the y range [lo, hi] the running-mean plot of N samples shows before
// its margins: the exact value (unless NaN) and the mean and band of every point from n0 on,
// n0 = 1 for N ≤ 10 (every point, the whole band) and max(N/100, 10) for larger N (the wide
// start of the band is cut at the plot's edge).
func runningMeanRange(pts []meanPoint, N int, exact float64) (lo, hi float64) {
	n0 := 1
	if N > 10 {
		n0 = max(N/100, 10)
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, q := range pts {
		if q.N < n0 {
			continue
		}
		lo, hi = math.Min(lo, q.Mean), math.Max(hi, q.Mean)
		if q.N >= 2 {
			lo, hi = math.Min(lo, q.Mean-q.Half), math.Max(hi, q.Mean+q.Half)
		}
	}
	if !math.IsNaN(exact) {
		lo, hi = math.Min(lo, exact), math.Max(hi, exact)
	}
	return lo, hi
}

// meanPoint is one drawn point of a running mean: after N samples, the mean and the half
// width of its band (before RunningMean.points, the standard error s/√N; NaN for N = 1).
type meanPoint struct {
	N          int
	Mean, Half float64
}

// runningMean returns the points of the running mean of xs that RunningMeanPNG draws, at most
// maxPts, with their half-widths t_{n−1,(1+c)/2}·s/√n at the level confidence (tests).
func runningMean(xs []float64, confidence float64, maxPts int) []meanPoint {
	r := newRunningMean(len(xs), maxPts)
	for _, x := range xs {
		r.Add(x)
	}
	return r.points(confidence)
}

// thinIndices returns at most m (≥ 2) strictly increasing indices evenly spread over
// [0, n), the first and the last included; all of them if n ≤ m.
func thinIndices(n, m int) []int {
	if n <= m {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	idx := make([]int, m)
	for j := range idx {
		idx[j] = int(int64(j) * int64(n-1) / int64(m-1))
	}
	return idx
}

// ScalingPoint is one run of a strong-scaling study: its rank and thread counts and its
// speedup and parallel efficiency (speedup/ranks) against the reference run.
type ScalingPoint struct {
	Ranks, Threads      int
	Speedup, Efficiency float64
}

// ScalingPNGs draws speedup vs ranks (with the ideal line y = x) and parallel efficiency vs ranks
// (with the ideal line y = 1), one point per run plus a line through the per-rank-count best, to
// PNG files at speedupPath and efficiencyPath; title heads both.
//
// The line goes through the best run of each rank count (the highest speedup, which is the
// shortest wall time and the highest efficiency), as scripts/scaling.sh reports the best of
// its repeats; every run is drawn as an open circle, so the spread of the repeats shows.
// Points with different thread counts per rank make separate series. The x axis is marked at
// the rank counts measured; it is logarithmic (and so is the speedup axis) when the largest
// rank count is 16 or more times the smallest. It returns an error if pts is empty or holds a
// non-positive count or a non-positive or non-finite speedup or efficiency.
func ScalingPNGs(speedupPath, efficiencyPath string, pts []ScalingPoint, title string) error {
	if len(pts) == 0 {
		return fmt.Errorf("output: scaling plots %s: no points", speedupPath)
	}
	for i, q := range pts {
		if q.Ranks < 1 || q.Threads < 1 || !(q.Speedup > 0) || math.IsInf(q.Speedup, 0) || !(q.Efficiency > 0) || math.IsInf(q.Efficiency, 0) {
			return fmt.Errorf("output: scaling plots %s: point %d %+v: counts must be ≥ 1, speedup and efficiency positive and finite", speedupPath, i, q)
		}
	}
	groups := scalingGroups(pts)
	minR := slices.MinFunc(pts, func(a, b ScalingPoint) int { return cmp.Compare(a.Ranks, b.Ranks) }).Ranks
	maxR := slices.MaxFunc(pts, func(a, b ScalingPoint) int { return cmp.Compare(a.Ranks, b.Ranks) }).Ranks
	logX := maxR >= 16*minR

	for _, kind := range []struct {
		path, title, ylabel string
		efficiency          bool
		value               func(ScalingPoint) float64
		ideal               func(r float64) float64
		idealLabel          string
	}{
		{speedupPath, title + ": speedup", "speedup", false, func(q ScalingPoint) float64 { return q.Speedup },
			func(r float64) float64 { return r }, "ideal (speedup = ranks)"},
		{efficiencyPath, title + ": parallel efficiency", "parallel efficiency (speedup / ranks)", true, func(q ScalingPoint) float64 { return q.Efficiency },
			func(float64) float64 { return 1 }, "ideal (efficiency = 1)"},
	} {
		p := newPlot(kind.title, "MPI ranks", kind.ylabel)
		x0, x1 := float64(minR), float64(max(maxR, minR+1))
		ideal := &plotter.Line{
			XYs:       plotter.XYs{{X: x0, Y: kind.ideal(x0)}, {X: x1, Y: kind.ideal(x1)}},
			LineStyle: draw.LineStyle{Color: idealColor, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}},
		}
		p.Add(ideal)
		p.Legend.Add(kind.idealLabel, ideal)
		top := 0.0
		for gi, g := range groups {
			c := seriesColors[gi%len(seriesColors)]
			all := make(plotter.XYs, len(g.runs))
			for i, q := range g.runs {
				all[i] = plotter.XY{X: float64(q.Ranks), Y: kind.value(q)}
				top = math.Max(top, kind.value(q))
			}
			runs := &plotter.Scatter{XYs: all, GlyphStyle: draw.GlyphStyle{Color: c, Radius: vg.Points(4), Shape: draw.RingGlyph{}}}
			best := make(plotter.XYs, len(g.best))
			for i, q := range g.best {
				best[i] = plotter.XY{X: float64(q.Ranks), Y: kind.value(q)}
			}
			line := &plotter.Line{XYs: best, LineStyle: draw.LineStyle{Color: c, Width: vg.Points(2)}}
			marks := &plotter.Scatter{XYs: best, GlyphStyle: draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}}
			p.Add(line, marks, runs)
			threads := fmt.Sprintf("%d threads/rank", g.threads)
			if g.threads == 1 {
				threads = "1 thread/rank"
			}
			p.Legend.Add(fmt.Sprintf("best per rank count, %s", threads), line, marks)
			p.Legend.Add(fmt.Sprintf("every run, %s (%d runs)", threads, len(g.runs)), runs)
		}
		placeLegend(p, true, true)
		if kind.efficiency {
			placeLegend(p, false, true)
			p.Y.Min, p.Y.Max = 0, math.Max(1.1, 1.05*top)
		} else if !logX {
			p.Y.Min = 0
		}
		p.X.Tick.Marker = rankTicks(pts, logX)
		if logX {
			p.X.Scale = plot.LogScale{}
			if !kind.efficiency {
				p.Y.Scale = plot.LogScale{}
				p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
			}
		}
		if err := savePNG(p, kind.path); err != nil {
			return err
		}
	}
	return nil
}

// ScalingColumns is the header scripts/scaling.sh writes; ReadScalingCSV needs the columns
// ranks, threads, speedup and efficiency, found by name in any order, and ignores the others.
const ScalingColumns = "ranks,threads,samples,repeat,wall_seconds,job_seconds,samples_per_second,speedup,efficiency,imbalance"

// ParseError is an error in a data file, at a line and (where known, else 0) a column, both
// counted from 1; the column counts bytes, as encoding/csv does.
type ParseError struct {
	File         string
	Line, Column int
	Err          error
}

func (e *ParseError) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("output: %s: %v", e.File, e.Err)
	case e.Column == 0:
		return fmt.Sprintf("output: %s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("output: %s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// ReadScalingCSV reads the CSV written by scripts/scaling.sh, whose header is ScalingColumns,
// one ScalingPoint a row, in file order; columns are found by header name and errors name the
// file, line and column.
//
// Header names are matched without regard to case or surrounding space. Ranks and threads
// must be positive integers, speedup and efficiency finite numbers. Errors in the data are
// *ParseError values ("output: scaling.csv:3:27: column "speedup": "x" is not a number");
// a file with a header and no rows is an error too.
func ReadScalingCSV(path string) ([]ScalingPoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true
	csvErr := func(err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return &ParseError{File: path, Line: pe.Line, Column: pe.Column, Err: pe.Err}
		}
		return fmt.Errorf("output: read %s: %w", path, err)
	}

	header, err := r.Read()
	if err == io.EOF {
		return nil, &ParseError{File: path, Err: fmt.Errorf("empty file, expected the header %s", ScalingColumns)}
	}
	if err != nil {
		return nil, csvErr(err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	need := []string{"ranks", "threads", "speedup", "efficiency"}
	idx := make([]int, len(need))
	for k, name := range need {
		i, ok := col[name]
		if !ok {
			return nil, &ParseError{File: path, Line: 1, Err: fmt.Errorf("no column %q in the header %q", name, strings.Join(header, ","))}
		}
		idx[k] = i
	}

	var pts []ScalingPoint
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if errors.Is(err, csv.ErrFieldCount) {
			line, _ := r.FieldPos(0)
			return nil, &ParseError{File: path, Line: line, Err: fmt.Errorf("%d fields, the header has %d", len(rec), len(header))}
		}
		if err != nil {
			return nil, csvErr(err)
		}
		bad := func(k int, what string) error {
			line, column := r.FieldPos(idx[k])
			return &ParseError{File: path, Line: line, Column: column, Err: fmt.Errorf("column %q: %q is not %s", need[k], rec[idx[k]], what)}
		}
		var counts [2]int
		for k := range counts {
			n, err := strconv.Atoi(strings.TrimSpace(rec[idx[k]]))
			if err != nil || n < 1 {
				return nil, bad(k, "a positive integer")
			}
			counts[k] = n
		}
		var vals [2]float64
		for k := range vals {
			v, err := strconv.ParseFloat(strings.TrimSpace(rec[idx[2+k]]), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, bad(2+k, "a finite number")
			}
			vals[k] = v
		}
		pts = append(pts, ScalingPoint{Ranks: counts[0], Threads: counts[1], Speedup: vals[0], Efficiency: vals[1]})
	}
	if len(pts) == 0 {
		return nil, &ParseError{File: path, Err: errors.New("no data rows after the header")}
	}
	return pts, nil
}

// scalingGroup is the runs with one thread count per rank, and the best of them per rank
// count, in increasing rank order.
type scalingGroup struct {
	threads    int
	runs, best []ScalingPoint
}

func scalingGroups(pts []ScalingPoint) []scalingGroup {
	byThreads := map[int]*scalingGroup{}
	var order []int
	for _, q := range pts {
		g := byThreads[q.Threads]
		if g == nil {
			g = &scalingGroup{threads: q.Threads}
			byThreads[q.Threads] = g
			order = append(order, q.Threads)
		}
		g.runs = append(g.runs, q)
	}
	slices.Sort(order)
	groups := make([]scalingGroup, len(order))
	for i, t := range order {
		g := byThreads[t]
		best := map[int]ScalingPoint{}
		for _, q := range g.runs {
			if b, ok := best[q.Ranks]; !ok || q.Speedup > b.Speedup {
				best[q.Ranks] = q
			}
		}
		for _, q := range best {
			g.best = append(g.best, q)
		}
		slices.SortFunc(g.best, func(a, b ScalingPoint) int { return cmp.Compare(a.Ranks, b.Ranks) })
		groups[i] = *g
	}
	return groups
}

// rankTicks marks the measured rank counts when there are at most 12 of them, and otherwise
// leaves the ticks to gonum/plot.
func rankTicks(pts []ScalingPoint, logX bool) plot.Ticker {
	var ranks []int
	for _, q := range pts {
		ranks = append(ranks, q.Ranks)
	}
	slices.Sort(ranks)
	ranks = slices.Compact(ranks)
	if len(ranks) > 12 {
		if logX {
			return plot.LogTicks{Prec: -1}
		}
		return plot.DefaultTicks{}
	}
	ticks := make(plot.ConstantTicks, len(ranks))
	for i, r := range ranks {
		ticks[i] = plot.Tick{Value: float64(r), Label: strconv.Itoa(r)}
	}
	return ticks
}

// newPlot returns a plot with the package's fonts, a title, axis labels and a light grid.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(8)
	p.Title.Text = fitTitle(p.Title.TextStyle, title, pngWidth-2*titleMargin)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(12)
		a.Tick.Label.Font.Size = vg.Points(10)
		a.Tick.Marker = niceTicks{}
	}
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Legend.ThumbnailWidth = vg.Points(24)
	placeLegend(p, true, false)
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = gridColor, gridColor
	p.Add(g)
	return p
}

// titleMargin is the least room left between a title and either edge of the PNG.
const titleMargin = 6 * vg.Millimeter

// fitTitle returns title broken into lines at spaces so that each line, drawn in style, is at
// most width wide: unchanged when it fits, else in the fewest lines that fit, balanced (the
// narrowest widest line for that count: a title twice too wide breaks at a space near its
// middle). A word wider than width stays whole, on its own line.
func fitTitle(style text.Style, title string, width vg.Length) string {
	if strings.Contains(title, "\n") || style.Width(title) <= width {
		return title
	}
	words := strings.Split(title, " ")
	lines := wrapWords(style, words, width)
	// The narrowest limit that gives as few lines: bisect between the widest word and width.
	lo := vg.Length(0)
	for _, w := range words {
		lo = max(lo, style.Width(w))
	}
	hi := max(width, lo)
	for range 30 {
		mid := (lo + hi) / 2
		if len(wrapWords(style, words, mid)) <= len(lines) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return strings.Join(wrapWords(style, words, hi), "\n")
}

// wrapWords fills lines greedily with words, separated by single spaces, each line at most
// width wide in style (a wider word alone on its line).
func wrapWords(style text.Style, words []string, width vg.Length) []string {
	var lines []string
	cur := ""
	for _, w := range words {
		if cur != "" && style.Width(cur+" "+w) > width {
			lines = append(lines, cur)
			cur = ""
		}
		if cur == "" {
			cur = w
		} else {
			cur += " " + w
		}
	}
	return append(lines, cur)
}

// niceTicks marks a linear axis every 1, 2 or 5 × 10^k, the step that gives 4 to 9 labelled
// ticks, with unlabelled minor ticks in between (gonum/plot's default labels only about 3).
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	raw := (hi - lo) / 8
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step, minors := 10*mag, 5
	switch {
	case raw <= mag:
		step = mag
	case raw <= 2*mag:
		step, minors = 2*mag, 4
	case raw <= 5*mag:
		step = 5 * mag
	}
	prec := max(0, -int(math.Floor(float64(math.Log10(step))+1e-9)))
	minor := step / float64(minors)
	var ticks []plot.Tick
	for k := math.Ceil(lo / minor); k*minor <= hi; k++ {
		v := k * minor
		t := plot.Tick{Value: v}
		if math.Mod(k, float64(minors)) == 0 {
			if math.Abs(v) < minor/2 {
				v = 0 // not -0 or 1e-17
			}
			t.Label = strconv.FormatFloat(v, 'f', prec, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// placeLegend puts the legend in a corner of the data area, a few points in from its edges.
func placeLegend(p *plot.Plot, top, left bool) {
	p.Legend.Top, p.Legend.Left = top, left
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(6), -vg.Points(4)
	if left {
		p.Legend.XOffs = -p.Legend.XOffs
	}
	if !top {
		p.Legend.YOffs = -p.Legend.YOffs
	}
}

// savePNG writes p as a pngWidth × pngHeight PNG at pngDPI to path, atomically: through a
// temporary file renamed into place, none left behind on an error.
func savePNG(p *plot.Plot, path string) error {
	c := vgimg.NewWith(vgimg.UseWH(pngWidth, pngHeight), vgimg.UseDPI(pngDPI))
	p.Draw(draw.New(c))
	err := atomicfile.Write(path, func(w io.Writer) error {
		_, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// fmtG formats x in the shortest form that reads back as x.
func fmtG(x float64) string {
	return strconv.FormatFloat(x, 'g', -1, 64)
}
