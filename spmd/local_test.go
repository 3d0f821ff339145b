package spmd_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/spmd"
)

// hangTimeout turns a hang into a test failure. It bounds a deadlock, not speed: a failing
// rank wakes the others with a condition-variable broadcast (microseconds), and 60 s leaves
// room for -race on a loaded machine.
const hangTimeout = 60 * time.Second

// runLocal is spmd.RunLocal guarded by hangTimeout.
func runLocal(t *testing.T, p int, f func(c spmd.Comm) error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- spmd.RunLocal(p, f) }()
	select {
	case err := <-done:
		return err
	case <-time.After(hangTimeout):
		t.Fatalf("RunLocal(%d) still running after %v", p, hangTimeout)
		return nil
	}
}

func TestRunLocalSuccess(t *testing.T) {
	for _, p := range []int{1, 2, 7} {
		t.Run(fmt.Sprintf("P=%d", p), func(t *testing.T) {
			sizes := make([]int, p)
			calls := make([]int, p)
			err := runLocal(t, p, func(c spmd.Comm) error {
				sizes[c.Rank()] = c.Size()
				calls[c.Rank()]++
				return c.Barrier()
			})
			require.NoError(t, err)
			for r := range p {
				assert.Equal(t, p, sizes[r], "Size on rank %d", r)
				assert.Equal(t, 1, calls[r], "f runs once on rank %d", r)
			}
		})
	}
}

func TestRunLocalPanicsOnBadP(t *testing.T) {
	for _, p := range []int{0, -1} {
		assert.PanicsWithValue(t, "spmd: RunLocal: p < 1", func() { _ = spmd.RunLocal(p, nil) })
	}
}

var errBoom = errors.New("boom")

// TestFailurePropagates fails rank 2 of 4 in each way a rank can fail, while the other ranks
// wait in each kind of collective: they must get ErrAborted, at once and again on the next
// call, and RunLocal must report rank 2's failure.
func TestFailurePropagates(t *testing.T) {
	const p, bad = 4, 2
	waits := map[string]func(c spmd.Comm) error{
		"Barrier": func(c spmd.Comm) error { return c.Barrier() },
		"AllreduceFloat64s": func(c spmd.Comm) error {
			return c.AllreduceFloat64s(make([]float64, 3), make([]float64, 3), spmd.Sum)
		},
		"AllreduceInt64s": func(c spmd.Comm) error {
			return c.AllreduceInt64s(make([]int64, 3), make([]int64, 3), spmd.Max)
		},
		"BcastFloat64s": func(c spmd.Comm) error { return c.BcastFloat64s(make([]float64, 3), 0) },
		"GathervFloat64s": func(c spmd.Comm) error {
			var dst []float64
			var counts []int
			if c.Rank() == 0 {
				dst, counts = make([]float64, p), []int{1, 1, 1, 1}
			}
			return c.GathervFloat64s(dst, []float64{1}, counts, 0)
		},
		"BcastBytes": func(c spmd.Comm) error { return c.BcastBytes(make([]byte, 3), 1) },
		"GathervBytes": func(c spmd.Comm) error {
			var dst []byte
			var counts []int
			if c.Rank() == 3 {
				dst, counts = make([]byte, 2*p), []int{2, 2, 2, 2}
			}
			return c.GathervBytes(dst, []byte{1, 2}, counts, 3)
		},
	}
	fails := []struct {
		name  string
		fail  func(c spmd.Comm) error
		check func(t *testing.T, err error)
	}{
		{"error", func(spmd.Comm) error { return errBoom }, func(t *testing.T, err error) {
			var re *spmd.RankError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, bad, re.Rank)
			assert.ErrorIs(t, err, errBoom)
			assert.Empty(t, re.Stack)
		}},
		{"panic", func(spmd.Comm) error { panic("boom") }, func(t *testing.T, err error) {
			var re *spmd.RankError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, bad, re.Rank)
			assert.EqualError(t, err, "rank 2: panic: boom")
			assert.Contains(t, re.Stack, "local_test.go", "the stack shows where the rank panicked")
		}},
		{"panic with error", func(spmd.Comm) error { panic(errBoom) }, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, errBoom, "a panic value that is an error stays reachable")
			assert.EqualError(t, err, "rank 2: panic: boom")
		}},
		{"abort", func(c spmd.Comm) error {
			c.Abort(70, "boom")
			panic("Abort returned")
		}, func(t *testing.T, err error) {
			var ae *spmd.AbortError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, spmd.AbortError{Rank: bad, Code: 70, Msg: "boom"}, *ae)
		}},
		{"goexit", func(spmd.Comm) error {
			runtime.Goexit()
			return nil
		}, func(t *testing.T, err error) {
			var re *spmd.RankError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, bad, re.Rank)
			assert.ErrorContains(t, err, "runtime.Goexit")
		}},
	}
	for _, fc := range fails {
		for name, wait := range waits {
			t.Run(fc.name+"/others in "+name, func(t *testing.T) {
				first := make([]error, p)
				again := make([]error, p)
				err := runLocal(t, p, func(c spmd.Comm) error {
					if err := c.Barrier(); err != nil {
						return err
					}
					if c.Rank() == bad {
						return fc.fail(c)
					}
					first[c.Rank()] = wait(c)
					again[c.Rank()] = wait(c)
					return first[c.Rank()]
				})
				fc.check(t, err)
				for r := range p {
					if r != bad {
						assert.ErrorIs(t, first[r], spmd.ErrAborted, "rank %d, blocked", r)
						assert.ErrorIs(t, again[r], spmd.ErrAborted, "rank %d, entered after the failure", r)
					}
				}
			})
		}
	}
}

