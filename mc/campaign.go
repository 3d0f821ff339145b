package mc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"mcfem/spmd"
)

var nan = math.NaN()

// Config holds what a campaign computes. Every field determines the results, and nothing else
// does: not the rank count, not the backend.
type Config struct {
	Samples    int     // N, the number of samples
	Cells      int     // mesh: cells per side of the unit square
	Seed       uint64  // key of the random streams
	Rtol       float64 // CG relative residual tolerance
	MaxIt      int     // CG iteration cap
	Confidence float64 // level of the confidence interval of the mean
	Dist       Dist    // distribution of ε
}

// DefaultConfig is the seed's campaign.
func DefaultConfig() Config {
	return Config{Samples: 1000, Cells: 64, Seed: 1, Rtol: 1e-8, MaxIt: 10000, Confidence: 0.95, Dist: Beta{2, 6}}
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

// maxCells keeps the mesh's node count, (cells+1)², within int32 indices.
const maxCells = 46339

// Validate checks every field; it returns the first *FieldError.
func (c Config) Validate() error {
	switch {
	case c.Samples < 1:
		return &FieldError{"samples", fmt.Sprint(c.Samples), "an integer ≥ 1"}
	case c.Cells < 1 || c.Cells > maxCells:
		return &FieldError{"mesh", fmt.Sprint(c.Cells), fmt.Sprintf("cells per side in [1, %d]", maxCells)}
	case !(c.Rtol > 0 && c.Rtol < 1):
		return &FieldError{"rtol", fmt.Sprint(c.Rtol), "a relative tolerance in (0, 1)"}
	case c.MaxIt < 1:
		return &FieldError{"maxit", fmt.Sprint(c.MaxIt), "an integer ≥ 1"}
	case !(c.Confidence > 0 && c.Confidence < 1):
		return &FieldError{"confidence", fmt.Sprint(c.Confidence), "a level in (0, 1), e.g. 0.95"}
	case c.Dist == nil:
		return &FieldError{"dist", "none", "a distribution"}
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
}

// recordLen is the number of float64 a Record travels as in the gather. Integers up to 2^53
// are exact in float64.
const recordLen = 7

func (r *Record) pack(dst []float64) {
	dst[0], dst[1], dst[2] = float64(r.Index), r.Eps, r.QoI
	dst[3], dst[4], dst[5], dst[6] = float64(r.Iterations), r.Residual, r.Seconds, float64(r.Rank)
}

func (r *Record) unpack(src []float64) {
	r.Index, r.Eps, r.QoI = int(src[0]), src[1], src[2]
	r.Iterations, r.Residual, r.Seconds, r.Rank = int(src[3]), src[4], src[5], int(src[6])
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

// RankTiming is one rank's time per phase, in seconds, and its sample count.
type RankTiming struct {
	Rank    int
	Samples int
	Phase   [numPhases]float64
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
}

// Problem describes the discrete problem.
type Problem struct {
	Cells, Nodes, Triangles, Unknowns, NonZeros int
}

// Run is the campaign as every rank runs it: build the model once, solve the rank's block
// [r·N/P, (r+1)·N/P) of samples, then combine. It returns the result on rank 0 and nil on the
// others. A failed sample ends the campaign with an error naming the sample; the caller makes
// it end the whole job.
func Run(c spmd.Comm, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rank, size := c.Rank(), c.Size()
	var tm RankTiming
	tm.Rank = rank
	t0 := time.Now()

	model, err := NewModel(cfg.Cells, cfg.Rtol, cfg.MaxIt)
	if err != nil {
		return nil, err
	}
	solver := model.NewSolver()
	src := rand.NewPCG(0, 0)
	lo, hi := spmd.Block(cfg.Samples, size, rank)
	recs := make([]float64, recordLen*(hi-lo))
	var sums PowerSums
	t1 := time.Now()
	tm.Phase[PhaseSetup] = t1.Sub(t0).Seconds()

	for i := lo; i < hi; i++ {
		ts := time.Now()
		SeedSample(src, cfg.Seed, 0, uint64(i))
		eps := cfg.Dist.Rand(src)
		q, res, err := solver.Solve(eps)
		if err != nil {
			return nil, fmt.Errorf("sample %d (eps=%g): %w", i, eps, err)
		}
		r := Record{Index: i, Eps: eps, QoI: q, Iterations: res.Iterations, Residual: res.Residual,
			Seconds: time.Since(ts).Seconds(), Rank: rank}
		r.pack(recs[recordLen*(i-lo):])
		sums.Add(q)
	}
	t2 := time.Now()
	tm.Phase[PhaseSolve] = t2.Sub(t1).Seconds()
	tm.Samples = hi - lo

	// Combine: one allreduce of the power sums, then the records in sample order on rank 0.
	global := sums.Slice()
	if err := c.AllreduceFloat64s(global, global, spmd.Sum); err != nil {
		return nil, err
	}
	var counts []int
	var all []float64
	if rank == 0 {
		counts = make([]int, size)
		for r := range counts {
			l, h := spmd.Block(cfg.Samples, size, r)
			counts[r] = recordLen * (h - l)
		}
		all = make([]float64, recordLen*cfg.Samples)
	}
	if err := c.GathervFloat64s(all, recs, counts, 0); err != nil {
		return nil, err
	}
	tm.Phase[PhaseCombine] = time.Since(t2).Seconds()

	// Per-rank timings to rank 0 (after the combine they describe).
	mine := make([]float64, 1+numPhases)
	mine[0] = float64(tm.Samples)
	copy(mine[1:], tm.Phase[:])
	var timing []float64
	var tcounts []int
	if rank == 0 {
		timing = make([]float64, len(mine)*size)
		tcounts = make([]int, size)
		for r := range tcounts {
			tcounts[r] = len(mine)
		}
	}
	if err := c.GathervFloat64s(timing, mine, tcounts, 0); err != nil {
		return nil, err
	}
	if rank != 0 {
		return nil, nil
	}

	res := &Result{Config: cfg, Ranks: size, Wall: time.Since(t0).Seconds()}
	res.Problem = Problem{Cells: cfg.Cells, Nodes: model.Mesh.NumNodes(), Triangles: model.Mesh.NumTris(),
		Unknowns: model.Sys.K.N, NonZeros: model.Sys.K.NNZ()}
	res.Records = make([]Record, cfg.Samples)
	qois := make([]float64, cfg.Samples)
	for i := range res.Records {
		res.Records[i].unpack(all[recordLen*i:])
		qois[i] = res.Records[i].QoI
	}
	res.Timing = make([]RankTiming, size)
	for r := range res.Timing {
		v := timing[len(mine)*r:]
		res.Timing[r] = RankTiming{Rank: r, Samples: int(v[0])}
		copy(res.Timing[r].Phase[:], v[1:len(mine)])
	}
	res.Stats = DescribeOrdered(qois, cfg.Confidence)
	var gs PowerSums
	gs.SetSlice(global)
	res.Global = Describe(&gs, cfg.Confidence)
	res.Checks = res.check()
	return res, nil
}
