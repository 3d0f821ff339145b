package spmd

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
)

// Op is a reduction operation of AllreduceFloat64s and AllreduceInt64s.
type Op int

// The reduction operations.
const (
	Sum Op = iota // element-wise sum
	Min           // element-wise minimum
	Max           // element-wise maximum
)

// String returns the name of o: "Sum", "Min", "Max", or "Op(n)" for an invalid value.
func (o Op) String() string {
	switch o {
	case Sum:
		return "Sum"
	case Min:
		return "Min"
	case Max:
		return "Max"
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// Comm is one rank's view of an SPMD job. All methods except Rank, Size and Abort are
// collective: every rank must call the same method, in the same order, with the same root,
// Op and (except for the Gatherv methods) length. On the local backend a collective returns
// ErrAborted once the job has failed on another rank; under MPI the launcher kills the
// surviving ranks instead, so there a collective never returns after another rank failed.
// Length mismatches, a root outside [0, Size()), negative counts and invalid Ops are
// programmer errors and panic, with the same messages on every backend. Under MPI a length
// or a sum of Gatherv counts above math.MaxInt32 is a returned error (see the package doc).
//
// The MPI backend's methods, except Rank, Size and Abort, must be called from the goroutine
// that called InitMPI (MPI_THREAD_FUNNELED), or they panic. An error from any method means
// the communicator is unusable: the caller should Abort.
type Comm interface {
	// Rank returns this rank's index in [0, Size()).
	Rank() int
	// Size returns the number of ranks in the job.
	Size() int
	// Barrier returns once every rank has entered it.
	Barrier() error
	// AllreduceFloat64s sets dst[i] on every rank to the reduction with op of src[i] over all
	// ranks. dst and src must have the same length and may be the same slice.
	AllreduceFloat64s(dst, src []float64, op Op) error
	// AllreduceInt64s is AllreduceFloat64s for int64 values.
	AllreduceInt64s(dst, src []int64, op Op) error
	// BcastFloat64s copies root's buf into buf on every other rank; len(buf) must be the same
	// on every rank. Root's buf is left as it was.
	BcastFloat64s(buf []float64, root int) error
	// GathervFloat64s concatenates every rank's src, in rank order, into dst on root.
	// counts[r] is the length of rank r's src; counts and dst are significant only on root
	// (other ranks may pass nil). len(dst) on root must equal the sum of counts. Root's src
	// may overlap dst: the result is as if every src were read before dst is written.
	GathervFloat64s(dst, src []float64, counts []int, root int) error
	// BcastBytes is BcastFloat64s for bytes: records of a fixed binary layout, strings.
	BcastBytes(buf []byte, root int) error
	// GathervBytes is GathervFloat64s for bytes; counts are in bytes. The typical use: the
	// ranks agree on their lengths (AllreduceInt64s of one-hot lengths, or a Block partition
	// of fixed-size records), then gather the bytes.
	GathervBytes(dst, src []byte, counts []int, root int) error
	// Abort ends the whole job with exit code code; msg is printed once. It never returns.
	// The MPI backend prints msg itself (one write to os.Stderr, a newline added if missing,
	// nothing for "") and calls MPI_Abort, so mpirun exits with code; called from another
	// goroutine than InitMPI's, it exits the process with code instead, and the launcher
	// ends the job. The local backend does not print: it ends the calling goroutine, which
	// must be the rank's own, and RunLocal returns an *AbortError that the caller prints
	// before exiting with Code.
	Abort(code int, msg string)
}

// ErrAborted is returned by the collectives of surviving ranks once any rank has failed or
// aborted (local backend; under MPI the launcher ends the survivors instead).
var ErrAborted = errors.New("spmd: job aborted by another rank")

// AbortError reports that rank Rank called Abort(Code, Msg).
type AbortError struct {
	Rank, Code int
	Msg        string
}

// Error returns "rank R aborted (code C): msg".
func (e *AbortError) Error() string {
	return fmt.Sprintf("rank %d aborted (code %d): %s", e.Rank, e.Code, e.Msg)
}

// RankError reports the failure of rank Rank: the error it returned, or its panic.
type RankError struct {
	Rank int
	// Err is the rank's error; for a panic it reads "panic: <value>" and wraps the value
	// when that is an error.
	Err error
	// Stack is the rank's stack trace at the panic; empty when the rank did not panic.
	Stack string
}

// Error returns "rank R: <err>".
func (e *RankError) Error() string { return fmt.Sprintf("rank %d: %v", e.Rank, e.Err) }

// Unwrap returns e.Err.
func (e *RankError) Unwrap() error { return e.Err }

// Block returns the half-open range [lo, hi) of n items owned by rank r of p under the static
// block partition
//
//	lo = ⌊r·n/p⌋,  hi = ⌊(r+1)·n/p⌋.
//
// The products are formed in 128 bits, so every n >= 0 is exact. The ranges of ranks
// 0, 1, …, p-1 tile [0, n) in order, and their lengths differ by at most one; when p > n some
// ranges are empty. Block panics if p < 1, r is outside [0, p) or n < 0.
func Block(n, p, r int) (lo, hi int) {
	switch {
	case p < 1:
		panic("spmd: Block: p < 1")
	case r < 0 || r >= p:
		panic("spmd: Block: rank outside [0, p)")
	case n < 0:
		panic("spmd: Block: n < 0")
	}
	return blockStart(n, p, r), blockStart(n, p, r+1)
}

// blockStart returns ⌊r·n/p⌋ for 0 <= r <= p; the quotient is at most n, so it fits.
func blockStart(n, p, r int) int {
	hi, lo := bits.Mul64(uint64(r), uint64(n))
	q, _ := bits.Div64(hi, lo, uint64(p))
	return int(q)
}

// checkAllreduce panics on the programmer errors of an Allreduce call.
func checkAllreduce(ndst, nsrc int, op Op) {
	if ndst != nsrc {
		panic("spmd: Allreduce: len(dst) != len(src)")
	}
	if op < Sum || op > Max {
		panic("spmd: Allreduce: invalid Op")
	}
}

// checkRoot panics if root is not a rank of a job of size p.
func checkRoot(root, p int) {
	if root < 0 || root >= p {
		panic("spmd: root outside [0, Size())")
	}
}

// checkGatherv panics on the programmer errors of a Gatherv call on root rank.
func checkGatherv(ndst, nsrc int, counts []int, rank, p int) {
	if len(counts) != p {
		panic("spmd: Gatherv: len(counts) != Size()")
	}
	sum := 0
	for _, n := range counts {
		if n < 0 {
			panic("spmd: Gatherv: negative count")
		}
		if n > math.MaxInt-sum { // no slice is that long
			panic("spmd: Gatherv: len(dst) != sum(counts)")
		}
		sum += n
	}
	if sum != ndst {
		panic("spmd: Gatherv: len(dst) != sum(counts)")
	}
	if nsrc != counts[rank] {
		panic("spmd: Gatherv: len(src) != counts[Rank()]")
	}
}
