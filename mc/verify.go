package mc

import (
	"fmt"
	"io"
	"math"

	"mcfem/problem"
	"mcfem/solver"
)

// VerifyMesh is one mesh of a convergence study: the problem on it, its label (the cells per
// side, or the refinements of a mesh file) and its size h relative to the others'.
type VerifyMesh struct {
	Spec  problem.Spec
	Label string
	H     float64
}

// VerifyRow is one mesh of the convergence study: the discrete QoIs of one input against the
// problem's exact ones, per QoI.
type VerifyRow struct {
	Label                string
	Unknowns, Iterations int
	QoI, Exact, Error    []float64
	Order                []float64 // log(e_prev/e)/log(h_prev/h); NaN on the first row
}

// Verify solves the problem on each mesh for the inputs values (the field, if any, at ξ = 0)
// with Jacobi-CG to rtol, and returns the error of each discrete QoI against the problem's
// exact one with the observed order between successive meshes. A problem that knows no exact
// QoI is an error: there is nothing to verify against.
func Verify(meshes []VerifyMesh, values []float64, rtol float64, maxit int) ([]VerifyRow, error) {
	return VerifyProgress(meshes, values, rtol, maxit, nil)
}

// VerifyProgress is Verify that calls starting(i) (if not nil) before it sets up mesh i: what
// a progress reporter shows.
func VerifyProgress(meshes []VerifyMesh, values []float64, rtol float64, maxit int, starting func(i int)) ([]VerifyRow, error) {
	rows := make([]VerifyRow, 0, len(meshes))
	for i, vm := range meshes {
		if starting != nil {
			starting(i)
		}
		p, err := problem.New(vm.Spec)
		if err != nil {
			return rows, err
		}
		e, _ := p.Exact()
		if e.QoIs == nil {
			return rows, fmt.Errorf("mc: verify: the %s problem knows no exact QoI to verify against", p.Info().Model)
		}
		s, err := solver.New(p.System().K, solver.Options{Method: "cg", PC: "jacobi", Rtol: rtol, MaxIt: maxit, Batch: 1}, p.Varying())
		if err != nil {
			return rows, err
		}
		in := p.NewInputs()
		copy(in.Values, values)
		nq := len(p.QoINames())
		ev := &single{p: p, s: s, batch: 1}
		out := []Outcome{{QoIs: make([]float64, nq), Costs: make([]int64, nq)}}
		ev.newWorker().solve([]*problem.Inputs{in}, out)
		if out[0].Err != nil {
			return rows, fmt.Errorf("mesh %s: %w", vm.Label, out[0].Err)
		}
		row := VerifyRow{Label: vm.Label, Unknowns: p.System().K.N, Iterations: out[0].Iterations, QoI: out[0].QoIs,
			Exact: make([]float64, nq), Error: make([]float64, nq), Order: make([]float64, nq)}
		e.QoIs(in, row.Exact)
		for q := range nq {
			row.Error[q] = math.Abs(row.QoI[q] - row.Exact[q])
			row.Order[q] = math.NaN()
			if i > 0 {
				row.Order[q] = math.Log(rows[i-1].Error[q]/row.Error[q]) / math.Log(meshes[i-1].H/vm.H)
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// WriteVerify prints the convergence table of every QoI (names), for the input described by
// input; meshLabel heads the mesh column ("cells"). theory[q] says the order P1 elements give
// QoI q ("2" where theory is nil).
func WriteVerify(w io.Writer, rows []VerifyRow, names, theory []string, input, meshLabel string, rtol float64) error {
	for q, name := range names {
		what := "the discrete QoI"
		if len(names) > 1 {
			what = "QoI " + name
			if q > 0 {
				fmt.Fprintln(w)
			}
		}
		fmt.Fprintf(w, "mesh convergence of %s at %s against the problem's exact QoI (CG rtol %g)\n", what, input, rtol)
		fmt.Fprintf(w, "%8s %10s %10s %20s %20s %12s %7s\n", meshLabel, "unknowns", "CG its", "QoI_h", "exact", "|QoI_h - exact|", "order")
		for _, r := range rows {
			order := "      -"
			if !math.IsNaN(r.Order[q]) {
				order = fmt.Sprintf("%7.3f", r.Order[q])
			}
			fmt.Fprintf(w, "%8s %10d %10d %20.15f %20.15f %12.4e %s\n", r.Label, r.Unknowns, r.Iterations, r.QoI[q], r.Exact[q], r.Error[q], order)
		}
		if n := len(rows); n >= 2 {
			th := "2"
			if theory != nil {
				th = theory[q]
			}
			line := fmt.Sprintf("observed order on the two finest meshes: %.3f (P1 theory: %s)", rows[n-1].Order[q], th)
			if exactEverywhere(rows, q) {
				line = "QoI_h equals the exact QoI on every mesh (to 1e-12 relative): no error to converge, no order"
			}
			if _, err := fmt.Fprintln(w, line); err != nil {
				return err
			}
		}
	}
	return nil
}

// exactEverywhere reports whether QoI q's error is rounding on every row (e.g. a max over the
// nodes that lies on Dirichlet data).
func exactEverywhere(rows []VerifyRow, q int) bool {
	for _, r := range rows {
		if r.Error[q] > 1e-12*math.Max(1, math.Abs(r.Exact[q])) {
			return false
		}
	}
	return true
}

// SquareMeshes returns the structured meshes of cells per side lo, 2lo, … ≤ hi for spec.
func SquareMeshes(spec problem.Spec, lo, hi int) []VerifyMesh {
	var out []VerifyMesh
	for n := lo; n <= hi; n *= 2 {
		spec.Cells = n
		out = append(out, VerifyMesh{Spec: spec, Label: fmt.Sprint(n), H: 1 / float64(n)})
	}
	return out
}
