package solver

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"mcfem/fem"
	"mcfem/internal/testmat"
	"mcfem/mesh"
	"mcfem/sparse"
)

// The node-order benchmarks: the same UnitSquare(orderBenchN) problem in three node orders,
//
//	natural   UnitSquare's row-by-row numbering (bandwidth n+2)
//	shuffled  a random renumbering (mesh.Shuffle): the worst a mesh generator can do
//	rcm       the shuffled mesh renumbered by mesh.RCM
//
// K has the same values in every order (a symmetric permutation), so SpMV does the same flops
// and moves the same compulsory bytes; only the locality of the x[j] gathers changes. Jacobi-PCG
// is invariant under a symmetric permutation in exact arithmetic, so the iteration counts agree
// up to rounding. Compare the orders with benchstat and quote the ratios.

// orderBenchN is 512 cells per side: 261,121 unknowns, K ≈ 1.8e6 nonzeros ≈ 22 MB, and x
// alone 2 MB, beyond L2, so a random gather order misses the caches.
const orderBenchN = 512

// orderCase is one node order of the benchmark problem.
type orderCase struct {
	name string
	sys  *fem.System
}

// orderCases builds the three Systems once for every benchmark in this file.
var orderCases = sync.OnceValues(func() ([]orderCase, error) {
	m, err := mesh.UnitSquare(orderBenchN)
	if err != nil {
		return nil, err
	}
	shuffled := m.Permute(mesh.Shuffle(m.NumNodes(), rand.New(rand.NewPCG(1, 2))))
	rcm := shuffled.Permute(shuffled.RCM())
	var cases []orderCase
	for _, c := range []struct {
		name string
		m    *mesh.Mesh
	}{{"natural", m}, {"shuffled", shuffled}, {"rcm", rcm}} {
		s, err := fem.NewSystem(c.m, testmat.Source)
		if err != nil {
			return nil, err
		}
		cases = append(cases, orderCase{c.name, s})
	}
	return cases, nil
})

// orderSystems returns the benchmark cases, failing b on an error.
func orderSystems(b *testing.B) []orderCase {
	cases, err := orderCases()
	if err != nil {
		b.Fatal(err)
	}
	return cases
}

// matrixBandwidth returns max |i − j| over the stored entries of a.
func matrixBandwidth(a *sparse.CSR) int {
	var bw int
	for i := range a.N {
		for _, j := range a.Col[a.RowPtr[i]:a.RowPtr[i+1]] {
			bw = max(bw, i-int(j), int(j)-i)
		}
	}
	return bw
}

// BenchmarkOrderSpMV times y = K x in each node order; GB/s from sparse.SpMVBytes (the same
// bytes in every order, so the ratio of GB/s is the ratio of speeds). The metric "bw" is K's
// bandwidth in that order.
func BenchmarkOrderSpMV(b *testing.B) {
	for _, c := range orderSystems(b) {
		b.Run(c.name, func(b *testing.B) {
			benchSpMV(b, c.sys.K)
			b.ReportMetric(float64(matrixBandwidth(c.sys.K)), "bw")
		})
	}
}

// BenchmarkOrderPCG times one Jacobi-PCG solve K u = F from u = 0 to rtol 1e-8 in each node
// order, with the iteration count as a metric: the one-shot PCG, which runs the CSR kernel
// set in every order (a Worker would take the band form of the natural order's K).
func BenchmarkOrderPCG(b *testing.B) {
	for _, c := range orderSystems(b) {
		b.Run(c.name, func(b *testing.B) {
			k := c.sys.K
			jac, err := NewJacobi(k)
			if err != nil {
				b.Fatal(err)
			}
			res := benchPCG(b, k, jac, c.sys.F, 10*k.N)
			b.ReportMetric(float64(res.Iterations), "iters")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(res.Iterations), "ns/iter")
		})
	}
}

// BenchmarkOrderSetup compares the set-up costs on a shuffled UnitSquare(n): computing RCM,
// applying it (Permute), and fem.NewSystem (validation, pattern, scatter map, stiffness, load)
// on the mesh as given (shuffled) and on the reordered one. The reordering is a one-off step
// and should cost a fraction of the assembly it precedes.
func BenchmarkOrderSetup(b *testing.B) {
	for _, n := range []int{256, 1024} {
		m, err := mesh.UnitSquare(n)
		if err != nil {
			b.Fatal(err)
		}
		m = m.Permute(mesh.Shuffle(m.NumNodes(), rand.New(rand.NewPCG(1, 2))))
		perm := m.RCM()
		ordered := m.Permute(perm)
		b.Run(fmt.Sprintf("rcm/n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = m.RCM()
			}
		})
		b.Run(fmt.Sprintf("permute/n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = m.Permute(perm)
			}
		})
		for _, c := range []struct {
			name string
			m    *mesh.Mesh
		}{{"shuffled", m}, {"rcm", ordered}} {
			b.Run(fmt.Sprintf("newsystem-%s/n=%d", c.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := fem.NewSystem(c.m, testmat.Source); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
