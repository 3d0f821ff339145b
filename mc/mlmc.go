package mc

import (
	"fmt"
	"math"
	"time"

	"mcfem/detmath"
	"mcfem/internal/setting"
	"mcfem/problem"
	"mcfem/solver"
	"mcfem/spmd"
	"mcfem/stats"
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

// DefaultMLMCConfig is a campaign on the reference problem from an 8×8 mesh, AMG-CG.
func DefaultMLMCConfig() MLMCConfig {
	b := DefaultConfig()
	b.Problem.Cells, b.Solver.PC = 8, "amg"
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
		return setting.Invalid("tol", fmt.Sprint(m.Tol), "a tolerance > 0")
	case b.Problem.Mesh != nil:
		return setting.Invalid("mdpa", b.Problem.MeshFile, "the structured mesh: the levels refine it")
	case m.MaxLevels < 2 || m.MaxLevels > 20 || b.Problem.Cells<<(m.MaxLevels-1) > problem.MaxCells:
		return setting.Invalid("max-levels", fmt.Sprint(m.MaxLevels), fmt.Sprintf("in [2, 20] with -mesh·2^(levels−1) ≤ %d", problem.MaxCells))
	case m.Levels < 2 || m.Levels > m.MaxLevels:
		return setting.Invalid("levels", fmt.Sprint(m.Levels), fmt.Sprintf("in [2, -max-levels=%d]", m.MaxLevels))
	case m.Pilot < 10:
		return setting.Invalid("pilot", fmt.Sprint(m.Pilot), "at least 10 samples per new level")
	case b.Problem.ListLen() > 0:
		return setting.Invalid("dist", b.Problem.Inputs(), "random inputs (a list has no levels)")
	case int64(m.Levels)*int64(m.Pilot) > int64(b.MaxSamples):
		return setting.Invalid("pilot", fmt.Sprint(m.Pilot), fmt.Sprintf("at most -max-samples/-levels = %d: the first round's pilots must fit the sample budget", b.MaxSamples/m.Levels))
	}
	return nil
}

// Level is one level's state: the exact sums of Y_l (and of Q_l) over its samples, and cost.
type Level struct {
	Level, Cells int
	Y, Q         stats.ExactPowerSums // Cost in Y: both solves of the coupled sample; in Q: the fine solve alone
	next         int                  // the index of the level's next sample
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
	Exact        float64 // the problem's exact mean of the QoI (NaN when unknown)
	z            float64 // the normal quantile of the confidence level
	// Unmet says why the campaign stopped before its tolerance ("" when it met it): the sample
	// budget Base.MaxSamples (over all levels), -max-levels or the memory with the bias still
	// too large.
	Unmet string
	// Solvers name what solved each level's systems (solver.Solver's Name, with -solver auto's
	// reason), in level order.
	Solvers []string
}

// levelStream is the random stream of level l's samples: (seed, l+1, index); stream 0 is
// plain Monte Carlo's.
func levelStream(l int) uint64 { return uint64(l) + 1 }

