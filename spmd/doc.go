// Package spmd implements the communicator of mcfem: the few collective operations that the
// ranks of an SPMD (single program, multiple data) job use to cooperate.
//
// Every rank runs the same function with its own Comm; ranks differ only by Rank(). Work is
// split with the static Block partition, and ranks meet only in collective calls (Barrier,
// Allreduce, Bcast, Gatherv), which every rank must make in the same order with matching
// arguments.
//
// The collectives are typed, one method per element type the program sends: float64 and int64
// for reductions (AllreduceFloat64s, AllreduceInt64s), float64 and byte for the rest
// (BcastFloat64s, GathervFloat64s, BcastBytes, GathervBytes). Bytes carry what is not a vector
// of numbers as it is: records of a fixed binary layout, strings such as host names. Bytes are
// copied, never converted; a record's byte order is the caller's to fix (encoding/binary).
//
// Under MPI, counts and displacements are C ints: a length, or on Gatherv's root the running
// sum of counts, above math.MaxInt32 elements (2 GiB for bytes) is a returned error that names
// it, before any communication on the rank that sees it. The local backend has no such limit.
//
// Backends:
//
//   - local: RunLocal runs P ranks as goroutines of one process. Always built; it needs no MPI,
//     so tests and laptop runs use the same SPMD code.
//   - MPI: InitMPI, built only with the build tags mpi and cgo (make build-mpi); every rank is a
//     separate process under mpirun. Without those tags InitMPI returns an error and
//     MPIAvailable reports false; LaunchedByMPI tells whether a launcher started the process.
//     The Comm's calls follow MPI_THREAD_FUNNELED: package main locks the main goroutine to
//     the main OS thread (runtime.LockOSThread in an init function), calls InitMPI, every
//     collective and FinalizeMPI from it, and finalizes only on the success path. InitMPI asks
//     for MPI_THREAD_MULTIPLE all the same: with it, StartHeartbeat runs a goroutine of its
//     own that exchanges small messages with rank 0 on a duplicate of MPI_COMM_WORLD, so that
//     a rank that stops altogether (SIGSTOP, a frozen node) is found by the others while they
//     compute or wait in a collective (heartbeat.go).
//
// Every backend passes the conformance suite in package spmdtest.
//
// Reductions: the local backend combines contributions in rank order 0, 1, …, P-1 on every
// rank, so all ranks get bit-identical results, the same on every run. Its float64 Min and
// Max follow Go's min and max: NaN propagates (one NaN anywhere makes that element NaN) and
// -0 is less than +0; MPI's built-in MPI_MIN and MPI_MAX promise neither, so callers should
// not depend on them. Int64 Sum wraps around on overflow, as two's-complement addition does.
//
// Failure: an error or panic on any rank, or a call to Abort, ends the whole job. On the local
// backend every collective that is blocked, or entered later, on the surviving ranks returns
// ErrAborted, and RunLocal reports the first failure as a *RankError or *AbortError. Under
// MPI the failing rank must Abort (MPI_Abort), and the launcher kills the others; an MPI call
// that fails returns an error such as
//
//	spmd: MPI_Bcast: MPI_ERR_ROOT: invalid root (error class 8, code 8)
//
// Programmer errors (length mismatches, a bad root or Op, a negative count, and on the local
// backend ranks making different collective calls, BcastBytes against BcastFloat64s included)
// panic with a message prefixed "spmd: ", the same on every backend.
package spmd
