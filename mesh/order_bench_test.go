package mesh

import (
	"fmt"
	"testing"
)

// BenchmarkRCM times RCM and its parts on UnitSquare(n), shuffled (the case RCM is for: every
// graph access is a cache miss once the arrays outgrow the caches) and in natural order.
func BenchmarkRCM(b *testing.B) {
	for _, n := range []int{256, 1024} {
		m := unitSquare(b, n)
		shuffled := m.Permute(Shuffle(m.NumNodes(), newRand()))
		for _, c := range []struct {
			name string
			m    *Mesh
		}{{"natural", m}, {"shuffled", shuffled}} {
			b.Run(fmt.Sprintf("%s/n=%d/rcm", c.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_ = c.m.RCM()
				}
			})
			b.Run(fmt.Sprintf("%s/n=%d/graph", c.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_ = newNodeGraph(c.m)
				}
			})
			b.Run(fmt.Sprintf("%s/n=%d/levels", c.name, n), func(b *testing.B) {
				g := newNodeGraph(c.m)
				q := make([]int32, c.m.NumNodes())
				seen := make([]bool, c.m.NumNodes())
				for b.Loop() {
					_, _, _ = g.levels(g.order[0], q, seen)
				}
			})
		}
	}
}
