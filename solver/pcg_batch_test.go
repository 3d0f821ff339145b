package solver

import (
	"errors"
	"fmt"
	"math"
	"mcfem/internal/testmat"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scaledJacobi is Jacobi behind the generic interfaces (not *Jacobi), to exercise the
// unfused paths of PCG and PCGBatch.
type scaledJacobi struct{ j *Jacobi }

func (s scaledJacobi) Apply(z, r []float64) { s.j.Apply(z, r) }

func (s scaledJacobi) ApplyBatch(z, r []float64, k int) {
	for i, d := range s.j.InvDiag {
		for c := range k {
			z[i*k+c] = d * r[i*k+c]
		}
	}
}

func TestPCGBatchBitIdenticalToPCG(t *testing.T) {
	rng := testmat.NewRand()
	for _, n := range []int{1, 7, 16} {
		sys := unitSystem(t, n+1)
		a := sys.K
		jac, err := NewJacobi(a)
		require.NoError(t, err)
		for _, pc := range []struct {
			name string
			m    Preconditioner
		}{{"jacobi-fused", jac}, {"generic", scaledJacobi{jac}}} {
			for _, k := range []int{1, 3, 4, 8} {
				t.Run(fmt.Sprintf("n=%d/%s/k=%d", n, pc.name, k), func(t *testing.T) {
					N := a.N
					b := make([]float64, N*k)
					for j := range k {
						// Columns of very different scales and shapes converge at different
						// iterations; column 1 is zero (0 iterations, x = 0).
						scale := math.Pow(10, float64(j%4)-2)
						for i := range N {
							if j != 1 {
								b[i*k+j] = scale * (sys.F[i] + rng.NormFloat64())
							}
						}
					}
					x := make([]float64, N*k)
					res := make([]Result, k)
					errs := make([]error, k)
					PCGBatch(a, pc.m, b, x, k, 1e-10, 1000, NewBatchWorkspace(N, k), res, errs)
					ws := NewWorkspace(N)
					for j := range k {
						bj, xj := make([]float64, N), make([]float64, N)
						for i := range N {
							bj[i] = b[i*k+j]
						}
						want, werr := PCG(a, pc.m, bj, xj, 1e-10, 1000, ws)
						require.NoError(t, werr)
						assert.NoError(t, errs[j])
						assert.Equal(t, want, res[j], "column %d", j)
						for i := range N {
							require.Equal(t, math.Float64bits(xj[i]), math.Float64bits(x[i*k+j]), "column %d entry %d", j, i)
						}
					}
				})
			}
		}
	}
}

func TestPCGBatchNotConvergedPerColumn(t *testing.T) {
	sys, jac := jacobiSystem(t, 32)
	a := sys.K
	const k = 2
	N := a.N
	b := make([]float64, N*k)
	for i := range N {
		b[i*k] = sys.F[i]
		b[i*k+1] = float64(i%7) - 3
	}
	x := make([]float64, N*k)
	res, errs := make([]Result, k), make([]error, k)
	PCGBatch(a, jac, b, x, k, 1e-8, 3, NewBatchWorkspace(N, k), res, errs)
	for j := range k {
		var nc *NotConvergedError
		require.True(t, errors.As(errs[j], &nc), "column %d: %v", j, errs[j])
		assert.Equal(t, 3, nc.Iterations)
		assert.Equal(t, 3, res[j].Iterations)
	}
}

func TestPCGBatchAllocatesNothing(t *testing.T) {
	sys, jac := jacobiSystem(t, 16)
	a := sys.K
	const k = 4
	b := make([]float64, a.N*k)
	for i := range b {
		b[i] = sys.F[i/k] * float64(1+i%k)
	}
	x := make([]float64, a.N*k)
	ws := NewBatchWorkspace(a.N, k)
	res, errs := make([]Result, k), make([]error, k)
	allocs := testing.AllocsPerRun(20, func() {
		clear(x)
		PCGBatch(a, jac, b, x, k, 1e-8, 1000, ws, res, errs)
	})
	assert.Zero(t, allocs)
	for _, e := range errs {
		assert.NoError(t, e)
	}
}
