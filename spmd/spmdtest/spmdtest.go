package spmdtest

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"mcfem/spmd"
)

// Case is one conformance check run collectively on every rank; it returns an error describing
// the first mismatch it sees on this rank, or the error of a failed collective call.
type Case struct {
	Name string
	Run  func(c spmd.Comm) error
}

// Cases returns the conformance cases in the order RunAll runs them.
func Cases() []Case {
	return []Case{
		newCase("rank-size", rankSize),
		newCase("allreduce-float64-exact", allreduceFloatExact),
		newCase("allreduce-float64-rank-order", allreduceFloatRankOrder),
		newCase("allreduce-int64-beyond-2^53", allreduceIntLarge),
		newCase("allreduce-in-place", allreduceInPlace),
		newCase("overlapping-buffers", overlappingBuffers),
		newCase("empty", empty),
		newCase("large-vectors", largeVectors),
		newCase("bcast-every-root", bcastEveryRoot),
		newCase("gatherv-uneven", gathervUneven),
		newCase("bcast-bytes-every-root", bcastBytesEveryRoot),
		newCase("gatherv-bytes-uneven", gathervBytesUneven),
		newCase("gatherv-bytes-overlapping", gathervBytesOverlapping),
		newCase("bytes-large", bytesLarge),
		newCase("bytes-records-and-strings", bytesRecordsAndStrings),
		newCase("barrier-repeated", barrierRepeated),
		newCase("mixed-sequence", mixedSequence),
	}
}

// RunAll runs every case on c in order and returns the failures seen on this rank, each
// prefixed by its case name. It stops after a case whose collective call failed: the
// communicator is then unusable.
func RunAll(c spmd.Comm) []error {
	var errs []error
	for _, tc := range Cases() {
		err := tc.Run(c)
		if err == nil {
			continue
		}
		errs = append(errs, fmt.Errorf("%s: %w", tc.Name, err))
		if !errors.As(err, new(*mismatch)) {
			break
		}
	}
	return errs
}

// newCase makes a Case from f, which returns only the errors of collective calls and reports
// wrong values to its check.
func newCase(name string, f func(c spmd.Comm, k *check) error) Case {
	return Case{Name: name, Run: func(c spmd.Comm) error {
		var k check
		if err := f(c, &k); err != nil {
			return err
		}
		if k.first != nil {
			return k.first
		}
		return nil
	}}
}

// mismatch is a wrong value seen on one rank.
type mismatch struct{ msg string }

func (m *mismatch) Error() string { return m.msg }

// check keeps the first mismatch a case sees; the case goes on so that every rank still makes
// the same collective calls.
type check struct{ first *mismatch }

func (k *check) errorf(format string, args ...any) {
	if k.first == nil {
		k.first = &mismatch{fmt.Sprintf(format, args...)}
	}
}

// floats reports the first element where got and want differ in their bits (so -0 != +0 and
// a NaN must be the same NaN).
func (k *check) floats(what string, got, want []float64) {
	if len(got) != len(want) {
		k.errorf("%s: len %d, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			k.errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
			return
		}
	}
}

// bytes reports the first byte where got and want differ.
func (k *check) bytes(what string, got, want []byte) {
	if len(got) != len(want) {
		k.errorf("%s: len %d, want %d", what, len(got), len(want))
		return
	}
	if bytes.Equal(got, want) {
		return
	}
	for i := range got {
		if got[i] != want[i] {
			k.errorf("%s[%d] = %#02x, want %#02x (len %d)", what, i, got[i], want[i], len(got))
			return
		}
	}
}

// ints reports the first element where got and want differ.
func (k *check) ints(what string, got, want []int64) {
	if len(got) != len(want) {
		k.errorf("%s: len %d, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if got[i] != want[i] {
			k.errorf("%s[%d] = %d, want %d", what, i, got[i], want[i])
			return
		}
	}
}

