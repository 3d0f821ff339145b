package problem

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"mcfem/dist"
	"mcfem/field"
	"mcfem/internal/setting"
	"mcfem/mesh"
)

// spec is the tutorial's problem on an n×n unit square.
func spec(n int) Spec {
	return Spec{Model: "reference", Cells: n, Dist: dist.Beta(2, 6), Field: field.Params{Sigma: 1, Lambda: 0.3, Terms: 20}}
}

// withMesh is spec on the mesh m (as if read from file).
func withMesh(m *mesh.Mesh, info *mesh.MDPAInfo) Spec {
	s := spec(0)
	s.Mesh, s.MDPA, s.MeshFile = m, info, "test.mdpa"
	return s
}

func newProblem(t *testing.T, s Spec) Problem {
	t.Helper()
	p, err := New(s)
	require.NoError(t, err)
	return p
}

func TestTutorialKnowsItsExactQoIOnTheUnitSquare(t *testing.T) {
	// SPEC.md: QoI = 6ε, so for ε ~ Beta(2, 6) the mean is 1.5 and the variance 0.75.
	e, ok := newProblem(t, spec(8)).Exact()
	require.True(t, ok)
	assert.Equal(t, 1.5, e.Mean)
	assert.InDelta(t, 0.75, e.Variance, 1e-15)
	assert.InDelta(t, 0.6928203, e.Skewness, 1e-7)
	assert.InDelta(t, 0.1090909, e.ExKurtosis, 1e-7)
	assert.Equal(t, "exact (6ε)", e.Label)
	q := []float64{0}
	e.QoIs(&Inputs{Values: []float64{0.25}}, q)
	assert.Equal(t, 6*0.25, q[0])
	beta := distuv.Beta{Alpha: 2, Beta: 6}
	assert.InDelta(t, beta.Prob(0.2)/6, e.Density(1.2), 1e-15)
}

func TestTutorialOnKratosMeshes(t *testing.T) {
	// The Kratos test meshes cover the unit square with u = 0 on Subpart_Boundary = ∂Ω, and
	// Level1's Properties say CONDUCTIVITY 1.0: the continuum solution applies.
	for _, file := range []string{"square_finer_2d.mdpa", "Level1.mdpa"} {
		m, info, err := mesh.ReadMDPAFile(filepath.Join("..", "mesh", "testdata", file), mesh.ReadOptions{Boundary: "Subpart_Boundary"})
		require.NoError(t, err)
		p := newProblem(t, withMesh(m, info))
		_, ok := p.Exact()
		assert.True(t, ok, file)
		assert.Empty(t, p.Info().Notes, file)
	}
}

func TestTutorialKnowsNoExactQoIElsewhere(t *testing.T) {
	square := func() *mesh.Mesh {
		m, err := mesh.UnitSquare(4)
		require.NoError(t, err)
		return m
	}
	stretched := square()
	for v := range stretched.NumNodes() {
		stretched.Coords[2*v] *= 2
	}
	partial := square()
	partial.Boundary[1] = false // a node on the side y = 0, no longer held at 0
	interior := square()
	interior.Boundary[6] = true // node (1, 1) of the 5×5 grid: inside
	conductive := square()
	for _, tc := range []struct {
		name string
		m    *mesh.Mesh
		info *mesh.MDPAInfo
		note string
	}{
		{"stretched", stretched, nil, "the mesh covers [0, 2]×[0, 1], not the unit square"},
		{"part of the boundary free", partial, nil, "node 1 lies on the domain's boundary but is not a Dirichlet node"},
		{"an interior Dirichlet node", interior, nil, "node 6 inside the domain is a Dirichlet node"},
		{"conductivity", conductive, &mesh.MDPAInfo{Properties: []mesh.Property{{ID: 0, Key: "CONDUCTIVITY", Value: "2.0", Line: 6}}},
			"Properties 0, line 6: CONDUCTIVITY 2.0 is not modelled (this problem has κ = 1)"},
	} {
		p := newProblem(t, withMesh(tc.m, tc.info))
		e, ok := p.Exact()
		assert.False(t, ok, tc.name)
		assert.Empty(t, e.Note, tc.name)
		assert.Nil(t, e.Density, tc.name)
		require.NotEmpty(t, p.Info().Notes, tc.name)
		assert.Contains(t, p.Info().Notes[0], tc.note, tc.name)
	}
}

