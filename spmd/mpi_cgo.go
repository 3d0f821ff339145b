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
#include <stdlib.h>
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
static int mcfem_thread_multiple(void) { return MPI_THREAD_MULTIPLE; }
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

// The heartbeat (heartbeat_mpi.go): on a duplicate of MPI_COMM_WORLD, every rank but 0 sends
// rank 0 a small message every period and rank 0 sends one to each of them, so rank 0 hears
// from every rank and every rank hears from rank 0. One receive is posted per peer at all
// times; a send is posted only when the previous one to that peer has completed, so nothing
// piles up behind a peer that stopped receiving. All of it lives in C memory (MPI_Request is
// a pointer in OpenMPI), touched by one goroutine only. mcfem_hb_finish matches every message
// sent: the receives are cancelled (one that had matched counts as received), the ranks
// exchange how many they sent, and each receives what is still on its way.
typedef struct {
	MPI_Comm comm;
	int rank, size, npeers;
	int *peer;                 // the ranks this rank exchanges with
	MPI_Request *rreq, *sreq;  // the posted receive and send per peer
	long long *rbuf, *sbuf;    // their one-value buffers
	long long *sent, *recvd;   // messages sent to and received from each peer
	MPI_Request barrier;
} mcfem_hb;

static const int mcfem_hb_tag = 7;

static void mcfem_hb_free(mcfem_hb *h) {
	if (h == NULL) return;
	free(h->peer); free(h->rreq); free(h->sreq); free(h->rbuf); free(h->sbuf);
	free(h->sent); free(h->recvd); free(h);
}

// mcfem_hb_new duplicates MPI_COMM_WORLD (collective) and posts the receives.
static mcfem_hb *mcfem_hb_new(int *rc) {
	mcfem_hb *h = calloc(1, sizeof *h);
	if (h == NULL) { *rc = MPI_ERR_NO_MEM; return NULL; }
	*rc = MPI_Comm_dup(MPI_COMM_WORLD, &h->comm);
	if (*rc != MPI_SUCCESS) { free(h); return NULL; }
	MPI_Comm_set_errhandler(h->comm, MPI_ERRORS_RETURN);
	MPI_Comm_rank(h->comm, &h->rank);
	MPI_Comm_size(h->comm, &h->size);
	h->npeers = h->rank == 0 ? h->size - 1 : 1;
	int n = h->npeers > 0 ? h->npeers : 1;
	h->peer = calloc(n, sizeof(int));
	h->rreq = calloc(n, sizeof(MPI_Request));
	h->sreq = calloc(n, sizeof(MPI_Request));
	h->rbuf = calloc(n, sizeof(long long));
	h->sbuf = calloc(n, sizeof(long long));
	h->sent = calloc(n, sizeof(long long));
	h->recvd = calloc(n, sizeof(long long));
	if (!h->peer || !h->rreq || !h->sreq || !h->rbuf || !h->sbuf || !h->sent || !h->recvd) {
		MPI_Comm_free(&h->comm);
		mcfem_hb_free(h);
		*rc = MPI_ERR_NO_MEM;
		return NULL;
	}
	h->barrier = MPI_REQUEST_NULL;
	for (int i = 0; i < h->npeers; i++) {
		h->peer[i] = h->rank == 0 ? i + 1 : 0;
		h->sreq[i] = MPI_REQUEST_NULL;
		*rc = MPI_Irecv(&h->rbuf[i], 1, MPI_LONG_LONG, h->peer[i], mcfem_hb_tag, h->comm, &h->rreq[i]);
		if (*rc != MPI_SUCCESS) return h;
	}
	*rc = MPI_SUCCESS;
	return h;
}

// mcfem_hb_beat tests every receive (heard[i] = 1 for a peer heard from, its receive posted
// again) and sends to every peer whose previous message has gone.
static int mcfem_hb_beat(mcfem_hb *h, int *heard) {
	for (int i = 0; i < h->npeers; i++) {
		int flag = 0, rc;
		heard[i] = 0;
		rc = MPI_Test(&h->rreq[i], &flag, MPI_STATUS_IGNORE);
		if (rc != MPI_SUCCESS) return rc;
		if (flag) {
			heard[i] = 1;
			h->recvd[i]++;
			rc = MPI_Irecv(&h->rbuf[i], 1, MPI_LONG_LONG, h->peer[i], mcfem_hb_tag, h->comm, &h->rreq[i]);
			if (rc != MPI_SUCCESS) return rc;
		}
		flag = 1;
		if (h->sreq[i] != MPI_REQUEST_NULL) {
			rc = MPI_Test(&h->sreq[i], &flag, MPI_STATUS_IGNORE);
			if (rc != MPI_SUCCESS) return rc;
		}
		if (flag) {
			h->sbuf[i] = h->sent[i];
			rc = MPI_Isend(&h->sbuf[i], 1, MPI_LONG_LONG, h->peer[i], mcfem_hb_tag, h->comm, &h->sreq[i]);
			if (rc != MPI_SUCCESS) return rc;
			h->sent[i]++;
		}
	}
	return MPI_SUCCESS;
}