var ops = []spmd.Op{spmd.Sum, spmd.Min, spmd.Max}

// expect returns the reduction with op of f(0), f(1), …, f(p-1), in rank order.
func expect[T float64 | int64](op spmd.Op, p int, f func(r int) T) T {
	acc := f(0)
	for r := 1; r < p; r++ {
		switch op {
		case spmd.Sum:
			acc += f(r)
		case spmd.Min:
			acc = min(acc, f(r))
		case spmd.Max:
			acc = max(acc, f(r))
		}
	}
	return acc
}

// allreduceFloatCheck reduces src with op and checks the result against want(i), the
// reduction of element i, and that src is left as it was.
func allreduceFloatCheck(c spmd.Comm, k *check, what string, src []float64, op spmd.Op, want func(i int) float64) error {
	return allreduceCheck(c.AllreduceFloat64s, k.floats, what, src, op, want)
}

// allreduceIntCheck is allreduceFloatCheck for int64.
func allreduceIntCheck(c spmd.Comm, k *check, what string, src []int64, op spmd.Op, want func(i int) int64) error {
	return allreduceCheck(c.AllreduceInt64s, k.ints, what, src, op, want)
}

// allreduceCheck is allreduceFloatCheck and allreduceIntCheck: reduce is the Comm's method
// for T, and same the check's comparison for T.
func allreduceCheck[T float64 | int64](reduce func(dst, src []T, op spmd.Op) error, same func(what string, got, want []T),
	what string, src []T, op spmd.Op, want func(i int) T) error {
	keep := append([]T(nil), src...)
	dst := make([]T, len(src))
	if err := reduce(dst, src, op); err != nil {
		return err
	}
	w := make([]T, len(src))
	for i := range w {
		w[i] = want(i)
	}
	same(fmt.Sprintf("%s %v", what, op), dst, w)
	same(fmt.Sprintf("%s %v: src after call", what, op), src, keep)
	return nil
}

// rankSize checks Rank and Size, that all ranks agree on Size, and that the ranks are 0..p-1,
// each exactly once.
func rankSize(c spmd.Comm, k *check) error {
	p, r := c.Size(), c.Rank()
	if r < 0 || r >= p {
		k.errorf("Rank() = %d, Size() = %d", r, p)
		return nil // a Comm this broken cannot run the checks below
	}
	for _, op := range ops {
		if err := allreduceIntCheck(c, k, "size", []int64{int64(p)}, op, func(int) int64 {
			return expect(op, p, func(int) int64 { return int64(p) })
		}); err != nil {
			return err
		}
	}
	if err := allreduceIntCheck(c, k, "sum of ranks", []int64{int64(r)}, spmd.Sum, func(int) int64 {
		return int64(p) * int64(p-1) / 2
	}); err != nil {
		return err
	}
	// One-hot vectors: Max all ones means every rank is present, Sum all ones means no rank twice.
	oneHot := make([]int64, p)
	oneHot[r] = 1
	for _, op := range []spmd.Op{spmd.Max, spmd.Sum} {
		if err := allreduceIntCheck(c, k, "one-hot", oneHot, op, func(int) int64 { return 1 }); err != nil {
			return err
		}
	}
	return nil
}

// allreduceFloatExact reduces integers and infinities whose sums are exact in float64, so
// every backend must give these bits whatever its summation order. (NaN and signed zeros are
// left out: MPI's built-in MPI_MIN and MPI_MAX make no promise about them.)
func allreduceFloatExact(c spmd.Comm, k *check) error {
	p, r := c.Size(), c.Rank()
	const n = 9
	val := func(r, i int) float64 {
		switch i {
		case n - 1: // +Inf on rank 0 only: Sum and Max are +Inf, Min is +Inf only when p == 1
			if r == 0 {
				return math.Inf(1)
			}
			return float64(r)
		case n - 2: // large integers, still exact: |sum| <= 2^40·p(p+1)/2 < 2^53 for p < 128
			return -math.Ldexp(float64(r+1), 40)
		}
		v := float64((r + 1) * (i + 1))
		if i%2 == 1 {
			v = -v
		}
		return v
	}
	src := make([]float64, n)
	for i := range src {
		src[i] = val(r, i)
	}
	for _, op := range ops {
		if err := allreduceFloatCheck(c, k, "integers", src, op, func(i int) float64 {
			return expect(op, p, func(q int) float64 { return val(q, i) })
		}); err != nil {
			return err
		}
	}
	return nil
}

