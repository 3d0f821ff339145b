package mc

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFieldsIntegrateToTheMeanQoI(t *testing.T) {
	// Σ_i area_i mean(u)_i = mean(Σ_i area_i u_i) = the reported mean QoI, up to rounding
	// in sums of a few hundred terms (1e-12 relative, far below the 1e-9 asked).
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells, cfg.Solver.Batch = 37, 16, 4
	res := runLocalOpt(t, 3, cfg, Options{Threads: 2, Fields: true})
	require.NotNil(t, res.FieldMean)
	sys := res.Problem.System()
	var integral, q0 float64
	for dof, node := range sys.Node {
		integral += sys.Area[dof] * res.FieldMean[node]
		q0 += sys.Area[dof] * res.FieldSample0[node]
	}
	assert.InEpsilon(t, res.Stats[0].Mean, integral, 1e-12)
	assert.InEpsilon(t, res.Records[0].QoIs[0], q0, 1e-12)
	// u = 0 on the boundary; the std at an interior node matches the std of the QoI scaled:
	// every u is ε times one shape here, so std(u_i)/mean(u_i) = std(ε)/mean(ε) = std(Q)/mean(Q).
	for node, b := range sys.Mesh.Boundary {
		if b {
			assert.Zero(t, res.FieldMean[node])
			continue
		}
		assert.InEpsilon(t, res.Stats[0].StdDev/res.Stats[0].Mean, res.FieldStd[node]/res.FieldMean[node], 1e-6)
	}
	assert.False(t, math.IsNaN(res.FieldStd[0]))
}

func TestProgressCountsEverySample(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells, cfg.Solver.Batch = 50, 8, 3
	var done [4]int // one counter per rank: each rank's callback runs on its own workers
	res := runLocalOptRank(t, 4, cfg, func(rank int) Options {
		return Options{Progress: func(n int) { done[rank] += n }}
	})
	require.NotNil(t, res)
	assert.Equal(t, 50, done[0]+done[1]+done[2]+done[3])
}
