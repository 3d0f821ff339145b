package fem

import (
	"fmt"
	"testing"

	"mcfem/internal/testmat"
)

// assembleValuesBytes is the memory traffic model of AssembleValues on nt triangles and nnz
// stored entries: per triangle the 9 cached element entries (72 bytes), the 9 scatter
// positions (36) and κ (8); per entry the clear and one read-modify-write of the value
// (3 × 8 bytes, the entries being revisited by ≤ 6 triangles assumed in cache).
func assembleValuesBytes(nt, nnz int) int64 { return int64(nt)*(72+36+8) + int64(nnz)*24 }

// assembleValuesRecompute is AssembleValues without the element-matrix cache (each triangle's
// matrix recomputed from its coordinates, as AssembleStiffness did before the cache): the
// reference for the cache's speed-up.
func assembleValuesRecompute(s *System, dst, kappa []float64) {
	m := s.Mesh
	nt := m.NumTris()
	clear(dst)
	coords, tri, scatter := m.Coords, m.Tri[:3*nt], s.Scatter[:9*nt]
	for t := range nt {
		var ke [9]float64
		elementStiffness(&ke, coords, tri[3*t:3*t+3])
		w := kappa[t]
		for l, pos := range scatter[9*t : 9*t+9] {
			if pos >= 0 {
				dst[pos] += float64(w * ke[l])
			}
		}
	}
}

// BenchmarkAssembleValues compares the per-sample stiffness assembly with cached element
// matrices against recomputing them, on unit squares whose values straddle the caches (n = 64:
// 0.4 MB of values; n = 1024: 100 MB of element matrices and scatter map).
func BenchmarkAssembleValues(b *testing.B) {
	rng := testmat.NewRand()
	for _, n := range []int{64, 256, 1024} {
		s := unitSystem(b, n)
		kappa := randomKappa(rng, s.Mesh.NumTris())
		dst := make([]float64, s.K.NNZ())
		for _, v := range []struct {
			name string
			fn   func()
		}{
			{"cached", func() { s.AssembleValues(dst, kappa) }},
			{"recompute", func() { assembleValuesRecompute(s, dst, kappa) }},
		} {
			b.Run(fmt.Sprintf("%s/n=%d", v.name, n), func(b *testing.B) {
				if v.name == "cached" { // the model counts the cached element matrices
					b.SetBytes(assembleValuesBytes(s.Mesh.NumTris(), s.K.NNZ()))
				}
				b.ReportAllocs()
				for b.Loop() {
					v.fn()
				}
			})
		}
	}
}

// BenchmarkLiftReactions measures the other per-sample element loops on UnitSquare(256) with
// all sides Dirichlet: Lift visits only the triangles at the boundary, Reactions every one.
func BenchmarkLiftReactions(b *testing.B) {
	rng := testmat.NewRand()
	s := unitSystem(b, 256)
	nn := s.Mesh.NumNodes()
	kappa := randomKappa(rng, s.Mesh.NumTris())
	ud := testmat.RandomVector(rng, nn)
	u := testmat.RandomVector(rng, nn)
	dst := make([]float64, len(s.Node))
	r := make([]float64, nn)
	b.Run("Lift", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.Lift(dst, kappa, ud)
		}
	})
	b.Run("Reactions", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.Reactions(r, kappa, u, nil)
		}
	})
}
