package mc

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"mcfem/field"
	"mcfem/mesh"
	"mcfem/spmd"
)

var nan = math.NaN()

// Config holds what a campaign computes. Every field determines the results, and nothing else
// does: not the rank count, not the backend.
type Config struct {
	Samples int // N, the number of samples
	Cells   int // mesh: cells per side of the unit square (when Mesh is nil)
	// Mesh, if not nil, is the mesh to solve on (read from MeshFile, nodes already reordered),
	// instead of the structured one.
	Mesh       *mesh.Mesh
	MeshFile   string  // where Mesh came from, for the report
	Boundary   string  // the sub-model-part of MeshFile that is the Dirichlet boundary ("" = outer edges)
	Seed       uint64  // key of the random streams
	Rtol       float64 // CG relative residual tolerance
	MaxIt      int     // CG iteration cap
	Confidence float64 // level of the confidence interval of the mean
	Dist       Dist    // distribution of ε
	PC         string  // CG preconditioner: "jacobi", "amg" or "none"
	// Solver is "cg" (preconditioned CG, the default), "cholesky" (a sparse Cholesky factor
	// of K, computed once per rank; each sample is a forward and a backward solve) or "auto"
	// (the cheaper of the two by a cost model; see chooseSolver). "" means "cg".
	Solver    string
	OnFailure string // a failed sample: "fail" (end the run), "skip" (leave it out), "retry"
	// Model is "reference" (the seed's problem: diffusivity 1) or "lognormal-field" (a random
	// diffusivity κ = exp(g), g a truncated Karhunen–Loève expansion; see Field).
	Model string
	Field field.Params
	// Tol, if > 0, makes the campaign adaptive: Samples is the pilot, and rounds add samples
	// until the half-width of the confidence interval of the mean is at most Tol.
	Tol float64
	// Batch solves this many samples together (one pass over the matrix per CG iteration
	// serves them all). Each sample's result is bit-identical to its unbatched solve, so it
	// changes the speed, never the results.
	Batch int
}

// DefaultConfig is the seed's campaign.
func DefaultConfig() Config {
	return Config{Samples: 1000, Cells: 64, Seed: 1, Rtol: 1e-8, MaxIt: 10000, Confidence: 0.95, Dist: Beta{2, 6},
		PC: "jacobi", Batch: 1, OnFailure: "fail", Model: "reference",
		Field: field.Params{Sigma: 1, Lambda: 0.3, Terms: 50}}
}

// MeshName describes the mesh for the report.
func (c Config) MeshName() string {
	if c.Mesh == nil {
		return fmt.Sprintf("unit square %d×%d", c.Cells, c.Cells)
	}
	b := c.Boundary
	if b == "" {
		b = "outer edges"
	}
	return fmt.Sprintf("%s (boundary %s, RCM node order)", c.MeshFile, b)
}

// FieldError reports a configuration value outside its valid range; Field is the name used by
// both the flag and the configuration key.
type FieldError struct {
	Field string
	Value string
	Want  string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("mc: %s = %s: want %s", e.Field, e.Value, e.Want)
}

// MaxBatch bounds Config.Batch: beyond it the k vectors of a row no longer fit in a cache line
// or two and batching stops paying.
const MaxBatch = 64

// maxCells keeps the mesh's node count, (cells+1)², within int32 indices.
const maxCells = 46339

