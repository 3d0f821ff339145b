package chol

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"mcfem/fem"
	"mcfem/mesh"
)

// newRand returns the tests' deterministic generator.
func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// unitSystem returns the Poisson system on the unit square with cells squares per side.
func unitSystem(t testing.TB, cells int) *fem.System {
	m, err := mesh.UnitSquare(cells)
	if err != nil {
		panic(err)
	}
	sys, err := fem.NewSystem(m, fem.ReferenceSource)
	if err != nil {
		panic(err)
	}
	return sys
}

// shuffledSystem returns the Poisson system on the unit square with its nodes renumbered at
// random: an unstructured numbering.
func shuffledSystem(t testing.TB, cells int) *fem.System {
	t.Helper()
	m, err := mesh.UnitSquare(cells)
	require.NoError(t, err)
	m = m.Permute(mesh.Shuffle(m.NumNodes(), newRand()))
	sys, err := fem.NewSystem(m, fem.ReferenceSource)
	require.NoError(t, err)
	return sys
}

// mdpaSystem returns the Poisson system on a Kratos mesh of mesh/testdata (an unstructured
// GiD triangulation), u = 0 on its outer edges.
func mdpaSystem(t testing.TB, file string) *fem.System {
	t.Helper()
	m, _, err := mesh.ReadMDPAFile("../mesh/testdata/"+file, mesh.ReadOptions{})
	require.NoError(t, err)
	sys, err := fem.NewSystem(m, fem.ReferenceSource)
	require.NoError(t, err)
	return sys
}

// fromDense returns the CSR form of the dense symmetric matrix d (entries exactly 0 are not
// stored, the diagonal always is).
func fromDense(d [][]float64) *fem.CSR {
	n := len(d)
	a := &fem.CSR{N: n, RowPtr: make([]int32, n+1)}
	for i, row := range d {
		for j, v := range row {
			if v != 0 || i == j {
				a.Col = append(a.Col, int32(j))
				a.Val = append(a.Val, v)
			}
		}
		a.RowPtr[i+1] = int32(len(a.Col))
	}
	return a
}

// toDense returns a as a dense matrix.
func toDense(a *fem.CSR) [][]float64 {
	d := make([][]float64, a.N)
	for i := range d {
		d[i] = make([]float64, a.N)
		for k := a.RowPtr[i]; k < a.RowPtr[i+1]; k++ {
			d[i][a.Col[k]] += a.Val[k]
		}
	}
	return d
}

// randomSPD returns a random sparse symmetric positive definite n×n matrix: about deg random
// off-diagonal pairs per row with values in [-1, 1], and a diagonal exceeding the absolute row
// sum by a margin in [0.01, 1) (strictly diagonally dominant, hence SPD).
func randomSPD(rng *rand.Rand, n, deg int) *fem.CSR {
	d := make([][]float64, n)
	for i := range d {
		d[i] = make([]float64, n)
	}
	for i := range n {
		for range deg {
			j := rng.IntN(n)
			if j == i {
				continue
			}
			v := 2*rng.Float64() - 1
			d[i][j] += v
			d[j][i] += v
		}
	}
	for i, row := range d {
		var s float64
		for j, v := range row {
			if j != i {
				s += math.Abs(v)
			}
		}
		row[i] = s + 0.01 + 0.99*rng.Float64()
	}
	return fromDense(d)
}

// denseCholesky returns the lower triangular L with L Lᵀ = a (a SPD), by the textbook
// column algorithm.
func denseCholesky(a [][]float64) [][]float64 {
	n := len(a)
	l := make([][]float64, n)
	for i := range l {
		l[i] = make([]float64, n)
	}
	for j := range n {
		s := a[j][j]
		for p := range j {
			s -= l[j][p] * l[j][p]
		}
		d := math.Sqrt(s)
		l[j][j] = d
		for i := j + 1; i < n; i++ {
			s := a[i][j]
			for p := range j {
				s -= l[i][p] * l[j][p]
			}
			l[i][j] = s / d
		}
	}
	return l
}

// denseSolve solves a x = b with the dense Cholesky factor of a.
func denseSolve(a [][]float64, b []float64) []float64 {
	l := denseCholesky(a)
	n := len(b)
	x := slices.Clone(b)
	for i := range n {
		for p := range i {
			x[i] -= l[i][p] * x[p]
		}
		x[i] /= l[i][i]
	}
	for i := n - 1; i >= 0; i-- {
		for p := i + 1; p < n; p++ {
			x[i] -= l[p][i] * x[p]
		}
		x[i] /= l[i][i]
	}
	return x
}

// denseL returns the factor's L as a dense matrix in the factor's ordering.
func denseL(f *Factor) [][]float64 {
	l := make([][]float64, f.n)
	for i := range l {
		l[i] = make([]float64, f.n)
	}
	for s := range f.Supernodes() {
		fc, nc, _, v := f.snode(s)
		rows := f.rows[f.rowPtr[s]:f.rowPtr[s+1]]
		nr := len(rows)
		for g0 := 0; g0 < nc; g0 += 4 {
			w := min(4, nc-g0)
			b := v[groupOffset(g0/4, nr) : groupOffset(g0/4, nr)+w*(nr-g0)]
			for r := g0; r < nr; r++ {
				for p := range w {
					if r >= g0+p {
						l[rows[r]][fc+g0+p] = b[w*(r-g0)+p]
					}
				}
			}
		}
	}
	return l
}

// relResidual returns ‖a x − b‖₂ / ‖b‖₂.
func relResidual(a *fem.CSR, x, b []float64) float64 {
	r := make([]float64, a.N)
	a.MulVec(r, x)
	var num, den float64
	for i := range r {
		num += (r[i] - b[i]) * (r[i] - b[i])
		den += b[i] * b[i]
	}
	return math.Sqrt(num / den)
}

// randomVec returns n uniform values in [-1, 1).
func randomVec(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return v
}

// isPerm reports whether p is a permutation of 0..n-1.
func isPerm(p []int32, n int) bool {
	if len(p) != n {
		return false
	}
	seen := make([]bool, n)
	for _, v := range p {
		if v < 0 || int(v) >= n || seen[v] {
			return false
		}
		seen[v] = true
	}
	return true
}
