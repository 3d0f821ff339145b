// Package spmdtest implements the conformance suite that every spmd.Comm backend must pass.
//
// The suite runs on each rank with nothing but that rank's Comm, so the same code checks the
// local backend (ranks as goroutines) and the MPI backend (ranks as processes under mpirun):
//
//	for _, err := range spmdtest.RunAll(c) { report(c.Rank(), err) }
//
// Every case makes the same sequence of collective calls on every rank whatever it finds, so
// a wrong value on one rank never leaves the others waiting.
package spmdtest
