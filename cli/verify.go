package cli

import (
	"fmt"
	"io"

	"mcfem/internal/setting"
	"mcfem/mc"
	"mcfem/solver"
)

func cmdVerify(fs flagSet, args []string, stdout, stderr io.Writer) int {
	lo := fs.Int("min", 8, "coarsest mesh, cells per side (≥ 1)")
	hi := fs.Int("max", 512, "finest mesh, cells per side (≥ -min)")
	rtol := fs.Float64("rtol", 1e-12, "CG relative residual tolerance, in (0, 1): tight, so that the solver's error stays below the discretisation error")
	maxit := fs.Int("maxit", 100000, "CG iteration cap (≥ 1)")
	if code := fs.parse(args, stdout, stderr); code >= 0 {
		return code
	}
	cfg := mc.DefaultConfig()
	cfg.Problem.Cells = *hi
	cfg.Solver = solver.Options{Method: "cg", PC: "jacobi", Rtol: *rtol, MaxIt: *maxit, Batch: 1}
	if err := cfg.Validate(); err != nil {
		return usageError(fs, err, stderr)
	}
	if *lo < 1 || *lo > *hi {
		return usageError(fs, &setting.Error{Field: "min", Value: fmt.Sprint(*lo), Want: fmt.Sprintf("cells per side in [1, -max=%d]", *hi)}, stderr)
	}
	var cells []int
	for n := *lo; n <= *hi; n *= 2 {
		cells = append(cells, n)
	}
	rows, err := mc.Verify(cfg.Problem, []float64{1}, cells, *rtol, *maxit)
	if err != nil {
		fmt.Fprintf(stderr, "mcfem verify: %v\n", err)
		return exitFailure
	}
	if err := mc.WriteVerify(stdout, rows, "ε = 1", *rtol); err != nil {
		return exitFailure
	}
	return exitOK
}