// allreduceFloatRankOrder reduces values that are not exact in binary (0.1·(r+1), scaled so
// that the order of the sum matters). Min and Max involve no rounding and are checked
// bitwise; the Sum is checked against the sum in rank order within a rounding-error bound,
// and every rank must get the same bits as rank 0.
func allreduceFloatRankOrder(c spmd.Comm, k *check) error {
	p, r := c.Size(), c.Rank()
	const n = 16
	val := func(r, i int) float64 { return math.Ldexp(0.1*float64(r+1), (r*i)%7*8-24) }
	src := make([]float64, n)
	for i := range src {
		src[i] = val(r, i)
	}
	for _, op := range []spmd.Op{spmd.Min, spmd.Max} {
		if err := allreduceFloatCheck(c, k, "0.1·(r+1)", src, op, func(i int) float64 {
			return expect(op, p, func(q int) float64 { return val(q, i) })
		}); err != nil {
			return err
		}
	}
	got := make([]float64, n)
	if err := c.AllreduceFloat64s(got, src, spmd.Sum); err != nil {
		return err
	}
	for i, g := range got {
		want := expect(spmd.Sum, p, func(q int) float64 { return val(q, i) })
		abs := expect(spmd.Sum, p, func(q int) float64 { return math.Abs(val(q, i)) })
		// Any order of summing p terms is within (p-1)·u·Σ|x| of the exact sum, u = 2^-53
		// (Higham, Accuracy and Stability of Numerical Algorithms, §4.2), so two orders
		// differ by at most p·2^-52·Σ|x|.
		if tol := float64(p) * 0x1p-52 * abs; math.Abs(g-want) > tol {
			k.errorf("Sum[%d] = %v, rank-order sum %v, |diff| > %v", i, g, want, tol)
			break
		}
	}
	// All ranks must hold the same bits, or ranks could take different branches on them.
	root := append([]float64(nil), got...)
	if err := c.BcastFloat64s(root, 0); err != nil {
		return err
	}
	k.floats("Sum, compared with rank 0's", got, root)
	return nil
}

// allreduceIntLarge reduces int64 values that float64 cannot hold, so any conversion shows.
func allreduceIntLarge(c spmd.Comm, k *check) error {
	p, r := c.Size(), c.Rank()
	vals := []func(r int) int64{
		func(r int) int64 { return 1<<60 + int64(r) },
		func(r int) int64 { return -(1 << 60) - int64(r) },
		func(r int) int64 { return 1<<54 + 2*int64(r) + 1 }, // odd above 2^53; Sum < 2^63 for p < 512
		func(r int) int64 { return math.MaxInt64 - int64(r) },
		func(r int) int64 { return math.MinInt64 + int64(r) },
	}
	for _, op := range ops {
		var src []int64
		var want []int64
		for i, v := range vals {
			if op == spmd.Sum && i != 2 { // the others overflow when summed
				continue
			}
			src = append(src, v(r))
			want = append(want, expect(op, p, v))
		}
		if err := allreduceIntCheck(c, k, "beyond 2^53", src, op, func(i int) int64 { return want[i] }); err != nil {
			return err
		}
	}
	return nil
}

