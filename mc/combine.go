package mc

import (
	"encoding/binary"
	"math"
	"time"

	"mcfem/spmd"
	"mcfem/stats"
)

// Phase names, in the order of the per-rank timing vector.
const (
	PhaseSetup = iota
	PhaseSolve
	PhaseCombine
	numPhases
)

// PhaseNames are the phases' names as reported.
var PhaseNames = [numPhases]string{"setup", "solve", "combine"}

// The collectives of a campaign, in RankTiming.Collective's order.
const (
	collectiveSums = iota
	collectiveRecords
	collectiveFields
	numCollectives
)

// CollectiveNames name the collectives of a campaign, in RankTiming.Collective's order.
var CollectiveNames = [numCollectives]string{"allreduce power sums", "gather records", "allreduce fields"}

// RankTiming is one rank's time per phase, in seconds, its sample count, threads and host.
type RankTiming struct {
	Rank    int
	Samples int
	Threads int
	Host    string
	Phase   [numPhases]float64
	// Collective holds (start, duration) in seconds from the rank's start of each collective in
	// CollectiveNames (zero if it did not run; for the sums, the last round's).
	Collective [numCollectives][2]float64
	// Estimate is -solver auto's estimate of the rank's set-up and solve phases, in seconds,
	// calibrated by the probe (probe.go); 0 when there is none.
	Estimate float64
}

// span records collective k's start (from the rank's origin) and duration.
func (cp *campaign) span(k int, from time.Time) {
	cp.tm.Collective[k] = [2]float64{from.Sub(cp.t0).Seconds(), time.Since(from).Seconds()}
}

// allreduceSums replaces every rank's sums by their total over the ranks, with one integer
// allreduce of all of them: exact, so every rank gets the same bits whatever the rank count.
func allreduceSums(c spmd.Comm, sums []stats.ExactPowerSums) error {
	var v []int64
	for q := range sums {
		v = append(v, sums[q].Slice()...)
	}
	if err := c.AllreduceInt64s(v, v, spmd.Sum); err != nil {
		return err
	}
	w := len(v) / max(len(sums), 1)
	for q := range sums {
		sums[q].SetSlice(v[q*w : (q+1)*w])
	}
	return nil
}

// combined is what the combine phase brings to rank 0.
type combined struct {
	passed  bool         // the ordered pass ran: rank 0 saw every record in sample order
	inOrder bool         // and their indices were 0, 1, …, N−1
	values  [][]float64  // per QoI, the usable values in sample order (rank 0, ordered statistics)
	fields  []float64    // the field sums over all ranks (with Options.Fields)
	sample0 []float64    // sample 0's u (rank 0, with Options.Fields; NaN if it did not solve)
	timing  []RankTiming // every rank's timing and host (rank 0)
}

// combine is the third phase: the tallies reduced; the ordered pass, when the records are kept
// (Options.Stream, or ordered statistics), which brings them to rank 0 in sample order for the
// ordered statistics and Options.Sink; the field sums to every rank; then every rank's timing
// and host name.
func (cp *campaign) combine() (*combined, error) {
	c := cp.c
	out := &combined{}
	t2 := time.Now()
	if err := cp.tally.reduce(c); err != nil {
		return nil, err
	}
	if cp.spill != nil {
		if err := cp.orderedPass(out); err != nil {
			return nil, err
		}
		cp.span(collectiveRecords, t2)
		if err := cp.spill.close(); err != nil {
			return nil, err
		}
		cp.spill = nil
	}
	if cp.pl.fields != nil {
		out.fields = cp.pl.fields.total()
		tf := time.Now()
		if err := c.AllreduceFloat64s(out.fields, out.fields, spmd.Sum); err != nil {
			return nil, err
		}
		cp.span(collectiveFields, tf)
		s0, err := cp.gatherSample0()
		if err != nil {
			return nil, err
		}
		out.sample0 = s0
	}
	cp.tm.Phase[PhaseCombine] += time.Since(t2).Seconds()

	// Per-rank timings and host names to rank 0 (after the combine they describe).
	timing, err := gatherBlocks(c, cp.tm.encode(), rankTimingLen, func(int) int { return 1 })
	if err != nil || c.Rank() != 0 {
		return out, err
	}
	out.timing = make([]RankTiming, c.Size())
	for r := range out.timing {
		out.timing[r].decode(timing[r*rankTimingLen:])
		out.timing[r].Rank = r
	}
	return out, nil
}