// Validate checks every field; it returns the first *FieldError.
func (c Config) Validate() error {
	switch {
	case c.Samples < 1:
		return &FieldError{"samples", fmt.Sprint(c.Samples), "an integer ≥ 1"}
	case c.Mesh == nil && (c.Cells < 1 || c.Cells > maxCells):
		return &FieldError{"mesh", fmt.Sprint(c.Cells), fmt.Sprintf("cells per side in [1, %d]", maxCells)}
	case !(c.Rtol > 0 && c.Rtol < 1):
		return &FieldError{"rtol", fmt.Sprint(c.Rtol), "a relative tolerance in (0, 1)"}
	case c.MaxIt < 1:
		return &FieldError{"maxit", fmt.Sprint(c.MaxIt), "an integer ≥ 1"}
	case !(c.Confidence > 0 && c.Confidence < 1):
		return &FieldError{"confidence", fmt.Sprint(c.Confidence), "a level in (0, 1), e.g. 0.95"}
	case c.Dist == nil:
		return &FieldError{"dist", "none", "a distribution"}
	case c.Dist.Len() > 0 && c.Samples > c.Dist.Len():
		return &FieldError{"samples", fmt.Sprint(c.Samples), fmt.Sprintf("at most the %d values of %s", c.Dist.Len(), c.Dist)}
	case c.Solver != "" && !slices.Contains(Solvers, c.Solver):
		return &FieldError{"solver", c.Solver, "one of " + strings.Join(Solvers, ", ")}
	case c.Solver == "cholesky" && c.Model == "lognormal-field":
		return &FieldError{"solver", c.Solver, "cg or auto with -model lognormal-field: every sample has its own matrix, a factor would serve one sample"}
	case !slices.Contains(Preconditioners, c.PC):
		return &FieldError{"pc", c.PC, "one of " + strings.Join(Preconditioners, ", ")}
	case c.Tol < 0 || math.IsNaN(c.Tol) || math.IsInf(c.Tol, 0):
		return &FieldError{"tol", fmt.Sprint(c.Tol), "a tolerance > 0 (0: a fixed -samples)"}
	case c.Tol > 0 && c.Samples < 2:
		return &FieldError{"samples", fmt.Sprint(c.Samples), "a pilot of at least 2 samples with -tol"}
	case c.Tol > 0 && c.Dist.Len() > 0:
		return &FieldError{"tol", fmt.Sprint(c.Tol), "0 with -dist list: a list has a fixed number of samples"}
	case !slices.Contains(Models, c.Model):
		return &FieldError{"model", c.Model, "one of " + strings.Join(Models, ", ")}
	case c.Model == "lognormal-field" && c.Batch > 1:
		return &FieldError{"batch", fmt.Sprint(c.Batch), "1 with -model lognormal-field: every sample has its own matrix"}
	case c.Model == "lognormal-field" && c.Field.Validate() != nil:
		return &FieldError{"field", fmt.Sprintf("sigma %g, lambda %g, terms %d", c.Field.Sigma, c.Field.Lambda, c.Field.Terms),
			strings.TrimPrefix(c.Field.Validate().Error(), "field: ")}
	case !slices.Contains(FailurePolicies, c.OnFailure):
		return &FieldError{"on-failure", c.OnFailure, "one of " + strings.Join(FailurePolicies, ", ")}
	case c.Batch < 1 || c.Batch > MaxBatch:
		return &FieldError{"batch", fmt.Sprint(c.Batch), fmt.Sprintf("samples per batch in [1, %d]", MaxBatch)}
	}
	return nil
}

// Record is the outcome of one sample.
type Record struct {
	Index      int
	Eps        float64
	QoI        float64
	Iterations int
	Residual   float64
	Seconds    float64
	Rank       int
	Thread     int
	Start      float64 // seconds from the rank's start (after the opening barrier) to the sample's
	Status     int     // StatusOK, or why the sample failed (skipped) or needed a retry
	Journaled  bool    // recovered from a journal (resume), not computed in this run
}

// recordLen is the number of float64 a Record travels as in the gather. Integers up to 2^53
// are exact in float64.
const recordLen = 10

func (r *Record) pack(dst []float64) {
	dst[0], dst[1], dst[2], dst[3] = float64(r.Index), r.Eps, r.QoI, float64(r.Iterations)
	dst[4], dst[5], dst[6], dst[7], dst[8] = r.Residual, r.Seconds, float64(r.Rank), float64(r.Thread), r.Start
	dst[9] = float64(r.Status)
}

func (r *Record) unpack(src []float64) {
	r.Index, r.Eps, r.QoI, r.Iterations = int(src[0]), src[1], src[2], int(src[3])
	r.Residual, r.Seconds, r.Rank, r.Thread, r.Start = src[4], src[5], int(src[6]), int(src[7]), src[8]
	r.Status = int(src[9])
}

// journal returns the record as the journal keeps it: the results, not where or when.
func (r *Record) journal() JournalRecord {
	return JournalRecord{Index: int64(r.Index), Eps: r.Eps, QoI: r.QoI, Residual: r.Residual,
		Iterations: int32(r.Iterations), Status: int32(r.Status)}
}

// fromJournal is a record recovered from a journal.
func fromJournal(j JournalRecord) Record {
	return Record{Index: int(j.Index), Eps: j.Eps, QoI: j.QoI, Residual: j.Residual, Iterations: int(j.Iterations),
		Status: int(j.Status), Rank: -1, Thread: -1, Journaled: true}
}

