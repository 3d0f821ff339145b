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
			s := benchSystem(b, n)
			k := s.K
			x := testmat.RandomVector(testmat.NewRand(), k.N)
			y := make([]float64, k.N)
			bytes := sparse.SpMVBytes(k.N, k.NNZ())
			b.SetBytes(bytes)
			b.ReportAllocs()
			for b.Loop() {
				k.MulVec(y, x)
			}
			reportRate(b, bytes, sparse.SpMVFlops(k.NNZ()))
		})
	}
}

// BenchmarkSample times one full sample: b = ε F, u = 0, Jacobi-PCG to rtol 1e-8, QoI. The
// UnitSquare matrices are banded, so PCG runs its two-sweep band iteration; GB/s is still
// reckoned from the CSR three-sweep model (SampleBytes), a CSR-equivalent rate: the band path
// moves fewer bytes than that.
func BenchmarkSample(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			s := benchSystem(b, n)
			k := s.K
			jac, err := NewJacobi(k)
			if err != nil {
				b.Fatal(err)
			}
			ws := NewWorkspace(k.N)
			rhs := make([]float64, k.N)
			u := make([]float64, k.N)
			b.ReportAllocs()
			var res Result
			for b.Loop() {
				s.Load(0.25, rhs)
				clear(u)
				res, err = PCG(k, jac, rhs, u, 1e-8, 10*k.N, ws)
				if err != nil {
					b.Fatal(err)
				}
				_ = s.QoI(u)
			}
			// Every sample takes the same iterations; the byte model needs them, so the
			// bytes are set after the loop (read when the benchmark returns).
			iters := res.Iterations
			bytes := SampleBytes(k.N, k.NNZ(), iters)
			b.SetBytes(bytes)
			flops := sparse.SpMVFlops(k.NNZ()) + int64(iters)*PCGIterationFlops(k.N, k.NNZ())
			reportRate(b, bytes, flops)
			b.ReportMetric(float64(iters), "iters")
		})
	}
}
