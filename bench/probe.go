package bench

import (
	"sync"
	"time"
)

// TriadBytes is the byte model of the STREAM triad a = b + s·c over n float64: two arrays
// read and one written, 24 bytes per element (write-allocate traffic not counted, as in
// STREAM).
func TriadBytes(n int) int64 { return 24 * int64(n) }

// Triad measures the memory bandwidth in GB/s of the triad a = b + s·c over arrays of n
// float64 each (choose 3·8·n well above the last-level cache), split over threads goroutines,
// as the best of repeated passes taking at least minTime in all.
func Triad(n, threads int, minTime time.Duration) float64 {
	a, b, c := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range b {
		b[i], c[i] = 1, 2
	}
	pass := func() {
		if threads <= 1 {
			triad(a, b, c, 3)
			return
		}
		var wg sync.WaitGroup
		for t := range threads {
			lo, hi := t*n/threads, (t+1)*n/threads
			wg.Go(func() { triad(a[lo:hi], b[lo:hi], c[lo:hi], 3) })
		}
		wg.Wait()
	}
	pass() // touch the pages
	best := bestOf(pass, minTime, 3)
	return float64(TriadBytes(n)) / best / 1e9
}

func triad(a, b, c []float64, s float64) {
	b = b[:len(a)]
	c = c[:len(a)]
	for i := range a {
		a[i] = b[i] + float64(s*c[i])
	}
}

// bestOf runs f repeatedly for at least minTime and at least reps times and returns the
// shortest time of one call in seconds: the least disturbed run on a shared machine.
func bestOf(f func(), minTime time.Duration, reps int) float64 {
	best := -1.0
	start := time.Now()
	for r := 0; r < reps || time.Since(start) < minTime; r++ {
		t := time.Now()
		f()
		if d := time.Since(t).Seconds(); best < 0 || d < best {
			best = d
		}
	}
	return best
}