// JournalFields are the settings that determine every sample's result, as journal headers
// record them: a resume must match them all. (The sample count is not among them: a resumed
// campaign may ask for more samples than the first run.)
func (c Config) JournalFields() map[string]string {
	mesh := fmt.Sprintf("unit square %d", c.Cells)
	if c.Mesh != nil {
		mesh = c.Mesh.Hash()
	}
	model := c.Model
	if model == "lognormal-field" {
		model = fmt.Sprintf("lognormal-field sigma=%g lambda=%g terms=%d", c.Field.Sigma, c.Field.Lambda, c.Field.Terms)
	}
	f := map[string]string{
		"model": model, "mesh": mesh, "dist": c.Dist.Key(), "seed": fmt.Sprint(c.Seed),
		"rtol": fmt.Sprint(c.Rtol), "maxit": fmt.Sprint(c.MaxIt), "pc": c.PC,
	}
	if c.Solver != "" && c.Solver != "cg" { // absent for CG: journals of earlier versions stay valid
		f["solver"] = c.Solver
	}
	return f
}

// Phase names, in the order of the per-rank timing vector.
const (
	PhaseSetup = iota
	PhaseSolve
	PhaseCombine
	numPhases
)

// PhaseNames are the phases' names as reported.
var PhaseNames = [numPhases]string{"setup", "solve", "combine"}

// RankTiming is one rank's time per phase, in seconds, its sample count, threads and host.
type RankTiming struct {
	Rank    int
	Samples int
	Threads int
	Host    string
	Phase   [numPhases]float64
	// Collective holds (start, duration) in seconds from the rank's start of each collective in
	// CollectiveNames (zero if it did not run).
	Collective [numCollectives][2]float64
}

// Result is what rank 0 holds after a campaign; the other ranks get nil.
type Result struct {
	Config  Config
	Ranks   int
	Problem Problem
	Records []Record // in sample order
	Stats   Stats    // from the records, in sample order: bit-identical for every rank count
	Global  Stats    // from the allreduced power sums, as every rank knows them
	Timing  []RankTiming
	Wall    float64 // seconds on rank 0 from the start of set-up to the end of combine
	Checks  []Check
	// Journaled samples were recovered from journals (-resume); Computed ones solved now.
	Journaled, Computed int
	// Rounds of a -tol campaign (one for a fixed N); TotalCost is the work of every sample in
	// the statistics, Σ CG iterations × nonzeros of K: a deterministic cost measure.
	Rounds     []Round
	TotalCost  int64
	duplicates int // records rank 0 received twice or out of range (a bug if ever > 0)
	// With Options.Fields, per mesh node: the mean and standard deviation of u over the
	// samples computed in this run (journals keep QoIs, not fields), and sample 0's u.
	FieldMean, FieldStd, FieldSample0 []float64
	Mesh                              *mesh.Mesh
}

// Problem describes the discrete problem.
type Problem struct {
	Mesh                                        string // "unit square 64×64" or the mesh file
	Cells, Nodes, Triangles, Unknowns, NonZeros int
	// Solver describes what solved the samples ("CG, preconditioner amg" or the Cholesky
	// factor with its size and time); SolverChoice is -solver auto's reason ("" otherwise).
	Solver, SolverChoice string
	Direct               bool   // the samples were solved with the Cholesky factor
	FactorBytes          int64  // memory of the factor per rank (Direct)
	CostUnit             string // what TotalCost counts
}

