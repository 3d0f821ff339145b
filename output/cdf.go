package output

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// CDFPoint is a knot of an empirical distribution function: F_n(X) = P, X an order statistic.
type CDFPoint struct{ X, P float64 }

// CDFPNG draws the empirical distribution function of n values through its knots pts (order
// statistics X_(k) with P = k/n, in increasing order; a staircase between them), with the
// Dvoretzky–Kiefer–Wolfowitz band F_n ± ε, ε = √(ln(2/(1 − confidence))/(2n)) (Massart's
// constant, 1990), which contains the whole true distribution function with probability at
// least confidence; and cdf, the exact distribution function, when not nil, labelled cdfLabel.
func CDFPNG(path string, pts []CDFPoint, n int64, confidence float64, cdf func(float64) float64, cdfLabel, title, xlabel string) error {
	if len(pts) == 0 || n <= 0 {
		return fmt.Errorf("output: distribution function %s: no values", path)
	}
	eps := math.Sqrt(math.Log(2/(1-confidence)) / float64(2*n))
	p := newPlot(title, xlabel, "P(QoI ≤ x)")
	var step, upper, lower plotter.XYs
	prev := 0.0
	for _, q := range pts {
		step = append(step, plotter.XY{X: q.X, Y: prev}, plotter.XY{X: q.X, Y: q.P})
		upper = append(upper, plotter.XY{X: q.X, Y: math.Min(1, q.P+eps)})
		lower = append(lower, plotter.XY{X: q.X, Y: math.Max(0, q.P-eps)})
		prev = q.P
	}
	for i, j := 0, len(lower)-1; i < j; i, j = i+1, j-1 {
		lower[i], lower[j] = lower[j], lower[i]
	}
	band := &plotter.Polygon{XYs: []plotter.XYs{append(upper, lower...)}, Color: bandColor}
	p.Add(band)
	p.Legend.Add(fmt.Sprintf("%g%% band (DKW, ε = %.3g)", 100*confidence, eps), band)
	l := &plotter.Line{XYs: step, LineStyle: draw.LineStyle{Color: meanColor, Width: vg.Points(1.5)}}
	p.Add(l)
	p.Legend.Add(fmt.Sprintf("empirical (N = %d)", n), l)
	if cdf != nil {
		lo, hi := pts[0].X, pts[len(pts)-1].X
		for i, seg := range curveSegments(cdf, lo, hi, densitySamples) {
			c := &plotter.Line{XYs: seg, LineStyle: draw.LineStyle{Color: curveColor, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}}
			p.Add(c)
			if i == 0 {
				p.Legend.Add(cdfLabel, c)
			}
		}
	}
	p.Y.Min, p.Y.Max = 0, 1.02
	placeLegend(p, false, false)
	return savePNG(p, path)
}
