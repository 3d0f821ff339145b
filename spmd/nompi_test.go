//go:build !mpi || !cgo

package spmd_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"

	"mcfem/spmd"
)

func TestNoMPIStubs(t *testing.T) {
	assert.False(t, spmd.MPIAvailable())
	assert.NoError(t, spmd.FinalizeMPI(), "nothing to finalize")
	assert.Empty(t, spmd.MPILibraryVersion())
	host, _ := os.Hostname()
	assert.Equal(t, host, spmd.ProcessorName())
}
