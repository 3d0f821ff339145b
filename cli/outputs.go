package cli

import (
	"fmt"
	"io"
	"math"
	"path/filepath"

	"mcfem/mc"
	"mcfem/output"
)

// writeExtras writes the optional outputs of rank 0 into dir: fields.vtu (-fields),
// trace.json (-trace), qoi-histogram.png and running-mean.png (-plots).
func (j *runJob) writeExtras(res *mc.Result, dir string) error {
	if j.opt.Fields {
		m := res.Mesh
		err := writeFile(filepath.Join(dir, "fields.vtu"), func(f io.Writer) error {
			return output.WriteVTU(f, m.Coords, m.Tri, []output.Field{
				{Name: "u_mean", Values: res.FieldMean},
				{Name: "u_std", Values: res.FieldStd},
				{Name: "u_sample0", Values: res.FieldSample0},
			})
		})
		if err != nil {
			return err
		}
	}
	if j.trace {
		if err := writeFile(filepath.Join(dir, "trace.json"), func(f io.Writer) error {
			return output.WriteTrace(f, traceSpans(res))
		}); err != nil {
			return err
		}
	}
	if j.plots {
		qois := make([]float64, len(res.Records))
		for i, r := range res.Records {
			qois[i] = r.QoI
		}
		var density func(float64) float64
		if pdf := j.cfg.Dist.PDF(); pdf != nil {
			// The continuum QoI is 6ε: its density is f_ε(q/6)/6.
			density = func(q float64) float64 { return pdf(q/6) / 6 }
		}
		title := fmt.Sprintf("QoI, ε ~ %s, mesh %d, %d samples", j.cfg.Dist, j.cfg.Cells, len(qois))
		if err := output.HistogramPNG(filepath.Join(dir, "qoi-histogram.png"), qois, density, title, "QoI = ∫u (exact density of 6ε overlaid)"); err != nil {
			return err
		}
		// The interval's own quantile, to 3 digits (it is printed in the legend).
		z := math.Round(1000*res.Stats.CIHalf/res.Stats.StdErr) / 1000
		if math.IsNaN(z) || z <= 0 {
			z = 1.96
		}
		if err := output.RunningMeanPNG(filepath.Join(dir, "running-mean.png"), qois, z, j.cfg.ExactStats().Mean,
			"running mean of the QoI with its confidence band"); err != nil {
			return err
		}
	}
	return nil
}

// traceSpans turns a campaign's records and per-rank timings into trace spans: per rank a
// set-up and a combine span on its main track, and per sample a span on its worker's track.
func traceSpans(res *mc.Result) []output.Span {
	const us = 1e6
	spans := make([]output.Span, 0, len(res.Records)+2*len(res.Timing))
	for _, t := range res.Timing {
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
	for _, r := range res.Records {
		spans = append(spans, output.Span{Rank: r.Rank, Thread: r.Thread, Name: fmt.Sprintf("sample %d", r.Index), Cat: "sample",
			Start: r.Start * us, Dur: r.Seconds * us,
			Args: map[string]any{"sample": r.Index, "eps": r.Eps, "iterations": r.Iterations, "qoi": r.QoI}})
	}
	return spans
}

// writeFile writes path atomically (see mc.WriteAtomic).
func writeFile(path string, write func(io.Writer) error) error {
	return mc.WriteAtomic(path, write)
}