// RunMLMC runs Giles' algorithm: pilot rounds on the first levels; after every round one
// integer allreduce of exact sums gives every rank the same V_l, C_l and so the same optimal
// N_l = ⌈(z√2/Tol)² √(V_l/C_l) Σ_k √(V_k C_k)⌉; when no level needs more samples and the bias
// estimate exceeds Tol/√2, a level is added. The cost is a work measure (solver iterations ×
// nonzeros), never wall time, so the decisions are the same for every P and backend. Every
// level's samples run through the campaign's sample pipeline (threads, batches, failure
// policy), level l's sample i drawn from the stream (seed, l+1, i).
func RunMLMC(c spmd.Comm, mcfg MLMCConfig, opt Options) (*MLMCResult, error) {
	if err := mcfg.Validate(); err != nil {
		return nil, err
	}
	t0 := time.Now()
	base := mcfg.Base
	z := detmath.NormalQuantile(0.5 + float64(base.Confidence/2))
	hier := &hierarchy{base: base}
	var levels []*Level
	addLevel := func() {
		l := len(levels)
		levels = append(levels, &Level{Level: l, Cells: base.Problem.Cells << l})
	}
	for range mcfg.Levels {
		addLevel()
	}
	dN := make([]int64, len(levels))
	for l := range dN {
		dN[l] = int64(mcfg.Pilot)
	}
	res := &MLMCResult{Config: mcfg, Ranks: c.Size(), Exact: math.NaN()}
	budgetHit := false // the last round was cut to the sample budget
	for round := 1; ; round++ {
		if !fitBudget(levels, dN, base.MaxSamples) {
			budgetHit = true
			levels, dN = levels[:len(res.Levels)], dN[:len(res.Levels)] // a new level's pilot does not fit: drop it
			if sum(dN) == 0 {
				break
			}
		}
		res.Rounds = round
		sums, err := res.solveRound(c, hier, levels, dN, t0, opt)
		if err != nil {
			return nil, err
		}
		for l, lv := range levels {
			lv.Y.Merge(&sums[2*l])
			lv.Q.Merge(&sums[2*l+1])
			lv.next += int(dN[l])
		}
		res.fill(levels, z)
		if budgetHit {
			break
		}
		if !res.decide(dN, mcfg.Tol) {
			grow, err := res.newLevel(c, opt, len(levels))
			if err != nil {
				return nil, err
			}
			if !grow {
				break
			}
			addLevel()
			dN = append(dN, int64(mcfg.Pilot))
		}
	}
	if budgetHit {
		res.budgetUnmet()
	}
	for _, s := range hier.solvers {
		name := s.Name()
		if ch := s.Choice(); ch != "" {
			name += " (" + ch + ")"
		}
		res.Solvers = append(res.Solvers, name)
	}
	res.Wall = time.Since(t0).Seconds()
	return res, nil
}

// solveRound solves the round's new samples of every level — level l's indices [next_l,
// next_l+dN_l), by block — and returns their power sums (Y and Q of each level), allreduced.
func (res *MLMCResult) solveRound(c spmd.Comm, hier *hierarchy, levels []*Level, dN []int64, t0 time.Time, opt Options) ([]stats.ExactPowerSums, error) {
	sums := make([]stats.ExactPowerSums, 2*len(levels))
	for l, lv := range levels {
		if dN[l] == 0 {
			continue
		}
		pl, err := hier.pipeline(l, c.Rank(), t0, opt)
		if err != nil {
			return nil, err
		}
		if l == 0 {
			// The exact mean describes the first QoI.
			if e, ok := pl.ev.problem().Exact(); ok && res.Config.Base.Problem.QoIIndex(res.Config.Base.TolQoI) == 0 {
				res.Exact = e.Mean
			}
		}
		lo, hi := spmd.Block(int(dN[l]), c.Size(), c.Rank())
		s, err := pl.runRange(lv.next+lo, hi-lo, 1, 2, nil)
		if err != nil {
			return nil, err
		}
		sums[2*l], sums[2*l+1] = s[0], s[1]
	}
	if err := allreduceSums(c, sums); err != nil { // one allreduce for all levels
		return nil, err
	}
	return sums, nil
}

// newLevel decides, once the levels' sampling error meets the tolerance, whether the bias
// asks for level n (the levels are 0..n-1): no when the bias estimate meets tol/√2, or when
// -max-levels or the memory forbids it (Unmet then says why).
func (res *MLMCResult) newLevel(c spmd.Comm, opt Options, n int) (bool, error) {
	mcfg := res.Config
	target := mcfg.Tol / math.Sqrt2
	if res.BiasEstimate <= target {
		return false, nil
	}
	if n == mcfg.MaxLevels {
		res.Unmet = fmt.Sprintf("-max-levels %d reached: the bias estimate %.3g is above tol/√2 = %.3g", mcfg.MaxLevels, res.BiasEstimate, target)
		return false, nil
	}
	fits, err := levelFits(c, opt, n+1)
	if err != nil || fits {
		return fits, err
	}
	cells := mcfg.Base.Problem.Cells << n
	res.Unmet = fmt.Sprintf("the memory: level %d (%d×%d cells) does not fit beside the others; the bias estimate %.3g is above tol/√2 = %.3g",
		n, cells, cells, res.BiasEstimate, target)
	return false, nil
}