func TestDrawDependsOnTheStreamAlone(t *testing.T) {
	// The same stream gives the same inputs; the field's ε is the tutorial's draw, its ξ follow.
	s := spec(8)
	s.Model = "lognormal-field"
	fieldP, tut := newProblem(t, s), newProblem(t, spec(8))
	a, b, c := fieldP.NewInputs(), fieldP.NewInputs(), tut.NewInputs()
	fieldP.Draw(3, rand.NewPCG(7, 8), a)
	fieldP.Draw(3, rand.NewPCG(7, 8), b)
	tut.Draw(3, rand.NewPCG(7, 8), c)
	assert.Equal(t, a, b)
	assert.Equal(t, c.Values, a.Values)
	require.Len(t, a.Coeffs, 20)
	assert.NotEqual(t, a.Coeffs[0], a.Coeffs[1])
}

func TestLogNormalFieldKnowsNoExactQoI(t *testing.T) {
	s := spec(8)
	s.Model = "lognormal-field"
	p := newProblem(t, s)
	e, ok := p.Exact()
	assert.False(t, ok)
	assert.True(t, math.IsNaN(e.Mean))
	assert.Nil(t, e.QoIs)
	assert.True(t, p.Varying())
	// Each sampler assembles its own matrix: two samplers with different inputs do not share.
	in1, in2 := p.NewInputs(), p.NewInputs()
	p.Draw(0, rand.NewPCG(1, 1), in1)
	p.Draw(1, rand.NewPCG(2, 2), in2)
	s1, s2 := p.NewSampler(), p.NewSampler()
	k1, err := s1.Matrix(in1)
	require.NoError(t, err)
	k2, err := s2.Matrix(in2)
	require.NoError(t, err)
	assert.NotEqual(t, k1.Val[0], k2.Val[0])
	assert.Equal(t, p.System().K.RowPtr, k1.RowPtr, "same pattern")
}

func TestSamplerColumnsHaveTheBitsOfOneColumn(t *testing.T) {
	// Load and QoIs of column j of k interleaved vectors equal the k = 1 ones bit for bit.
	p := newProblem(t, spec(8))
	sm := p.NewSampler()
	n := p.System().K.N
	in := &Inputs{Values: []float64{0.37}}
	one := make([]float64, n)
	sm.Load(in, one, 1, 0)
	three := make([]float64, 3*n)
	sm.Load(in, three, 3, 2)
	var q1, q3 [1]float64
	sm.QoIs(in, one, 1, 0, q1[:])
	sm.QoIs(in, three, 3, 2, q3[:])
	for i := range n {
		require.Equal(t, one[i], three[3*i+2])
	}
	assert.Equal(t, q1, q3)
}

func TestSpecValidateAndJournalKey(t *testing.T) {
	bad := spec(0)
	var fe *setting.Error
	require.ErrorAs(t, bad.Validate(), &fe)
	assert.Equal(t, "mesh", fe.Field)
	bad = spec(8)
	bad.Model = "heat"
	require.ErrorAs(t, bad.Validate(), &fe)
	assert.Equal(t, "model", fe.Field)
	bad = spec(8)
	bad.Model, bad.Field.Terms = "lognormal-field", 0
	require.ErrorAs(t, bad.Validate(), &fe)
	assert.Equal(t, "field", fe.Field)

	assert.Equal(t, map[string]string{"model": "reference", "mesh": "unit square 8", "dist": "beta:2,6"}, spec(8).JournalKey())
	s := spec(8)
	s.Model = "lognormal-field"
	assert.Equal(t, "lognormal-field sigma=1 lambda=0.3 terms=20", s.JournalKey()["model"])
}
