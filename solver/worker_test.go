package solver

import (
	"fmt"
	"math"
	"mcfem/internal/testmat"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWorkerBatchesOfAnyK: a worker made for batches of 4 solves k = 4, 3, 2 and 1 columns
// (a last, partial batch) in its one workspace, allocating nothing, each column
// bit-identical to PCG alone — for every preconditioner.
func TestWorkerBatchesOfAnyK(t *testing.T) {
	s := kappaSystem(t, testmat.NewRand(), 24)
	a := s.K
	n := a.N
	jac, err := NewJacobi(a)
	require.NoError(t, err)
	for _, pc := range Preconditioners {
		t.Run(pc, func(t *testing.T) {
			w := newCGWorker(t, a, pc, 4)
			var m Preconditioner = jac
			switch pc {
			case "amg":
				m = w.txt.m
			case "none":
				m = Identity{}
			}
			for _, k := range []int{4, 3, 2, 1} {
				b := testmat.RandomVector(testmat.NewRand(), n*k)
				x := make([]float64, n*k)
				res, errs := make([]Result, 4), make([]error, 4)
				allocs := testing.AllocsPerRun(3, func() { w.Solve(x, b, k, res, errs) })
				assert.Zero(t, allocs, "k = %d", k)
				ws := NewWorkspace(n)
				for j := range k {
					bj, xj := make([]float64, n), make([]float64, n)
					for i := range n {
						bj[i] = b[i*k+j]
					}
					want, werr := PCG(a, m, bj, xj, w.s.opt.Rtol, w.s.opt.MaxIt, ws)
					require.NoError(t, werr)
					require.NoError(t, errs[j])
					assert.Equal(t, want, res[j], "k = %d column %d", k, j)
					for i := range n {
						require.Equal(t, math.Float64bits(xj[i]), math.Float64bits(x[i*k+j]), "k = %d column %d entry %d", k, j, i)
					}
				}
			}
		})
	}
}

// TestWorkerSetMatrix: a worker of a solver for per-sample matrices solves each sample's
// matrix as PCG does with that matrix's preconditioner; with Jacobi the rebuild (diagonal
// and band form, in place) allocates nothing after the first.
func TestWorkerSetMatrix(t *testing.T) {
	base := unitSystem(t, 16)
	for _, pc := range []string{"jacobi", "amg"} {
		t.Run(pc, func(t *testing.T) {
			sv, err := New(base.K, Options{PC: pc, Rtol: 1e-10, MaxIt: 1000, Batch: 1}, true)
			require.NoError(t, err)
			w := sv.NewWorker()
			sys := base.WithOwnValues()
			kappa := make([]float64, sys.Mesh.NumTris())
			b := slices.Clone(sys.F)
			x := make([]float64, sys.K.N)
			for sample := range 3 {
				for i := range kappa {
					kappa[i] = 1 + float64((i*7+sample)%5)
				}
				sys.AssembleStiffness(kappa)
				if pc == "jacobi" && sample > 0 {
					assert.Zero(t, testing.AllocsPerRun(2, func() { require.NoError(t, w.SetMatrix(sys.K)) }))
				}
				require.NoError(t, w.SetMatrix(sys.K))
				res, err := w.Retry(x, b)
				require.NoError(t, err)

				var m Preconditioner
				if pc == "jacobi" {
					m, err = NewJacobi(sys.K)
				} else {
					var g *AMG
					g, err = NewAMG(sys.K, AMGOptions{})
					m = g.Bind(g.NewWorkspace())
				}
				require.NoError(t, err)
				want := make([]float64, sys.K.N)
				wres, err := PCG(sys.K, m, b, want, 1e-10, 10000, NewWorkspace(sys.K.N))
				require.NoError(t, err)
				assert.Equal(t, wres, res, fmt.Sprintf("sample %d", sample))
				assert.Equal(t, want, x)
			}
		})
	}
}
