package mc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"mcfem/spmd"
)

// MLMCConfig is a multilevel Monte Carlo campaign: level l solves on the mesh of
// Base.Cells·2^l cells per side; the estimate is Σ_l E[Y_l] with Y_0 = Q_0 and
// Y_l = Q_l − Q_{l−1}, both solved with the same input (coupled samples).
type MLMCConfig struct {
	Base      Config  // mesh of level 0, seed, distribution, solver, confidence
	Tol       float64 // target: |estimate − E[Q]| ≤ Tol at the confidence level (sampling and bias each ≤ Tol/√2)
	Levels    int     // levels to start with (≥ 2)
	MaxLevels int     // never more levels than this
	Pilot     int     // samples of a new level's first round
}

// DefaultMLMCConfig is a campaign on the reference problem from an 8×8 mesh.
func DefaultMLMCConfig() MLMCConfig {
	b := DefaultConfig()
	b.Cells, b.PC = 8, "amg"
	return MLMCConfig{Base: b, Tol: 5e-3, Levels: 3, MaxLevels: 8, Pilot: 200}
}

// Validate checks the fields (errors name them by their flags).
func (m MLMCConfig) Validate() error {
	b := m.Base
	b.Samples = max(m.Pilot, 2)
	if err := b.Validate(); err != nil {
		return err
	}
	switch {
	case !(m.Tol > 0) || math.IsInf(m.Tol, 0):
		return &FieldError{"tol", fmt.Sprint(m.Tol), "a tolerance > 0"}
	case m.MaxLevels < 2 || m.MaxLevels > 20 || b.Cells<<(m.MaxLevels-1) > maxCells:
		return &FieldError{"max-levels", fmt.Sprint(m.MaxLevels), fmt.Sprintf("in [2, 20] with -mesh·2^(levels−1) ≤ %d", maxCells)}
	case m.Levels < 2 || m.Levels > m.MaxLevels:
		return &FieldError{"levels", fmt.Sprint(m.Levels), fmt.Sprintf("in [2, -max-levels=%d]", m.MaxLevels)}
	case m.Pilot < 10:
		return &FieldError{"pilot", fmt.Sprint(m.Pilot), "at least 10 samples per new level"}
	case b.Dist.Len() > 0:
		return &FieldError{"dist", b.Dist.String(), "a random distribution (a list has no levels)"}
	}
	return nil
}

// Level is one level's state: the exact sums of Y_l (and of Q_l) over its samples, and cost.
type Level struct {
	Level, Cells int
	Y, Q         ExactPowerSums // Cost in Y: both solves of the coupled sample; in Q: the fine solve alone
}

// LevelStats are a level's statistics as reported.
type LevelStats struct {
	Level         int     `json:"level"`
	Cells         int     `json:"cells"`
	N             int64   `json:"samples"`
	MeanY         float64 `json:"mean_y"`
	VarY          float64 `json:"var_y"`
	KurtY         float64 `json:"kurtosis_y"`
	MeanQ         float64 `json:"mean_q"`
	VarQ          float64 `json:"var_q"`
	Cost          int64   `json:"cost"`
	CostPerSample float64 `json:"cost_per_sample"`
	// CostQ is the mean cost of one solve on this level alone (what plain MC pays per sample).
	CostQ float64 `json:"cost_per_solve"`
}

// MLMCResult is what every rank holds after a campaign (the decisions are identical on all).
type MLMCResult struct {
	Config       MLMCConfig
	Ranks        int
	Levels       []LevelStats
	Mean         float64 // Σ_l mean(Y_l)
	SamplingErr  float64 // z·√(Σ V_l/N_l)
	BiasEstimate float64 // |E[Y_L]|/(2^α − 1)
	Alpha, Beta  float64 // fitted rates of |E Y_l| and V_l against 2^−l
	Gamma        float64 // fitted rate of the cost per sample against 2^l
	TotalCost    int64
	Rounds       int
	Wall         float64
	Exact        float64 // the continuum E[6ε] of the reference problem
}

// levelStream is the random stream of level l's samples: (seed, l+1, index); stream 0 is
// plain Monte Carlo's.
func levelStream(l int) uint64 { return uint64(l) + 1 }

