package chol

import (
	"math/rand/v2"
	"time"
)

// Work models of the triangular solves and a probe of the dense kernel's rate, for `mcfem
// bench`: the byte and flop counts it divides measured times by.

// SolveFlops returns the floating-point operations of SolveBatch with k right-hand sides: per
// right-hand side, in each of the forward and the backward solve, a multiply and a
// subtraction per off-diagonal entry of L and a division per diagonal entry,
//
//	k · 2 · (2·(nnz(L) − n) + n) = k · (4·nnz(L) − 2·n),
//
// explicit zeros of relaxed supernodes included (they are computed with, as in Flops).
func (f *Factor) SolveFlops(k int) int64 {
	return int64(k) * (4*f.nnz - 2*int64(f.n))
}

// SolveBytes returns the memory traffic model of SolveBatch with k right-hand sides: L's
// values and row indices read once in the forward and once in the backward pass, whatever k
// (one pass over L serves the whole batch), and per right-hand side eight passes over a
// vector of n float64s (b read and the permuted copy y written by the gather, y read and
// written by each of the two passes, y read and x written by the scatter):
//
//	2·(8·nnz(L) + 4·rows) + k·8·8·n,
//
// rows being the row indices of the supernodes (their own columns' and those below). The
// vectors are counted at every pass, as if none stayed in cache between passes; the few
// padding zeros of the storage layout are not counted.
func (f *Factor) SolveBytes(k int) int64 {
	return 2*(8*f.nnz+4*int64(len(f.rows))) + int64(k)*64*int64(f.n)
}

// Probe front of KernelGflops: a 256-row front (512 KiB, in L2 on current processors) whose
// first panel updates the trailing 224×224 triangle.
const probeRows = 256

// KernelGflops measures the rate, in Gflop/s, of the factorisation's dense kernel (the
// trailing update C −= P Pᵀ of partialCholesky, one panel of panelWidth columns) on a front
// that stays in cache: the flop peak the numeric factorisation can reach on this machine with
// this code, one thread. It counts the useful flops of the lower triangle,
//
//	2 · w · t(t+1)/2, w = panelWidth, t = probeRows − w,
//
// and returns the best rate of repeated updates over at least minTime (and at least 5 calls).
func KernelGflops(minTime time.Duration) float64 {
	const nr, w = probeRows, panelWidth
	a := make([]float64, nr*nr)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range a {
		a[i] = rng.Float64()
	}
	pack := make([]float64, roundUp4(nr)*panelWidth+4)
	t := nr - w
	flops := float64(w * t * (t + 1))
	best := -1.0
	start := time.Now()
	for r := 0; r < 5 || time.Since(start) < minTime; r++ {
		t0 := time.Now()
		trailingUpdate(a, nr, 0, w, pack)
		if d := time.Since(t0).Seconds(); d > 0 && (best < 0 || d < best) {
			best = d
		}
	}
	return flops / best / 1e9
}
