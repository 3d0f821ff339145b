package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"mcfem/mc"
)

// WriteSamplesCSV writes one row per sample in sample order, results only (the sample, its
// inputs and QoIs by the problem's names, the solver's iterations and residual, the status),
// with floats in their shortest exact form: the file is byte-identical for every rank count.
func WriteSamplesCSV(w io.Writer, r *mc.Result) error {
	b := bufio.NewWriter(w)
	cols := append(append([]string{"sample"}, r.Problem.InputNames()...), r.Problem.QoINames()...)
	b.WriteString(strings.Join(append(cols, "iterations", "residual", "status"), ",") + "\n")
	var line []byte
	for _, rec := range r.Records {
		line = strconv.AppendInt(line[:0], int64(rec.Index), 10)
		for _, v := range rec.Inputs {
			line = strconv.AppendFloat(append(line, ','), v, 'g', -1, 64)
		}
		for _, v := range rec.QoIs {
			line = strconv.AppendFloat(append(line, ','), v, 'g', -1, 64)
		}
		line = strconv.AppendInt(append(line, ','), int64(rec.Iterations), 10)
		line = strconv.AppendFloat(append(line, ','), rec.Residual, 'g', -1, 64)
		line = append(append(line, ','), mc.StatusNames[rec.Status]...)
		line = append(line, '\n')
		b.Write(line)
	}
	return b.Flush()
}

// WriteTimingsCSV writes where (rank, worker thread) and how long each sample ran.
func WriteTimingsCSV(w io.Writer, r *mc.Result) error {
	b := bufio.NewWriter(w)
	b.WriteString("sample,rank,seconds,thread\n")
	for _, rec := range r.Records {
		fmt.Fprintf(b, "%d,%d,%.9f,%d\n", rec.Index, rec.Rank, rec.Seconds, rec.Thread)
	}
	return b.Flush()
}
