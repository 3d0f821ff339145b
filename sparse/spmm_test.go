package sparse_test

import (
	"fmt"
	"math/rand/v2"
	"mcfem/internal/testmat"
	"mcfem/sparse"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMulMultiMatchesColumnwiseSpMV(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 1003} {
		a := testmat.RandomSPD(rng, n, 6, 1e3)
		for _, k := range []int{1, 2, 3, 4, 5, 8, 9} {
			t.Run(fmt.Sprintf("n=%d/k=%d", n, k), func(t *testing.T) {
				x := make([]float64, n*k)
				for i := range x {
					x[i] = rng.NormFloat64()
				}
				y := make([]float64, n*k)
				a.MulMulti(y, x, k)
				xc, yc := make([]float64, n), make([]float64, n)
				for j := range k {
					for i := range n {
						xc[i] = x[i*k+j]
					}
					a.MulVecRef(yc, xc)
					for i := range n {
						// Same products summed in the same order: bit-identical.
						assert.Equal(t, yc[i], y[i*k+j])
					}
				}
			})
		}
	}
	assert.Panics(t, func() {
		(&sparse.CSR{N: 2, RowPtr: []int32{0, 0, 0}}).MulMulti(make([]float64, 4), make([]float64, 3), 2)
	})
}
