package mc

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"mcfem/detmath"
	"mcfem/internal/setting"
	"mcfem/spmd"
	"mcfem/stats"
)

// The distribution of every QoI beyond its moments: quantiles with distribution-free
// confidence intervals, exceedance probabilities with Wilson intervals, and the conditional
// value at risk. All are exact functions of the campaign's values, the same bits for every
// rank count: the order statistics they need are found by an exact distributed selection over
// the values each rank keeps of its own samples (valueFile, a temporary file: the memory does
// not grow with N), whatever the regime of the moments.

// DefaultQuantiles are the levels of Config.Quantiles by default.
var DefaultQuantiles = []float64{0.01, 0.05, 0.5, 0.95, 0.99}

// DefaultCVaRLevel is Config.CVaRLevel by default.
const DefaultCVaRLevel = 0.95

// A Threshold asks for the probability that a QoI exceeds a value.
type Threshold struct {
	QoI   string // the QoI's name ("" means the first)
	Value float64
}

// Quantile is one quantile of a QoI: the p-quantile's estimate X_(⌈np⌉) (the inverse of the
// empirical distribution function, an order statistic of the values) and the order statistics
// [X_(l), X_(u)] that bracket the true quantile with probability at least the confidence
// whatever the distribution (l and u from Binomial(n, p): Conover, Practical Nonparametric
// Statistics, 3rd ed., 1999, §3.2); Low is −Inf (High +Inf) when too few samples lie below (above)
// the quantile for the level: the interval then has no finite end on that side.
type Quantile struct {
	P         float64 `json:"p"`
	Value     float64 `json:"value"`
	Low, High float64 `json:"-"`
}

// Exceedance is P(QoI > Value) estimated by the fraction of the samples above it, with the
// Wilson score interval (Wilson 1927; Brown, Cai and DasGupta, Statist. Sci. 16, 2001).
type Exceedance struct {
	QoI       string  `json:"qoi"`
	Value     float64 `json:"threshold"`
	Count     int64   `json:"count"`
	P         float64 `json:"probability"`
	Low, High float64 `json:"-"`
}

// Distribution is what the campaign knows of one QoI's distribution.
type Distribution struct {
	N         int64 // the values (the samples that count)
	Min, Max  float64
	Quantiles []Quantile
	// CVaR is the mean of the values at or above the CVaRLevel-quantile's estimate (the
	// expected shortfall of the upper tail; Rockafellar and Uryasev 2002 for continuous
	// distributions), CVaRCount their number.
	CVaRLevel, CVaR float64
	CVaRCount       int64
	Exceedances     []Exceedance
	// CDF are knots of the empirical distribution function, (X_(k), k/N) at Options.CDFPoints
	// evenly spaced ranks k (none without it): the distribution plot's.
	CDF []CDFKnot
}

// CDFKnot is an order statistic X = X_(k) with P = k/N.
type CDFKnot struct{ X, P float64 }

// valueFile is a rank's values of the QoIs of its samples that count, 8 bytes per QoI and
// sample, in an unlinked temporary file (or in memory while they fit in valueMem).
type valueFile struct {
	nq  int
	dir string
	mem []byte
	f   *os.File
	off int64
	n   int64 // samples
}

// valueMem is the most bytes of values a rank holds in memory before it moves them to its
// temporary file (a variable: tests lower it).
var valueMem = 1 << 20

// add appends the QoIs of one sample.
func (v *valueFile) add(qois []float64) error {
	if v.mem == nil {
		v.mem = make([]byte, 0, valueMem+8*len(qois))
	}
	for _, x := range qois {
		v.mem = binary.LittleEndian.AppendUint64(v.mem, math.Float64bits(x))
	}
	v.n++
	if len(v.mem) >= valueMem {
		return v.flush()
	}
	return nil
}

// flush moves the values in memory to the file, creating it (unlinked) the first time.
func (v *valueFile) flush() error {
	if len(v.mem) == 0 {
		return nil
	}
	if v.f == nil {
		f, err := os.CreateTemp(v.dir, ".mcfem-values-*")
		if err != nil {
			return fmt.Errorf("mc: the QoI values for the quantiles beyond %d MiB go to a temporary file: %w", valueMem>>20, err)
		}
		_ = os.Remove(f.Name())
		v.f = f
	}
	if _, err := v.f.WriteAt(v.mem, v.off); err != nil {
		return fmt.Errorf("mc: the QoI values' temporary file: %w", err)
	}
	v.off += int64(len(v.mem))
	v.mem = v.mem[:0]
	return nil
}

