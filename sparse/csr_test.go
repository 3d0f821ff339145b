package sparse_test

import (
	"fmt"
	"mcfem/internal/testmat"
	"mcfem/sparse"
	"testing"

	"github.com/stretchr/testify/assert"
)

// oddSizes are the sizes every kernel is compared on: empty, one, a small odd size and a large
// prime-ish size past any unrolling.
var oddSizes = []int{0, 1, 7, 10003}

func TestMulVecMatchesReference(t *testing.T) {
	rng := testmat.NewRand()
	for _, n := range oddSizes {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			a := testmat.RandomSPD(rng, n, 3, 100)
			x := testmat.RandomVector(rng, n)
			want := make([]float64, n)
			a.MulVecRef(want, x)
			got := make([]float64, n)
			a.MulVec(got, x)
			// Same products summed in the same order: bit-identical.
			assert.Equal(t, want, got)

			// SpMVDot returns the same y and xᵀA x; the dot product is summed in row order
			// like a plain loop, so it matches to rounding of n terms (n·ε relative).
			got2 := make([]float64, n)
			d := sparse.SpMVDot(got2, x, a.RowPtr, a.Col, a.Val)
			assert.Equal(t, want, got2)
			var wantDot float64
			for i := range x {
				wantDot += x[i] * want[i]
			}
			assert.InDelta(t, wantDot, d, float64(n+1)*testmat.Epsilon*(abs(wantDot)+1))
		})
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestMulVecPanics(t *testing.T) {
	a := testmat.RandomSPD(testmat.NewRand(), 5, 2, 100)
	tests := []struct {
		name string
		f    func()
		msg  string
	}{
		{"short x", func() { a.MulVec(make([]float64, 5), make([]float64, 4)) }, sparse.ErrMulVecLen},
		{"long y", func() { a.MulVec(make([]float64, 6), make([]float64, 5)) }, sparse.ErrMulVecLen},
		{"bad RowPtr", func() {
			b := *a
			b.RowPtr = b.RowPtr[:5]
			b.MulVec(make([]float64, 5), make([]float64, 5))
		}, sparse.ErrCSRShape},
		{"bad Val", func() {
			b := *a
			b.Val = b.Val[:len(b.Val)-1]
			b.MulVec(make([]float64, 5), make([]float64, 5))
		}, sparse.ErrCSRShape},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tc.msg, tc.f)
		})
	}
}
