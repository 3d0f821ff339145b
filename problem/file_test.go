package problem

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/mesh"
	"mcfem/problemfile"
)

// fileSpec is the problem file text on an n×n unit square.
func fileSpec(t *testing.T, text string, n int) Spec {
	t.Helper()
	f, err := problemfile.Parse([]byte(text), "test.json", ".")
	require.NoError(t, err)
	return Spec{Model: "file", Cells: n, File: f}
}

// tutorialFile is problems/tutorial.json's problem, with extra keys.
func tutorialFile(extra string) string {
	return `{"mesh": {"square": 64}, "inputs": {"eps": "beta:2,6"}, "conductivity": 1,
	"source": "eps * -432 * (x*x + y*y - x - y)", "boundary": {"boundary": {"dirichlet": 0}},
	"qoi": {"qoi": {"integral": "domain"}}, "exact": "216 * eps * x*(1-x) * y*(1-y)"` + extra + `}`
}

// bits is v as its bits, for comparisons that -0 and NaN cannot fool.
func bits(v []float64) []uint64 {
	b := make([]uint64, len(v))
	for i, x := range v {
		b[i] = math.Float64bits(x)
	}
	return b
}

// sample draws sample i of p and returns its matrix values, load and QoIs for the solution u.
func sample(t *testing.T, p Problem, s Sampler, i int, u []float64) (kval, load, qois []float64) {
	t.Helper()
	in := p.NewInputs()
	p.Draw(i, rand.NewPCG(7, uint64(i)), in)
	k, err := s.Matrix(in)
	require.NoError(t, err)
	load = make([]float64, k.N)
	s.Load(in, load, 1, 0)
	qois = make([]float64, len(p.QoINames()))
	s.QoIs(in, u, 1, 0, qois)
	return append([]float64(nil), k.Val...), load, qois
}

func TestTutorialFileHasTheTutorialsBits(t *testing.T) {
	// problems/tutorial.json set up as a file problem gives the built-in tutorial's matrix,
	// loads and QoIs bit for bit; with a "field" it is -model lognormal-field's.
	for _, tc := range []struct {
		name  string
		file  Spec
		model string
	}{
		{"reference", fileSpec(t, tutorialFile(""), 12), "reference"},
		{"lognormal-field", fileSpec(t, tutorialFile(`, "field": {"sigma": 1, "lambda": 0.3, "terms": 20}`), 12), "lognormal-field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := spec(12)
			ref.Model = tc.model
			a, b := newProblem(t, ref), newProblem(t, tc.file)
			assert.Equal(t, a.Varying(), b.Varying())
			sa, sb := a.NewSampler(), b.NewSampler()
			r := rand.New(rand.NewPCG(1, 2))
			u := make([]float64, a.System().K.N)
			for i := range u {
				u[i] = r.NormFloat64()
			}
			for i := range 5 {
				ka, la, qa := sample(t, a, sa, i, u)
				kb, lb, qb := sample(t, b, sb, i, u)
				assert.Equal(t, bits(ka), bits(kb), "sample %d: K", i)
				assert.Equal(t, bits(la), bits(lb), "sample %d: load", i)
				assert.Equal(t, bits(qa), bits(qb), "sample %d: QoI", i)
			}
		})
	}
}

func TestFileExactStatistics(t *testing.T) {
	// The manufactured solution is affine in the one input: the QoI's distribution is known,
	// as the tutorial's 6ε.
	e, ok := newProblem(t, fileSpec(t, tutorialFile(""), 8)).Exact()
	require.True(t, ok)
	want, _ := newProblem(t, spec(8)).Exact()
	assert.InDelta(t, want.Mean, e.Mean, 1e-14)
	assert.InDelta(t, want.Variance, e.Variance, 1e-13)
	assert.InDelta(t, want.Skewness, e.Skewness, 1e-13)
	assert.InDelta(t, want.ExKurtosis, e.ExKurtosis, 1e-13)
	assert.InDelta(t, want.Density(1.2), e.Density(1.2), 1e-12)
	// Two inputs, or none: the values of one input are known, the distribution is not.
	e, ok = newProblem(t, fileSpec(t, strings.Replace(tutorialFile(""), `"eps": "beta:2,6"`, `"eps": "beta:2,6", "a": "uniform:0,1"`, 1), 8)).Exact()
	assert.False(t, ok)
	require.NotNil(t, e.QoIs)
	q := []float64{0}
	e.QoIs(&Inputs{Values: []float64{0.5, 0}}, q)
	assert.InDelta(t, 3.0, q[0], 1e-13)
}

