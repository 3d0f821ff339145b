//go:build mpi && cgo

package spmd

// This file is the cgo side of the MPI backend and nothing else: the preamble, and one thin Go
// function per MPI call, each returning the call's raw return code. mpi.go builds the backend
// on top of them in pure Go.
//
// Compiler and linker flags come from the environment (CGO_CFLAGS, CGO_LDFLAGS), which the
// Makefile sets from pkg-config (ompi-c, or mpich) or from mpicc -showme; the preamble names
// no paths.

/*
#include <stddef.h>
#include <mpi.h>

// Predefined handles and limits are macros, in OpenMPI casts of addresses of library globals,
// in MPICH casts of integers; cgo cannot use such macros, so each is returned by a function.
static MPI_Comm mcfem_comm_world(void) { return MPI_COMM_WORLD; }
static MPI_Datatype mcfem_double(void) { return MPI_DOUBLE; }
static MPI_Datatype mcfem_int64(void) { return MPI_INT64_T; }
static MPI_Datatype mcfem_byte(void) { return MPI_BYTE; }
static MPI_Op mcfem_sum(void) { return MPI_SUM; }
static MPI_Op mcfem_min(void) { return MPI_MIN; }
static MPI_Op mcfem_max(void) { return MPI_MAX; }
static int mcfem_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static int mcfem_max_library_version_string(void) { return MPI_MAX_LIBRARY_VERSION_STRING; }
static int mcfem_max_processor_name(void) { return MPI_MAX_PROCESSOR_NAME; }
static int mcfem_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

static int mcfem_init_thread(int required, int *provided) {
	return MPI_Init_thread(NULL, NULL, required, provided);
}

static int mcfem_errors_return(MPI_Comm comm) {
	return MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
}

// MPI_IN_PLACE is a sentinel address such as (void *)1. It must never reach Go: the Go runtime
// may throw on such a pointer in a goroutine's stack frame. These wrappers substitute it for
// the send buffer on the C side.
static int mcfem_allreduce(const void *src, void *dst, int n, MPI_Datatype type, MPI_Op op,
                           MPI_Comm comm, int in_place) {
	return MPI_Allreduce(in_place ? MPI_IN_PLACE : src, dst, n, type, op, comm);
}

static int mcfem_gatherv(const void *src, int n, void *dst, const int *counts,
                         const int *displs, MPI_Datatype type, int root, MPI_Comm comm,
                         int in_place) {
	return MPI_Gatherv(in_place ? MPI_IN_PLACE : src, n, type, dst, counts, displs, type,
	                   root, comm);
}
*/
import "C"

import "unsafe"

// C int must be 32 bits: mpi.go bounds counts by math.MaxInt32 and hands []int32 to MPI as
// int arrays. The index is out of range (or the constant overflows) otherwise.
var _ = [1]struct{}{}[unsafe.Sizeof(C.int(0))-4]

// mpiSuccess is MPI_SUCCESS.
const mpiSuccess = int(C.MPI_SUCCESS)

// The one table from Go types and Ops to MPI handles.

// mpiElem is the set of Go element types that travel through MPI: the types of cDatatype.
type mpiElem interface{ float64 | int64 | byte }

// cDatatype returns the MPI datatype of T: MPI_DOUBLE, MPI_INT64_T (never MPI_LONG), or
// MPI_BYTE (uninterpreted bytes, never converted between hosts; not MPI_CHAR).
func cDatatype[T mpiElem]() C.MPI_Datatype {
	var zero T
	switch any(zero).(type) {
	case float64:
		return C.mcfem_double()
	case int64:
		return C.mcfem_int64()
	case byte:
		return C.mcfem_byte()
	}
	panic("spmd: no MPI datatype")
}

// cOp returns the MPI handle of op, which the caller has checked.
func cOp(op Op) C.MPI_Op {
	switch op {
	case Sum:
		return C.mcfem_sum()
	case Min:
		return C.mcfem_min()
	case Max:
		return C.mcfem_max()
	}
	panic("spmd: Allreduce: invalid Op")
}

// cBuf returns a pointer to s's first element, or nil when s is empty (MPI gets NULL with
// count 0). The element type must hold no Go pointers, and C must not keep the pointer.
func cBuf[T mpiElem | int32](s []T) unsafe.Pointer {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Pointer(&s[0])
}

// cInts returns s as a C int array for MPI, or nil when s is empty.
func cInts(s []int32) *C.int { return (*C.int)(cBuf(s)) }

