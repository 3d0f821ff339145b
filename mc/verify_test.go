package mc

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerifyOrderTwo(t *testing.T) {
	// Acceptance 2 of issue 2 (smaller ladder; `mcfem verify` runs 8…512): the QoI error
	// against the tutorial's exact QoI 6ε falls at order 2.0 ± 0.1 from n = 16 on (the first
	// pair, 8→16, shows 1.98 already).
	rows, err := Verify(DefaultConfig().Problem, []float64{1}, []int{8, 16, 32, 64, 128}, 1e-12, 10000)
	require.NoError(t, err)
	require.Len(t, rows, 5)
	for _, r := range rows[1:] {
		assert.InDelta(t, 2.0, r.Order, 0.1, "order at n=%d", r.Cells)
	}
	// The discrete QoI approaches the exact 6 from below on this mesh family.
	for _, r := range rows {
		assert.Equal(t, 6.0, r.Exact)
		assert.Less(t, r.QoI, 6.0)
	}
}

func TestVerifyNeedsAnExactQoI(t *testing.T) {
	// The random field knows no exact QoI: verify refuses rather than compare with anything.
	spec := DefaultConfig().Problem
	spec.Model = "lognormal-field"
	_, err := Verify(spec, []float64{1}, []int{8}, 1e-12, 10000)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "knows no exact QoI")
}
