package report

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"path/filepath"

	"mcfem/mc"
	"mcfem/output"
	"mcfem/problem"
)

// Extras choose the optional outputs of a campaign.
type Extras struct {
	Fields bool // fields.vtu: mean and std of u at every node, and sample 0's u (NaN if it failed)
	Trace  bool // trace.json: Chrome trace events, a track per rank and thread
	Plots  bool // qoi-histogram.png and running-mean.png
}

// WriteExtras writes the chosen optional outputs of a campaign into dir, from the result and
// from what st kept of the records as they passed.
func WriteExtras(dir string, r *mc.Result, st *Streamed, x Extras) error {
	if x.Fields {
		m := r.Problem.System().Mesh
		sample0 := r.FieldSample0
		if sample0 == nil { // sample 0 did not solve at its first attempt: no solution to show
			sample0 = make([]float64, m.NumNodes())
			for i := range sample0 {
				sample0[i] = math.NaN()
			}
		}
		err := WriteAtomic(filepath.Join(dir, "fields.vtu"), func(f io.Writer) error {
			return output.WriteVTU(f, m.Coords, m.Tri, []output.Field{
				{Name: "u_mean", Values: r.FieldMean},
				{Name: "u_std", Values: r.FieldStd},
				{Name: "u_sample0", Values: sample0},
			})
		})
		if err != nil {
			return err
		}
	}
	if x.Trace {
		if err := WriteAtomic(filepath.Join(dir, "trace.json"), func(f io.Writer) error {
			return output.WriteTrace(f, append(rankSpans(r, st), st.spans...))
		}); err != nil {
			return err
		}
	}
	if x.Plots {
		return writePlots(dir, r, st)
	}
	return nil
}

// writePlots draws, for every QoI, its histogram and its running mean with the confidence
// band: qoi-histogram.png and running-mean.png for the first QoI, NAME-histogram.png and
// NAME-running-mean.png for the others. The problem's exact density and mean (which describe
// the first QoI) are drawn where it knows them. The histogram's bins are Freedman–Diaconis's
// while the values are at hand (ordered statistics), else 80 of equal width over the values'
// range (see output.Histogram); the running mean is the same either way.
func writePlots(dir string, r *mc.Result, st *Streamed) error {
	e, known := r.Problem.Exact()
	for q, name := range r.Problem.QoINames() {
		hist, running := plotNames(q, name)
		mean := math.NaN()
		if q == 0 && known {
			mean = e.Mean
		}
		density, _ := overlaidDensity(r.Problem, q)
		s := r.Stats[q]
		title, xlabel := histogramLabels(r.Problem, r.Config.Problem.Inputs(), q, s.N)
		var err error
		switch {
		case st.values != nil:
			err = output.HistogramPNG(filepath.Join(dir, hist), st.values[q], density, title, xlabel)
		case st.hists[q] != nil:
			err = st.hists[q].WritePNG(filepath.Join(dir, hist), density, title, xlabel)
		default:
			err = output.HistogramPNG(filepath.Join(dir, hist), nil, density, title, xlabel)
		}
		if err != nil {
			return err
		}
		// The band at each n is the interval of the first n samples at the run's level.
		if err := st.running[q].WritePNG(filepath.Join(dir, running), r.Config.Confidence, mean,
			fmt.Sprintf("running mean of %s with its confidence band", name)); err != nil {
			return err
		}
		if q < len(r.Distributions) && len(r.Distributions[q].CDF) > 0 {
			d := r.Distributions[q]
			pts := make([]output.CDFPoint, len(d.CDF))
			for k, c := range d.CDF {
				pts[k] = output.CDFPoint{X: c.X, P: c.P}
			}
			var cdf func(float64) float64
			if q == 0 && known {
				cdf = e.CDF
			}
			if err := output.CDFPNG(filepath.Join(dir, cdfName(q, name)), pts, d.N, r.Config.Confidence, cdf, e.Label, title, name); err != nil {
				return err
			}
		}
	}
	return nil
}

