package chol

import (
	"fmt"
	"sync"
	"testing"

	"mcfem/fem"
)

// The benchmarks run on the unit-square Poisson systems of 256, 512 and 1024 cells per side
// (65,025, 261,121 and 1,046,529 unknowns). Run them once, e.g.
//
//	go test ./chol -run XXX -bench . -benchtime 3x
//
// BenchmarkFactor reports nnz(L) ("nnzL", the entries of the supernodal structure), the
// factor's memory ("MB"), its flop rate and the time of each phase of the last run; the solve
// benchmarks report milliseconds per right-hand side ("ms/col").

// benchCells are the problem sizes of the benchmarks.
var benchCells = []int{256, 512, 1024}

// benchCase is a system and its factor, built once per size.
type benchCase struct {
	sys *fem.System
	f   *Factor
	err error
}

var (
	benchMu    sync.Mutex
	benchCache = map[int]*benchCase{}
)

// benchSystem returns the system of the given size, built once.
func benchSystem(b *testing.B, cells int) *benchCase {
	benchMu.Lock()
	defer benchMu.Unlock()
	c, ok := benchCache[cells]
	if !ok {
		c = &benchCase{sys: unitSystem(b, cells)}
		benchCache[cells] = c
	}
	return c
}

// benchFactor returns the system and its factor, built once.
func benchFactor(b *testing.B, cells int) *benchCase {
	c := benchSystem(b, cells)
	benchMu.Lock()
	defer benchMu.Unlock()
	if c.f == nil && c.err == nil {
		c.f, c.err = New(c.sys.K, Options{})
	}
	if c.err != nil {
		b.Fatal(c.err)
	}
	return c
}

func BenchmarkFactor(b *testing.B) {
	for _, cells := range benchCells {
		b.Run(fmt.Sprintf("cells=%d", cells), func(b *testing.B) {
			sys := benchSystem(b, cells).sys
			var f *Factor
			for b.Loop() {
				var err error
				if f, err = New(sys.K, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			o, s, n := f.Times()
			b.ReportMetric(float64(f.NNZ()), "nnzL")
			b.ReportMetric(float64(f.Bytes())/1e6, "MB")
			b.ReportMetric(f.Flops()/(b.Elapsed().Seconds()/float64(b.N))/1e9, "Gflop/s")
			b.ReportMetric(float64(f.Supernodes()), "supernodes")
			b.ReportMetric(o.Seconds()*1e3, "order-ms")
			b.ReportMetric(s.Seconds()*1e3, "symbolic-ms")
			b.ReportMetric(n.Seconds()*1e3, "numeric-ms")
		})
	}
}

// benchSolve times SolveBatch with k right-hand sides (Solve for k = 1).
func benchSolve(b *testing.B, k int) {
	for _, cells := range benchCells {
		b.Run(fmt.Sprintf("cells=%d", cells), func(b *testing.B) {
			c := benchFactor(b, cells)
			f := c.f
			n := f.N()
			ws := f.NewWorkspace(k)
			rhs := make([]float64, n*k)
			for i := range n {
				for j := range k {
					rhs[i*k+j] = c.sys.F[i] * float64(j+1)
				}
			}
			x := make([]float64, n*k)
			for b.Loop() {
				if k == 1 {
					f.Solve(x, rhs, ws)
				} else {
					f.SolveBatch(x, rhs, k, ws)
				}
			}
			b.ReportMetric(float64(f.NNZ()), "nnzL")
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N*k), "ms/col")
		})
	}
}

func BenchmarkSolve(b *testing.B)       { benchSolve(b, 1) }
func BenchmarkSolveBatch4(b *testing.B) { benchSolve(b, 4) }
func BenchmarkSolveBatch8(b *testing.B) { benchSolve(b, 8) }

// BenchmarkSolveBatch4Go is BenchmarkSolveBatch4 with the Go kernels where useAVX would take
// the assembly ones (avx.go): the gain of the assembly, in one run.
func BenchmarkSolveBatch4Go(b *testing.B) { withoutAVX(func() { benchSolve(b, 4) }) }
