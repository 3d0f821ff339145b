package report

import (
	"fmt"
	"io"
	"math"
	"path/filepath"

	"mcfem/mc"
	"mcfem/output"
)

// Extras choose the optional outputs of a campaign.
type Extras struct {
	Fields bool // fields.vtu: mean and std of u at every node, and sample 0's u (NaN if it failed)
	Trace  bool // trace.json: Chrome trace events, a track per rank and thread
	Plots  bool // qoi-histogram.png and running-mean.png
}

// WriteExtras writes the chosen optional outputs of a campaign into dir.
func WriteExtras(dir string, r *mc.Result, x Extras) error {
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
			return output.WriteTrace(f, traceSpans(r))
		}); err != nil {
			return err
		}
	}
	if x.Plots {
		return writePlots(dir, r)
	}
	return nil
}

// writePlots draws, for every QoI, its histogram and its running mean with the confidence
// band: qoi-histogram.png and running-mean.png for the first QoI, NAME-histogram.png and
// NAME-running-mean.png for the others. The problem's exact density and mean (which describe
// the first QoI) are drawn where it knows them.
func writePlots(dir string, r *mc.Result) error {
	info := r.Problem.Info()
	e, known := r.Problem.Exact()
	for q, name := range r.Problem.QoINames() {
		hist, running := plotNames(q, name)
		values := make([]float64, 0, len(r.Records))
		for _, rec := range r.Records {
			if rec.Status == mc.StatusOK || rec.Status == mc.StatusRetried {
				values = append(values, rec.QoIs[q])
			}
		}
		mean, density, xlabel := math.NaN(), (func(float64) float64)(nil), name
		if q == 0 {
			if known {
				mean, density = e.Mean, e.Density
			}
			if density != nil {
				xlabel = fmt.Sprintf("%s (density of the %s overlaid)", name, e.Label)
			}
		}
		title := fmt.Sprintf("%s, %s, %s, %d samples", name, r.Config.Problem.Inputs(), info.Mesh, len(values))
		if err := output.HistogramPNG(filepath.Join(dir, hist), values, density, title, xlabel); err != nil {
			return err
		}
		s := r.Stats[q]
		// The interval's own quantile, to 3 digits (it is printed in the legend).
		z := math.Round(1000*s.CIHalf/s.StdErr) / 1000
		if math.IsNaN(z) || z <= 0 {
			z = 1.96
		}
		if err := output.RunningMeanPNG(filepath.Join(dir, running), values, z, mean,
			fmt.Sprintf("running mean of %s with its confidence band", name)); err != nil {
			return err
		}
	}
	return nil
}

// plotNames are the file names of QoI q's plots, named name: qoi-histogram.png and
// running-mean.png for the first, NAME-histogram.png and NAME-running-mean.png for the others.
func plotNames(q int, name string) (hist, running string) {
	if q == 0 {
		return "qoi-histogram.png", "running-mean.png"
	}
	return name + "-histogram.png", name + "-running-mean.png"
}

// traceSpans turns a campaign's records and per-rank timings into trace spans: per rank a
// set-up and a combine span on its main track, and per sample solved in this run a span on its
// worker's track (a sample recovered from a journal by -resume ran in an earlier run: it has
// none).
func traceSpans(r *mc.Result) []output.Span {
	const us = 1e6
	spans := make([]output.Span, 0, len(r.Records)+2*len(r.Timing))
	for _, t := range r.Timing {
		setup, solve := t.Phase[mc.PhaseSetup], t.Phase[mc.PhaseSolve]
		spans = append(spans,
			output.Span{Rank: t.Rank, Thread: output.MainThread, Name: "setup", Cat: "setup", Start: 0, Dur: setup * us},
			output.Span{Rank: t.Rank, Thread: output.MainThread, Name: "combine", Cat: "combine",
				Start: (setup + solve) * us, Dur: t.Phase[mc.PhaseCombine] * us})
		for k, c := range t.Collective {
			if c[1] > 0 {
				spans = append(spans, output.Span{Rank: t.Rank, Thread: output.MainThread, Name: mc.CollectiveNames[k],
					Cat: "collective", Start: c[0] * us, Dur: c[1] * us})
			}
		}
	}
	inputs, qois := r.Problem.InputNames(), r.Problem.QoINames()
	for _, rec := range r.Records {
		if rec.Journaled {
			continue
		}
		args := map[string]any{"sample": rec.Index, "iterations": rec.Iterations}
		for k, name := range inputs {
			args[name] = rec.Inputs[k]
		}
		for k, name := range qois {
			args[name] = rec.QoIs[k]
		}
		spans = append(spans, output.Span{Rank: rec.Rank, Thread: rec.Thread, Name: fmt.Sprintf("sample %d", rec.Index), Cat: "sample",
			Start: rec.Start * us, Dur: rec.Seconds * us, Args: args})
	}
	return spans
}
