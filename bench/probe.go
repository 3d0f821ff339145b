package bench

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"mcfem/chol"
)

// TriadBytes is the byte model of the STREAM triad a = b + s·c over n float64: two arrays
// read and one written, 24 bytes per element (write-allocate traffic not counted, as in
// STREAM).
func TriadBytes(n int) int64 { return 24 * int64(n) }

// Triad measures the memory bandwidth in GB/s of the triad a = b + s·c over arrays of n
// float64 each (choose 3·8·n well above the last-level cache), split over threads goroutines,
// as the best of repeated passes taking at least minTime in all.
func Triad(n, threads int, minTime time.Duration) float64 {
	return triadRates(n, []int{threads}, minTime)[0]
}

// triadRates is Triad for each thread count in turn, over one allocation of the arrays.
func triadRates(n int, threads []int, minTime time.Duration) []float64 {
	a, b, c := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range b {
		b[i], c[i] = 1, 2
	}
	rates := make([]float64, len(threads))
	for i, t := range threads {
		rates[i] = triadRate(a, b, c, t, minTime, i == 0)
	}
	return rates
}

// triadRate measures the triad over a, b, c with threads goroutines; touch first runs one
// untimed pass (the page faults of fresh arrays).
func triadRate(a, b, c []float64, threads int, minTime time.Duration, touch bool) float64 {
	n := len(a)
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
	if touch {
		pass()
	}
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

// probeTime caps the time of each measurement of the probes (two triads and the flop
// probe): with the allocation and the first touch of the triad's arrays, about 0.6 s in all.
const probeTime = 100 * time.Millisecond

// MeasureProbe measures the machine's reference rates: the triad's bandwidth on one thread and
// on threads goroutines over arrays of n float64 each (3·8·n bytes in all), and the flop peak
// of the factorisation's dense kernel on an in-cache block (chol.KernelGflops), each the best
// of repeated passes over at most minTime (capped at probeTime).
func MeasureProbe(n, threads int, minTime time.Duration) Probe {
	t0 := time.Now()
	d := min(minTime, probeTime)
	p := Probe{Threads: threads, ArrayMiB: 8 * float64(n) / (1 << 20), LLCMiB: llcMiB()}
	r := triadRates(n, []int{1, threads}, d)
	p.Triad1GBs, p.TriadAllGBs = r[0], r[1]
	p.PeakGflops = chol.KernelGflops(d)
	p.PeakKernel = "chol's dense trailing update C −= P·Pᵀ, 256-row front (512 KiB, in cache), one thread"
	p.Seconds = time.Since(t0).Seconds()
	return p
}

// llcMiB returns the size of the last-level cache of CPU 0 in MiB as Linux reports it, 0 when
// unknown.
func llcMiB() float64 {
	var size float64
	for i := range 8 {
		data, err := os.ReadFile("/sys/devices/system/cpu/cpu0/cache/index" + strconv.Itoa(i) + "/size")
		if err != nil {
			break
		}
		s := strings.TrimSpace(string(data))
		mult := 1.0 / 1024
		switch {
		case strings.HasSuffix(s, "K"):
			s = s[:len(s)-1]
		case strings.HasSuffix(s, "M"):
			s, mult = s[:len(s)-1], 1
		}
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			size = v * mult // the levels come in increasing order
		}
	}
	return size
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