// allreduceInPlace reduces with dst and src the same slice.
func allreduceInPlace(c spmd.Comm, k *check) error {
	p, r := c.Size(), c.Rank()
	const n = 33
	fval := func(r, i int) float64 { return float64((r*7+i*3)%11 - 5) }
	ival := func(r, i int) int64 { return int64(r*1000003+i) << 20 }
	for _, op := range ops {
		f := make([]float64, n)
		x := make([]int64, n)
		for i := range n {
			f[i], x[i] = fval(r, i), ival(r, i)
		}
		if err := c.AllreduceFloat64s(f, f, op); err != nil {
			return err
		}
		if err := c.AllreduceInt64s(x, x, op); err != nil {
			return err
		}
		wf, wx := make([]float64, n), make([]int64, n)
		for i := range n {
			wf[i] = expect(op, p, func(q int) float64 { return fval(q, i) })
			wx[i] = expect(op, p, func(q int) int64 { return ival(q, i) })
		}
		k.floats(fmt.Sprintf("float64 in place %v", op), f, wf)
		k.ints(fmt.Sprintf("int64 in place %v", op), x, wx)
	}
	return nil
}

// overlappingBuffers passes dst and src that share memory without being the same slice:
// Allreduce with src and dst shifted by one element in one array, and Gatherv with root's
// src inside dst, both at root's own place (where MPI can work in place) and at the start.
// A backend must act as if it read all of src before writing dst.
func overlappingBuffers(c spmd.Comm, k *check) error {
	p, r := c.Size(), c.Rank()
	const n = 8
	val := func(r, i int) float64 { return float64(10*r + i) }
	for _, shift := range []int{1, -1} {
		buf := make([]float64, n+1)
		src, dst := buf[:n], buf[1:]
		if shift < 0 {
			src, dst = dst, src
		}
		for i := range src {
			src[i] = val(r, i)
		}
		if err := c.AllreduceFloat64s(dst, src, spmd.Sum); err != nil {
			return err
		}
		want := make([]float64, n)
		for i := range want {
			want[i] = expect(spmd.Sum, p, func(q int) float64 { return val(q, i) })
		}
		k.floats(fmt.Sprintf("Allreduce with dst = src shifted by %d", shift), dst, want)
	}
	counts, displs := make([]int, p), make([]int, p)
	var want []float64
	for q := range p {
		counts[q], displs[q] = q+1, len(want)
		for i := range counts[q] {
			want = append(want, val(q, i))
		}
	}
	for root := range p {
		for _, at := range []string{"its own place", "the start"} {
			var dst []float64
			var cnt []int
			src := make([]float64, counts[r])
			if r == root {
				dst, cnt = nans(len(want)), counts
				src = srcInDst(dst, at, displs[r], counts[r])
			}
			for i := range src {
				src[i] = val(r, i)
			}
			if err := c.GathervFloat64s(dst, src, cnt, root); err != nil {
				return err
			}
			if r == root {
				k.floats(fmt.Sprintf("Gatherv to root %d with src at %s of dst", root, at), dst, want)
			}
		}
	}
	return nil
}

// nans returns n NaNs: a gather's dst on root, so that an element not written shows.
func nans(n int) []float64 {
	dst := make([]float64, n)
	for i := range dst {
		dst[i] = math.NaN()
	}
	return dst
}

// srcInDst returns root's src for the gathers with src inside dst: count elements of dst at
// its own place (displ) or at the start.
func srcInDst[T any](dst []T, at string, displ, count int) []T {
	if at == "the start" {
		displ = 0
	}
	return dst[displ : displ+count]
}

