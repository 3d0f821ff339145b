package mc

import (
	"testing"

	"github.com/stretchr/testify/require"

	"mcfem/internal/setting"
	"mcfem/spmd"
)

// fieldOf returns the setting a validation error names.
func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var fe *setting.Error
	require.ErrorAs(t, err, &fe)
	return fe.Field
}

// discreteQoI1 is Q_h(1), the discrete QoI at ε = 1, solved to 1e-12. Test oracle only: the
// discrete QoI is linear in ε for the reference problem, so E[Q_h] = E[ε]·Q_h(1) and so on.
func discreteQoI1(t *testing.T, cells int) float64 {
	t.Helper()
	rows, err := Verify(SquareMeshes(DefaultConfig().Problem, cells, cells), []float64{1}, 1e-12, 100000)
	require.NoError(t, err)
	return rows[0].QoI[0]
}

// testWorker sets up cfg's problem and solver and returns one worker of its sample pipeline
// with records for a batch: the per-sample path of every campaign.
func testWorker(t testing.TB, cfg Config) (*worker, []Record) {
	t.Helper()
	b, err := NewBench(cfg)
	require.NoError(t, err)
	k := max(cfg.Solver.Batch, 1)
	return b.pl.newWorker(0), newRecords(k, len(b.Problem.InputNames()), len(b.Problem.QoINames()))
}

// onRank0 runs f on p in-process ranks, requires that no rank failed, and returns rank 0's
// value.
func onRank0[T any](t *testing.T, p int, f func(c spmd.Comm) (T, error)) T {
	t.Helper()
	var v T
	err := spmd.RunLocal(p, func(c spmd.Comm) error {
		r, err := f(c)
		if c.Rank() == 0 {
			v = r
		}
		return err
	})
	require.NoError(t, err)
	return v
}
