package problem

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
