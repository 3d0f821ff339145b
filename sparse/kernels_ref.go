package sparse

// Reference twins of the tuned kernels: the obvious loops, for any lane count, with the
// operations of the generated and assembly variants in the same order, so the tests compare
// them bit for bit. They also serve the lane counts that have no generated variant.

// spmmRef is SpMM's reference: y_i = Σ_e val_e·x_col(e) per lane, from 0, entries in order.
func spmmRef(y, x []float64, k int, rowPtr, col []int32, val []float64) {
	for i := range len(rowPtr) - 1 {
		for t := range k {
			var s float64
			for e := rowPtr[i]; e < rowPtr[i+1]; e++ {
				s += float64(val[e] * x[int(col[e])*k+t])
			}
			y[i*k+t] = s
		}
	}
}

// spmmDotRef is SpMMDot's reference: spmmRef, then d_t = Σ_i x_it·y_it in row order.
func spmmDotRef(y, x []float64, k int, rowPtr, col []int32, val []float64, d []float64) {
	spmmRef(y, x, k, rowPtr, col, val)
	colDotsRef(d, x[:len(y)], y, k)
}

// colDotsRef is ColDots's reference.
func colDotsRef(d, x, y []float64, k int) {
	for t := range k {
		var s float64
		for i := t; i < len(x); i += k {
			s += float64(x[i] * y[i])
		}
		d[t] = s
	}
}

// sweepForwardRef is SweepForward's reference for any number of lanes w (nb ≤ w of them
// read from b, the others from 0).
func sweepForwardRef(w int, x []float64, off int, s *Sweep, b []float64, kb, tb, nb int) {
	n := len(s.RowPtr) - 1
	for t := range w {
		for i := range n {
			var v float64
			if t < nb {
				v = float64(b[i*kb+tb+t] * s.Scale[i])
			}
			for e := s.RowPtr[i]; e < s.RowPtr[i+1]; e++ {
				v -= float64(s.Val[e] * x[int(s.Col[e])*w+t])
			}
			if i > 0 {
				v -= float64(s.Near[i] * x[(off+i-1)*w+t])
			} else {
				v -= float64(s.Near[i] * 0)
			}
			x[(off+i)*w+t] = v
		}
	}
}

// sweepBackwardRef is SweepBackward's reference for any number of lanes w.
func sweepBackwardRef(w int, x []float64, off int, s *Sweep) {
	n := len(s.RowPtr) - 1
	for t := range w {
		for i := n - 1; i >= 0; i-- {
			v := x[(off+i)*w+t]
			for e := s.RowPtr[i]; e < s.RowPtr[i+1]; e++ {
				v -= float64(s.Val[e] * x[int(s.Col[e])*w+t])
			}
			if i < n-1 {
				v -= float64(s.Near[i] * x[(off+i+1)*w+t])
			} else {
				v -= float64(s.Near[i] * 0)
			}
			x[(off+i)*w+t] = v
		}
	}
}