// Run is the campaign as every rank runs it: build the model once, solve the rank's block of
// the samples still to do with opt.Threads workers, then combine. The samples to do are
// [0, N) less those in opt.Done (recovered from journals by -resume): every rank knows the same
// list, and rank r of P owns its block [r·M/P, (r+1)·M/P). It returns the result on rank 0 and
// nil on the others. A failed sample ends the campaign with an error naming the sample (unless
// cfg.OnFailure says otherwise; a worker's panic comes back as *PanicError); the caller makes
// it end the whole job.
func Run(c spmd.Comm, cfg Config, opt Options) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rank, size := c.Rank(), c.Size()
	tm := RankTiming{Rank: rank, Threads: max(opt.Threads, 1), Host: opt.Host}
	// Start together, so that the ranks' clocks (for the trace) share an origin.
	if err := c.Barrier(); err != nil {
		return nil, err
	}
	t0 := time.Now()

	model, err := NewModel(cfg)
	if err != nil {
		return nil, err
	}
	var jw *JournalWriter
	if opt.JournalDir != "" {
		h := JournalHeader{Format: JournalFormat, Fields: cfg.JournalFields(), Rank: rank, Ranks: size,
			Created: time.Now().UTC().Format(time.RFC3339)}
		if jw, err = CreateJournal(opt.JournalDir, h); err != nil {
			return nil, err
		}
		opt.Journals.add(jw)
	}
	t1 := time.Now()
	tm.Phase[PhaseSetup] = t1.Sub(t0).Seconds()
	span := func(k int, from time.Time) {
		tm.Collective[k] = [2]float64{from.Sub(t0).Seconds(), time.Since(from).Seconds()}
	}

	var fields *fieldSums
	if opt.Fields {
		fields = newFieldSums(model, max(opt.Threads, 1))
	}
	// Rounds: a fixed-N campaign is one round of N samples. With cfg.Tol, the first round is
	// the pilot (cfg.Samples) and each next round extends the samples to the count the
	// statistics so far ask for, until the confidence interval's half-width is at most Tol.
	// Each round ends with one integer allreduce of exact power sums, so every rank, for every
	// rank count, sees the same bits and takes the same decision.
	var (
		mine     []int     // this rank's samples over all rounds, in order
		recs     []float64 // their records
		counts   = make([]int, size)
		global   ExactPowerSums
		computed int
		rounds   []Round
	)
	n, start := cfg.Samples, 0
	for round := 0; ; round++ {
		todo := missingIn(start, n, opt.Done)
		computed += len(todo)
		lo, hi := spmd.Block(len(todo), size, rank)
		mineR := todo[lo:hi]
		recsR := make([]float64, recordLen*len(mineR))
		tb := time.Now()
		err := sampleLoop(rank, mineR, cfg, model, opt, recsR, t0, fields, jw)
		tm.Phase[PhaseSolve] += time.Since(tb).Seconds()
		if err != nil {
			if jw != nil {
				opt.Journals.close(jw)
			}
			return nil, err
		}
		for r := range counts {
			l, h := spmd.Block(len(todo), size, r)
			counts[r] += h - l
		}
		mine, recs = append(mine, mineR...), append(recs, recsR...)
		// This round's exact power sums; rank 0 adds the journaled samples of the round.
		var sums ExactPowerSums
		for k := range mineR {
			if ok(int(recsR[recordLen*k+9])) {
				sums.Add(recsR[recordLen*k+2], model.SampleCost(int(recsR[recordLen*k+3])))
			}
		}
		if rank == 0 {
			for _, d := range opt.Done {
				if int(d.Index) >= start && int(d.Index) < n && ok(int(d.Status)) {
					sums.Add(d.QoI, model.SampleCost(int(d.Iterations)))
				}
			}
		}
		ta := time.Now()
		v := sums.Slice()
		if err := c.AllreduceInt64s(v, v, spmd.Sum); err != nil {
			return nil, err
		}
		span(0, ta)
		tm.Phase[PhaseCombine] += time.Since(ta).Seconds()
		sums.SetSlice(v)
		global.Merge(&sums)
		st := global.Describe(cfg.Confidence)
		rounds = append(rounds, Round{Samples: n, Mean: st.Mean, CIHalf: st.CIHalf})
		next := cfg.nextSamples(n, st, round)
		if next <= n {
			break
		}
		start, n = n, next
	}
	if jw != nil {
		if err := opt.Journals.close(jw); err != nil {
			return nil, fmt.Errorf("journal: %w", err)
		}
	}
	cfg.Samples = n
	t2 := time.Now()
	tm.Samples = len(mine)

	// Combine: the records on rank 0 (the power sums were reduced with each round). Each
	// collective's start and end (from t0) go to the trace.
	tg := time.Now()
	all, err := gatherBlocks(c, recs, recordLen, func(r int) int { return counts[r] })
	if err != nil {
		return nil, err
	}
	span(1, tg)
	var fieldData []float64
	if fields != nil {
		fieldData = fields.total()
		tf := time.Now()
		if err := c.AllreduceFloat64s(fieldData, fieldData, spmd.Sum); err != nil {
			return nil, err
		}
		span(2, tf)
	}
	tm.Phase[PhaseCombine] += time.Since(t2).Seconds()

	// Per-rank timings and host names to rank 0 (after the combine they describe).
	timing, err := gatherBlocks(c, tm.pack(), rankTimingLen, func(int) int { return 1 })
	if err != nil || rank != 0 {
		return nil, err
	}

	res := &Result{Config: cfg, Ranks: size, Wall: time.Since(t0).Seconds(), Journaled: len(opt.Done), Computed: computed,
		Rounds: rounds, TotalCost: global.Cost}
	res.Problem = Problem{Mesh: cfg.MeshName(), Cells: cfg.Cells, Nodes: model.Mesh.NumNodes(), Triangles: model.Mesh.NumTris(),
		Unknowns: model.Sys.K.N, NonZeros: model.Sys.K.NNZ(), Solver: model.Solver.Name(), SolverChoice: model.Solver.Choice(),
		Direct: model.Solver.Direct(), CostUnit: model.Solver.CostUnit(), FactorBytes: model.Solver.FactorBytes()}
	// Every sample in its place: the journaled ones, then the computed ones by their index.
	res.Records = make([]Record, cfg.Samples)
	filled := make([]bool, cfg.Samples)
	res.duplicates = 0
	put := func(r Record) {
		if r.Index < 0 || r.Index >= cfg.Samples || filled[r.Index] {
			res.duplicates++
			return
		}
		filled[r.Index] = true
		res.Records[r.Index] = r
	}
	for _, d := range opt.Done {
		if int(d.Index) < cfg.Samples {
			put(fromJournal(d))
		}
	}
	for k := range len(all) / recordLen {
		var r Record
		r.unpack(all[recordLen*k:])
		put(r)
	}
	for i, f := range filled {
		if !f {
			res.Records[i] = Record{Index: -1} // caught by the sample-indices check
		}
	}
	var qois []float64
	for _, r := range res.Records {
		if ok(r.Status) {
			qois = append(qois, r.QoI)
		}
	}
	res.Timing = make([]RankTiming, size)
	for r := range res.Timing {
		res.Timing[r].Rank = r
		res.Timing[r].unpack(timing[rankTimingLen*r:])
	}
	res.Stats = DescribeOrdered(qois, cfg.Confidence)
	res.Global = global.Describe(cfg.Confidence)
	res.Checks = res.check()
	if fields != nil {
		res.Mesh = model.Mesh
		res.FieldMean, res.FieldStd = fields.meanStd(fieldData, len(qois)-countDone(opt.Done))
		res.FieldSample0 = fields.sample0
	}
	return res, nil
}

