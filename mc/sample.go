package mc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"mcfem/dist"
	"mcfem/journal"
	"mcfem/problem"
	"mcfem/solver"
)

// Draw sets in to sample i's inputs: src is re-keyed as the stream of (seed, stream, i) and
// the problem draws from it, so the inputs depend on those three numbers alone, never on the
// rank or the thread that draws them. A campaign uses stream 0, level l of a multilevel run
// stream l+1. It allocates nothing: one generator per worker serves every sample.
func Draw(p problem.Problem, src *rand.PCG, seed, stream uint64, i int, in *problem.Inputs) {
	dist.SeedSample(src, seed, stream, uint64(i))
	p.Draw(i, src, in)
}

// Record is the outcome of one sample.
type Record struct {
	Index      int
	Inputs     []float64 // the problem's reported inputs (ε)
	QoIs       []float64 // its quantities of interest (NaN when the sample failed)
	Iterations int
	Residual   float64
	Seconds    float64
	Rank       int
	Thread     int
	Start      float64 // seconds from the rank's start (after the opening barrier) to the sample's
	Status     int     // StatusOK, or why the sample failed (skipped) or needed a retry
	Journaled  bool    // recovered from a journal (resume), not computed in this run
}

// newRecords returns n records whose Inputs and QoIs (ni and nq values) share one array.
func newRecords(n, ni, nq int) []Record {
	recs := make([]Record, n)
	vals := make([]float64, n*(ni+nq))
	for i := range recs {
		v := vals[i*(ni+nq) : (i+1)*(ni+nq) : (i+1)*(ni+nq)]
		recs[i].Inputs, recs[i].QoIs = v[:ni:ni], v[ni:]
	}
	return recs
}

// Sample statuses, as stored in records, journals and samples.csv.
const (
	StatusOK           = 0 // solved
	StatusNotConverged = 1 // CG reached -maxit
	StatusBreakdown    = 2 // CG broke down (non-SPD, NaN/Inf in the iteration), or a direct solve's residual is too large
	StatusNonFinite    = 3 // a QoI is NaN or ±Inf
	StatusRetried      = 4 // solved on the retry (-on-failure retry)
	StatusNotSPD       = 5 // the sample's coefficients make its system not positive definite
)

// StatusNames are the statuses as samples.csv writes them.
var StatusNames = []string{"ok", "not-converged", "breakdown", "non-finite", "retried", "non-spd"}

// ok reports whether a sample with status st counts in the statistics.
func ok(st int) bool { return st == StatusOK || st == StatusRetried }

// Outcome is what the solve of one sample gave: its QoIs with the cost of each (a
// deterministic work measure, see solver.Solver.Cost), the solver's iterations and residual,
// and its error.
type Outcome struct {
	QoIs       []float64
	Costs      []int64
	Iterations int
	Residual   float64
	Err        error
}

// status classifies an outcome.
func (o *Outcome) status() int {
	switch {
	case errors.Is(o.Err, solver.ErrNotConverged):
		return StatusNotConverged
	case errors.Is(o.Err, problem.ErrNotSPD):
		return StatusNotSPD
	case o.Err != nil:
		return StatusBreakdown
	}
	for _, q := range o.QoIs {
		if math.IsNaN(q) || math.IsInf(q, 0) {
			return StatusNonFinite
		}
	}
	return StatusOK
}

// failure returns the outcome's error, or one saying which QoI is not finite.
func (o *Outcome) failure() error {
	if o.Err != nil {
		return o.Err
	}
	for _, q := range o.QoIs {
		if math.IsNaN(q) || math.IsInf(q, 0) {
			return fmt.Errorf("the QoI is %g", q)
		}
	}
	return nil
}

// journalRecord is the record as the journal keeps it: the results, not where or when. It
// shares r's inputs and QoIs.
func (r *Record) journalRecord() journal.Record {
	return journal.Record{Index: int64(r.Index), Inputs: r.Inputs, QoIs: r.QoIs, Residual: r.Residual,
		Iterations: int32(r.Iterations), Status: int32(r.Status)}
}

// fromJournal fills r with a record recovered from a journal (of r's numbers of inputs and
// QoIs: journal.ReadDir checks them).
func (r *Record) fromJournal(j journal.Record) {
	r.Index, r.Residual, r.Iterations, r.Status = int(j.Index), j.Residual, int(j.Iterations), int(j.Status)
	copy(r.Inputs, j.Inputs)
	copy(r.QoIs, j.QoIs)
	r.Rank, r.Thread, r.Journaled = -1, -1, true
}

// recordCodec is the fixed binary layout records travel in from the ranks to rank 0
// (little-endian): index, the inputs and QoIs, iterations, residual, seconds, start (8 bytes
// each), rank, thread and status (4 bytes each).
type recordCodec struct{ ni, nq int }

func (c recordCodec) size() int { return 8*(c.ni+c.nq) + 5*8 + 3*4 }

func (c recordCodec) encode(b []byte, r *Record) {
	le := binary.LittleEndian
	le.PutUint64(b, uint64(r.Index))
	b = b[8:]
	for _, v := range r.Inputs {
		le.PutUint64(b, math.Float64bits(v))
		b = b[8:]
	}
	for _, v := range r.QoIs {
		le.PutUint64(b, math.Float64bits(v))
		b = b[8:]
	}
	le.PutUint64(b, uint64(r.Iterations))
	le.PutUint64(b[8:], math.Float64bits(r.Residual))
	le.PutUint64(b[16:], math.Float64bits(r.Seconds))
	le.PutUint64(b[24:], math.Float64bits(r.Start))
	le.PutUint32(b[32:], uint32(int32(r.Rank)))
	le.PutUint32(b[36:], uint32(int32(r.Thread)))
	le.PutUint32(b[40:], uint32(r.Status))
}

func (c recordCodec) decode(b []byte, r *Record) {
	le := binary.LittleEndian
	r.Index = int(le.Uint64(b))
	b = b[8:]
	for k := range r.Inputs {
		r.Inputs[k] = math.Float64frombits(le.Uint64(b))
		b = b[8:]
	}
	for k := range r.QoIs {
		r.QoIs[k] = math.Float64frombits(le.Uint64(b))
		b = b[8:]
	}
	r.Iterations = int(le.Uint64(b))
	r.Residual = math.Float64frombits(le.Uint64(b[8:]))
	r.Seconds = math.Float64frombits(le.Uint64(b[16:]))
	r.Start = math.Float64frombits(le.Uint64(b[24:]))
	r.Rank = int(int32(le.Uint32(b[32:])))
	r.Thread = int(int32(le.Uint32(b[36:])))
	r.Status = int(le.Uint32(b[40:]))
}
