//go:build mpi && cgo && !unix

package spmdtest

import "mcfem/spmd"

// countLimits needs 2 GiB of untouched address space, which mpi_limits_test.go maps with mmap;
// elsewhere TestMPICountLimits has nothing to report.
func countLimits(spmd.Comm) []caseResult { return nil }
