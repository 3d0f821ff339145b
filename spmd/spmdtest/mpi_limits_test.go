//go:build mpi && cgo && unix

package spmdtest

import (
	"fmt"
	"math"
	"syscall"

	"mcfem/spmd"
)

// countLimits checks, on the MPI thread, that lengths beyond MPI's C int counts are errors
// that name the count, returned before any communication: every rank gets one in each call
// below, and a Barrier then shows that the ranks are still in step.
//
// The buffer of 2^31 bytes is mapped outside the Go heap and never touched, so it costs
// address space, not memory: a make([]byte) of that size after the suite has run may reuse
// heap pages, and then the runtime zeroes (touches) all 2 GiB.
func countLimits(c spmd.Comm) []caseResult {
	r, p := c.Rank(), c.Size()
	big, err := syscall.Mmap(-1, 0, math.MaxInt32+1, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		// Every rank maps alike; one that cannot must not leave the others in a collective.
		c.Abort(1, fmt.Sprintf("rank %d: mmap of 2 GiB address space for the count limits: %v", r, err))
	}
	defer func() { _ = syscall.Munmap(big) }()
	limit := fmt.Sprintf("exceeds the C int range of MPI counts (%d)", math.MaxInt32)
	length := fmt.Sprintf("length %d %s", len(big), limit)
	var results []caseResult
	expect := func(name string, err error, want string) {
		if err == nil || err.Error() != want {
			err = fmt.Errorf("rank %d: %s: error %v, want %q", r, name, err, want)
		} else {
			err = nil
		}
		results = append(results, caseResult{name, err})
	}
	expect("BcastBytes", c.BcastBytes(big, 0), "spmd: MPI_Bcast: "+length)

	// Every rank sends 2^31 bytes; root 0 receives them in place.
	var dst []byte
	var counts []int
	if r == 0 {
		dst, counts = big, make([]int, p)
		counts[0] = len(big)
	}
	expect("GathervBytes src", c.GathervBytes(dst, big, counts, 0), "spmd: MPI_Gatherv: "+length)

	if p >= 2 {
		// Root 1 receives 2^31 - 1 bytes from rank 0 and 1 of its own: the total does not fit.
		// The other ranks send 2^31 bytes, so they fail too instead of waiting for root.
		dst, counts, src, want := []byte(nil), []int(nil), big, "spmd: MPI_Gatherv: "+length
		if r == 1 {
			dst, counts, src = big, make([]int, p), big[math.MaxInt32:]
			counts[0], counts[1] = math.MaxInt32, 1
			want = fmt.Sprintf("spmd: MPI_Gatherv: sum of counts[0..1] %d %s", len(big), limit)
		}
		expect("GathervBytes sum of counts", c.GathervBytes(dst, src, counts, 1), want)
	}
	if err := c.Barrier(); err != nil {
		c.Abort(1, fmt.Sprintf("rank %d: Barrier after the count limits: %v", r, err))
	}
	return results
}
