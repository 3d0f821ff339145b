package chol

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"mcfem/fem"
	"mcfem/internal/testmat"
	"mcfem/mesh"
)

// unitSystem returns the Poisson system on the unit square with cells squares per side.
func unitSystem(t testing.TB, cells int) *fem.System {
	m, err := mesh.UnitSquare(cells)
	if err != nil {
		panic(err)
	}
	sys, err := fem.NewSystem(m, testmat.Source)
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
	m = m.Permute(mesh.Shuffle(m.NumNodes(), testmat.NewRand()))
	sys, err := fem.NewSystem(m, testmat.Source)
	require.NoError(t, err)
	return sys
}

// mdpaSystem returns the Poisson system on a Kratos mesh of mesh/testdata (an unstructured
// GiD triangulation), u = 0 on its outer edges.
func mdpaSystem(t testing.TB, file string) *fem.System {
	t.Helper()
	m, _, err := mesh.ReadMDPAFile("../mesh/testdata/"+file, mesh.ReadOptions{})
	require.NoError(t, err)
	sys, err := fem.NewSystem(m, testmat.Source)
	require.NoError(t, err)
	return sys
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