// busyFile has every per-sample path: random κ (so each sample lifts its own random Dirichlet
// data), a random Neumann flux and source, a field, and every kind of QoI.
const busyFile = `{"mesh": {"square": 10}, "inputs": {"a": "uniform:0.5,1.5", "b": "uniform:-1,1"},
	"field": {"sigma": 0.5, "lambda": 0.3, "terms": 8},
	"conductivity": "1 + a*x", "source": "1 + b*y",
	"boundary": {"left": {"dirichlet": "b*y"}, "bottom": {"dirichlet": "a"}, "right": {"neumann": "a*y"}},
	"qoi": {"i": {"integral": "domain"}, "m": {"average": "top"}, "p": {"point": [0.3, 0.7]},
	        "x": {"max": "domain"}, "f": {"flux": "left"}}}`

func TestFileSamplerAllocatesNothing(t *testing.T) {
	p := newProblem(t, fileSpec(t, busyFile, 10))
	require.True(t, p.Varying())
	s := p.NewSampler()
	in := p.NewInputs()
	u := make([]float64, p.System().K.N)
	b := make([]float64, len(u))
	q := make([]float64, 5)
	i, src := 0, rand.NewPCG(3, 0)
	allocs := testing.AllocsPerRun(20, func() {
		src.Seed(3, uint64(i))
		p.Draw(i, src, in)
		i++
		if _, err := s.Matrix(in); err != nil {
			panic(err)
		}
		s.Load(in, b, 1, 0)
		s.QoIs(in, u, 1, 0, q)
	})
	assert.Zero(t, allocs)
}

func TestFileRandomConductivityNotPositiveIsNotSPD(t *testing.T) {
	// κ = a turns ≤ 0 for a sample: Matrix says ErrNotSPD, naming κ and the triangle; the
	// set-up accepts it (a is random).
	p := newProblem(t, fileSpec(t, `{"mesh": {"square": 4}, "inputs": {"a": "uniform:-1,1"}, "conductivity": "a",
		"boundary": {"boundary": {"dirichlet": 0}}, "qoi": {"q": {"integral": "domain"}}}`, 4))
	s := p.NewSampler()
	_, err := s.Matrix(&Inputs{Values: []float64{0.5}})
	require.NoError(t, err)
	_, err = s.Matrix(&Inputs{Values: []float64{-0.25}})
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrNotSPD))
	assert.Contains(t, err.Error(), "κ = -0.25 at triangle 0")
	_, err = s.Matrix(&Inputs{Values: []float64{0}})
	assert.True(t, errors.Is(err, ErrNotSPD))
}

func TestFileMeshParts(t *testing.T) {
	// The mesh's own parts, then the box parts; a sub-model-part called like a side keeps its
	// own nodes; domain is every triangle.
	p := newProblem(t, fileSpec(t, busyFile, 4)).(*FileProblem)
	assert.Len(t, p.parts["domain"].Tris, 32)
	assert.Len(t, p.parts["left"].Nodes, 5)
	assert.Len(t, p.parts["boundary"].Nodes, 16)
	// The Dirichlet nodes: left and bottom, 9 of them; the right side's interior nodes are
	// unknowns (Neumann).
	nd := 0
	for _, d := range p.sys.Dof {
		if d < 0 {
			nd++
		}
	}
	assert.Equal(t, 9, nd)
}

