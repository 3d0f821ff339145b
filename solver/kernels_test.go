package solver

import (
	"fmt"
	"mcfem/internal/testmat"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLaneKernelsMatchReference: every generated variant of the CG vector kernels (k = 1,
// 4, 8) gives its reference twin's bits on random vectors of odd sizes: the same operations
// in the same order, per column.
func TestLaneKernelsMatchReference(t *testing.T) {
	rng := testmat.NewRand()
	for _, n := range oddSizes {
		for _, k := range []int{1, 4, 8} {
			t.Run(fmt.Sprintf("n=%d/k=%d", n, k), func(t *testing.T) {
				vec := func() []float64 { return testmat.RandomVector(rng, n*k) }
				x, r, p, q, z := vec(), vec(), vec(), vec(), vec()
				invDiag, coef := testmat.RandomVector(rng, n), testmat.RandomVector(rng, k)
				// run applies kernel f (the variant, then the reference) to copies of the
				// vectors and returns what it wrote.
				run := func(f func(v [][]float64)) [][]float64 {
					v := [][]float64{slices.Clone(x), slices.Clone(r), slices.Clone(p), slices.Clone(q), make([]float64, k), make([]float64, k)}
					f(v)
					return v
				}
				for _, c := range []struct {
					name string
					f    func(k int, v [][]float64)
				}{
					{"residual", func(k int, v [][]float64) { residualK.at(k)(v[1], z, v[4]) }},
					{"jacobiStart", func(k int, v [][]float64) { jacobiStartK.at(k)(v[2], v[1], invDiag, v[4]) }},
					{"jacobiUpdate", func(k int, v [][]float64) {
						jacobiUpdateK.at(k)(v[0], v[1], v[2], v[3], invDiag, coef, v[4], v[5])
					}},
					{"jacobiDirection", func(k int, v [][]float64) { jacobiDirectionK.at(k)(v[2], v[1], invDiag, coef) }},
					{"cgUpdate", func(k int, v [][]float64) { cgUpdateK.at(k)(v[0], v[1], v[2], v[3], coef, v[5]) }},
					{"direction", func(k int, v [][]float64) { directionK.at(k)(v[2], z, coef) }},
				} {
					got := run(func(v [][]float64) { c.f(k, v) })
					want := run(func(v [][]float64) { c.f(-1, v) }) // -1: the reference
					for i := range want {
						require.Equal(t, want[i], got[i], "%s: vector %d", c.name, i)
					}
				}
			})
		}
	}
}

// TestLaneKernelsAt: at picks the generated variant for 1, 4 and 8 columns and the reference
// for any other k.
func TestLaneKernelsAt(t *testing.T) {
	tab := laneKernels[int]{ref: -1, one: 1, four: 4, eight: 8}
	for k, want := range map[int]int{1: 1, 2: -1, 3: -1, 4: 4, 5: -1, 8: 8, 9: -1, 64: -1} {
		assert.Equal(t, want, tab.at(k), "k = %d", k)
	}
}
