package chol

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/internal/testmat"
)

// TestModelDense holds the counts to their closed forms on a dense SPD matrix of order n,
// whose factor is one dense supernode: nnz(L) = n(n+1)/2, the factorisation's Σ_j c_j² =
// n(n+1)(2n+1)/6, the solves' 2n² flops per right-hand side (n² per triangle: n divisions
// and n(n−1)/2 multiply-subtractions), and the bytes of L's values and n row indices read
// twice plus eight vector passes per right-hand side.
func TestModelDense(t *testing.T) {
	for _, n := range []int{1, 2, 7, 12, 40} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			d := testmat.Zeros(n, n)
			for i := range n {
				for j := range n {
					d[i][j] = 1
				}
				d[i][i] = float64(n + 1) // diagonally dominant: SPD
			}
			f, err := New(testmat.FromDense(d), Options{})
			require.NoError(t, err)
			require.Equal(t, 1, f.Supernodes(), "a dense matrix is one supernode")
			nn := int64(n)
			assert.Equal(t, nn*(nn+1)/2, f.NNZ())
			assert.Equal(t, float64(nn*(nn+1)*(2*nn+1)/6), f.Flops())
			for _, k := range []int{1, 4, 8} {
				kk := int64(k)
				assert.Equal(t, kk*2*nn*nn, f.SolveFlops(k), "k=%d", k)
				assert.Equal(t, 2*(8*nn*(nn+1)/2+4*nn)+kk*64*nn, f.SolveBytes(k), "k=%d", k)
			}
		})
	}
}

// TestModelCountsOperations counts, on sparse factors, the operations of the reference
// substitutions (forwardRef, backwardRef: one division per column, one multiply and one
// subtraction per entry below the diagonal, per right-hand side) and the entries and row
// indices they read, and holds SolveFlops, SolveBytes and NNZ to those counts.
func TestModelCountsOperations(t *testing.T) {
	for _, c := range smallMatrices(t) {
		t.Run(c.name, func(t *testing.T) {
			f, err := New(c.a, Options{})
			require.NoError(t, err)
			var divs, mulsubs, entries, rows int64
			for s := range f.Supernodes() {
				_, nc, below, _ := f.snode(s)
				nr := nc + len(below)
				rows += int64(nr)
				for j := range nc { // column j of the supernode: its diagonal, then nr−j−1 below
					entries += int64(nr - j)
					divs += 2                    // forward and backward
					mulsubs += 2 * int64(nr-j-1) // forward and backward
				}
			}
			assert.Equal(t, entries, f.NNZ())
			for _, k := range []int{1, 3, 8} {
				kk := int64(k)
				assert.Equal(t, kk*(divs+2*mulsubs), f.SolveFlops(k), "k=%d", k)
				assert.Equal(t, 2*(8*entries+4*rows)+kk*8*8*int64(f.N()), f.SolveBytes(k), "k=%d", k)
			}
		})
	}
}

// TestKernelGflops checks that the probe runs and returns a rate: finite and positive (its
// value is a timing, not asserted).
func TestKernelGflops(t *testing.T) {
	r := KernelGflops(0)
	assert.False(t, math.IsInf(r, 0) || math.IsNaN(r))
	assert.Greater(t, r, 0.0)
}
