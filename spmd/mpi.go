//go:build mpi && cgo

package spmd

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"unsafe"
)

// MPIAvailable reports whether this binary was built with the MPI backend (true here).
func MPIAvailable() bool { return true }

// The life of MPI in this process. Only InitMPI and FinalizeMPI change it, on the main thread;
// it is atomic because Abort and ProcessorName may read it from any goroutine.
const (
	mpiNotStarted int32 = iota
	mpiRunning
	mpiFinalized
)

var mpiState atomic.Int32

// mpiMultiple records that the library provides MPI_THREAD_MULTIPLE: the heartbeat may run on
// its own goroutine, and Abort may call MPI_Abort from any goroutine.
var mpiMultiple atomic.Bool

// maxCInt is the largest count MPI takes: counts and displacements are C ints (32 bits, checked
// in mpi_cgo.go).
const maxCInt = math.MaxInt32

// InitMPI initialises MPI with MPI_Init_thread(MPI_THREAD_MULTIPLE), checks that the library
// provides at least MPI_THREAD_FUNNELED (the main goroutine's calls need no more; MULTIPLE lets
// the heartbeat of StartHeartbeat run beside them), sets MPI_ERRORS_RETURN on MPI_COMM_WORLD, and returns
// the world communicator, whose rank and size it caches.
//
// InitMPI must be called from the main goroutine, locked to the main OS thread by
// runtime.LockOSThread in an init function of package main; every later MPI call (every
// method of the Comm but Rank, Size and Abort, and FinalizeMPI) must come from that goroutine
// too, or it panics. Goroutines may compute, never communicate. Calling InitMPI twice, or
// after FinalizeMPI, is an error.
//
// On an error the caller should print it and exit non-zero without FinalizeMPI: the launcher
// sees a rank exit without finalizing and ends the job.
func InitMPI() (Comm, error) {
	switch mpiState.Load() {
	case mpiRunning:
		return nil, errors.New("spmd: InitMPI called twice")
	case mpiFinalized:
		return nil, errors.New("spmd: InitMPI called after FinalizeMPI: MPI cannot be restarted")
	}
	provided, required, multiple, rc := cInitThread()
	if rc != mpiSuccess {
		return nil, mpiError("MPI_Init_thread", rc)
	}
	mpiState.Store(mpiRunning)
	mpiMultiple.Store(provided >= multiple)
	// The thread levels are ordered SINGLE < FUNNELED < SERIALIZED < MULTIPLE (MPI standard).
	if provided < required {
		return nil, fmt.Errorf("spmd: MPI_Init_thread provided thread level %d, below MPI_THREAD_FUNNELED (%d)", provided, required)
	}
	if rc := cSetErrorsReturn(); rc != mpiSuccess {
		return nil, mpiError("MPI_Comm_set_errhandler", rc)
	}
	rank, rc := cCommRank()
	if rc != mpiSuccess {
		return nil, mpiError("MPI_Comm_rank", rc)
	}
	size, rc := cCommSize()
	if rc != mpiSuccess {
		return nil, mpiError("MPI_Comm_size", rc)
	}
	return &mpiComm{rank: rank, size: size, counts: make([]int32, size), displs: make([]int32, size)}, nil
}

// FinalizeMPI calls MPI_Finalize. It is collective: call it only on the success path, once
// every rank is done communicating, and never in a defer that a panic can reach (a panicking
// rank must Abort; one waiting in MPI_Finalize hangs the job). It panics off the thread that
// called InitMPI; it is an error before InitMPI or a second time.
func FinalizeMPI() error {
	switch mpiState.Load() {
	case mpiNotStarted:
		return errors.New("spmd: FinalizeMPI called before InitMPI")
	case mpiFinalized:
		return errors.New("spmd: FinalizeMPI called twice")
	}
	mustBeInitThread()
	rc := cFinalize()
	mpiState.Store(mpiFinalized)
	if rc != mpiSuccess {
		return mpiError("MPI_Finalize", rc)
	}
	return nil
}

// MPILibraryVersion returns the string of MPI_Get_library_version (it may span several lines;
// the first names the library and its version) without trailing white space or NULs, or ""
// before InitMPI. It may be called from any goroutine.
func MPILibraryVersion() string {
	if mpiState.Load() == mpiNotStarted {
		return ""
	}
	s, rc := cLibraryVersion()
	if rc != mpiSuccess {
		return ""
	}
	return strings.TrimRight(s, " \t\r\n\x00")
}

