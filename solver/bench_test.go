package solver

import (
	"fmt"
	"mcfem/fem"
	"mcfem/internal/testmat"
	"mcfem/sparse"
	"testing"
)

// benchSizes straddle the caches: n = 64 (≈ 4e3 unknowns, K ≈ 0.3 MB, in L2), 256 (≈ 6.5e4
// unknowns, ≈ 5 MB, around L3) and 1024 (≈ 1e6 unknowns, ≈ 80 MB, memory-bound).
var benchSizes = []int{64, 256, 1024}

// benchSystem returns the reference fem.System on UnitSquare(n), skipping n = 1024 under -short.
func benchSystem(b *testing.B, n int) *fem.System {
	if n > 256 && testing.Short() {
		b.Skip("n > 256 skipped under -short")
	}
	return unitSystem(b, n)
}

// reportRate adds GB/s (from the byte model) and GFLOP/s metrics for b.N operations.
func reportRate(b *testing.B, bytes, flops int64) {
	sec := b.Elapsed().Seconds()
	if sec == 0 {
		return
	}
	b.ReportMetric(float64(bytes)*float64(b.N)/sec/1e9, "GB/s")
	b.ReportMetric(float64(flops)*float64(b.N)/sec/1e9, "GFLOP/s")
}

func BenchmarkSpMV(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			benchSpMV(b, benchSystem(b, n).K)
		})
	}
}

// benchSpMV times y = A x for a random x, with the byte model's GB/s and the GFLOP/s.
func benchSpMV(b *testing.B, a *sparse.CSR) {
	x := testmat.RandomVector(testmat.NewRand(), a.N)
	y := make([]float64, a.N)
	bytes := sparse.SpMVBytes(a.N, a.NNZ())
	b.SetBytes(bytes)
	b.ReportAllocs()
	for b.Loop() {
		a.MulVec(y, x)
	}
	reportRate(b, bytes, sparse.SpMVFlops(a.NNZ()))
}

// benchPCG times PCG with m on a from u = 0 to rtol 1e-8 in at most maxit iterations and
// returns the last solve's result.
func benchPCG(b *testing.B, a *sparse.CSR, m Preconditioner, rhs []float64, maxit int) Result {
	ws := NewWorkspace(a.N)
	u := make([]float64, a.N)
	b.ReportAllocs()
	var res Result
	var err error
	for b.Loop() {
		clear(u)
		if res, err = PCG(a, m, rhs, u, 1e-8, maxit, ws); err != nil {
			b.Fatal(err)
		}
	}
	return res
}

// benchPCGBatch times PCGBatch with m on a for the k interleaved right-hand sides of rhs
// from x = 0 to rtol 1e-8 in at most maxit iterations and returns the last solve's results.
func benchPCGBatch(b *testing.B, a *sparse.CSR, m Preconditioner, rhs []float64, k, maxit int) []Result {
	ws := NewBatchWorkspace(a.N, k)
	x := make([]float64, a.N*k)
	res, errs := make([]Result, k), make([]error, k)
	b.ReportAllocs()
	for b.Loop() {
		clear(x)
		PCGBatch(a, m, rhs, x, k, 1e-8, maxit, ws, res, errs)
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	return res
}

// scaledSources returns k interleaved right-hand sides, f scaled by 1, 2, …, k.
func scaledSources(f []float64, k int) []float64 {
	rhs := make([]float64, len(f)*k)
	for i, v := range f {
		for j := range k {
			rhs[i*k+j] = float64(j+1) * v
		}
	}
	return rhs
}

// BenchmarkSample times one full sample: b = ε F, u = 0, Jacobi-PCG to rtol 1e-8, QoI,
// through a Worker of New (as the campaigns solve). The UnitSquare matrices are banded, so
// the worker runs the two-sweep band iteration; GB/s is still reckoned from the CSR
// three-sweep model (SampleBytes), a CSR-equivalent rate: the band path moves fewer bytes.
func BenchmarkSample(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			s := benchSystem(b, n)
			k := s.K
			w := newCGWorker(b, k, "jacobi", 1)
			rhs := make([]float64, k.N)
			u := make([]float64, k.N)
			res, errs := make([]Result, 1), make([]error, 1)
			b.ReportAllocs()
			for b.Loop() {
				s.Load(0.25, rhs)
				w.Solve(u, rhs, 1, res, errs)
				if errs[0] != nil {
					b.Fatal(errs[0])
				}
				_ = s.QoI(u)
			}
			// Every sample takes the same iterations; the byte model needs them, so the
			// bytes are set after the loop (read when the benchmark returns).
			iters := res[0].Iterations
			bytes := SampleBytes(k.N, k.NNZ(), iters)
			b.SetBytes(bytes)
			flops := sparse.SpMVFlops(k.NNZ()) + int64(iters)*PCGIterationFlops(k.N, k.NNZ())
			reportRate(b, bytes, flops)
			b.ReportMetric(float64(iters), "iters")
		})
	}
}

// BenchmarkPCGBatch times Jacobi-PCG on the CSR matrix (the one-shot PCGBatch; PCG for
// k = 1) with k right-hand sides (the source scaled by 1…k) from u = 0 to rtol 1e-8, per
// sample: the kernel sets' lane variants against each other.
func BenchmarkPCGBatch(b *testing.B) {
	for _, n := range []int{64, 256} {
		for _, k := range []int{1, 4, 8} {
			b.Run(fmt.Sprintf("n=%d/k=%d", n, k), func(b *testing.B) {
				s := benchSystem(b, n)
				a := s.K
				jac, err := NewJacobi(a)
				if err != nil {
					b.Fatal(err)
				}
				if k == 1 {
					benchPCG(b, a, jac, s.F, 10*a.N)
					return
				}
				benchPCGBatch(b, a, jac, scaledSources(s.F, k), k, 10*a.N)
				b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(k), "ns/sample")
			})
		}
	}
}