// TestMisuseFailsInsteadOfHanging covers SPMD bugs that would deadlock: a rank returning
// while others still call collectives, and ranks calling different collectives.
func TestMisuseFailsInsteadOfHanging(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func(c spmd.Comm) error
		msg  string
	}{
		{"rank returns early", func(c spmd.Comm) error {
			if c.Rank() == 0 {
				return nil
			}
			return c.Barrier()
		}, "returned"},
		{"rank returns after a collective", func(c spmd.Comm) error {
			if err := c.Barrier(); err != nil || c.Rank() == 1 {
				return err
			}
			return c.Barrier()
		}, "returned"},
		{"different collectives", func(c spmd.Comm) error {
			if c.Rank() == 0 {
				return c.Barrier()
			}
			return c.AllreduceFloat64s(nil, nil, spmd.Sum)
		}, "spmd: mismatched collectives: rank 0 called Barrier(), rank 1 called AllreduceFloat64s(len 0, Sum)"},
		{"different lengths", func(c spmd.Comm) error {
			x := make([]float64, c.Rank()+1)
			return c.AllreduceFloat64s(x, x, spmd.Sum)
		}, "spmd: mismatched collectives: rank 0 called AllreduceFloat64s(len 1, Sum), rank 1 called AllreduceFloat64s(len 2, Sum)"},
		{"different ops", func(c spmd.Comm) error {
			x := make([]int64, 2)
			return c.AllreduceInt64s(x, x, spmd.Op(c.Rank()))
		}, "spmd: mismatched collectives: rank 0 called AllreduceInt64s(len 2, Sum), rank 1 called AllreduceInt64s(len 2, Min)"},
		{"different roots", func(c spmd.Comm) error {
			return c.BcastFloat64s(make([]float64, 2), c.Rank())
		}, "spmd: mismatched collectives: rank 0 called BcastFloat64s(len 2, root 0), rank 1 called BcastFloat64s(len 2, root 1)"},
		{"BcastBytes and BcastFloat64s", func(c spmd.Comm) error {
			if c.Rank() == 2 {
				return c.BcastFloat64s(make([]float64, 2), 0)
			}
			return c.BcastBytes(make([]byte, 2), 0)
		}, "spmd: mismatched collectives: rank 0 called BcastBytes(len 2, root 0), rank 2 called BcastFloat64s(len 2, root 0)"},
		{"BcastBytes lengths", func(c spmd.Comm) error {
			return c.BcastBytes(make([]byte, 8+c.Rank()), 1)
		}, "spmd: mismatched collectives: rank 0 called BcastBytes(len 8, root 1), rank 1 called BcastBytes(len 9, root 1)"},
		{"GathervBytes and GathervFloat64s", func(c spmd.Comm) error {
			if c.Rank() == 0 {
				return c.GathervFloat64s(nil, nil, nil, 1)
			}
			var dst []byte
			var counts []int
			if c.Rank() == 1 {
				dst, counts = []byte{}, make([]int, 3)
			}
			return c.GathervBytes(dst, nil, counts, 1)
		}, "spmd: mismatched collectives: rank 0 called GathervFloat64s(root 1), rank 1 called GathervBytes(root 1)"},
		{"GathervBytes roots", func(c spmd.Comm) error {
			dst, counts := []byte{}, make([]int, 3)
			return c.GathervBytes(dst, nil, counts, c.Rank())
		}, "spmd: mismatched collectives: rank 0 called GathervBytes(root 0), rank 1 called GathervBytes(root 1)"},
		{"BcastBytes then Barrier", func(c spmd.Comm) error {
			if err := c.BcastBytes([]byte("ok"), 0); err != nil {
				return err
			}
			if c.Rank() == 1 {
				return c.Barrier()
			}
			return c.BcastBytes([]byte("no"), 0)
		}, "spmd: mismatched collectives: rank 0 called BcastBytes(len 2, root 0), rank 1 called Barrier()"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := runLocal(t, 3, tc.f)
			var re *spmd.RankError
			require.ErrorAs(t, err, &re)
			assert.ErrorContains(t, err, tc.msg)
		})
	}
}

