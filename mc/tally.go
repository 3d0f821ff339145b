package mc

import (
	"math"

	"mcfem/spmd"
)

// tally is what the verdict's checks and the iteration summary need from the records, kept as
// counts, sums and extremes that are reduced exactly across the ranks: integers added (the
// index sums modulo 2⁶⁴), and maxima, which do not depend on the order. Every rank tallies the
// records it solved, rank 0 also the journaled records that are not solved again; after reduce
// every rank holds the campaign's tally, the same for every rank count, thread count and batch,
// and no rank holds per-sample data for it.
type tally struct {
	records int64              // records tallied
	status  [numStatuses]int64 // records per status
	negIdx  int64              // records with a negative index
	idxSum  uint64             // Σ index, modulo 2⁶⁴ (indices ≥ 0)
	idxSq   uint64             // Σ index², modulo 2⁶⁴ (indices ≥ 0)
	idxMax  int64              // the largest index (-1: none)
	slow    int64              // usable records whose residual is not ≤ rtol
	resNaN  int64              // usable records whose residual is NaN
	nonFin  int64              // usable records with a NaN or ±Inf QoI
	itSum   int64              // Σ iterations of the usable records
	itMin   int64              // their fewest iterations (math.MaxInt64: none)
	itMax   int64              // their most iterations (math.MinInt64: none)
	resMax  float64            // their largest residual that is not NaN (-Inf: none)
	qMin    []float64          // per QoI, the least finite value of the usable records (+Inf: none)
	qMax    []float64          // per QoI, the largest (-Inf: none)
	rtol    float64            // the solver's tolerance
}

// numStatuses is the number of sample statuses (StatusNames).
const numStatuses = StatusNotSPD + 1

// newTally returns an empty tally of records of nq QoIs, their residuals checked against rtol.
func newTally(nq int, rtol float64) *tally {
	t := &tally{idxMax: -1, itMin: math.MaxInt64, itMax: math.MinInt64, resMax: math.Inf(-1), rtol: rtol,
		qMin: make([]float64, nq), qMax: make([]float64, nq)}
	fill(t.qMin, math.Inf(1))
	fill(t.qMax, math.Inf(-1))
	return t
}

// add tallies one record.
func (t *tally) add(r *Record) {
	t.records++
	t.status[r.Status]++
	if r.Index < 0 {
		t.negIdx++
	} else {
		i := uint64(r.Index)
		t.idxSum += i
		t.idxSq += i * i
		t.idxMax = max(t.idxMax, int64(r.Index))
	}
	if !ok(r.Status) {
		return
	}
	if !(r.Residual <= t.rtol) {
		t.slow++
	}
	finite := true
	for q, v := range r.QoIs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			finite = false
			continue
		}
		t.qMin[q] = math.Min(t.qMin[q], v)
		t.qMax[q] = math.Max(t.qMax[q], v)
	}
	if !finite {
		t.nonFin++
	}
	it := int64(r.Iterations)
	t.itSum += it
	t.itMin = min(t.itMin, it)
	t.itMax = max(t.itMax, it)
	if math.IsNaN(r.Residual) { // counted apart: MPI_MAX need not propagate a NaN
		t.resNaN++
	} else {
		t.resMax = max(t.resMax, r.Residual)
	}
}

// reduce replaces every rank's tally by the total over the ranks: one integer Sum allreduce of
// the counts and sums (uint64 sums travel as their int64 bits: two's-complement addition is the
// same modulo 2⁶⁴), one integer and one float Max allreduce of the extremes (minima as maxima
// of their negations, exact).
func (t *tally) reduce(c spmd.Comm) error {
	sums := []int64{t.records, t.negIdx, int64(t.idxSum), int64(t.idxSq), t.slow, t.resNaN, t.nonFin, t.itSum}
	sums = append(sums, t.status[:]...)
	if err := c.AllreduceInt64s(sums, sums, spmd.Sum); err != nil {
		return err
	}
	t.records, t.negIdx, t.idxSum, t.idxSq = sums[0], sums[1], uint64(sums[2]), uint64(sums[3])
	t.slow, t.resNaN, t.nonFin, t.itSum = sums[4], sums[5], sums[6], sums[7]
	copy(t.status[:], sums[8:])
	// -itMin cannot overflow: itMin is MaxInt64 or an iteration count ≥ 0.
	ext := []int64{t.itMax, -t.itMin, t.idxMax}
	if err := c.AllreduceInt64s(ext, ext, spmd.Max); err != nil {
		return err
	}
	t.itMax, t.itMin, t.idxMax = ext[0], -ext[1], ext[2]
	fx := []float64{t.resMax}
	for q := range t.qMin {
		fx = append(fx, -t.qMin[q], t.qMax[q])
	}
	if err := c.AllreduceFloat64s(fx, fx, spmd.Max); err != nil {
		return err
	}
	t.resMax = fx[0]
	for q := range t.qMin {
		t.qMin[q], t.qMax[q] = -fx[1+2*q], fx[2+2*q]
	}
	return nil
}

// usable is the number of records in the statistics (solved, or solved on the retry).
func (t *tally) usable() int64 { return t.status[StatusOK] + t.status[StatusRetried] }

// indicesExact reports whether the tallied records hold every index 0..n−1 exactly once, as far
// as counts and index sums can tell: n records, none negative, the largest n−1, with the sums
// Σi and Σi² of 0..n−1 (modulo 2⁶⁴). One index twice and another missing changes both sums.
func (t *tally) indicesExact(n int) bool {
	if t.records != int64(n) || t.negIdx != 0 || t.idxMax != int64(n)-1 {
		return false
	}
	return t.idxSum == sumTo(uint64(n)) && t.idxSq == sumSquaresTo(uint64(n))
}

// sumTo is Σ_{i<n} i = n(n−1)/2 modulo 2⁶⁴ (the even factor halved first).
func sumTo(n uint64) uint64 {
	a, b := n, n-1
	if a%2 == 0 {
		a /= 2
	} else {
		b /= 2
	}
	return a * b
}

// sumSquaresTo is Σ_{i<n} i² = (n−1)n(2n−1)/6 modulo 2⁶⁴ (the factors of 2 and 3 divided out
// of the factors they divide first; n ≥ 1).
func sumSquaresTo(n uint64) uint64 {
	if n == 0 {
		return 0
	}
	x, y, z := n-1, n, 2*n-1
	if x%2 == 0 { // one of n−1 and n is even
		x /= 2
	} else {
		y /= 2
	}
	switch {
	case x%3 == 0:
		x /= 3
	case y%3 == 0:
		y /= 3
	default:
		z /= 3
	}
	return x * y * z
}

// iterations is the iteration summary of the usable records.
func (t *tally) iterations() IterationStats {
	// As a fold of math.Max from 0 over the residuals, and of the float sum of the counts
	// (exact: integers below 2⁵³), the same bits.
	s := IterationStats{Min: math.MaxInt, Max: 0, MaxResidual: t.maxResidual(), Mean: math.NaN()}
	if u := t.usable(); u > 0 {
		s.Min, s.Max = int(t.itMin), int(t.itMax)
		s.Mean = float64(t.itSum) / float64(u)
	}
	return s
}

// maxResidual is the largest residual of the usable records, NaN if one is NaN, 0 if none.
func (t *tally) maxResidual() float64 {
	if t.resNaN > 0 {
		return math.NaN()
	}
	return math.Max(0, t.resMax)
}