// MPIBuildLibrary returns the first line of MPI_Get_library_version whether or not MPI is
// initialized (MPI-3 allows the call before MPI_Init): which MPI this binary was built with,
// for messages written before MPI starts.
func MPIBuildLibrary() string {
	s, rc := cLibraryVersion()
	if rc != mpiSuccess {
		return ""
	}
	first, _, _ := strings.Cut(strings.TrimRight(s, " \t\r\n\x00"), "\n")
	return first
}

// ProcessorName returns MPI_Get_processor_name while MPI is running and the caller is on the
// thread that called InitMPI; otherwise, or if the call fails, it returns os.Hostname (""
// if that fails too).
func ProcessorName() string {
	if mpiState.Load() == mpiRunning {
		if main, rc := cIsThreadMain(); rc == mpiSuccess && main {
			if s, rc := cProcessorName(); rc == mpiSuccess {
				return s
			}
		}
	}
	host, _ := os.Hostname()
	return host
}

// mpiErr is a failed MPI call: the function, its return code, the code's class and the text
// of MPI_Error_string.
type mpiErr struct {
	fn          string
	code, class int
	msg         string
}

// Error returns "spmd: MPI_Allreduce: <MPI_Error_string> (error class C, code N)".
func (e *mpiErr) Error() string {
	return fmt.Sprintf("spmd: %s: %s (error class %d, code %d)", e.fn, e.msg, e.class, e.code)
}

// mpiError describes the failure of MPI function fn with return code rc.
func mpiError(fn string, rc int) error {
	e := &mpiErr{fn: fn, code: rc, class: -1, msg: "unknown MPI error"}
	if class, crc := cErrorClass(rc); crc == mpiSuccess {
		e.class = class
	}
	if s, src := cErrorString(rc); src == mpiSuccess && s != "" {
		e.msg = strings.TrimRight(s, " \t\r\n\x00")
	}
	return e
}

// mpiCall returns nil when rc is MPI_SUCCESS and the error of fn otherwise.
func mpiCall(fn string, rc int) error {
	if rc == mpiSuccess {
		return nil
	}
	return mpiError(fn, rc)
}

// countError reports a length that MPI's C int counts cannot hold.
func countError(fn, what string, n int) error {
	return fmt.Errorf("spmd: %s: %s %d exceeds the C int range of MPI counts (%d)", fn, what, n, maxCInt)
}

// mustBeInitThread panics unless MPI is running and the caller is on the OS thread that called
// InitMPI (MPI_THREAD_FUNNELED allows no other).
func mustBeInitThread() {
	if mpiState.Load() == mpiFinalized {
		panic("spmd: MPI used after FinalizeMPI")
	}
	main, rc := cIsThreadMain()
	if rc != mpiSuccess {
		panic(mpiError("MPI_Is_thread_main", rc).Error())
	}
	if !main {
		panic("spmd: MPI called off the thread that called InitMPI: call MPI only from the main goroutine, locked by runtime.LockOSThread in an init function")
	}
}

// mpiComm is the Comm of MPI_COMM_WORLD.
type mpiComm struct {
	rank, size int
	// counts and displs are the Gatherv methods' C int arrays on root, reused call after call.
	counts, displs []int32
}

func (c *mpiComm) Rank() int { return c.rank }
func (c *mpiComm) Size() int { return c.size }

func (c *mpiComm) Barrier() error {
	mustBeInitThread()
	return mpiCall("MPI_Barrier", cBarrier())
}

func (c *mpiComm) AllreduceFloat64s(dst, src []float64, op Op) error {
	return mpiAllreduce(dst, src, op)
}

func (c *mpiComm) AllreduceInt64s(dst, src []int64, op Op) error {
	return mpiAllreduce(dst, src, op)
}

// mpiAllreduce implements both Allreduce methods: MPI_IN_PLACE when dst and src are the same
// slice, a copy of src when they overlap otherwise (MPI forbids aliased buffers).
func mpiAllreduce[T float64 | int64](dst, src []T, op Op) error {
	checkAllreduce(len(dst), len(src), op)
	mustBeInitThread()
	if len(src) > maxCInt {
		return countError("MPI_Allreduce", "length", len(src))
	}
	inPlace := sameSlice(dst, src)
	if !inPlace && overlap(dst, src) {
		src = slices.Clone(src)
	}
	return mpiCall("MPI_Allreduce", cAllreduce(dst, src, op, inPlace))
}

func (c *mpiComm) BcastFloat64s(buf []float64, root int) error { return mpiBcast(c, buf, root) }