// orderedPass runs the campaign's ordered pass; rank 0 checks the indices' order, keeps the
// usable values when the statistics are the ordered ones, and hands every record to the sink.
func (cp *campaign) orderedPass(out *combined) error {
	n, nq := cp.cfg.Samples, cp.codec.nq
	var sink Sink
	if cp.c.Rank() == 0 {
		out.passed, out.inOrder = true, true
		if ordered(n, nq) {
			out.values = make([][]float64, nq)
			for q := range out.values {
				out.values[q] = make([]float64, 0, cp.tally.usable())
			}
		}
		if sink = cp.opt.Sink; sink != nil {
			t := cp.tally
			if err := sink.Begin(PassInfo{Samples: n, Usable: t.usable(), QoIMin: t.qMin, QoIMax: t.qMax,
				Ranks: cp.c.Size(), Ordered: ordered(n, nq)}); err != nil {
				return err
			}
		}
	}
	next := 0
	defer func() { out.inOrder = out.inOrder && next == n }()
	return cp.pass(func(r *Record) error {
		if r.Index != next {
			out.inOrder = false
		}
		next++
		if out.values != nil && ok(r.Status) {
			for q, v := range r.QoIs {
				out.values[q] = append(out.values[q], v)
			}
		}
		if sink != nil {
			return sink.Add(r)
		}
		return nil
	})
}

// gatherSample0 brings sample 0's u from the rank that solved it (cp.owner0, which every rank
// knows) to rank 0, every value's bits unchanged; NaN at every node when that rank has none
// (sample 0 failed). It returns nil on the other ranks, and when no rank solved sample 0.
func (cp *campaign) gatherSample0() ([]float64, error) {
	if cp.owner0 < 0 {
		return nil, nil
	}
	nodes := cp.prob.System().Mesh.NumNodes()
	var src, dst []float64
	var counts []int
	if cp.c.Rank() == cp.owner0 {
		src = cp.pl.fields.sample0
		if src == nil {
			src = make([]float64, nodes)
			fill(src, math.NaN())
		}
	}
	if cp.c.Rank() == 0 {
		counts = make([]int, cp.c.Size())
		counts[cp.owner0] = nodes
		dst = make([]float64, nodes)
	}
	if err := cp.c.GathervFloat64s(dst, src, counts, 0); err != nil {
		return nil, err
	}
	return dst, nil
}

// gatherBlocks gathers every rank's src of items(r)·width bytes on rank 0, in rank order;
// other ranks get nil.
func gatherBlocks(c spmd.Comm, src []byte, width int, items func(r int) int) ([]byte, error) {
	var counts []int
	var dst []byte
	if c.Rank() == 0 {
		counts = make([]int, c.Size())
		total := 0
		for r := range counts {
			counts[r] = width * items(r)
			total += counts[r]
		}
		dst = make([]byte, total)
	}
	return dst, c.GathervBytes(dst, src, counts, 0)
}

// hostLen is the number of bytes of a host name the report keeps.
const hostLen = 64

// rankTimingLen is the number of bytes a RankTiming travels as (little-endian): samples and
// threads (8 bytes each), the phase times, the collectives' (start, duration) and the estimate
// (8 bytes each), then the host name, NUL-padded.
const rankTimingLen = 8*(3+numPhases+2*numCollectives) + hostLen

func (t *RankTiming) encode() []byte {
	b := make([]byte, rankTimingLen)
	le := binary.LittleEndian
	le.PutUint64(b, uint64(t.Samples))
	le.PutUint64(b[8:], uint64(t.Threads))
	v := b[16:]
	for _, p := range t.Phase {
		le.PutUint64(v, math.Float64bits(p))
		v = v[8:]
	}
	for _, c := range t.Collective {
		le.PutUint64(v, math.Float64bits(c[0]))
		le.PutUint64(v[8:], math.Float64bits(c[1]))
		v = v[16:]
	}
	le.PutUint64(v, math.Float64bits(t.Estimate))
	v = v[8:]
	copy(v[:hostLen], t.Host)
	return b
}

func (t *RankTiming) decode(b []byte) {
	le := binary.LittleEndian
	t.Samples, t.Threads = int(le.Uint64(b)), int(le.Uint64(b[8:]))
	v := b[16:]
	for p := range t.Phase {
		t.Phase[p] = math.Float64frombits(le.Uint64(v))
		v = v[8:]
	}
	for k := range t.Collective {
		t.Collective[k] = [2]float64{math.Float64frombits(le.Uint64(v)), math.Float64frombits(le.Uint64(v[8:]))}
		v = v[16:]
	}
	t.Estimate = math.Float64frombits(le.Uint64(v))
	v = v[8:]
	host := v[:hostLen]
	for i, c := range host {
		if c == 0 {
			host = host[:i]
			break
		}
	}
	t.Host = string(host)
}