// budgetUnmet sets Unmet when the sample budget ended the campaign before the tolerance.
func (res *MLMCResult) budgetUnmet() {
	target := res.Config.Tol / math.Sqrt2
	if res.SamplingErr <= target && res.BiasEstimate <= target {
		return
	}
	var n int64
	for _, ls := range res.Levels {
		n += ls.N
	}
	res.Unmet = fmt.Sprintf("-max-samples %d reached (%d samples on %d levels) with the sampling error %.3g and the bias estimate %.3g against tol/√2 = %.3g each",
		res.Config.Base.MaxSamples, n, len(res.Levels), res.SamplingErr, res.BiasEstimate, target)
}

// levelFits asks opt.LevelsFit whether levels levels fit the memory and agrees on the answer
// over the ranks (one integer allreduce: any rank's no is everyone's). Without LevelsFit
// they fit.
func levelFits(c spmd.Comm, opt Options, levels int) (bool, error) {
	v := []int64{1}
	if opt.LevelsFit != nil && !opt.LevelsFit(levels) {
		v[0] = 0
	}
	if err := c.AllreduceInt64s(v, v, spmd.Min); err != nil {
		return false, err
	}
	return v[0] == 1, nil
}

// fitBudget fits the round's new samples dN (per level) into the sample budget over all
// levels. It reports whether they fit as asked; if not, the levels already run get dN scaled
// down in proportion (rounded down) so that the round fills the budget, and a level not yet run
// (a new level's pilot) gets 0.
func fitBudget(levels []*Level, dN []int64, budget int) bool {
	var done, ask int64
	for l, lv := range levels {
		done += int64(lv.next)
		ask += dN[l]
	}
	if done+ask <= int64(budget) {
		return true
	}
	left := max(int64(budget)-done, 0)
	for l, lv := range levels {
		if lv.next == 0 {
			dN[l] = 0
			continue
		}
		dN[l] = int64(float64(dN[l]) * float64(left) / float64(ask))
	}
	return false
}

// sum is the sum of v.
func sum(v []int64) int64 {
	var s int64
	for _, x := range v {
		s += x
	}
	return s
}

// decide sets dN to the samples every level still needs for the sampling error tol/√2 (the
// optimal N_l of the current variances and costs) and reports whether any does.
func (r *MLMCResult) decide(dN []int64, tol float64) bool {
	target := tol / math.Sqrt2
	var sum float64
	for _, ls := range r.Levels {
		sum += math.Sqrt(ls.VarY * ls.CostPerSample)
	}
	more := false
	for l, ls := range r.Levels {
		nOpt := math.Ceil((r.z / target) * (r.z / target) * math.Sqrt(ls.VarY/ls.CostPerSample) * sum)
		switch {
		case math.IsNaN(nOpt): // no variance or cost known: nothing to ask
			nOpt = 0
		case nOpt > 1<<40: // far beyond any budget (MaxSampleCount): keeps the int64 sums exact
			nOpt = 1 << 40
		}
		dN[l] = max(0, int64(nOpt)-ls.N)
		more = more || dN[l] > 0
	}
	return more
}

// hierarchy sets up the problems and solvers of the levels once, as they are first needed.
type hierarchy struct {
	base    Config
	probs   []problem.Problem
	solvers []solver.Solver
}

// level returns level l's problem and solver, setting them up on first use.
func (h *hierarchy) level(l int) (problem.Problem, solver.Solver, error) {
	for len(h.probs) <= l {
		k := len(h.probs)
		spec := h.base.Problem
		spec.Cells = h.base.Problem.Cells << k
		p, err := problem.New(spec)
		if err != nil {
			return nil, nil, err
		}
		sopt := h.base.Solver
		sopt.Samples = h.base.Samples // the pilot: auto's choice per level depends on nothing else that varies
		s, err := solver.New(p.System().K, sopt, p.Varying())
		if err != nil {
			return nil, nil, err
		}
		h.probs, h.solvers = append(h.probs, p), append(h.solvers, s)
	}
	return h.probs[l], h.solvers[l], nil
}