// scan calls fn with every sample's QoIs, in the order they were added.
func (v *valueFile) scan(fn func(qois []float64)) error {
	row := make([]float64, v.nq)
	each := func(b []byte) {
		for len(b) >= 8*v.nq {
			for q := range row {
				row[q] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*q:]))
			}
			fn(row)
			b = b[8*v.nq:]
		}
	}
	if v.f != nil {
		r := bufio.NewReaderSize(io.NewSectionReader(v.f, 0, v.off), 1<<16)
		buf := make([]byte, 8*v.nq*8192)
		for {
			k, err := io.ReadFull(r, buf)
			each(buf[:k-k%(8*v.nq)])
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				break
			}
			if err != nil {
				return fmt.Errorf("mc: the QoI values' temporary file: %w", err)
			}
		}
	}
	each(v.mem)
	return nil
}

// close releases the file.
func (v *valueFile) close() {
	if v.f != nil {
		_ = v.f.Close()
		v.f = nil
	}
	v.mem = nil
}

// addValues keeps the QoIs of rec, if it counts, for the quantiles.
func (cp *campaign) addValues(rec *Record) error {
	if cp.vals == nil || !ok(rec.Status) {
		return nil
	}
	return cp.vals.add(rec.QoIs)
}

// orderKey maps a finite float64 to a uint64 of the same order.
func orderKey(x float64) uint64 {
	b := math.Float64bits(x)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

// fromOrderKey inverts orderKey.
func fromOrderKey(k uint64) float64 {
	if k>>63 == 1 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}

// selection is one order statistic to find: the k-th smallest (0-based) value of QoI q,
// known to have its key in [lo, hi], with below values of keys under lo.
type selection struct {
	q       int
	k       int64
	lo, hi  uint64
	below   int64
	value   float64
	done    bool
	gather  bool
	inRange int64
}

// selectBuckets is the number of buckets a selection pass splits a key range into;
// selectGather the most values in range that are gathered to rank 0 instead.
const (
	selectBuckets = 1 << 12
	selectGather  = 1 << 12
)

// selectOrder finds the order statistics sel exactly: every rank scans its values, the counts
// of each range's keys in selectBuckets buckets are allreduced, and each selection's range
// shrinks to the bucket that holds its k-th value, until it is one key or holds at most
// selectGather values, which rank 0 gathers and sorts. Every rank takes the same decisions
// (the counts are allreduced integers); the values are known on rank 0.
func selectOrder(c spmd.Comm, vf *valueFile, sel []*selection, total int64) error {
	if total <= selectGather { // few values: rank 0 gathers them at once
		return gatherSelections(c, vf, sel)
	}
	for pass := 0; ; pass++ {
		var active []*selection
		for _, s := range sel {
			if !s.done {
				active = append(active, s)
			}
		}
		if len(active) == 0 {
			return nil
		}
		if pass > 16 { // 64 bits at 12 a pass end in 6; a guard against a bug, not a limit
			return fmt.Errorf("mc: quantile selection did not converge")
		}
		groups, byQ := groupRanges(active, vf.nq)
		counts := make([]int64, len(groups)*selectBuckets)
		widths := make([]uint64, len(groups))
		for g, r := range groups {
			widths[g] = (r.hi-r.lo)/selectBuckets + 1
		}
		err := vf.scan(func(row []float64) {
			for q, x := range row {
				k := orderKey(x)
				if r := findRange(byQ[q], k); r != nil {
					counts[r.id*selectBuckets+int((k-r.lo)/widths[r.id])]++
				}
			}
		})
		if err != nil {
			return err
		}
		if err := c.AllreduceInt64s(counts, counts, spmd.Sum); err != nil {
			return err
		}
		var gathers []*selection
		for g, r := range groups {
			cs := counts[g*selectBuckets : (g+1)*selectBuckets]
			var inRange int64
			for _, x := range cs {
				inRange += x
			}
			for _, s := range r.sel {
				if inRange <= selectGather {
					s.gather, s.inRange = true, inRange
					gathers = append(gathers, s)
					continue
				}
				k := s.k - s.below
				for b, x := range cs {
					if k < x {
						s.lo += uint64(b) * widths[g]
						s.hi = min(s.hi, s.lo+widths[g]-1)
						break
					}
					k -= x
					s.below += x
				}
				if s.lo == s.hi {
					s.value, s.done = fromOrderKey(s.lo), true
				}
			}
		}
		if err := gatherSelections(c, vf, gathers); err != nil {
			return err
		}
	}
}

// A keyRange is the range of keys shared by some selections of one QoI. The selections of a
// QoI that are still active in a pass have identical or disjoint ranges (each is a bucket of
// the same grid, one level deeper every pass), so a value falls in at most one keyRange.
type keyRange struct {
	id     int
	q      int
	lo, hi uint64
	sel    []*selection
}

// groupRanges groups sel by their ranges, and lists each QoI's ranges sorted by lo.
func groupRanges(sel []*selection, nq int) ([]*keyRange, [][]*keyRange) {
	var groups []*keyRange
	byQ := make([][]*keyRange, nq)
	for _, s := range sel {
		i := slices.IndexFunc(byQ[s.q], func(r *keyRange) bool { return r.lo == s.lo && r.hi == s.hi })
		if i < 0 {
			r := &keyRange{id: len(groups), q: s.q, lo: s.lo, hi: s.hi}
			groups = append(groups, r)
			byQ[s.q] = append(byQ[s.q], r)
			i = len(byQ[s.q]) - 1
		}
		byQ[s.q][i].sel = append(byQ[s.q][i].sel, s)
	}
	for _, rs := range byQ {
		slices.SortFunc(rs, func(a, b *keyRange) int { return cmp.Compare(a.lo, b.lo) })
	}
	return groups, byQ
}

// findRange returns the range of rs (sorted by lo, disjoint) that holds key, or nil.
func findRange(rs []*keyRange, key uint64) *keyRange {
	i, _ := slices.BinarySearchFunc(rs, key, func(r *keyRange, k uint64) int {
		if r.lo > k {
			return 1
		}
		return -1
	})
	if i == 0 {
		return nil
	}
	if r := rs[i-1]; key <= r.hi {
		return r
	}
	return nil
}

// gatherSelections brings the values in the ranges of the selections sel to rank 0 (one scan,
// each value to the one range that holds it), which sorts each range's values and picks each
// selection's.
func gatherSelections(c spmd.Comm, vf *valueFile, sel []*selection) error {
	if len(sel) == 0 {
		return nil
	}
	groups, byQ := groupRanges(sel, vf.nq)
	local := make([][]float64, len(groups))
	err := vf.scan(func(row []float64) {
		for q, x := range row {
			if r := findRange(byQ[q], orderKey(x)); r != nil {
				local[r.id] = append(local[r.id], x)
			}
		}
	})
	if err != nil {
		return err
	}
	// Every rank's values, rank by rank, each in range order: the counts per rank and range
	// travel first.
	ng := len(groups)
	per := make([]int64, c.Size()*ng)
	var mine []float64
	for g, v := range local {
		per[c.Rank()*ng+g] = int64(len(v))
		mine = append(mine, v...)
	}
	if err := c.AllreduceInt64s(per, per, spmd.Sum); err != nil {
		return err
	}
	counts := make([]int, c.Size())
	total := 0
	for r := range counts {
		for g := range ng {
			counts[r] += int(per[r*ng+g])
		}
		total += counts[r]
	}
	var all []float64
	if c.Rank() == 0 {
		all = make([]float64, total)
	}
	if err := c.GathervFloat64s(all, mine, counts, 0); err != nil {
		return err
	}
	for _, s := range sel {
		s.done = true
	}
	if c.Rank() != 0 {
		return nil
	}
	vals := make([][]float64, ng)
	off := 0
	for r := range counts {
		for g := range ng {
			m := int(per[r*ng+g])
			vals[g] = append(vals[g], all[off:off+m]...)
			off += m
		}
	}
	for g, r := range groups {
		v := vals[g]
		slices.SortFunc(v, func(x, y float64) int { return cmp.Compare(orderKey(x), orderKey(y)) })
		for _, s := range r.sel {
			s.value = v[s.k-s.below]
		}
	}
	return nil
}

// orderInterval returns the 1-based order statistics l and u whose interval [X_(l), X_(u)]
// contains the p-quantile with probability at least confidence, whatever the (continuous)
// distribution: with B ~ Binomial(n, p) the number of values below the quantile, the
// coverage is P(l ≤ B ≤ u − 1); l is the largest with P(B ≤ l − 1) ≤ (1 − c)/2, u the
// smallest with P(B ≤ u − 1) ≥ (1 + c)/2. l = 0 or u = n + 1 mean no finite end.
func orderInterval(n int64, p, confidence float64) (l, u int64) {
	lo, hi := (1-confidence)/2, (1+confidence)/2
	// l: the largest l in [0, n] with F(l−1) ≤ lo (F increasing in its argument).
	a, b := int64(0), n
	for a < b {
		m := (a + b + 1) / 2
		if detmath.BinomialCDF(m-1, n, p) <= lo {
			a = m
		} else {
			b = m - 1
		}
	}
	l = a
	// u: the smallest u in [1, n+1] with F(u−1) ≥ hi.
	a, b = 1, n+1
	for a < b {
		m := (a + b) / 2
		if detmath.BinomialCDF(m-1, n, p) >= hi {
			b = m
		} else {
			a = m + 1
		}
	}
	return l, a
}

// wilson returns the Wilson score interval of a proportion k/n at the given confidence.
func wilson(k, n int64, confidence float64) (lo, hi float64) {
	z := detmath.NormalQuantile(0.5 + float64(confidence/2))
	nf, p := float64(n), float64(k)/float64(n)
	z2n := float64(z*z) / nf
	center := (p + float64(z2n*0.5)) / (1 + z2n) // every product rounded: no fused multiply-add
	pq := float64(p * float64(1-p))
	half := float64(float64(z/(1+z2n)) * math.Sqrt(float64(pq/nf)+float64(z2n/float64(4*nf))))
	return math.Max(0, center-half), math.Min(1, center+half)
}

// distribution is the phase after the rounds: every QoI's Distribution (on rank 0; nil on
// the others), from the values the ranks kept, by selectOrder.
func (cp *campaign) distribution() ([]Distribution, error) {
	if cp.vals == nil {
		return nil, nil
	}
	ta := time.Now()
	defer func() { cp.tm.Phase[PhaseCombine] += time.Since(ta).Seconds() }()
	defer cp.vals.close()
	if err := cp.vals.flush(); err != nil {
		return nil, err
	}
	nq := len(cp.prob.QoINames())
	n := make([]int64, 1)
	n[0] = cp.vals.n
	if err := cp.c.AllreduceInt64s(n, n, spmd.Sum); err != nil {
		return nil, err
	}
	total := n[0]
	dists := make([]Distribution, nq)
	if total == 0 {
		return dists, nil
	}
	conf := cp.cfg.Confidence
	levels := cp.cfg.quantiles()
	var sel []*selection
	pick := func(q int, k int64) *selection { // a selection of the k-th value (1-based), nil outside [1, n]
		if k < 1 || k > total {
			return nil
		}
		s := &selection{q: q, k: k - 1, lo: 0, hi: math.MaxUint64}
		sel = append(sel, s)
		return s
	}
	type want struct{ est, lo, hi *selection }
	wants := make([][]want, nq)
	mins, maxs := make([]*selection, nq), make([]*selection, nq)
	cvarAt := max(int64(math.Ceil(float64(float64(total)*cp.cfg.cvarLevel()))), 1)
	cvar := make([]*selection, nq)
	for q := range nq {
		mins[q], maxs[q] = pick(q, 1), pick(q, total)
		cvar[q] = pick(q, cvarAt)
		for _, p := range levels {
			l, u := orderInterval(total, p, conf)
			est := max(int64(math.Ceil(float64(float64(total)*p))), 1)
			wants[q] = append(wants[q], want{pick(q, est), pick(q, l), pick(q, u)})
		}
	}
	knots := make([][]*selection, nq)
	for q := range nq {
		for i := 1; i <= cp.opt.CDFPoints; i++ {
			k := max(int64(math.Ceil(float64(float64(total)*float64(i))/float64(cp.opt.CDFPoints))), 1)
			knots[q] = append(knots[q], pick(q, k))
		}
	}
	if err := selectOrder(cp.c, cp.vals, sel, total); err != nil {
		return nil, err
	}
	// Exceedance counts, and the sums of the values at or above each QoI's CVaR quantile (as
	// known on rank 0: broadcast first), in one scan, allreduced exactly.
	th := cp.cfg.Thresholds
	var ck []float64
	if cp.c.Rank() == 0 {
		for q := range nq {
			ck = append(ck, cvar[q].value)
		}
	} else {
		ck = make([]float64, nq)
	}
	if err := cp.c.BcastFloat64s(ck, 0); err != nil {
		return nil, err
	}
	exceed := make([]int64, len(th))
	tailSums := make([]stats.ExactPowerSums, nq)
	qi := make([]int, len(th))
	for t := range th {
		qi[t] = max(cp.cfg.Problem.QoIIndex(th[t].QoI), 0)
	}
	err := cp.vals.scan(func(row []float64) {
		for t := range th {
			if row[qi[t]] > th[t].Value {
				exceed[t]++
			}
		}
		for q := range nq {
			if row[q] >= ck[q] {
				tailSums[q].Add(row[q], 0)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if len(exceed) > 0 {
		if err := cp.c.AllreduceInt64s(exceed, exceed, spmd.Sum); err != nil {
			return nil, err
		}
	}
	if err := allreduceSums(cp.c, tailSums); err != nil {
		return nil, err
	}
	if cp.c.Rank() != 0 {
		return nil, nil
	}
	names := cp.prob.QoINames()
	value := func(s *selection, none float64) float64 {
		if s == nil {
			return none
		}
		return s.value
	}
	for q := range nq {
		d := &dists[q]
		d.N, d.Min, d.Max = total, mins[q].value, maxs[q].value
		for k, p := range levels {
			w := wants[q][k]
			d.Quantiles = append(d.Quantiles, Quantile{P: p, Value: w.est.value, Low: value(w.lo, math.Inf(-1)), High: value(w.hi, math.Inf(1))})
		}
		for _, s := range knots[q] {
			d.CDF = append(d.CDF, CDFKnot{X: s.value, P: float64(s.k+1) / float64(total)})
		}
		d.CVaRLevel, d.CVaRCount = cp.cfg.cvarLevel(), tailSums[q].N
		d.CVaR = tailSums[q].Describe(conf).Mean
	}
	for t := range th {
		lo, hi := wilson(exceed[t], total, conf)
		d := &dists[qi[t]]
		d.Exceedances = append(d.Exceedances, Exceedance{QoI: names[qi[t]], Value: th[t].Value, Count: exceed[t],
			P: float64(exceed[t]) / float64(total), Low: lo, High: hi})
	}
	return dists, nil
}

// validateDistribution checks the quantile levels, the thresholds' QoIs and the CVaR level.
func (c Config) validateDistribution() error {
	for _, p := range c.Quantiles {
		if !(p > 0 && p < 1) {
			return setting.Invalid("quantiles", fmt.Sprint(p), "levels in (0, 1)")
		}
	}
	for _, t := range c.Thresholds {
		if c.Problem.QoIIndex(t.QoI) < 0 {
			return setting.Invalid("threshold", t.QoI, "one of the problem's QoIs: "+strings.Join(c.Problem.QoINames(), ", "))
		}
		if math.IsNaN(t.Value) || math.IsInf(t.Value, 0) {
			return setting.Invalid("threshold", fmt.Sprint(t.Value), "a finite value")
		}
	}
	if c.CVaRLevel != 0 && !(c.CVaRLevel > 0 && c.CVaRLevel < 1) {
		return setting.Invalid("cvar", fmt.Sprint(c.CVaRLevel), "a level in (0, 1)")
	}
	return nil
}

// quantiles returns Config.Quantiles, or DefaultQuantiles.
func (c Config) quantiles() []float64 {
	if c.Quantiles == nil {
		return DefaultQuantiles
	}
	return c.Quantiles
}

// cvarLevel returns Config.CVaRLevel, or DefaultCVaRLevel.
func (c Config) cvarLevel() float64 {
	if c.CVaRLevel == 0 {
		return DefaultCVaRLevel
	}
	return c.CVaRLevel
}