// TestProgrammerErrorsPanic runs each bad call on 2 ranks; the panic must become the job's
// RankError with the package's message.
func TestProgrammerErrorsPanic(t *testing.T) {
	const p = 2
	// onRoot returns its arguments on rank 0, the root, and nil elsewhere.
	onRoot := func(c spmd.Comm, dst []float64, counts []int) ([]float64, []int) {
		if c.Rank() == 0 {
			return dst, counts
		}
		return nil, nil
	}
	for _, tc := range []struct {
		name string
		call func(c spmd.Comm) error
		msg  string
	}{
		{"float64 lengths", func(c spmd.Comm) error {
			return c.AllreduceFloat64s(make([]float64, 2), make([]float64, 3), spmd.Sum)
		}, "spmd: Allreduce: len(dst) != len(src)"},
		{"int64 lengths", func(c spmd.Comm) error {
			return c.AllreduceInt64s(make([]int64, 1), nil, spmd.Max)
		}, "spmd: Allreduce: len(dst) != len(src)"},
		{"invalid Op", func(c spmd.Comm) error {
			return c.AllreduceFloat64s(nil, nil, spmd.Op(3))
		}, "spmd: Allreduce: invalid Op"},
		{"Bcast root -1", func(c spmd.Comm) error {
			return c.BcastFloat64s(nil, -1)
		}, "spmd: root outside [0, Size())"},
		{"Bcast root p", func(c spmd.Comm) error {
			return c.BcastFloat64s(nil, p)
		}, "spmd: root outside [0, Size())"},
		{"Gatherv root p", func(c spmd.Comm) error {
			return c.GathervFloat64s(nil, nil, nil, p)
		}, "spmd: root outside [0, Size())"},
		{"len(counts) != Size", func(c spmd.Comm) error {
			dst, counts := onRoot(c, nil, []int{0})
			return c.GathervFloat64s(dst, nil, counts, 0)
		}, "spmd: Gatherv: len(counts) != Size()"},
		{"negative count", func(c spmd.Comm) error {
			dst, counts := onRoot(c, nil, []int{1, -1})
			return c.GathervFloat64s(dst, nil, counts, 0)
		}, "spmd: Gatherv: negative count"},
		{"sum(counts) != len(dst)", func(c spmd.Comm) error {
			dst, counts := onRoot(c, make([]float64, 3), []int{1, 1})
			return c.GathervFloat64s(dst, []float64{1}, counts, 0)
		}, "spmd: Gatherv: len(dst) != sum(counts)"},
		{"len(src) != counts[root]", func(c spmd.Comm) error {
			dst, counts := onRoot(c, make([]float64, 2), []int{1, 1})
			return c.GathervFloat64s(dst, []float64{1, 2}, counts, 0)
		}, "spmd: Gatherv: len(src) != counts[Rank()]"},
		{"len(src) != counts[r] on another rank", func(c spmd.Comm) error {
			dst, counts := onRoot(c, make([]float64, 3), []int{1, 2})
			src := make([]float64, 1+2*c.Rank()) // rank 1 sends 3, not 2
			return c.GathervFloat64s(dst, src, counts, 0)
		}, "spmd: Gatherv: rank 1 sent 3 values, counts[1] = 2"},
		{"GathervBytes: len(src) != counts[r] on another rank", func(c spmd.Comm) error {
			var dst []byte
			var counts []int
			if c.Rank() == 1 {
				dst, counts = make([]byte, 5), []int{0, 5}
			}
			return c.GathervBytes(dst, make([]byte, 5), counts, 1)
		}, "spmd: Gatherv: rank 0 sent 5 values, counts[0] = 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := runLocal(t, p, tc.call)
			var re *spmd.RankError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "panic: "+tc.msg, re.Err.Error())
		})
	}
}

