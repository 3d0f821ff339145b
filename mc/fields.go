package mc

import "math"

// fieldSums accumulates Σu and Σu² at every mesh node over a rank's samples, one pair of arrays
// per worker (no sharing, no locks), and sample 0's solution.
type fieldSums struct {
	model   *Model
	sum     [][]float64 // per worker: 2 × nodes (Σu, then Σu²)
	sample0 []float64
}

func newFieldSums(m *Model, workers int) *fieldSums {
	f := &fieldSums{model: m, sum: make([][]float64, workers)}
	for w := range f.sum {
		f.sum[w] = make([]float64, 2*m.Mesh.NumNodes())
	}
	return f
}

// add adds the solutions of the samples idx just solved by worker w with s (failed samples are
// left out). Dirichlet nodes keep u = 0.
func (f *fieldSums) add(w int, s *Solver, idx []int) {
	nodes := f.model.Mesh.NumNodes()
	sum, sq := f.sum[w][:nodes], f.sum[w][nodes:]
	k := s.k
	for j, i := range idx {
		if s.errs[j] != nil {
			continue
		}
		for dof, node := range f.model.Sys.Node {
			u := s.u[dof*k+j]
			sum[node] += u
			sq[node] += u * u
		}
		if i == 0 {
			f.sample0 = make([]float64, nodes)
			for dof, node := range f.model.Sys.Node {
				f.sample0[node] = s.u[dof*k+j]
			}
		}
	}
}

// total returns the rank's sums, the workers' added in worker order.
func (f *fieldSums) total() []float64 {
	t := make([]float64, len(f.sum[0]))
	for _, s := range f.sum {
		for i, v := range s {
			t[i] += v
		}
	}
	return t
}

// meanStd turns the global sums over n samples into the mean and the (unbiased) standard
// deviation at every node.
func (f *fieldSums) meanStd(sums []float64, n int) (mean, std []float64) {
	nodes := len(sums) / 2
	mean, std = make([]float64, nodes), make([]float64, nodes)
	for i := range nodes {
		m := sums[i] / float64(n)
		mean[i] = m
		if n > 1 {
			std[i] = math.Sqrt(max(0, (sums[nodes+i]-float64(n)*m*m)/float64(n-1)))
		}
	}
	return mean, std
}
