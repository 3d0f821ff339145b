package spmd_test

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/spmd"
)

func TestBlockTiles(t *testing.T) {
	for _, n := range []int{0, 1, 7, 10, 1000} {
		for _, p := range []int{1, 2, 3, 4, 7, 16} {
			t.Run(fmt.Sprintf("n=%d/p=%d", n, p), func(t *testing.T) {
				next := 0
				small, large := n, 0
				for r := range p {
					lo, hi := spmd.Block(n, p, r)
					require.Equal(t, next, lo, "rank %d starts where rank %d ended", r, r-1)
					require.LessOrEqual(t, lo, hi, "rank %d", r)
					wantLo, wantHi := r*n/p, (r+1)*n/p // small enough not to overflow
					assert.Equal(t, [2]int{wantLo, wantHi}, [2]int{lo, hi}, "rank %d", r)
					small, large = min(small, hi-lo), max(large, hi-lo)
					next = hi
				}
				assert.Equal(t, n, next, "ranges cover [0, n)")
				assert.LessOrEqual(t, large-small, 1, "block sizes differ by at most one")
				if p > n {
					assert.Equal(t, 0, small, "some ranks own nothing when p > n")
				}
			})
		}
	}
}

// TestBlockLarge checks sizes where r*n overflows int64 against exact big.Int arithmetic.
func TestBlockLarge(t *testing.T) {
	for _, tc := range []struct{ n, p int }{
		{1 << 40, 7},
		{1 << 62, 7},
		{math.MaxInt, 7},
		{math.MaxInt, 1},
		{math.MaxInt - 1, 1000003},
		{3, math.MaxInt},
	} {
		t.Run(fmt.Sprintf("n=%d/p=%d", tc.n, tc.p), func(t *testing.T) {
			exact := func(r int) int {
				q := new(big.Int).Mul(big.NewInt(int64(r)), big.NewInt(int64(tc.n)))
				return int(q.Quo(q, big.NewInt(int64(tc.p))).Int64())
			}
			for _, r := range []int{0, 1, tc.p / 2, tc.p - 2, tc.p - 1} {
				if r < 0 || r >= tc.p {
					continue
				}
				lo, hi := spmd.Block(tc.n, tc.p, r)
				assert.Equal(t, [2]int{exact(r), exact(r + 1)}, [2]int{lo, hi}, "rank %d", r)
			}
			_, hi := spmd.Block(tc.n, tc.p, tc.p-1)
			assert.Equal(t, tc.n, hi, "the last rank ends at n")
		})
	}
}

func TestBlockPanics(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n, p, r int
		msg     string
	}{
		{"p=0", 10, 0, 0, "spmd: Block: p < 1"},
		{"p<0", 10, -1, 0, "spmd: Block: p < 1"},
		{"r<0", 10, 4, -1, "spmd: Block: rank outside [0, p)"},
		{"r=p", 10, 4, 4, "spmd: Block: rank outside [0, p)"},
		{"n<0", -1, 4, 0, "spmd: Block: n < 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tc.msg, func() { spmd.Block(tc.n, tc.p, tc.r) })
		})
	}
}

func TestOpString(t *testing.T) {
	for op, want := range map[spmd.Op]string{spmd.Sum: "Sum", spmd.Min: "Min", spmd.Max: "Max", 7: "Op(7)", -1: "Op(-1)"} {
		assert.Equal(t, want, op.String())
	}
}

func TestErrors(t *testing.T) {
	assert.Equal(t, "rank 3 aborted (code 70): bad mesh", (&spmd.AbortError{Rank: 3, Code: 70, Msg: "bad mesh"}).Error())

	cause := errors.New("fem: CG did not converge")
	re := &spmd.RankError{Rank: 2, Err: cause, Stack: "goroutine 7 [running]:"}
	assert.Equal(t, "rank 2: fem: CG did not converge", re.Error(), "the stack is not part of the message")
	assert.ErrorIs(t, re, cause)
}

func TestNoMPI(t *testing.T) {
	if spmd.MPIAvailable() {
		t.Skip("built with MPI")
	}
	c, err := spmd.InitMPI()
	assert.Nil(t, c)
	assert.EqualError(t, err, "spmd: built without MPI: rebuild with make build-mpi")
}