// RunMLMC runs Giles' algorithm: pilot rounds on the first levels; after every round one
// integer allreduce of exact sums gives every rank the same V_l, C_l and so the same optimal
// N_l = ⌈(z√2/Tol)² √(V_l/C_l) Σ_k √(V_k C_k)⌉; when no level needs more samples and the bias
// estimate exceeds Tol/√2, a level is added. The cost is a work measure (CG iterations ×
// nonzeros), never wall time, so the decisions are the same for every P and backend.
func RunMLMC(c spmd.Comm, mcfg MLMCConfig, opt Options) (*MLMCResult, error) {
	if err := mcfg.Validate(); err != nil {
		return nil, err
	}
	t0 := time.Now()
	rank, size := c.Rank(), c.Size()
	base := mcfg.Base
	z := distuv.Normal{Mu: 0, Sigma: 1}.Quantile(0.5 + base.Confidence/2)
	models := map[int]*Model{}
	model := func(l int) (*Model, error) {
		if m, ok := models[l]; ok {
			return m, nil
		}
		cfg := base
		cfg.Cells = base.Cells << l
		cfg.Batch = 1
		m, err := NewModel(cfg)
		models[l] = m
		return m, err
	}
	var levels []*Level
	addLevel := func() {
		l := len(levels)
		levels = append(levels, &Level{Level: l, Cells: base.Cells << l})
	}
	for range mcfg.Levels {
		addLevel()
	}
	dN := make([]int64, len(levels))
	for l := range dN {
		dN[l] = int64(mcfg.Pilot)
	}
	res := &MLMCResult{Config: mcfg, Ranks: size, Exact: base.ExactStats().Mean} // NaN for the field model
	src := rand.NewPCG(0, 0)
	for round := 1; ; round++ {
		res.Rounds = round
		// Solve the new samples of every level: level l's indices [N_l, N_l+dN_l), split by block.
		local := make([]Level, len(levels))
		for l, lv := range levels {
			if dN[l] == 0 {
				continue
			}
			lo, hi := spmd.Block(int(dN[l]), size, rank)
			fine, err := model(l)
			if err != nil {
				return nil, err
			}
			var coarse *Model
			if l > 0 {
				if coarse, err = model(l - 1); err != nil {
					return nil, err
				}
			}
			sf := fine.NewSolver()
			var sc *Solver
			if coarse != nil {
				sc = coarse.NewSolver()
			}
			for k := lo; k < hi; k++ {
				i := uint64(lv.Y.N) + uint64(k)
				SeedSample(src, base.Seed, levelStream(l), i)
				eps := base.Dist.Draw(int(i), src)
				sf.DrawField(src)
				if sc != nil {
					sc.SetField(sf)
				}
				qf, rf, err := sf.Solve(eps)
				if err != nil {
					return nil, fmt.Errorf("level %d sample %d (eps=%g): %w", l, i, eps, err)
				}
				cost := int64(rf.Iterations) * int64(fine.Sys.K.NNZ())
				fineCost := cost
				y := qf
				if sc != nil {
					qc, rc, err := sc.Solve(eps)
					if err != nil {
						return nil, fmt.Errorf("level %d sample %d, coarse mesh (eps=%g): %w", l, i, eps, err)
					}
					cost += int64(rc.Iterations) * int64(coarse.Sys.K.NNZ())
					y = qf - qc
				}
				local[l].Y.Add(y, cost)
				local[l].Q.Add(qf, fineCost)
			}
			if opt.Progress != nil {
				opt.Progress(hi - lo)
			}
		}
		// One allreduce for all levels.
		var v []int64
		for l := range local {
			v = append(v, local[l].Y.Slice()...)
			v = append(v, local[l].Q.Slice()...)
		}
		if err := c.AllreduceInt64s(v, v, spmd.Sum); err != nil {
			return nil, err
		}
		w := len(v) / (2 * len(local))
		for l, lv := range levels {
			var y, q ExactPowerSums
			y.SetSlice(v[2*l*w : (2*l+1)*w])
			q.SetSlice(v[(2*l+1)*w : (2*l+2)*w])
			lv.Y.Merge(&y)
			lv.Q.Merge(&q)
		}
		res.fill(levels, z)
		// Decide: the optimal N_l for the sampling error Tol/√2.
		target := mcfg.Tol / math.Sqrt2
		var sum float64
		for _, ls := range res.Levels {
			sum += math.Sqrt(ls.VarY * ls.CostPerSample)
		}
		more := false
		for l, ls := range res.Levels {
			nOpt := math.Ceil((z / target) * (z / target) * math.Sqrt(ls.VarY/ls.CostPerSample) * sum)
			dN[l] = max(0, int64(nOpt)-ls.N)
			more = more || dN[l] > 0
		}
		if more {
			continue
		}
		if res.BiasEstimate <= target || len(levels) == mcfg.MaxLevels {
			break
		}
		addLevel()
		dN = append(dN, int64(mcfg.Pilot))
	}
	res.Wall = time.Since(t0).Seconds()
	return res, nil
}

// fill computes the per-level statistics, the estimate, its errors and the fitted rates.
func (r *MLMCResult) fill(levels []*Level, z float64) {
	r.Levels = r.Levels[:0]
	r.Mean, r.TotalCost = 0, 0
	var sampVar float64
	for _, lv := range levels {
		y := lv.Y.Describe(0.95)
		q := lv.Q.Describe(0.95)
		ls := LevelStats{Level: lv.Level, Cells: lv.Cells, N: lv.Y.N, MeanY: y.Mean, VarY: y.Variance,
			KurtY: y.ExKurtosis + 3, MeanQ: q.Mean, VarQ: q.Variance, Cost: lv.Y.Cost}
		ls.CostPerSample = float64(ls.Cost) / float64(max(ls.N, 1))
		ls.CostQ = float64(lv.Q.Cost) / float64(max(ls.N, 1))
		r.Levels = append(r.Levels, ls)
		r.Mean += y.Mean
		r.TotalCost += ls.Cost
		sampVar += y.Variance / float64(ls.N)
	}
	r.SamplingErr = z * math.Sqrt(sampVar)
	// Rates from the levels l ≥ 1 (level 0's Y is Q_0 itself): least squares of log2.
	fit := func(f func(LevelStats) float64) float64 {
		var sx, sy, sxx, sxy, n float64
		for _, ls := range r.Levels[1:] {
			v := f(ls)
			if !(v > 0) {
				continue
			}
			x, y := float64(ls.Level), math.Log2(v)
			sx, sy, sxx, sxy, n = sx+x, sy+y, sxx+x*x, sxy+x*y, n+1
		}
		if n < 2 {
			return math.NaN()
		}
		return (n*sxy - sx*sy) / (n*sxx - sx*sx)
	}
	r.Alpha = -fit(func(ls LevelStats) float64 { return math.Abs(ls.MeanY) })
	r.Beta = -fit(func(ls LevelStats) float64 { return ls.VarY })
	r.Gamma = fit(func(ls LevelStats) float64 { return ls.CostPerSample })
	last := r.Levels[len(r.Levels)-1]
	alpha := r.Alpha
	if !(alpha > 0.5) {
		alpha = 0.5 // a pessimistic floor when the fit is poor
	}
	r.BiasEstimate = math.Abs(last.MeanY) / (math.Exp2(alpha) - 1)
}
