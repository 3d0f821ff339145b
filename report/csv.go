package report

import (
	"bufio"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"mcfem/internal/atomicfile"
	"mcfem/mc"
	"mcfem/output"
)

// samplesHeader is samples.csv's first line: the sample, the inputs and QoIs by the problem's
// names, the solver's iterations and residual, the status.
func samplesHeader(inputs, qois []string) string {
	cols := append(append([]string{"sample"}, inputs...), qois...)
	return strings.Join(append(cols, "iterations", "residual", "status"), ",") + "\n"
}

// appendSample appends rec's row of samples.csv, floats in their shortest exact form: results
// only, so the file is byte-identical for every rank count.
func appendSample(line []byte, rec *mc.Record) []byte {
	line = strconv.AppendInt(line, int64(rec.Index), 10)
	for _, v := range rec.Inputs {
		line = strconv.AppendFloat(append(line, ','), v, 'g', -1, 64)
	}
	for _, v := range rec.QoIs {
		line = strconv.AppendFloat(append(line, ','), v, 'g', -1, 64)
	}
	line = strconv.AppendInt(append(line, ','), int64(rec.Iterations), 10)
	line = strconv.AppendFloat(append(line, ','), rec.Residual, 'g', -1, 64)
	line = append(append(line, ','), mc.StatusNames[rec.Status]...)
	return append(line, '\n')
}

// timingsHeader is timings.csv's first line.
const timingsHeader = "sample,rank,seconds,thread\n"

// appendTiming appends rec's row of timings.csv: "%d,%d,%.9f,%d\n" (strconv's 'f' format with
// 9 digits is fmt's %.9f for finite values; fmt itself formats the others).
func appendTiming(line []byte, rec *mc.Record) []byte {
	if math.IsNaN(rec.Seconds) || math.IsInf(rec.Seconds, 0) {
		return fmt.Appendf(line, "%d,%d,%.9f,%d\n", rec.Index, rec.Rank, rec.Seconds, rec.Thread)
	}
	line = strconv.AppendInt(line, int64(rec.Index), 10)
	line = strconv.AppendInt(append(line, ','), int64(rec.Rank), 10)
	line = strconv.AppendFloat(append(line, ','), rec.Seconds, 'f', 9, 64)
	line = strconv.AppendInt(append(line, ','), int64(rec.Thread), 10)
	return append(line, '\n')
}

// Streamed writes a campaign's samples.csv and timings.csv as its records pass to rank 0 in
// sample order (it is the campaign's mc.Sink), into temporary files in dir, which WriteFiles
// renames into place; Discard removes them. Its memory does not depend on the sample count.
//
// It also keeps what the extras x asks for need of the records, bounded: for the plots (-plots)
// each QoI's running mean at its drawn points and either its values (while the statistics are
// the ordered ones: at most mc.OrderedValues of them) or a histogram of fixed bins; for the
// trace (-trace) the spans of at most traceSpans samples.
type Streamed struct {
	dir           string
	inputs, qois  []string
	x             Extras
	samples, tims *atomicfile.Pending
	sb, tb        *bufio.Writer
	line          []byte

	running []*output.RunningMean // per QoI (-plots)
	values  [][]float64           // per QoI, the usable values (-plots, ordered statistics)
	hists   []*output.Histogram   // per QoI, otherwise
	spans   []output.Span         // the samples' spans (-trace)
	kept    []int                 // per rank, the spans kept
	perRank int                   // the spans kept per rank
}

// traceSpans bounds the sample spans of a trace: each rank's first ⌈traceSpans/P⌉.
const traceSpans = 1 << 16

// NewStreamed returns the writer of the files of a campaign into dir of a problem with the
// given inputs and QoIs (by name), with the extras x.
func NewStreamed(dir string, inputs, qois []string, x Extras) *Streamed {
	return &Streamed{dir: dir, inputs: inputs, qois: qois, x: x}
}

// Begin starts the temporary files and writes their headers.
func (s *Streamed) Begin(info mc.PassInfo) error {
	if s.x.Plots {
		for q := range s.qois {
			s.running = append(s.running, output.NewRunningMean(int(info.Usable)))
			switch {
			case info.Ordered:
				s.values = append(s.values, make([]float64, 0, info.Usable))
			case info.Usable > 0:
				s.hists = append(s.hists, output.NewHistogram(info.QoIMin[q], info.QoIMax[q]))
			default:
				s.hists = append(s.hists, nil)
			}
		}
	}
	if s.x.Trace {
		s.kept, s.perRank = make([]int, info.Ranks), (traceSpans+info.Ranks-1)/info.Ranks
	}
	var err error
	if s.samples, err = atomicfile.Create(filepath.Join(s.dir, "samples.csv")); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if s.tims, err = atomicfile.Create(filepath.Join(s.dir, "timings.csv")); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	s.sb, s.tb = bufio.NewWriterSize(s.samples, 1<<16), bufio.NewWriterSize(s.tims, 1<<16)
	s.sb.WriteString(samplesHeader(s.inputs, s.qois))
	s.tb.WriteString(timingsHeader)
	return nil
}

// Add writes rec's rows.
func (s *Streamed) Add(rec *mc.Record) error {
	s.line = appendSample(s.line[:0], rec)
	if _, err := s.sb.Write(s.line); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	s.line = appendTiming(s.line[:0], rec)
	if _, err := s.tb.Write(s.line); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if s.running != nil && (rec.Status == mc.StatusOK || rec.Status == mc.StatusRetried) {
		for q, v := range rec.QoIs {
			s.running[q].Add(v)
			if s.values != nil {
				s.values[q] = append(s.values[q], v)
			} else if s.hists[q] != nil {
				s.hists[q].Add(v)
			}
		}
	}
	if s.kept != nil && !rec.Journaled && s.kept[rec.Rank] < s.perRank {
		s.kept[rec.Rank]++
		s.spans = append(s.spans, sampleSpan(rec, s.inputs, s.qois))
	}
	return nil
}

// commit renames samples.csv, then timings.csv into place.
func (s *Streamed) commit() error {
	if s.samples == nil {
		panic("report: Streamed: commit before Begin")
	}
	for _, f := range []struct {
		b *bufio.Writer
		p *atomicfile.Pending
	}{{s.sb, s.samples}, {s.tb, s.tims}} {
		if err := f.b.Flush(); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if err := f.p.Commit(); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	return nil
}

// Discard removes the files not yet renamed into place.
func (s *Streamed) Discard() {
	for _, p := range []*atomicfile.Pending{s.samples, s.tims} {
		if p != nil {
			p.Discard()
		}
	}
}