// TestRankOrderBits checks what the local backend promises beyond the conformance suite:
// float64 sums are the sum in rank order, bit for bit, on every rank.
func TestRankOrderBits(t *testing.T) {
	const p, n = 7, 1000
	// values returns rank r's contribution: wide exponents, so the order of the sum matters.
	values := func(r int) []float64 {
		rng := rand.New(rand.NewPCG(1, uint64(r)))
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Ldexp(rng.NormFloat64(), rng.IntN(60)-30)
		}
		return x
	}
	forward, backward := make([]float64, n), make([]float64, n)
	for r := range p {
		for i, v := range values(r) {
			forward[i] += v
		}
	}
	for r := p - 1; r >= 0; r-- {
		for i, v := range values(r) {
			backward[i] += v
		}
	}
	require.NotEqual(t, forward, backward, "the data must make the order of the sum visible")

	got := make([][]float64, p)
	err := runLocal(t, p, func(c spmd.Comm) error {
		x := values(c.Rank())
		got[c.Rank()] = x
		return c.AllreduceFloat64s(x, x, spmd.Sum)
	})
	require.NoError(t, err)
	for r := range p {
		assert.Equal(t, forward, got[r], "rank %d: exactly the rank-order sum", r)
	}
}

// TestSpecialValues pins the local backend's documented NaN, signed-zero and overflow rules.
func TestSpecialValues(t *testing.T) {
	const p = 3
	nan, inf := math.NaN(), math.Inf(1)
	// Element 0: a NaN on rank 1. Element 1: -0 on rank 0, +0 on the others.
	// Element 2: +Inf on rank 0, -Inf on rank 2.
	src := func(r int) []float64 {
		x := []float64{float64(r), 0, float64(r)}
		switch r {
		case 0:
			x[1], x[2] = math.Copysign(0, -1), inf
		case 1:
			x[0] = nan
		case 2:
			x[2] = -inf
		}
		return x
	}
	want := map[spmd.Op][]float64{
		spmd.Sum: {nan, 0, nan},
		spmd.Min: {nan, math.Copysign(0, -1), -inf},
		spmd.Max: {nan, 0, inf},
	}
	got := make([]map[spmd.Op][]float64, p)
	wrapped := make([]int64, p)
	err := runLocal(t, p, func(c spmd.Comm) error {
		got[c.Rank()] = map[spmd.Op][]float64{}
		for _, op := range []spmd.Op{spmd.Sum, spmd.Min, spmd.Max} { // not range want: map order differs per rank
			dst := make([]float64, 3)
			if err := c.AllreduceFloat64s(dst, src(c.Rank()), op); err != nil {
				return err
			}
			got[c.Rank()][op] = dst
		}
		x := []int64{math.MaxInt64 / 2}
		err := c.AllreduceInt64s(x, x, spmd.Sum)
		wrapped[c.Rank()] = x[0]
		return err
	})
	require.NoError(t, err)
	for r := range p {
		for op, w := range want {
			for i, g := range got[r][op] {
				if math.IsNaN(w[i]) { // which NaN comes out is not specified
					assert.True(t, math.IsNaN(g), "rank %d %v[%d] = %v, want NaN", r, op, i, g)
					continue
				}
				assert.Equal(t, math.Float64bits(w[i]), math.Float64bits(g), "rank %d %v[%d] = %v, want %v", r, op, i, g, w[i])
			}
		}
		assert.Equal(t, int64(-(1<<62)-3), wrapped[r], "rank %d: 3·(2^62-1) wraps to 3·(2^62-1) - 2^64", r)
	}
}
