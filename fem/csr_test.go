package fem

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spmvRef is the obvious reference SpMV y = A x.
func spmvRef(a *CSR, y, x []float64) {
	for i := 0; i < a.N; i++ {
		var s float64
		for k := a.RowPtr[i]; k < a.RowPtr[i+1]; k++ {
			s += a.Val[k] * x[a.Col[k]]
		}
		y[i] = s
	}
}

// oddSizes are the sizes every kernel is compared on: empty, one, a small odd size and a large
// prime-ish size past any unrolling.
var oddSizes = []int{0, 1, 7, 10003}

func TestMulVecMatchesReference(t *testing.T) {
	rng := newRand()
	for _, n := range oddSizes {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			a := randomSPD(rng, n, 3, 100)
			x := randomVector(rng, n)
			want := make([]float64, n)
			spmvRef(a, want, x)
			got := make([]float64, n)
			a.MulVec(got, x)
			// Same products summed in the same order: bit-identical.
			assert.Equal(t, want, got)

			// spmvDot returns the same y and xᵀA x; the dot product is summed in row order
			// like a plain loop, so it matches to rounding of n terms (n·ε relative).
			got2 := make([]float64, n)
			d := spmvDot(got2, x, a.RowPtr, a.Col, a.Val)
			assert.Equal(t, want, got2)
			var wantDot float64
			for i := range x {
				wantDot += x[i] * want[i]
			}
			assert.InDelta(t, wantDot, d, float64(n+1)*epsilon*(abs(wantDot)+1))
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
	a := randomSPD(newRand(), 5, 2, 100)
	tests := []struct {
		name string
		f    func()
		msg  string
	}{
		{"short x", func() { a.MulVec(make([]float64, 5), make([]float64, 4)) }, errMulVecLen},
		{"long y", func() { a.MulVec(make([]float64, 6), make([]float64, 5)) }, errMulVecLen},
		{"bad RowPtr", func() {
			b := *a
			b.RowPtr = b.RowPtr[:5]
			b.MulVec(make([]float64, 5), make([]float64, 5))
		}, errCSRShape},
		{"bad Val", func() {
			b := *a
			b.Val = b.Val[:len(b.Val)-1]
			b.MulVec(make([]float64, 5), make([]float64, 5))
		}, errCSRShape},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tc.msg, tc.f)
		})
	}
}

func TestNNZAndModels(t *testing.T) {
	s := unitSystem(t, 4)
	require.Equal(t, 9, s.K.N)
	// 3×3 interior grid; the NE and SW couplings are zero by geometry (right angles opposite)
	// and pruned, so a node couples to E, W, N, S: interior neighbours + itself: corners 3
	// each, the 4 edge middles 4 each, the centre 5.
	assert.Equal(t, 4*3+4*4+5, s.K.NNZ())
	assert.Equal(t, int64(12*33+4*10+16*9), SpMVBytes(9, 33))
	assert.Equal(t, int64(66), SpMVFlops(33))
	assert.Equal(t, SpMVBytes(9, 33)+88*9, PCGIterationBytes(9, 33))
}
