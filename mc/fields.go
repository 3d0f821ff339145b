package mc

import (
	"math"

	"mcfem/fem"
)

// fieldSums accumulates Σu and Σu² at every mesh node over the samples a rank solves (those
// solved at the first attempt: a retried sample's solution is not the batch's), one set of
// arrays per worker (no sharing, no locks), and sample 0's solution.
type fieldSums struct {
	sys     *fem.System
	sum     [][]float64 // per worker: 2 × nodes (Σu, then Σu²) and the count
	sample0 []float64
}

func newFieldSums(sys *fem.System, workers int) *fieldSums {
	f := &fieldSums{sys: sys, sum: make([][]float64, workers)}
	for w := range f.sum {
		f.sum[w] = make([]float64, 2*sys.Mesh.NumNodes()+1)
	}
	return f
}

// add adds the solutions of the batch idx just solved by worker w, before any retry; samples
// whose status after that first attempt (first) is not ok are left out. Dirichlet nodes keep
// u = 0.
func (f *fieldSums) add(w int, sw *singleWorker, idx []int, first []int) {
	nodes := f.sys.Mesh.NumNodes()
	s := f.sum[w]
	sum, sq := s[:nodes], s[nodes:2*nodes]
	u, k := sw.solution()
	for j := range idx {
		if first[j] != StatusOK {
			continue
		}
		s[2*nodes]++
		for dof, node := range f.sys.Node {
			v := u[dof*k+j]
			sum[node] += v
			sq[node] += float64(v * v)
		}
		if idx[j] == 0 {
			f.keepSample0(u, k, j)
		}
	}
}

// setSample0 keeps sample 0's solution from a retry that succeeded (its first attempt is not
// in the sums, but the sample has a solution to show).
func (f *fieldSums) setSample0(sw *singleWorker) {
	u, k := sw.solution()
	f.keepSample0(u, k, 0)
}

// keepSample0 copies column j of the k interleaved solutions u as sample 0's u.
func (f *fieldSums) keepSample0(u []float64, k, j int) {
	f.sample0 = make([]float64, f.sys.Mesh.NumNodes())
	for dof, node := range f.sys.Node {
		f.sample0[node] = u[dof*k+j]
	}
}

// total returns the rank's sums and count, the workers' added in worker order.
func (f *fieldSums) total() []float64 {
	t := make([]float64, len(f.sum[0]))
	for _, s := range f.sum {
		for i, v := range s {
			t[i] += v
		}
	}
	return t
}

// meanStd turns the global sums into the mean and the (unbiased) standard deviation at every
// node.
func meanStd(sums []float64) (mean, std []float64) {
	nodes := len(sums) / 2
	n := sums[2*nodes]
	mean, std = make([]float64, nodes), make([]float64, nodes)
	for i := range nodes {
		m := sums[i] / n
		mean[i] = m
		if n > 1 {
			std[i] = math.Sqrt(max(0, (sums[nodes+i]-float64(float64(n*m)*m))/(n-1)))
		}
	}
	return mean, std
}
