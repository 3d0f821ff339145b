package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"mcfem/mc"
)

// BenchmarkSample times one full sample (seed the stream, draw ε, load, Jacobi-PCG solve at
// rtol 1e-8, QoI) on meshes that straddle the caches, reporting the CG iterations per sample
// and the rate in unknowns × iterations per second.
func BenchmarkSample(b *testing.B) {
	for _, cells := range []int{32, 64, 128, 256, 512} {
		if testing.Short() && cells > 128 {
			continue
		}
		b.Run(fmt.Sprintf("mesh=%d", cells), func(b *testing.B) {
			cfg := mc.DefaultConfig()
			cfg.Cells, cfg.MaxIt = cells, 100000
			m, err := mc.NewModel(cfg)
			if err != nil {
				b.Fatal(err)
			}
			s := m.NewSolver()
			src := rand.NewPCG(0, 0)
			d := mc.Beta{A: 2, B: 6}
			var its, i int
			b.ReportAllocs()
			for b.Loop() {
				mc.SeedSample(src, 1, 0, uint64(i))
				_, res, err := s.Solve(d.Draw(0, src))
				if err != nil {
					b.Fatal(err)
				}
				its += res.Iterations
				i++
			}
			b.ReportMetric(float64(its)/float64(i), "iters/sample")
			b.ReportMetric(float64(its)*float64(m.Sys.K.N)/b.Elapsed().Seconds()/1e6, "Munknown-iters/s")
		})
	}
}