// overlaidDensity is the exact density drawn over the histogram of QoI q, and its name (the
// problem's Exact.Label, or "exact"): the problem's density for the first QoI where it knows
// one, else nil and "" (other QoIs, unknown exact values, inputs without a density such as
// list:FILE's).
func overlaidDensity(p problem.Problem, q int) (func(float64) float64, string) {
	e, known := p.Exact()
	if q != 0 || !known || e.Density == nil {
		return nil, ""
	}
	return e.Density, cmp.Or(e.Label, "exact")
}

// histogramLabels are the title and the x label of the histogram of p's QoI q, of n samples
// of the inputs (problem.Spec.Inputs) on p's mesh (problem.Info.Mesh: "unit square 64×64" or
// the .mdpa file's description); the title heads the QoI's distribution plot too. The x label
// is the QoI's name, and says that a density is overlaid (naming it) only when
// overlaidDensity gives one, which writePlots then draws.
func histogramLabels(p problem.Problem, inputs string, q int, n int64) (title, xlabel string) {
	name := p.QoINames()[q]
	title = fmt.Sprintf("%s, %s, %s, %d samples", name, inputs, p.Info().Mesh, n)
	xlabel = name
	if density, label := overlaidDensity(p, q); density != nil {
		xlabel = fmt.Sprintf("%s (density of the %s overlaid)", name, label)
	}
	return title, xlabel
}

// plotNames are the file names of QoI q's plots, named name: qoi-histogram.png and
// running-mean.png for the first, NAME-histogram.png and NAME-running-mean.png for the others.
func plotNames(q int, name string) (hist, running string) {
	if q == 0 {
		return "qoi-histogram.png", "running-mean.png"
	}
	return name + "-histogram.png", name + "-running-mean.png"
}

// cdfName is the file name of QoI q's distribution plot: qoi-cdf.png for the first,
// NAME-cdf.png for the others.
func cdfName(q int, name string) string {
	if q == 0 {
		return "qoi-cdf.png"
	}
	return name + "-cdf.png"
}

// rankSpans are the trace's spans of every rank's main track: a set-up and a combine span and
// its collectives. When a rank solved more samples than the trace keeps spans of (its first
// ⌈2¹⁶/P⌉), its combine span says how many it left out.
func rankSpans(r *mc.Result, st *Streamed) []output.Span {
	const us = 1e6
	var spans []output.Span
	for _, t := range r.Timing {
		setup, solve := t.Phase[mc.PhaseSetup], t.Phase[mc.PhaseSolve]
		combine := output.Span{Rank: t.Rank, Thread: output.MainThread, Name: "combine", Cat: "combine",
			Start: (setup + solve) * us, Dur: t.Phase[mc.PhaseCombine] * us}
		if left := t.Samples - st.kept[t.Rank]; left > 0 {
			combine.Args = map[string]any{"samples solved": t.Samples, "sample spans left out": left}
		}
		spans = append(spans, output.Span{Rank: t.Rank, Thread: output.MainThread, Name: "setup", Cat: "setup", Start: 0, Dur: setup * us}, combine)
		for k, c := range t.Collective {
			if c[1] > 0 {
				spans = append(spans, output.Span{Rank: t.Rank, Thread: output.MainThread, Name: mc.CollectiveNames[k],
					Cat: "collective", Start: c[0] * us, Dur: c[1] * us})
			}
		}
	}
	return spans
}

// sampleSpan is the trace's span of a sample solved in this run, on its worker's track (a
// sample recovered from a journal by -resume ran in an earlier run: it has none).
func sampleSpan(rec *mc.Record, inputs, qois []string) output.Span {
	const us = 1e6
	args := map[string]any{"sample": rec.Index, "iterations": rec.Iterations}
	for k, name := range inputs {
		args[name] = rec.Inputs[k]
	}
	for k, name := range qois {
		args[name] = rec.QoIs[k]
	}
	return output.Span{Rank: rec.Rank, Thread: rec.Thread, Name: fmt.Sprintf("sample %d", rec.Index), Cat: "sample",
		Start: rec.Start * us, Dur: rec.Seconds * us, Args: args}
}