// pipeline returns the sample pipeline of level l: the fine solve on level l's mesh, the
// coarse one on level l−1's.
func (h *hierarchy) pipeline(l, rank int, t0 time.Time, opt Options) (*pipeline, error) {
	batch := h.base.Batch()
	p, s, err := h.level(l)
	if err != nil {
		return nil, err
	}
	ev := &level{l: l, q: h.base.Problem.QoIIndex(h.base.TolQoI), fine: &single{p: p, s: s, batch: batch}}
	if l > 0 {
		pc, sc, err := h.level(l - 1)
		if err != nil {
			return nil, err
		}
		ev.coarse = &single{p: pc, s: sc, batch: batch}
	}
	return &pipeline{ev: ev, seed: h.base.Seed, stream: levelStream(l), batch: batch, onFailure: h.base.OnFailure,
		maxit: h.base.Solver.MaxIt, rank: rank, t0: t0, opt: opt}, nil
}

// fill computes the per-level statistics, the estimate, its errors and the fitted rates.
func (r *MLMCResult) fill(levels []*Level, z float64) {
	r.z = z
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
		var xs, ys []float64
		for _, ls := range r.Levels[1:] {
			if v := f(ls); v > 0 {
				xs, ys = append(xs, float64(ls.Level)), append(ys, detmath.Log2(v))
			}
		}
		return slope(xs, ys)
	}
	r.Alpha = -fit(func(ls LevelStats) float64 { return math.Abs(ls.MeanY) })
	r.Beta = -fit(func(ls LevelStats) float64 { return ls.VarY })
	r.Gamma = fit(func(ls LevelStats) float64 { return ls.CostPerSample })
	alpha := r.Alpha
	if !(alpha > 0.5) {
		alpha = 0.5 // a pessimistic floor when the fit is poor
	}
	r.BiasEstimate = biasEstimate(r.Levels, alpha)
}

// biasEstimate is the estimated bias |E[Q − Q_L]| of the finest level L: with the weak error
// falling as 2^-αl, |E Y_{L+1}| + |E Y_{L+2}| + … = |E Y_L|/(2^α − 1). |E Y_L| is the larger of
// the finest level's |mean Y_L| and the level below's extrapolated one, |mean Y_{L−1}|/2^α
// (Giles, "Multilevel Monte Carlo methods", Acta Numerica 24 (2015), §3's algorithm, and his
// mlmc.m), so that a finest level whose few samples happen to give a small mean does not end
// the campaign a level early.
func biasEstimate(levels []LevelStats, alpha float64) float64 {
	last := levels[len(levels)-1]
	y := math.Abs(last.MeanY)
	if len(levels) >= 3 { // level 0's Y is Q_0 itself: no difference to extrapolate from
		y = math.Max(y, math.Abs(levels[len(levels)-2].MeanY)/detmath.Exp2(alpha))
	}
	return y / (detmath.Exp2(alpha) - 1)
}

// slope is the least-squares slope of y against x,
//
//	(n Σxy − Σx Σy) / (n Σx² − (Σx)²),
//
// NaN with fewer than two points. (gonum's stat.LinearRegression centres the data first: the
// same slope, not the same bits, and the multilevel goldens keep these.) Every product is
// rounded before it is summed, so the bits do not depend on the build.
func slope(x, y []float64) float64 {
	var sx, sy, sxx, sxy float64
	for i := range x {
		sx, sy = sx+x[i], sy+y[i]
		sxx, sxy = sxx+float64(x[i]*x[i]), sxy+float64(x[i]*y[i])
	}
	n := float64(len(x))
	if n < 2 {
		return math.NaN()
	}
	return (float64(n*sxy) - float64(sx*sy)) / (float64(n*sxx) - float64(sx*sx))
}
