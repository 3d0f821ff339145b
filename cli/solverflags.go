package cli

import (
	"fmt"

	"mcfem/internal/setting"
	"mcfem/solver"
)

// solverHelp is -solver's help, for run, mlmc and mlmc-test.
const solverHelp = "auto (the Cholesky factor or AMG-CG, whichever a cost model that depends only on the matrix, the sample count and the batch finds cheaper; the factor only up to 4 GiB per rank; the report says which, why, and the time it expects on this machine), cg (preconditioned CG, -pc; given -pc without -solver means cg) or cholesky (a sparse Cholesky factor of K per rank, nested-dissection ordering; each sample a forward and a backward solve, its residual checked against -rtol; not with a random conductivity)"

// batchHelp is -batch's help.
func batchHelp(what string) string {
	return fmt.Sprintf("%s solved together, one pass over the matrix or factor serving them all (1..%d; 0: automatic, 4 for the Cholesky factor and AMG-CG, 1 for Jacobi-CG and when every sample has its own matrix; the results do not change)", what, solver.MaxBatch)
}

// solverFlags defines -solver, -pc and -batch on fs; the defaults are auto, jacobi (for CG) and
// automatic.
func solverFlags(fs flagSet, so *solver.Options, what string) {
	so.Method, so.Batch = "auto", 0
	fs.StringVar(&so.Method, "solver", so.Method, solverHelp)
	fs.StringVar(&so.PC, "pc", so.PC, "CG preconditioner: jacobi, amg, none (with -solver auto, the preconditioner of a random conductivity's CG; auto's CG on a fixed matrix is AMG's)")
	fs.IntVar(&so.Batch, "batch", so.Batch, batchHelp(what))
}

// settleSolver applies the rules between the solver flags that were set (set holds the names
// of the flags given on the command line or in a -config file): -pc without -solver asks for
// CG; -pc with -solver cholesky is refused, as it would be ignored.
func settleSolver(set map[string]bool, so *solver.Options) error {
	switch {
	case set["pc"] && !set["solver"]:
		so.Method = "cg"
	case set["pc"] && so.Method == "cholesky":
		return &setting.Error{Field: "pc", Value: so.PC, Want: "no -pc with -solver cholesky (a direct solver has no preconditioner)"}
	}
	return nil
}