// empty runs every collective with zero-length data, nil and non-nil.
func empty(c spmd.Comm, k *check) error {
	p, r := c.Size(), c.Rank()
	for _, op := range ops {
		if err := c.AllreduceFloat64s(nil, nil, op); err != nil {
			return err
		}
		if err := c.AllreduceFloat64s([]float64{}, []float64{}, op); err != nil {
			return err
		}
		if err := c.AllreduceInt64s(nil, []int64{}, op); err != nil {
			return err
		}
	}
	for root := range p {
		if err := c.BcastFloat64s(nil, root); err != nil {
			return err
		}
		var dst []float64
		var counts []int
		if r == root {
			dst, counts = []float64{}, make([]int, p)
		}
		if err := c.GathervFloat64s(dst, nil, counts, root); err != nil {
			return err
		}
		if err := c.BcastBytes(nil, root); err != nil {
			return err
		}
		if err := c.BcastBytes([]byte{}, root); err != nil {
			return err
		}
		var bcounts []int
		if r == root {
			bcounts = make([]int, p)
		}
		if err := c.GathervBytes(nil, nil, bcounts, root); err != nil { // nil dst on root too
			return err
		}
		if err := c.GathervBytes([]byte{}, []byte{}, bcounts, root); err != nil {
			return err
		}
	}
	return nil
}

// largeVectors reduces and broadcasts 1<<16 elements.
func largeVectors(c spmd.Comm, k *check) error {
	p, r := c.Size(), c.Rank()
	const n = 1 << 16
	fval := func(r, i int) float64 { return float64(i%1000 + r) }
	ival := func(r, i int) int64 { return int64(i)<<32 + int64(r) }
	f, x := make([]float64, n), make([]int64, n)
	for i := range n {
		f[i], x[i] = fval(r, i), ival(r, i)
	}
	for _, op := range ops {
		if err := allreduceFloatCheck(c, k, "float64", f, op, func(i int) float64 {
			return expect(op, p, func(q int) float64 { return fval(q, i) })
		}); err != nil {
			return err
		}
		if err := allreduceIntCheck(c, k, "int64", x, op, func(i int) int64 {
			return expect(op, p, func(q int) int64 { return ival(q, i) })
		}); err != nil {
			return err
		}
	}
	root := p - 1
	buf := make([]float64, n)
	want := make([]float64, n)
	for i := range n {
		want[i] = fval(root, i) + 0.5
		if r == root {
			buf[i] = want[i]
		}
	}
	if err := c.BcastFloat64s(buf, root); err != nil {
		return err
	}
	k.floats("Bcast", buf, want)
	return nil
}

// specials are values a broadcast must carry bit for bit.
var specials = []float64{
	math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
	math.SmallestNonzeroFloat64, math.MaxFloat64, -1e-300, 0.1,
}

// bcastEveryRoot broadcasts from each root in turn, and checks that the result is a copy: a
// later change to root's buffer reaches no one.
func bcastEveryRoot(c spmd.Comm, k *check) error {
	p, r := c.Size(), c.Rank()
	for root := range p {
		want := make([]float64, 0, 64)
		for i := range cap(want) - len(specials) {
			want = append(want, float64(1000*root+i)+0.25)
		}
		want = append(want, specials...)
		buf := make([]float64, len(want))
		if r == root {
			copy(buf, want)
		} else {
			for i := range buf {
				buf[i] = -1
			}
		}
		if err := c.BcastFloat64s(buf, root); err != nil {
			return err
		}
		k.floats(fmt.Sprintf("Bcast from %d", root), buf, want)
		if r == root {
			for i := range buf {
				buf[i] = -2
			}
		}
		if err := c.Barrier(); err != nil {
			return err
		}
		if r != root {
			k.floats(fmt.Sprintf("Bcast from %d after root changed its buffer", root), buf, want)
		}
	}
	return nil
}

