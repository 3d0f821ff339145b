package solver

import (
	"fmt"
	"math"
	"mcfem/fem"
	"mcfem/internal/testmat"
	"mcfem/sparse"
	"testing"
	"time"
)

// amgBenchSizes are the AMG ladder: benchSizes plus n = 128 and 512, where the hierarchy
// (≈ 2.9 × K's bytes) leaves L2, then L3, before K does.
var amgBenchSizes = []int{64, 128, 256, 512, 1024}

// spmvTime returns the time of one k.MulVec, the unit of the "spmv-equiv" metrics: the best
// of five loops of at least 10 ms each (the least disturbed by other load on the machine, so
// the ratios err on the high side). A benchmark divides its time per op by it, both measured
// in the same function.
func spmvTime(k *sparse.CSR) time.Duration {
	x := testmat.RandomVector(testmat.NewRand(), k.N)
	y := make([]float64, k.N)
	k.MulVec(y, x) // warm the caches
	best := time.Duration(math.MaxInt64)
	for range 5 {
		reps := 0
		start := time.Now()
		for time.Since(start) < 10*time.Millisecond {
			k.MulVec(y, x)
			reps++
		}
		best = min(best, time.Since(start)/time.Duration(reps))
	}
	return best
}

// reportEquiv reports the benchmark's time per op in units of unit as "spmv-equiv".
func reportEquiv(b *testing.B, unit time.Duration) {
	if b.N > 0 && unit > 0 {
		b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(unit), "spmv-equiv")
	}
}

// BenchmarkAMGSetup times NewAMG on the reference stiffness: levels, operator complexity and
// the set-up time in SpMV-equivalents (issue target: ≤ 200 at n = 1024).
func BenchmarkAMGSetup(b *testing.B) {
	for _, n := range amgBenchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			s := benchSystem(b, n)
			unit := spmvTime(s.K)
			b.ReportAllocs()
			var m *AMG
			var err error
			for b.Loop() {
				if m, err = NewAMG(s.K, AMGOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			reportEquiv(b, unit)
			st := m.Stats()
			b.ReportMetric(float64(len(st.Levels)), "levels")
			b.ReportMetric(st.OperatorComplexity, "op-complexity")
		})
	}
}

// BenchmarkAMGSolve times one full solve of a sample, AMG-PCG from u = 0 to rtol 1e-8 through
// PCG and Bind: iterations, the solve in SpMV-equivalents (issue targets: ≤ 15 iterations,
// ≤ 40 SpMV-equivalents at n ≥ 256) and one V-cycle in SpMV-equivalents.
func BenchmarkAMGSolve(b *testing.B) {
	for _, n := range amgBenchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			s, m, unit := benchAMG(b, n)
			aws := m.NewWorkspace()
			cycle := cycleTime(m, s.F, aws)

			res := benchPCG(b, s.K, m.Bind(aws), s.F, 100)
			reportEquiv(b, unit)
			b.ReportMetric(float64(res.Iterations), "iters")
			b.ReportMetric(float64(cycle)/float64(unit), "vcycle-spmv-equiv")
		})
	}
}

// cycleTime returns the time of one V-cycle ApplyWith(z, r), averaged over at least 30 ms.
func cycleTime(m *AMG, r []float64, ws *AMGWorkspace) time.Duration {
	z := make([]float64, len(r))
	start := time.Now()
	cycles := 0
	for time.Since(start) < 30*time.Millisecond {
		m.ApplyWith(z, r, ws)
		cycles++
	}
	return time.Since(start) / time.Duration(cycles)
}

// benchAMG returns the reference system on UnitSquare(n), its AMG hierarchy and the time of
// one SpMV (spmvTime).
func benchAMG(b *testing.B, n int) (*fem.System, *AMG, time.Duration) {
	s := benchSystem(b, n)
	m, err := NewAMG(s.K, AMGOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return s, m, spmvTime(s.K)
}

// BenchmarkAMGSolveBatch times PCGBatch with the AMG on k = 4 right-hand sides (the source
// scaled by 1, 2, 3, 4), reporting SpMV-equivalents per sample: the batched path's cost per
// sample against the single solve's in BenchmarkAMGSolve.
func BenchmarkAMGSolveBatch(b *testing.B) {
	const k = 4
	for _, n := range amgBenchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			s, m, unit := benchAMG(b, n)
			res := benchPCGBatch(b, s.K, m.Bind(m.NewBatchWorkspace(k)), scaledSources(s.F, k), k, 100)
			if b.N > 0 {
				b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(k)/float64(unit), "spmv-equiv/sample")
			}
			b.ReportMetric(float64(res[0].Iterations), "iters")
		})
	}
}

// BenchmarkAMGApplyBatch times ApplyBatch on k vectors at n = 256 per vector, and its speed-up
// over k ApplyWith calls measured in the same function.
func BenchmarkAMGApplyBatch(b *testing.B) {
	s, m, _ := benchAMG(b, 256)
	n := s.K.N
	ws1 := m.NewWorkspace()
	for _, k := range []int{1, 2, 3, 4, 8} {
		b.Run(fmt.Sprintf("k=%d", k), func(b *testing.B) {
			one := cycleTime(m, s.F, ws1)

			r := testmat.RandomVector(testmat.NewRand(), n*k)
			z := make([]float64, n*k)
			ws := m.NewBatchWorkspace(k)
			b.ReportAllocs()
			for b.Loop() {
				m.ApplyBatch(z, r, k, ws)
			}
			perVec := float64(b.Elapsed()) / float64(b.N) / float64(k)
			b.ReportMetric(perVec, "ns/vector")
			b.ReportMetric(float64(one)/perVec, "speedup")
		})
	}
}
