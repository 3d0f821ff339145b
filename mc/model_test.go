package mc

import (
	"fmt"
	"math"
	"mcfem/solver"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBatchDoesNotChangeResults(t *testing.T) {
	// Batched solves are bit-identical per sample to unbatched ones, for every preconditioner,
	// whatever the batches' boundaries (41 samples: partial batches at every rank's end).
	for _, pc := range solver.Preconditioners {
		cfg := DefaultConfig()
		cfg.Samples, cfg.Problem.Cells, cfg.Solver.PC = 41, 16, pc
		ref := runLocal(t, 1, cfg)
		for _, k := range []int{2, 3, 4, 8} {
			cfg.Solver.Batch = k
			res := runLocalOpt(t, 3, cfg, Options{Threads: 2})
			assert.Equal(t, resultsOnly(ref.Records), resultsOnly(res.Records), "pc %s batch %d", pc, k)
		}
	}
}

func TestPreconditionersAgree(t *testing.T) {
	// Issue 4: QoIs from -pc amg agree with -pc jacobi to 1e-9 relative (seen: ~1e-12 at rtol
	// 1e-8; CG's error in this smooth functional is far below the residual tolerance).
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 40, 64
	jac := runLocal(t, 2, cfg)
	for _, pc := range []string{"amg", "none"} {
		cfg.Solver.PC = pc
		res := runLocal(t, 2, cfg)
		var worst float64
		for i, r := range res.Records {
			worst = math.Max(worst, math.Abs(r.QoIs[0]-jac.Records[i].QoIs[0])/math.Abs(jac.Records[i].QoIs[0]))
		}
		t.Logf("pc %s: largest relative difference from jacobi %.2g; iterations %d (jacobi %d)", pc, worst, res.Records[0].Iterations, jac.Records[0].Iterations)
		assert.Less(t, worst, 1e-9, pc)
	}
}

func TestAMGIterationsDoNotGrow(t *testing.T) {
	// Issue 4: -pc amg needs at most 15 iterations at every size (64 … 1024 in the benchmark;
	// here up to 256 to keep the test short). Regression values seen: 11, 11, 12.
	for _, cells := range []int{64, 128, 256} {
		cfg := DefaultConfig()
		cfg.Problem.Cells, cfg.Solver.PC = cells, "amg"
		b, err := NewBench(cfg)
		require.NoError(t, err)
		its, err := b.Solve(1)
		require.NoError(t, err)
		assert.LessOrEqual(t, its, 15, fmt.Sprint(cells))
	}
}

// TestCholeskySolver: -solver cholesky gives CG's QoIs to 1e-9 relative (issue 4's tolerance
// between solvers; seen ~5e-12 at rtol 1e-8), direct residuals far below rtol, results
// bit-identical for every rank count, thread count and batch size, and a cost of 2·nnz(L)
// per sample.
func TestCholeskySolver(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 41, 32
	cg := runLocal(t, 2, cfg)
	cfg.Solver.Method = "cholesky"
	ref := runLocal(t, 1, cfg)
	require.True(t, ref.Solver.Direct())
	require.Contains(t, ref.Solver.Name(), "Cholesky factor")
	assert.Equal(t, int64(cfg.Samples)*ref.Solver.Cost(0), ref.TotalCost)
	for i, r := range ref.Records {
		assert.InDelta(t, 1, r.QoIs[0]/cg.Records[i].QoIs[0], 1e-9, "sample %d", i)
		assert.Zero(t, r.Iterations)
		// A backward-stable solve of a matrix with condition number ~4e2 (32 cells):
		// residuals near machine precision, checked well below rtol.
		assert.Less(t, r.Residual, 1e-12, "sample %d", i)
	}
	for _, k := range []int{1, 3, 4, 8} {
		cfg.Solver.Batch = k
		res := runLocalOpt(t, 3, cfg, Options{Threads: 2})
		assert.Equal(t, resultsOnly(ref.Records), resultsOnly(res.Records), "batch %d", k)
	}
}

// TestSolverAuto: auto takes the factor for the reference problem when its estimate is
// lower and AMG-CG when it is not (one sample on a large mesh), CG for the random-field model
// (one matrix per sample); the choice and its reason are reported, the same on every rank
// count (the reason holds estimates from the cost model, no timing).
func TestSolverAuto(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells, cfg.Solver.Method, cfg.Solver.Batch = 20, 32, "auto", 0
	res := runLocal(t, 2, cfg)
	assert.True(t, res.Solver.Direct())
	assert.Contains(t, res.Solver.Choice(), "auto: Cholesky, by the cost model")
	assert.Equal(t, 4, res.Solver.Batch(), "the automatic batch of the factor")
	again := runLocal(t, 3, cfg)
	assert.Equal(t, res.Solver.Choice(), again.Solver.Choice())
	for _, tm := range res.Timing {
		assert.Zero(t, tm.Estimate, "10 samples a rank: no probe (fewer than probeMinBatches batches)")
	}

	// With enough samples every rank probes; the probe changes no result: the records are
	// those of -solver cholesky, bit for bit.
	big := cfg
	big.Samples, big.Problem.Cells = 2*4*probeMinBatches, 64 // samples above probeMinSample
	res = runLocal(t, 2, big)
	for _, tm := range res.Timing {
		assert.Positive(t, tm.Estimate, "rank %d", tm.Rank)
	}
	big.Solver.Method = "cholesky"
	assert.Equal(t, resultsOnly(runLocal(t, 2, big).Records), resultsOnly(res.Records))

	// A resumed campaign's recorded choice is taken as it is, whatever the sample count.
	pinned := cfg
	pinned.Solver.AutoChoice = "amg"
	res = runLocal(t, 1, pinned)
	assert.Equal(t, "amg", res.Solver.Preconditioner())
	assert.Contains(t, res.Solver.Choice(), "as the run that wrote the journals chose")

	cfg.Problem.Model = "lognormal-field"
	res = runLocal(t, 1, cfg)
	assert.False(t, res.Solver.Direct())
	assert.Contains(t, res.Solver.Choice(), "every sample has its own matrix")

	cfg.Solver.Method = "cholesky"
	assert.Equal(t, "solver", fieldOf(t, cfg.Validate()))
}