// twoSquaresMDPA is a model part file of two separate unit squares, elements 11, 12 in
// [0,1]² and 21, 22 in [2,3]×[0,1], with the sub-model-parts Left (the first square's
// nodes) and Both (every node).
const twoSquaresMDPA = `Begin Nodes
 1 0 0 0
 2 1 0 0
 3 1 1 0
 4 0 1 0
 5 2 0 0
 6 3 0 0
 7 3 1 0
 8 2 1 0
End Nodes
Begin Elements LaplacianElement2D3N
 11 0 1 2 3
 12 0 1 3 4
 21 0 5 6 7
 22 0 5 7 8
End Elements
Begin SubModelPart Left
 Begin SubModelPartNodes
  1 2 3 4
 End SubModelPartNodes
End SubModelPart
Begin SubModelPart Both
 Begin SubModelPartNodes
  1 2 3 4 5 6 7 8
 End SubModelPartNodes
End SubModelPart
`

func TestFileProblemDirichletInEveryPart(t *testing.T) {
	// A problem file whose Dirichlet part leaves one square of a two-square mesh without a
	// Dirichlet node is refused by Spec.CheckDirichlet and New, naming that square's element
	// ids in the file, also on the mesh refined (the children named by their parents' ids);
	// with a Dirichlet node in each square it sets up.
	m, info, err := mesh.ReadMDPA(strings.NewReader(twoSquaresMDPA), "two.mdpa", mesh.ReadOptions{})
	require.NoError(t, err)
	refined, parts, _ := mesh.Refine(m, info.Parts, nil)
	for _, tc := range []struct {
		name, part string
		m          *mesh.Mesh
		parts      []mesh.Part
		want       string
	}{
		{"Left", "Left", m, info.Parts, "test.json: boundary: two.mdpa: mesh: no Dirichlet node in a part of the mesh: elements 21 and 22 share no node with the rest of the mesh and have no Dirichlet node, so the solution is not determined there"},
		{"Left, refined", "Left", refined, parts, "test.json: boundary: two.mdpa: mesh: no Dirichlet node in a part of the mesh: elements 21 and 22 share no node with the rest of the mesh and have no Dirichlet node, so the solution is not determined there"},
		{"left (a side of the box)", "left", refined, parts, "test.json: boundary: two.mdpa: mesh: no Dirichlet node in a part of the mesh: elements 21 and 22 share no node with the rest of the mesh and have no Dirichlet node, so the solution is not determined there"},
		{"Both, refined", "Both", refined, parts, ""}, // the diagonals' midpoints are the unknowns
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fileSpec(t, `{"mesh": {"mdpa": "two.mdpa"}, "boundary": {"`+tc.part+`": {"dirichlet": 0}}, "qoi": {"q": {"integral": "domain"}}}`, 0)
			inf := *info
			inf.Parts = tc.parts
			s.Mesh, s.MDPA, s.MeshFile = tc.m, &inf, "two.mdpa"
			err := s.CheckDirichlet()
			_, errNew := New(s)
			if tc.want == "" {
				assert.NoError(t, err)
				assert.NoError(t, errNew)
				return
			}
			var fe *problemfile.Error
			require.True(t, errors.As(err, &fe), "%v", err)
			assert.EqualError(t, err, tc.want)
			assert.EqualError(t, errNew, tc.want)
		})
	}
}

func TestCheckDirichletOfTheSquare(t *testing.T) {
	// Nothing to check on the unit square (connected) or without a problem file.
	assert.NoError(t, fileSpec(t, tutorialFile(""), 4).CheckDirichlet())
	assert.NoError(t, spec(4).CheckDirichlet())
}

func TestFileElementIDs(t *testing.T) {
	ids := []int{7, 3}
	assert.Equal(t, ids, fileElementIDs(ids, 2))
	assert.Equal(t, []int{7, 7, 7, 7, 3, 3, 3, 3}, fileElementIDs(ids, 8))
	assert.Len(t, fileElementIDs(ids, 32), 32)
	assert.Equal(t, 3, fileElementIDs(ids, 32)[16])
	assert.Nil(t, fileElementIDs(ids, 6))
	assert.Nil(t, fileElementIDs(nil, 6))
}