// gathervUneven gathers uneven counts, some zero, to every root.
func gathervUneven(c spmd.Comm, k *check) error {
	p, r := c.Size(), c.Rank()
	patterns := []func(r int) int{
		func(r int) int { return r * r % 3 },
		func(r int) int { return (r*5 + 2) % 7 },
	}
	for pi, count := range patterns {
		counts := make([]int, p)
		var want []float64
		for q := range p {
			counts[q] = count(q)
			for i := range counts[q] {
				want = append(want, float64(1000*q+i))
			}
		}
		src := make([]float64, counts[r])
		for i := range src {
			src[i] = float64(1000*r + i)
		}
		keep := append([]float64(nil), src...)
		for root := range p {
			var dst []float64
			var cnt []int
			if r == root {
				dst, cnt = nans(len(want)), counts
			}
			if err := c.GathervFloat64s(dst, src, cnt, root); err != nil {
				return err
			}
			if r == root {
				k.floats(fmt.Sprintf("pattern %d to root %d", pi, root), dst, want)
			}
			k.floats(fmt.Sprintf("pattern %d to root %d: src after call", pi, root), src, keep)
		}
	}
	return nil
}

// barrierRepeated enters many barriers, then checks that all ranks counted the same number.
func barrierRepeated(c spmd.Comm, k *check) error {
	const n = 1000
	for range n {
		if err := c.Barrier(); err != nil {
			return err
		}
	}
	return allreduceIntCheck(c, k, "barriers passed", []int64{n}, spmd.Min, func(int) int64 { return n })
}

// mixedSequence makes 1000 collective calls of random kinds (every collective), sizes, roots
// and Ops, drawn from one stream that every rank seeds alike, so back-to-back reuse of a
// backend's buffers shows.
func mixedSequence(c spmd.Comm, k *check) error {
	p, r := c.Size(), c.Rank()
	rng := rand.New(rand.NewPCG(7, 11))
	// val is exact in float64 and its sums over p ranks too.
	val := func(it, r, i int) int64 { return int64(it*31 + r*7 - i*3) }
	for it := range 1000 {
		n := rng.IntN(20)
		root := rng.IntN(p)
		op := ops[rng.IntN(len(ops))]
		what := fmt.Sprintf("call %d", it)
		var err error
		switch rng.IntN(7) {
		case 0:
			src := make([]float64, n)
			for i := range src {
				src[i] = float64(val(it, r, i))
			}
			err = allreduceFloatCheck(c, k, what+" AllreduceFloat64s", src, op, func(i int) float64 {
				return float64(expect(op, p, func(q int) int64 { return val(it, q, i) }))
			})
		case 1:
			src := make([]int64, n)
			for i := range src {
				src[i] = val(it, r, i) << 33
			}
			err = allreduceIntCheck(c, k, what+" AllreduceInt64s", src, op, func(i int) int64 {
				return expect(op, p, func(q int) int64 { return val(it, q, i) << 33 })
			})
		case 2:
			buf, want := make([]float64, n), make([]float64, n)
			for i := range want {
				want[i] = float64(val(it, root, i))
				if r == root {
					buf[i] = want[i]
				}
			}
			if err = c.BcastFloat64s(buf, root); err == nil {
				k.floats(what+" BcastFloat64s", buf, want)
			}
		case 3:
			counts := make([]int, p)
			var want []float64
			for q := range counts {
				counts[q] = rng.IntN(4)
				for i := range counts[q] {
					want = append(want, float64(val(it, q, i)))
				}
			}
			src := make([]float64, counts[r])
			for i := range src {
				src[i] = float64(val(it, r, i))
			}
			var dst []float64
			if r == root {
				dst = make([]float64, len(want))
			}
			if err = c.GathervFloat64s(dst, src, counts, root); err == nil && r == root {
				k.floats(what+" GathervFloat64s", dst, want)
			}
		case 4:
			err = c.Barrier()
		case 5:
			_, err = bcastBytesInto(c, k, what+" BcastBytes", patterned(it+root, 20*n), root)
		case 6:
			counts := make([]int, p)
			for q := range counts {
				if rng.IntN(3) > 0 {
					counts[q] = rng.IntN(300)
				}
			}
			err = gathervBytesCheck(c, k, what+" GathervBytes", counts, func(q int) []byte {
				return patterned(it+q, counts[q])
			}, root)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
