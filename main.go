// Command mcfem runs Monte Carlo uncertainty-quantification campaigns of a finite-element
// problem on many ranks: in-process goroutine ranks by default, MPI ranks under mpirun in a
// build with -tags mpi. See README.md and `mcfem help`; the command itself is package cli.
package main

import (
	"os"
	"runtime"

	"mcfem/cli"
)

// MPI calls must all come from the main OS thread (MPI_THREAD_FUNNELED): the main goroutine
// stays on it.
func init() { runtime.LockOSThread() }

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
