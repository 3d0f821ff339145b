package spmdtest

import (
	"math"

	"mcfem/spmd"
)

// Misuse is a programmer error that every backend must refuse by panicking with Msg before it
// communicates.
type Misuse struct {
	Name string
	// Call makes the bad call on the calling rank; it works for every Size() >= 1.
	Call func(c spmd.Comm) error
	// Msg is the panic value, the same on every backend.
	Msg string
	// RootOnly says that only root, rank 0, can see the error: counts and dst are significant
	// only there. Other ranks make a valid call (under MPI, where a valid call would
	// communicate, the test makes it where MPI refuses it before communicating).
	RootOnly bool
}

// Misuses returns the programmer errors of every collective.
func Misuses() []Misuse {
	// onRoot returns counts on rank 0, the root, and nil elsewhere.
	onRoot := func(c spmd.Comm, counts []int) []int {
		if c.Rank() == 0 {
			return counts
		}
		return nil
	}
	// zeros returns Size() zero counts with counts[0] = n0.
	zeros := func(c spmd.Comm, n0 int) []int {
		counts := make([]int, c.Size())
		counts[0] = n0
		return counts
	}
	// gathervs makes the Gatherv misuse cases of both methods: bad(c) returns rank 0's
	// arguments (dst and src lengths, counts).
	gathervs := func(name, msg string, bad func(c spmd.Comm) (ndst, nsrc int, counts []int)) []Misuse {
		call := func(c spmd.Comm, bytes bool) error {
			ndst, nsrc, counts := bad(c)
			counts = onRoot(c, counts)
			if c.Rank() != 0 { // a valid call: send nothing
				ndst, nsrc = 0, 0
			}
			if bytes {
				return c.GathervBytes(make([]byte, ndst), make([]byte, nsrc), counts, 0)
			}
			return c.GathervFloat64s(make([]float64, ndst), make([]float64, nsrc), counts, 0)
		}
		return []Misuse{
			{"GathervFloat64s " + name, func(c spmd.Comm) error { return call(c, false) }, msg, true},
			{"GathervBytes " + name, func(c spmd.Comm) error { return call(c, true) }, msg, true},
		}
	}
	const badRoot = "spmd: root outside [0, Size())"
	m := []Misuse{
		{"AllreduceFloat64s lengths", func(c spmd.Comm) error {
			return c.AllreduceFloat64s(make([]float64, 2), make([]float64, 3), spmd.Sum)
		}, "spmd: Allreduce: len(dst) != len(src)", false},
		{"AllreduceInt64s lengths", func(c spmd.Comm) error {
			return c.AllreduceInt64s(make([]int64, 1), nil, spmd.Max)
		}, "spmd: Allreduce: len(dst) != len(src)", false},
		{"AllreduceFloat64s invalid Op", func(c spmd.Comm) error {
			return c.AllreduceFloat64s(nil, nil, spmd.Op(3))
		}, "spmd: Allreduce: invalid Op", false},
		{"AllreduceInt64s invalid Op", func(c spmd.Comm) error {
			return c.AllreduceInt64s(nil, nil, spmd.Op(-1))
		}, "spmd: Allreduce: invalid Op", false},
		{"BcastFloat64s root -1", func(c spmd.Comm) error { return c.BcastFloat64s(nil, -1) }, badRoot, false},
		{"BcastFloat64s root Size()", func(c spmd.Comm) error { return c.BcastFloat64s(make([]float64, 2), c.Size()) }, badRoot, false},
		{"BcastBytes root -1", func(c spmd.Comm) error { return c.BcastBytes(nil, -1) }, badRoot, false},
		{"BcastBytes root Size()", func(c spmd.Comm) error { return c.BcastBytes(make([]byte, 2), c.Size()) }, badRoot, false},
		{"GathervFloat64s root Size()", func(c spmd.Comm) error {
			return c.GathervFloat64s(nil, nil, nil, c.Size())
		}, badRoot, false},
		{"GathervBytes root -1", func(c spmd.Comm) error {
			return c.GathervBytes(nil, nil, nil, -1)
		}, badRoot, false},
	}
	m = append(m, gathervs("len(counts) != Size()", "spmd: Gatherv: len(counts) != Size()",
		func(c spmd.Comm) (int, int, []int) { return 0, 0, make([]int, c.Size()+1) })...)
	m = append(m, gathervs("negative count", "spmd: Gatherv: negative count",
		func(c spmd.Comm) (int, int, []int) {
			counts := zeros(c, 0)
			counts[c.Size()-1] = -1
			return 0, 0, counts
		})...)
	m = append(m, gathervs("sum(counts) != len(dst)", "spmd: Gatherv: len(dst) != sum(counts)",
		func(c spmd.Comm) (int, int, []int) { return 2, 1, zeros(c, 1) })...)
	m = append(m, gathervs("sum(counts) wraps around", "spmd: Gatherv: len(dst) != sum(counts)",
		func(c spmd.Comm) (int, int, []int) {
			counts := zeros(c, math.MaxInt)
			if len(counts) >= 3 { // MaxInt + MaxInt + 2 wraps to 0 = len(dst)
				counts[1], counts[2] = math.MaxInt, 2
			}
			return 0, 0, counts
		})...)
	m = append(m, gathervs("len(src) != counts[root]", "spmd: Gatherv: len(src) != counts[Rank()]",
		func(c spmd.Comm) (int, int, []int) { return 1, 2, zeros(c, 1) })...)
	return m
}
