package bench

import (
	"fmt"
	"testing"

	"mcfem/mc"
)

// BenchmarkSample times one full sample through the campaign's sample pipeline (seed the
// stream, draw ε, load, Jacobi-PCG solve at rtol 1e-8, QoI, record) on meshes that straddle
// the caches, reporting the CG iterations per sample and the rate in unknowns × iterations
// per second.
func BenchmarkSample(b *testing.B) {
	for _, cells := range []int{32, 64, 128, 256, 512} {
		if testing.Short() && cells > 128 {
			continue
		}
		b.Run(fmt.Sprintf("mesh=%d", cells), func(b *testing.B) {
			cfg := mc.DefaultConfig()
			cfg.Problem.Cells, cfg.Solver.MaxIt = cells, 100000
			bench, err := mc.NewBench(cfg)
			if err != nil {
				b.Fatal(err)
			}
			var its, n int
			for b.Loop() {
				k, err := bench.Solve(1)
				if err != nil {
					b.Fatal(err)
				}
				its += k
				n++
			}
			b.ReportMetric(float64(its)/float64(n), "iters/sample")
			b.ReportMetric(float64(its)*float64(bench.Problem.System().K.N)/b.Elapsed().Seconds()/1e6, "Munknown-iters/s")
		})
	}
}
