// Package spmdtest implements the conformance suite that every spmd.Comm backend must pass.
//
// The suite runs on each rank with nothing but that rank's Comm, so the same code checks the
// local backend (ranks as goroutines) and the MPI backend (ranks as processes under mpirun):
//
//	for _, err := range spmdtest.RunAll(c) { report(c.Rank(), err) }
//
// Every case makes the same sequence of collective calls on every rank whatever it finds, so
// a wrong value on one rank never leaves the others waiting. Receive buffers start as values
// that no correct result contains (NaN, the complement of the expected bytes), and results are
// compared bit for bit.
//
// Misuses lists the programmer errors every backend must refuse by panicking with the same
// message; the local and MPI tests run it.
//
// The MPI backend runs the suite from a test binary built once and started under mpirun
// (see mpi_test.go, built with the tags mpi and cgo):
//
//	go test -tags mpi -c -o /tmp/spmdtest.test ./spmd/spmdtest
//	mpirun -np 4 /tmp/spmdtest.test -test.v
//
// Started without a launcher, that binary skips the MPI tests.
package spmdtest
