package mc

import (
	"fmt"
	"io"
	"math"
)

// VerifyRow is one mesh of the convergence study: the discrete QoI at ε = 1 against the exact 6.
type VerifyRow struct {
	Cells, Unknowns, Iterations int
	QoI, Error                  float64
	Order                       float64 // log(e_prev/e)/log(n/n_prev); NaN on the first row
}

// Verify solves the reference problem at ε = 1 on each mesh and returns the error of the
// discrete QoI against the exact 6ε = 6 with the observed order between successive meshes.
// Because the error of Q_h(ε) is ε times that of Q_h(1), the order holds for every ε.
func Verify(cells []int, rtol float64, maxit int) ([]VerifyRow, error) {
	rows := make([]VerifyRow, 0, len(cells))
	for i, n := range cells {
		cfg := DefaultConfig()
		cfg.Cells, cfg.Rtol, cfg.MaxIt = n, rtol, maxit
		m, err := NewModel(cfg)
		if err != nil {
			return rows, err
		}
		q, res, err := m.NewSolver().Solve(1)
		if err != nil {
			return rows, fmt.Errorf("mesh %d: %w", n, err)
		}
		row := VerifyRow{Cells: n, Unknowns: m.Sys.K.N, Iterations: res.Iterations, QoI: q, Error: math.Abs(q - 6), Order: math.NaN()}
		if i > 0 {
			prev := rows[i-1]
			row.Order = math.Log(prev.Error/row.Error) / math.Log(float64(n)/float64(prev.Cells))
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// WriteVerify prints the convergence table.
func WriteVerify(w io.Writer, rows []VerifyRow, rtol float64) error {
	fmt.Fprintf(w, "mesh convergence of the discrete QoI at ε = 1 against the exact 6ε (CG rtol %g)\n", rtol)
	fmt.Fprintf(w, "%8s %10s %10s %20s %12s %7s\n", "cells", "unknowns", "CG its", "QoI_h(1)", "|QoI_h - 6|", "order")
	for _, r := range rows {
		order := "      -"
		if !math.IsNaN(r.Order) {
			order = fmt.Sprintf("%7.3f", r.Order)
		}
		fmt.Fprintf(w, "%8d %10d %10d %20.15f %12.4e %s\n", r.Cells, r.Unknowns, r.Iterations, r.QoI, r.Error, order)
	}
	if n := len(rows); n >= 2 {
		fmt.Fprintf(w, "observed order on the two finest meshes: %.3f (P1 theory: 2)\n", rows[n-1].Order)
	}
	return nil
}
