package mc

import (
	"fmt"
	"io"
	"math"

	"mcfem/problem"
	"mcfem/solver"
)

// VerifyRow is one mesh of the convergence study: the discrete QoI of one input against the
// problem's exact value.
type VerifyRow struct {
	Cells, Unknowns, Iterations int
	QoI, Exact, Error           float64
	Order                       float64 // log(e_prev/e)/log(n/n_prev); NaN on the first row
}

// Verify solves spec's problem on each structured mesh for the inputs values (ε = 1 for the
// tutorial) with Jacobi-CG to rtol, and returns the error of the discrete QoI against the
// problem's exact one with the observed order between successive meshes. A problem that
// knows no exact QoI is an error: there is nothing to verify against.
func Verify(spec problem.Spec, values []float64, cells []int, rtol float64, maxit int) ([]VerifyRow, error) {
	rows := make([]VerifyRow, 0, len(cells))
	for i, n := range cells {
		spec.Cells = n
		p, err := problem.New(spec)
		if err != nil {
			return rows, err
		}
		e, ok := p.Exact()
		if !ok || e.QoI == nil {
			return rows, fmt.Errorf("mc: verify: the %s problem knows no exact QoI to verify against", p.Info().Model)
		}
		s, err := solver.New(p.System().K, solver.Options{Method: "cg", PC: "jacobi", Rtol: rtol, MaxIt: maxit, Batch: 1}, p.Varying())
		if err != nil {
			return rows, err
		}
		in := p.NewInputs()
		copy(in.Values, values)
		ev := &single{p: p, s: s, batch: 1}
		out := []Outcome{{QoIs: make([]float64, len(p.QoINames())), Costs: make([]int64, len(p.QoINames()))}}
		ev.newWorker().solve([]*problem.Inputs{in}, out)
		if out[0].Err != nil {
			return rows, fmt.Errorf("mesh %d: %w", n, out[0].Err)
		}
		q, want := out[0].QoIs[0], e.QoI(in)
		row := VerifyRow{Cells: n, Unknowns: p.System().K.N, Iterations: out[0].Iterations, QoI: q, Exact: want,
			Error: math.Abs(q - want), Order: math.NaN()}
		if i > 0 {
			prev := rows[i-1]
			row.Order = math.Log(prev.Error/row.Error) / math.Log(float64(n)/float64(prev.Cells))
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// WriteVerify prints the convergence table.
func WriteVerify(w io.Writer, rows []VerifyRow, input string, rtol float64) error {
	fmt.Fprintf(w, "mesh convergence of the discrete QoI at %s against the problem's exact QoI (CG rtol %g)\n", input, rtol)
	fmt.Fprintf(w, "%8s %10s %10s %20s %20s %12s %7s\n", "cells", "unknowns", "CG its", "QoI_h", "exact", "|QoI_h - exact|", "order")
	for _, r := range rows {
		order := "      -"
		if !math.IsNaN(r.Order) {
			order = fmt.Sprintf("%7.3f", r.Order)
		}
		fmt.Fprintf(w, "%8d %10d %10d %20.15f %20.15f %12.4e %s\n", r.Cells, r.Unknowns, r.Iterations, r.QoI, r.Exact, r.Error, order)
	}
	if n := len(rows); n >= 2 {
		fmt.Fprintf(w, "observed order on the two finest meshes: %.3f (P1 theory: 2)\n", rows[n-1].Order)
	}
	return nil
}