// cBool returns 1 for true and 0 for false.
func cBool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// cInitThread calls MPI_Init_thread(MPI_THREAD_FUNNELED) and returns the level provided and
// the level required.
func cInitThread() (provided, required, rc int) {
	req := C.mcfem_thread_funneled()
	var prov C.int
	rc = int(C.mcfem_init_thread(req, &prov))
	return int(prov), int(req), rc
}

// cSetErrorsReturn sets MPI_ERRORS_RETURN on MPI_COMM_WORLD.
func cSetErrorsReturn() int { return int(C.mcfem_errors_return(C.mcfem_comm_world())) }

// cCommRank returns the rank of this process in MPI_COMM_WORLD.
func cCommRank() (rank, rc int) {
	var r C.int
	rc = int(C.MPI_Comm_rank(C.mcfem_comm_world(), &r))
	return int(r), rc
}

// cCommSize returns the size of MPI_COMM_WORLD.
func cCommSize() (size, rc int) {
	var s C.int
	rc = int(C.MPI_Comm_size(C.mcfem_comm_world(), &s))
	return int(s), rc
}

// cIsThreadMain reports whether the calling OS thread is the one that called MPI_Init_thread.
// MPI allows this call from any thread.
func cIsThreadMain() (main bool, rc int) {
	var flag C.int
	rc = int(C.MPI_Is_thread_main(&flag))
	return flag != 0, rc
}

// cBarrier calls MPI_Barrier on MPI_COMM_WORLD.
func cBarrier() int { return int(C.MPI_Barrier(C.mcfem_comm_world())) }

// cAllreduce calls MPI_Allreduce on MPI_COMM_WORLD; with inPlace, src is ignored and
// MPI_IN_PLACE is sent. len(dst) must fit in a C int.
func cAllreduce[T float64 | int64](dst, src []T, op Op, inPlace bool) int {
	return int(C.mcfem_allreduce(cBuf(src), cBuf(dst), C.int(len(dst)), cDatatype[T](), cOp(op),
		C.mcfem_comm_world(), cBool(inPlace)))
}

// cBcast calls MPI_Bcast of buf's values on MPI_COMM_WORLD. len(buf) must fit in a C int.
func cBcast[T mpiElem](buf []T, root int) int {
	return int(C.MPI_Bcast(cBuf(buf), C.int(len(buf)), cDatatype[T](), C.int(root),
		C.mcfem_comm_world()))
}

// cGatherv calls MPI_Gatherv on MPI_COMM_WORLD, with T's datatype on both sides; dst, counts
// and displs matter only on root (nil elsewhere). With inPlace (root only), root's
// contribution is already in dst and src is ignored. len(src) must fit in a C int.
func cGatherv[T mpiElem](dst, src []T, counts, displs []int32, root int, inPlace bool) int {
	return int(C.mcfem_gatherv(cBuf(src), C.int(len(src)), cBuf(dst), cInts(counts),
		cInts(displs), cDatatype[T](), C.int(root), C.mcfem_comm_world(), cBool(inPlace)))
}

// cAbort calls MPI_Abort(MPI_COMM_WORLD, code); it returns only if MPI_Abort does.
func cAbort(code int) int { return int(C.MPI_Abort(C.mcfem_comm_world(), C.int(code))) }

// cFinalize calls MPI_Finalize.
func cFinalize() int { return int(C.MPI_Finalize()) }

// cErrorString returns MPI_Error_string of an MPI return code.
func cErrorString(code int) (s string, rc int) {
	buf := make([]C.char, C.mcfem_max_error_string())
	var n C.int
	rc = int(C.MPI_Error_string(C.int(code), &buf[0], &n))
	return C.GoStringN(&buf[0], n), rc
}

// cErrorClass returns MPI_Error_class of an MPI return code.
func cErrorClass(code int) (class, rc int) {
	var c C.int
	rc = int(C.MPI_Error_class(C.int(code), &c))
	return int(c), rc
}

// cLibraryVersion returns MPI_Get_library_version's string.
func cLibraryVersion() (s string, rc int) {
	buf := make([]C.char, C.mcfem_max_library_version_string())
	var n C.int
	rc = int(C.MPI_Get_library_version(&buf[0], &n))
	return C.GoStringN(&buf[0], n), rc
}

// cProcessorName returns MPI_Get_processor_name.
func cProcessorName() (s string, rc int) {
	buf := make([]C.char, C.mcfem_max_processor_name())
	var n C.int
	rc = int(C.MPI_Get_processor_name(&buf[0], &n))
	return C.GoStringN(&buf[0], n), rc
}