// mcfem_hb_barrier starts (first call) and tests the non-blocking barrier of the stop.
static int mcfem_hb_barrier(mcfem_hb *h, int *done) {
	*done = 0;
	if (h->barrier == MPI_REQUEST_NULL) {
		int rc = MPI_Ibarrier(h->comm, &h->barrier);
		if (rc != MPI_SUCCESS) return rc;
	}
	return MPI_Test(&h->barrier, done, MPI_STATUS_IGNORE);
}

// mcfem_hb_finish matches every message still on its way, frees the communicator and h. Every
// rank calls it after the barrier: its collectives cannot wait on a stopped rank for long.
static int mcfem_hb_finish(mcfem_hb *h) {
	int rc;
	for (int i = 0; i < h->npeers; i++) {
		MPI_Status st;
		int cancelled = 0;
		if ((rc = MPI_Cancel(&h->rreq[i])) != MPI_SUCCESS) return rc;
		if ((rc = MPI_Wait(&h->rreq[i], &st)) != MPI_SUCCESS) return rc;
		if ((rc = MPI_Test_cancelled(&st, &cancelled)) != MPI_SUCCESS) return rc;
		if (!cancelled) h->recvd[i]++;
	}
	// Rank 0 learns how many each rank sent it (got), and each rank how many rank 0 sent it.
	long long mine = h->rank == 0 ? 0 : h->sent[0], theirs = 0;
	long long *got = NULL, *out = NULL;
	if (h->rank == 0) {
		got = calloc(h->size, sizeof(long long));
		out = calloc(h->size, sizeof(long long));
		if (got == NULL || out == NULL) { free(got); free(out); return MPI_ERR_NO_MEM; }
		for (int i = 0; i < h->npeers; i++) out[i + 1] = h->sent[i];
	}
	rc = MPI_Gather(&mine, 1, MPI_LONG_LONG, got, 1, MPI_LONG_LONG, 0, h->comm);
	if (rc == MPI_SUCCESS) rc = MPI_Scatter(out, 1, MPI_LONG_LONG, &theirs, 1, MPI_LONG_LONG, 0, h->comm);
	for (int i = 0; rc == MPI_SUCCESS && i < h->npeers; i++) {
		long long want = h->rank == 0 ? got[i + 1] : theirs;
		for (; rc == MPI_SUCCESS && h->recvd[i] < want; h->recvd[i]++) {
			rc = MPI_Recv(&h->rbuf[i], 1, MPI_LONG_LONG, h->peer[i], mcfem_hb_tag, h->comm, MPI_STATUS_IGNORE);
		}
	}
	for (int i = 0; rc == MPI_SUCCESS && i < h->npeers; i++) {
		rc = MPI_Wait(&h->sreq[i], MPI_STATUS_IGNORE);
	}
	free(got);
	free(out);
	if (rc == MPI_SUCCESS) rc = MPI_Comm_free(&h->comm);
	mcfem_hb_free(h);
	return rc;
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

// cInitThread calls MPI_Init_thread(MPI_THREAD_MULTIPLE) and returns the level provided, the
// level required (MPI_THREAD_FUNNELED: the main goroutine's calls need no more) and
// MPI_THREAD_MULTIPLE (the heartbeat's goroutine needs it).
func cInitThread() (provided, required, multiple, rc int) {
	var prov C.int
	rc = int(C.mcfem_init_thread(C.mcfem_thread_multiple(), &prov))
	return int(prov), int(C.mcfem_thread_funneled()), int(C.mcfem_thread_multiple()), rc
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

// cHeartbeat is the heartbeat's C state (mcfem_hb).
type cHeartbeat = *C.mcfem_hb

// cHBNew duplicates MPI_COMM_WORLD for the heartbeat (collective) and posts its receives; on
// an error after the duplicate, h is not nil and must still be finished.
func cHBNew() (h cHeartbeat, npeers, rc int) {
	var r C.int
	h = C.mcfem_hb_new(&r)
	if h != nil {
		npeers = int(h.npeers)
	}
	return h, npeers, int(r)
}

// cHBPeer returns the rank of peer i.
func cHBPeer(h cHeartbeat, i int) int {
	return int(unsafe.Slice(h.peer, h.npeers)[i])
}

// cHBBeat tests the receives and posts the sends; heard (C memory the caller owns, len npeers)
// gets 1 for every peer heard from.
func cHBBeat(h cHeartbeat, heard *C.int) int { return int(C.mcfem_hb_beat(h, heard)) }

// cHBHeard allocates the heard array of cHBBeat in C memory (free with cFree).
func cHBHeard(n int) (*C.int, []C.int) {
	p := (*C.int)(C.calloc(C.size_t(max(n, 1)), C.size_t(unsafe.Sizeof(C.int(0)))))
	return p, unsafe.Slice(p, max(n, 1))
}

// cFree frees C memory.
func cFree(p *C.int) { C.free(unsafe.Pointer(p)) }

// cHBBarrier starts and tests the stop's non-blocking barrier.
func cHBBarrier(h cHeartbeat) (done bool, rc int) {
	var d C.int
	rc = int(C.mcfem_hb_barrier(h, &d))
	return d != 0, rc
}

// cHBFinish matches the messages still on their way and frees h and its communicator.
func cHBFinish(h cHeartbeat) int { return int(C.mcfem_hb_finish(h)) }