func (c *mpiComm) BcastBytes(buf []byte, root int) error { return mpiBcast(c, buf, root) }

// mpiBcast implements the Bcast methods with MPI_Bcast of T's datatype. A length beyond the
// C int range is an error on every rank alike (all pass the same length), before any
// communication.
func mpiBcast[T float64 | byte](c *mpiComm, buf []T, root int) error {
	checkRoot(root, c.size)
	mustBeInitThread()
	if len(buf) > maxCInt {
		return countError("MPI_Bcast", "length", len(buf))
	}
	return mpiCall("MPI_Bcast", cBcast(buf, root))
}

func (c *mpiComm) GathervFloat64s(dst, src []float64, counts []int, root int) error {
	return mpiGatherv(c, dst, src, counts, root)
}

func (c *mpiComm) GathervBytes(dst, src []byte, counts []int, root int) error {
	return mpiGatherv(c, dst, src, counts, root)
}

// mpiGatherv implements the Gatherv methods with MPI_Gatherv of T's datatype; root computes
// the displacements from counts. A count, or the sum of counts, beyond the C int range is an
// error on the rank that sees it (before any communication; the caller must then Abort, as
// for any error). Root's src at its own place in dst is sent as MPI_IN_PLACE; a src that
// overlaps dst otherwise is copied first (MPI forbids aliased buffers).
func mpiGatherv[T float64 | byte](c *mpiComm, dst, src []T, counts []int, root int) error {
	checkRoot(root, c.size)
	if c.rank == root {
		checkGatherv(len(dst), len(src), counts, c.rank, c.size)
	}
	mustBeInitThread()
	if len(src) > maxCInt {
		return countError("MPI_Gatherv", "length", len(src))
	}
	if c.rank != root {
		return mpiCall("MPI_Gatherv", cGatherv[T](nil, src, nil, nil, root, false))
	}
	if err := gathervLayout(counts, c.counts, c.displs); err != nil {
		return err
	}
	lo := int(c.displs[root])
	mine := dst[lo : lo+counts[root]]
	inPlace := sameSlice(mine, src)
	if !inPlace && overlap(dst, src) {
		src = slices.Clone(src)
	}
	return mpiCall("MPI_Gatherv", cGatherv(dst, src, c.counts, c.displs, root, inPlace))
}

// gathervLayout sets counts32 and displs32, MPI_Gatherv's C int arrays, from counts, which
// checkGatherv has accepted (so their sum fits in an int): displs32[r] is the sum of
// counts[0..r-1]. It returns an error naming the first prefix sum of counts beyond the C int
// range; MPI could not address dst past it.
func gathervLayout(counts []int, counts32, displs32 []int32) error {
	off := 0
	for r, n := range counts {
		if n > maxCInt-off {
			return countError("MPI_Gatherv", fmt.Sprintf("sum of counts[0..%d]", r), off+n)
		}
		counts32[r], displs32[r] = int32(n), int32(off)
		off += n
	}
	return nil
}

// Abort writes msg to os.Stderr in one write (with a newline added if it lacks one; nothing if
// msg is "") and calls MPI_Abort(MPI_COMM_WORLD, code), which ends every rank; mpirun exits
// with code. Unlike the other methods it may be called from any goroutine (MPI_Abort from any
// thread when the library provides MPI_THREAD_MULTIPLE); off the thread that called InitMPI
// without MPI_THREAD_MULTIPLE, or when MPI is not running, it calls os.Exit(code) instead, and the launcher ends the job because a rank exited without
// finalizing. If MPI_Abort returns, it calls os.Exit(code). It never returns.
func (c *mpiComm) Abort(code int, msg string) {
	if msg != "" {
		if !strings.HasSuffix(msg, "\n") {
			msg += "\n"
		}
		_, _ = os.Stderr.WriteString(msg)
	}
	if mpiState.Load() == mpiRunning {
		if main, rc := cIsThreadMain(); mpiMultiple.Load() || rc == mpiSuccess && main {
			cAbort(code)
		}
	}
	os.Exit(code)
}

// sameSlice reports whether a and b are the same non-empty slice: the same first element and
// the same length.
func sameSlice[T any](a, b []T) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

// overlap reports whether a and b share any element.
func overlap[T any](a, b []T) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	size := unsafe.Sizeof(a[0])
	a0, b0 := uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&b[0]))
	return a0 < b0+uintptr(len(b))*size && b0 < a0+uintptr(len(a))*size
}
