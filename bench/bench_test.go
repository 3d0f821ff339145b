package bench

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDirectColumns runs the bench on one small mesh with the direct solver and checks the
// probes and the direct solver's model and rates: present, finite and positive (timings are
// not asserted), consistent with each other, and printed in the text and JSON reports.
func TestDirectColumns(t *testing.T) {
	opt := Options{Sizes: []int{16}, PCs: []string{"cholesky", "jacobi"}, Batches: []int{1, 4},
		MinTime: time.Millisecond, Rtol: 1e-8, ProbeElems: 1 << 16}
	rep, err := Run(opt, &bytes.Buffer{})
	require.NoError(t, err)
	sane := func(name string, v float64) {
		t.Helper()
		assert.False(t, math.IsNaN(v) || math.IsInf(v, 0), "%s = %g", name, v)
		assert.Greater(t, v, 0.0, name)
	}
	sane("triad", rep.Probe.Triad1GBs)
	sane("peak", rep.Probe.PeakGflops)
	require.Len(t, rep.Rows, 4)
	for _, r := range rep.Rows {
		if r.PC != "cholesky" {
			assert.Nil(t, r.Direct, "pc %s has no direct model", r.PC)
			continue
		}
		d := r.Direct
		require.NotNil(t, d, "batch %d", r.Batch)
		n := int64(r.Unknowns)
		// K is symmetric with its diagonal: its lower triangle has (nnz + n)/2 entries, and L
		// has at least those (fill ≥ 1) and at most the dense n(n+1)/2.
		assert.Equal(t, (int64(r.NonZeros)+n)/2, d.TrilNNZ)
		assert.GreaterOrEqual(t, d.FactorNNZ, d.TrilNNZ)
		assert.LessOrEqual(t, d.FactorNNZ, n*(n+1)/2)
		assert.Equal(t, float64(d.FactorNNZ)/float64(d.TrilNNZ), d.Fill)
		// The models: 4·nnz(L) − 2n flops per sample, whatever the batch; L's values read
		// twice per batch (at least 2·8·nnz(L)/k bytes per sample) plus 64 bytes per unknown.
		assert.Equal(t, float64(4*d.FactorNNZ-2*n), d.SolveFlops)
		assert.GreaterOrEqual(t, d.SolveBytes, float64(16*d.FactorNNZ)/float64(r.Batch)+float64(64*n))
		for name, v := range map[string]float64{"factor flops": d.FactorFlops, "factor s": d.FactorSeconds,
			"factor Gflop/s": d.FactorGflops, "factor %peak": d.FactorOfPeak, "solve s": d.SolveSeconds,
			"solve GB/s": d.SolveGBs, "solve %triad": d.SolveOfTriad, "solve Gflop/s": d.SolveGflops,
			"solve %peak": d.SolveOfPeak, "solve share": d.SolveShare, "bytes": float64(d.FactorBytes)} {
			sane(name, v)
		}
		assert.Positive(t, d.Supernodes)
	}
	// The first cholesky row's batch-1 bytes exceed its batch-4 bytes per sample.
	assert.Greater(t, rep.Rows[0].Direct.SolveBytes, rep.Rows[1].Direct.SolveBytes)

	var text bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	for _, want := range []string{"flop peak probe", "direct solver (sparse Cholesky)", "nnz(L)", "fill",
		"fact Mflop", "MB/smp", "Mflop/smp", "%triad", "%peak"} {
		assert.Contains(t, text.String(), want)
	}
	// One line per cholesky row in the direct table, starting with the cells and the batch.
	_, table, ok := strings.Cut(text.String(), "direct solver (sparse Cholesky)")
	require.True(t, ok)
	assert.Contains(t, table, "\n    16     1 |")
	assert.Contains(t, table, "\n    16     4 |")

	var js bytes.Buffer
	require.NoError(t, rep.WriteJSON(&js))
	var back Report
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	assert.Equal(t, rep.Rows[1].Direct, back.Rows[1].Direct)
	assert.Equal(t, rep.Probe.PeakGflops, back.Probe.PeakGflops)
	for _, key := range []string{`"peak_gflops"`, `"direct"`, `"factor_nnz"`, `"fill"`, `"factor_gflops"`,
		`"solve_bytes_per_sample"`, `"solve_flops_per_sample"`, `"solve_gbs"`, `"solve_gflops"`} {
		assert.Contains(t, js.String(), key)
	}
}
