//go:build !mpi || !cgo

package spmd

import (
	"errors"
	"os"
)

// MPIAvailable reports whether this binary was built with the MPI backend (false here: build
// with the tags mpi and cgo, make build-mpi, for it).
func MPIAvailable() bool { return false }

// InitMPI would start the MPI backend; in a build without the mpi and cgo tags it returns an
// error saying how to rebuild.
func InitMPI() (Comm, error) {
	return nil, errors.New("spmd: built without MPI: rebuild with make build-mpi")
}

// FinalizeMPI does nothing in a build without MPI and returns nil.
func FinalizeMPI() error { return nil }

// MPILibraryVersion returns "" in a build without MPI.
func MPILibraryVersion() string { return "" }

// MPIBuildLibrary is "" without MPI.
func MPIBuildLibrary() string { return "" }

// ProcessorName returns os.Hostname in a build without MPI ("" if that fails).
func ProcessorName() string {
	host, _ := os.Hostname()
	return host
}
