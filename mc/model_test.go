package mc

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBatchDoesNotChangeResults(t *testing.T) {
	// Batched solves are bit-identical per sample to unbatched ones, for every preconditioner,
	// whatever the batches' boundaries (41 samples: partial batches at every rank's end).
	for _, pc := range Preconditioners {
		cfg := DefaultConfig()
		cfg.Samples, cfg.Cells, cfg.PC = 41, 16, pc
		ref := runLocal(t, 1, cfg)
		for _, k := range []int{2, 3, 4, 8} {
			cfg.Batch = k
			res := runLocalOpt(t, 3, cfg, Options{Threads: 2})
			assert.Equal(t, resultsOnly(ref.Records), resultsOnly(res.Records), "pc %s batch %d", pc, k)
		}
	}
}

func TestPreconditionersAgree(t *testing.T) {
	// Issue 4: QoIs from -pc amg agree with -pc jacobi to 1e-9 relative (seen: ~1e-12 at rtol
	// 1e-8; CG's error in this smooth functional is far below the residual tolerance).
	cfg := DefaultConfig()
	cfg.Samples, cfg.Cells = 40, 64
	jac := runLocal(t, 2, cfg)
	for _, pc := range []string{"amg", "none"} {
		cfg.PC = pc
		res := runLocal(t, 2, cfg)
		var worst float64
		for i, r := range res.Records {
			worst = math.Max(worst, math.Abs(r.QoI-jac.Records[i].QoI)/math.Abs(jac.Records[i].QoI))
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
		cfg.Cells, cfg.PC = cells, "amg"
		m, err := NewModel(cfg)
		require.NoError(t, err)
		_, res, err := m.NewSolver().Solve(0.25)
		require.NoError(t, err)
		assert.LessOrEqual(t, res.Iterations, 15, fmt.Sprint(cells))
	}
}

func TestSolveBatchAllocatesNothing(t *testing.T) {
	for _, pc := range Preconditioners {
		cfg := DefaultConfig()
		cfg.Cells, cfg.PC, cfg.Batch = 16, pc, 4
		m, err := NewModel(cfg)
		require.NoError(t, err)
		s := m.NewSolver()
		eps := []float64{0.1, 0.2, 0.3}
		allocs := testing.AllocsPerRun(20, func() {
			_, _, errs := s.SolveBatch(eps)
			if errs[0] != nil {
				panic(errs[0])
			}
		})
		assert.Zero(t, allocs, pc)
	}
}