// missing returns the indices in [0, n) that done does not hold, in order.
func missing(n int, done []JournalRecord) []int { return missingIn(0, n, done) }

// missingIn returns the indices in [lo, hi) that done does not hold, in order.
func missingIn(lo, hi int, done []JournalRecord) []int {
	have := make([]bool, hi-lo)
	for _, d := range done {
		if int(d.Index) >= lo && int(d.Index) < hi {
			have[int(d.Index)-lo] = true
		}
	}
	todo := make([]int, 0, hi-lo)
	for i, h := range have {
		if !h {
			todo = append(todo, lo+i)
		}
	}
	return todo
}

// countDone counts the journaled samples that are in the statistics.
func countDone(done []JournalRecord) int {
	n := 0
	for _, d := range done {
		if ok(int(d.Status)) {
			n++
		}
	}
	return n
}

// gatherBlocks gathers every rank's src of items(r)·width values on rank 0, in rank order;
// other ranks get nil.
func gatherBlocks(c spmd.Comm, src []float64, width int, items func(r int) int) ([]float64, error) {
	var counts []int
	var dst []float64
	if c.Rank() == 0 {
		counts = make([]int, c.Size())
		total := 0
		for r := range counts {
			counts[r] = width * items(r)
			total += counts[r]
		}
		dst = make([]float64, total)
	}
	return dst, c.GathervFloat64s(dst, src, counts, 0)
}

// hostLen is the number of bytes of a host name the report keeps.
const hostLen = 64

// CollectiveNames name the collectives of the combine phase, in RankTiming.Collective's order.
var CollectiveNames = [numCollectives]string{"allreduce power sums", "gather records", "allreduce fields"}

const numCollectives = 3

// rankTimingLen is the number of float64 a RankTiming travels as: samples, threads, the phase
// times, the collectives' (start, duration), then the host name one byte per value.
const rankTimingLen = 2 + numPhases + 2*numCollectives + hostLen

func (t *RankTiming) pack() []float64 {
	v := make([]float64, rankTimingLen)
	v[0], v[1] = float64(t.Samples), float64(t.Threads)
	copy(v[2:], t.Phase[:])
	for k, c := range t.Collective {
		v[2+numPhases+2*k], v[2+numPhases+2*k+1] = c[0], c[1]
	}
	for i := 0; i < len(t.Host) && i < hostLen; i++ {
		v[2+numPhases+2*numCollectives+i] = float64(t.Host[i])
	}
	return v
}

func (t *RankTiming) unpack(v []float64) {
	t.Samples, t.Threads = int(v[0]), int(v[1])
	copy(t.Phase[:], v[2:2+numPhases])
	for k := range t.Collective {
		t.Collective[k] = [2]float64{v[2+numPhases+2*k], v[2+numPhases+2*k+1]}
	}
	host := make([]byte, 0, hostLen)
	for _, b := range v[2+numPhases+2*numCollectives : rankTimingLen] {
		if b == 0 {
			break
		}
		host = append(host, byte(b))
	}
	t.Host = string(host)
}
