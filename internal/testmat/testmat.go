// Package testmat provides the test matrices, vectors, meshes and norms that the tests of
// sparse, solver, fem and chol share: random sparse SPD matrices, random vectors, jittered
// meshes, dense copies and relative differences. It is for tests only.
package testmat

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"mcfem/mesh"
	"mcfem/sparse"
)

// Epsilon is the float64 machine epsilon, 2⁻⁵².
const Epsilon = 0x1p-52

// NewRand returns the tests' deterministic generator.
func NewRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// Source is the tests' manufactured source, the tutorial problem's f(x, y) = −432 (x² + y² −
// x − y): −Δu = f on [0,1]² with u = 0 on the boundary has the solution u = 216 x(1−x) y(1−y),
// whose integral is 6 — the oracle of the assembly and convergence tests.
func Source(x, y float64) float64 {
	return -432 * (float64(x*x) + float64(y*y) - x - y)
}

// RandomSPD returns a random sparse symmetric positive definite n×n matrix with sorted
// columns: about deg random off-diagonal pairs per row in [-1, 1], a diagonal that exceeds
// the absolute row sum by a random margin in [0.01, 1) (strictly diagonally dominant, hence
// SPD), then scaled symmetrically as S A S with S_i log-uniform in [1/√spread, √spread) so
// that Jacobi matters (spread = 1: no scaling).
func RandomSPD(rng *rand.Rand, n, deg int, spread float64) *sparse.CSR {
	rows := make([]map[int32]float64, n)
	for i := range rows {
		rows[i] = map[int32]float64{}
	}
	for i := range n {
		for range deg {
			j := rng.IntN(n)
			if j == i {
				continue
			}
			v := 2*float64(rng.Float64()) - 1
			rows[i][int32(j)] += v
			rows[j][int32(i)] += v
		}
	}
	scale := make([]float64, n)
	for i := range scale {
		scale[i] = math.Pow(spread, float64(rng.Float64())-0.5)
	}
	a := &sparse.CSR{N: n, RowPtr: make([]int32, n+1)}
	for i, row := range rows {
		var abs float64
		for _, v := range row {
			abs += math.Abs(v)
		}
		row[int32(i)] = abs + 0.01 + float64(0.99*rng.Float64())
		cols := make([]int32, 0, len(row))
		for j := range row {
			cols = append(cols, j)
		}
		slices.Sort(cols)
		for _, j := range cols {
			a.Col = append(a.Col, j)
			a.Val = append(a.Val, scale[i]*row[j]*scale[j])
		}
		a.RowPtr[i+1] = int32(len(a.Col))
	}
	return a
}

// RandomVector returns n uniform values in [-1, 1).
func RandomVector(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*float64(rng.Float64()) - 1
	}
	return v
}

// Dense returns a as a dense row-major matrix.
func Dense(a *sparse.CSR) [][]float64 { return DenseRows(a.N, a.RowPtr, a.Col, a.Val) }

// DenseRows returns the rows of a rectangular CSR matrix with cols columns as a dense
// row-major matrix, summing repeated entries.
func DenseRows(cols int, rowPtr, col []int32, val []float64) [][]float64 {
	d := Zeros(len(rowPtr)-1, cols)
	for i := range d {
		for k := rowPtr[i]; k < rowPtr[i+1]; k++ {
			d[i][col[k]] += val[k]
		}
	}
	return d
}

// Zeros returns a rows×cols dense matrix of zeros.
func Zeros(rows, cols int) [][]float64 {
	d := make([][]float64, rows)
	for i := range d {
		d[i] = make([]float64, cols)
	}
	return d
}

// FromDense returns the CSR form of the dense square matrix d: entries exactly 0 are not
// stored, the diagonal always is.
func FromDense(d [][]float64) *sparse.CSR {
	n := len(d)
	a := &sparse.CSR{N: n, RowPtr: make([]int32, n+1)}
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

// Norm2 returns ‖x‖₂.
func Norm2(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += float64(v * v)
	}
	return math.Sqrt(s)
}

// RelDiff returns ‖x − y‖₂ / ‖y‖₂ (or ‖x − y‖₂ when y = 0).
func RelDiff(x, y []float64) float64 {
	d := make([]float64, len(x))
	for i := range x {
		d[i] = x[i] - y[i]
	}
	if ny := Norm2(y); ny > 0 {
		return Norm2(d) / ny
	}
	return Norm2(d)
}

// Residual returns ‖b − A x‖₂ / ‖b‖₂, A x computed with the reference SpMV.
func Residual(a *sparse.CSR, b, x []float64) float64 {
	ax := make([]float64, a.N)
	a.MulVecRef(ax, x)
	for i := range ax {
		ax[i] = b[i] - ax[i]
	}
	return Norm2(ax) / Norm2(b)
}

// UnitSquare returns mesh.UnitSquare(n), failing t on an error.
func UnitSquare(t testing.TB, n int) *mesh.Mesh {
	m, err := mesh.UnitSquare(n)
	require.NoError(t, err)
	return m
}

// JitteredSquare returns UnitSquare(n) with every interior node moved by up to 0.2h in x and
// y: a general unstructured-looking mesh whose triangles stay counter-clockwise (each signed
// area keeps at least 0.2·h²/2).
func JitteredSquare(t testing.TB, rng *rand.Rand, n int) *mesh.Mesh {
	m := UnitSquare(t, n)
	h := 1 / float64(n)
	for v, b := range m.Boundary {
		if !b {
			m.Coords[2*v] += float64(0.2 * h * (2*float64(rng.Float64()) - 1))
			m.Coords[2*v+1] += float64(0.2 * h * (2*float64(rng.Float64()) - 1))
		}
	}
	require.NoError(t, m.Validate())
	return m
}
