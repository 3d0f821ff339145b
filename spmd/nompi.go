//go:build !mpi || !cgo

package spmd

import "errors"

// MPIAvailable reports whether this binary was built with the MPI backend.
func MPIAvailable() bool { return false }

// InitMPI would start the MPI backend; in a build without the mpi and cgo tags it returns an
// error saying how to rebuild.
func InitMPI() (Comm, error) {
	return nil, errors.New("spmd: built without MPI: rebuild with make build-mpi")
}
