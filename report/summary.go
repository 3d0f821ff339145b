package report

import (
	"math"
	"strconv"
	"time"

	"mcfem/mc"
	"mcfem/stats"
)

// num is a float64 that encodes NaN and ±Inf as JSON null.
type num float64

func (x num) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

type phaseJSON struct {
	Min num `json:"min"`
	Avg num `json:"avg"`
	Max num `json:"max"`
}

// Summary is the layout of summary.json. Everything outside Execution depends only on the
// results, so two runs of the same configuration on any rank counts have identical summaries
// once "execution" is removed.
type Summary struct {
	// Mean and TotalCost head the file for scripts (the same as statistics.mean, and the
	// work of every sample in the statistics in CostUnit).
	Mean       num        `json:"mean"`
	TotalCost  int64      `json:"total_cost"`
	CostUnit   string     `json:"cost_unit"`
	Rounds     []mc.Round `json:"rounds,omitempty"`
	Parameters struct {
		Samples        int    `json:"samples"`
		Tol            num    `json:"tol,omitempty"`
		Model          string `json:"model"`
		Field          string `json:"field,omitempty"`
		OnFailure      string `json:"on_failure"`
		Mesh           int    `json:"mesh,omitempty"`
		MDPA           string `json:"mdpa,omitempty"`
		Boundary       string `json:"boundary,omitempty"`
		Seed           uint64 `json:"seed"`
		Dist           string `json:"dist"`
		Rtol           num    `json:"rtol"`
		MaxIt          int    `json:"maxit"`
		Confidence     num    `json:"confidence"`
		Preconditioner string `json:"preconditioner,omitempty"`
		Solver         string `json:"solver"`
		// Sampler and Replicates: the design (absent for plain Monte Carlo).
		Sampler    string `json:"sampler,omitempty"`
		Replicates int    `json:"replicates,omitempty"`
	} `json:"parameters"`
	Problem struct {
		Mesh      string   `json:"mesh"`
		Nodes     int      `json:"nodes"`
		Triangles int      `json:"triangles"`
		Unknowns  int      `json:"unknowns"`
		NonZeros  int      `json:"nonzeros"`
		QoI       string   `json:"qoi"`
		Reused    []string `json:"reused_per_rank"`
		// Solver is what solved the samples; SolverChoice is -solver auto's reason.
		Solver       string `json:"solver"`
		SolverChoice string `json:"solver_choice,omitempty"`
		FactorBytes  int64  `json:"factor_bytes_per_rank,omitempty"`
		// Notes are what the problem says a user should know (unmodelled mesh properties,
		// why no exact value is known).
		Notes []string `json:"notes,omitempty"`
	} `json:"problem"`
	// Statistics are the first QoI's; QoIs, with a problem of several, every QoI's by name.
	Statistics statsJSON `json:"statistics"`
	QoIs       []qoiJSON `json:"qois,omitempty"`
	// Exact and Gap are present when the problem gives a reference (problem.Exact): its
	// values (null where unknown) and the estimates' differences from them.
	Exact *exactJSON `json:"exact,omitempty"`
	Gap   *gapJSON   `json:"gap,omitempty"`
	// Distributions are every QoI's quantiles, exceedance probabilities and CVaR, by name
	// (mc.Distribution).
	Distributions map[string]distJSON `json:"distributions,omitempty"`
	// Discrete is the first QoI's discrete expectation on this mesh, where the problem knows
	// it (mc.Result.DiscreteMean), with the estimate's gap to it.
	Discrete *discreteJSON `json:"discrete_exact,omitempty"`
	// Sensitivity are, with -sensitivity, every QoI's Sobol' indices by QoI name.
	Sensitivity map[string][]sobolJSON `json:"sobol_indices,omitempty"`
	CG          struct {
		IterationsMin  int `json:"iterations_min"`
		IterationsMean num `json:"iterations_mean"`
		IterationsMax  int `json:"iterations_max"`
		ResidualMax    num `json:"residual_max"`
	} `json:"cg"`
	Verdict struct {
		Result string     `json:"result"`
		Checks []mc.Check `json:"checks"`
	} `json:"verdict"`
	Execution struct {
		Backend          string         `json:"backend"`
		Library          string         `json:"mpi_library,omitempty"`
		Ranks            int            `json:"ranks"`
		Threads          int            `json:"threads_per_rank"`
		Batch            int            `json:"batch"`
		Journaled        int            `json:"samples_from_journals"`
		Computed         int            `json:"samples_computed"`
		Resolved         int            `json:"samples_resolved_for_fields,omitempty"`
		Configuration    map[string]any `json:"configuration"`
		Hosts            []string       `json:"hosts"`
		Started          string         `json:"started"`
		WallSeconds      num            `json:"wall_seconds"`
		SamplesPerSecond num            `json:"samples_per_second"`
		LoadImbalance    num            `json:"load_imbalance"`
		// AutoEstimate is -solver auto's calibrated estimate of the set-up and solve phases on
		// the slowest rank, AutoMeasured what they took (seconds; absent without an estimate).
		AutoEstimate *num                 `json:"auto_estimate_seconds,omitempty"`
		AutoMeasured *num                 `json:"auto_measured_seconds,omitempty"`
		Phases       map[string]phaseJSON `json:"phases_seconds"`
		PerRank      []rankJSON           `json:"per_rank"`
		Build        struct {
			Version string `json:"version"`
			Go      string `json:"go"`
			OS      string `json:"os"`
			Arch    string `json:"arch"`
			Tags    string `json:"tags"`
		} `json:"build"`
	} `json:"execution"`
}

type statsJSON struct {
	N              int64 `json:"n"`
	Failed         int64 `json:"failed"`
	Mean           num   `json:"mean"`
	CILow          num   `json:"ci_low"`
	CIHigh         num   `json:"ci_high"`
	CIHalfWidth    num   `json:"ci_half_width"`
	Confidence     num   `json:"confidence"`
	StdErr         num   `json:"stderr"`
	Variance       num   `json:"variance"`
	VarianceStdErr num   `json:"variance_stderr"`
	StdDev         num   `json:"std"`
	Skewness       num   `json:"skewness"`
	ExKurtosis     num   `json:"excess_kurtosis"`
}

// newStats is the statistics s of a campaign of samples samples.
func newStats(s stats.Stats, samples int) statsJSON {
	return statsJSON{N: s.N, Failed: int64(samples) - s.N, Mean: num(s.Mean), CILow: num(s.CILow()), CIHigh: num(s.CIHigh()),
		CIHalfWidth: num(s.CIHalf), Confidence: num(s.Confidence), StdErr: num(s.StdErr), Variance: num(s.Variance),
		VarianceStdErr: num(s.VarStdErr), StdDev: num(s.StdDev), Skewness: num(s.Skewness), ExKurtosis: num(s.ExKurtosis)}
}

type qoiJSON struct {
	Name       string    `json:"name"`
	Statistics statsJSON `json:"statistics"`
}

type exactJSON struct {
	Note       string `json:"note"`
	Mean       num    `json:"mean"`
	Variance   num    `json:"variance"`
	StdDev     num    `json:"std"`
	Skewness   num    `json:"skewness"`
	ExKurtosis num    `json:"excess_kurtosis"`
}

type gapJSON struct {
	Mean           num `json:"mean"`
	MeanOverSE     num `json:"mean_over_stderr"`
	Variance       num `json:"variance"`
	VarianceOverSE num `json:"variance_over_stderr"`
	Skewness       num `json:"skewness"`
	ExKurtosis     num `json:"excess_kurtosis"`
}

type rankJSON struct {
	Rank    int    `json:"rank"`
	Host    string `json:"host"`
	Threads int    `json:"threads"`
	Samples int    `json:"samples"`
	Setup   num    `json:"setup"`
	Solve   num    `json:"solve"`
	Combine num    `json:"combine"`
}

// distJSON is one QoI's mc.Distribution in summary.json; an interval's infinite end is null.
type distJSON struct {
	N         int64          `json:"n"`
	Min       num            `json:"min"`
	Max       num            `json:"max"`
	Quantiles []quantileJSON `json:"quantiles"`
	CVaR      struct {
		Level num   `json:"level"`
		Value num   `json:"value"`
		Count int64 `json:"count"`
	} `json:"cvar"`
	Exceedances []exceedJSON `json:"exceedances,omitempty"`
}

type quantileJSON struct {
	P     num `json:"p"`
	Value num `json:"value"`
	Low   num `json:"ci_low"`
	High  num `json:"ci_high"`
}

type exceedJSON struct {
	Threshold   num   `json:"threshold"`
	Count       int64 `json:"count"`
	Probability num   `json:"probability"`
	Low         num   `json:"ci_low"`
	High        num   `json:"ci_high"`
}

type discreteJSON struct {
	Note          string `json:"note"`
	Mean          num    `json:"mean"`
	Gap           num    `json:"gap"`
	GapOverStderr num    `json:"gap_over_stderr"`
}

type sobolJSON struct {
	Input   string `json:"input"`
	First   num    `json:"first_order"`
	FirstLo num    `json:"first_order_ci_low"`
	FirstHi num    `json:"first_order_ci_high"`
	Total   num    `json:"total"`
	TotalLo num    `json:"total_ci_low"`
	TotalHi num    `json:"total_ci_high"`
}

// sensitivity is the summary's Sensitivity.
func sensitivity(r *mc.Result) map[string][]sobolJSON {
	if len(r.Sensitivity) == 0 {
		return nil
	}
	out := map[string][]sobolJSON{}
	for q, name := range r.Problem.QoINames() {
		for _, s := range r.Sensitivity[q] {
			out[name] = append(out[name], sobolJSON{s.Input, num(s.First), num(s.FirstLo), num(s.FirstH), num(s.Total), num(s.TotalLo), num(s.TotalH)})
		}
	}
	return out
}

// distributions is the summary's Distributions.
func distributions(r *mc.Result) map[string]distJSON {
	if len(r.Distributions) == 0 {
		return nil
	}
	out := map[string]distJSON{}
	for q, name := range r.Problem.QoINames() {
		d := r.Distributions[q]
		j := distJSON{N: d.N, Min: num(d.Min), Max: num(d.Max)}
		for _, x := range d.Quantiles {
			j.Quantiles = append(j.Quantiles, quantileJSON{num(x.P), num(x.Value), num(x.Low), num(x.High)})
		}
		j.CVaR.Level, j.CVaR.Value, j.CVaR.Count = num(d.CVaRLevel), num(d.CVaR), d.CVaRCount
		for _, e := range d.Exceedances {
			j.Exceedances = append(j.Exceedances, exceedJSON{num(e.Value), e.Count, num(e.P), num(e.Low), num(e.High)})
		}
		out[name] = j
	}
	return out
}

// Summarize builds summary.json's content.
func Summarize(r *mc.Result, env Env) *Summary {
	var o Summary
	c, s := r.Config, r.Stats[0]
	info, sv := r.Problem.Info(), r.Solver
	pp := &o.Parameters
	pp.Samples, pp.Seed, pp.Dist, pp.OnFailure, pp.Tol = c.Samples, c.Seed, c.Problem.DistText(), c.OnFailure, num(c.Tol)
	pp.Model, pp.Field = info.Model, info.Field
	pp.Mesh, pp.MDPA, pp.Boundary = info.Cells, info.MeshFile, info.Boundary
	pp.Rtol, pp.MaxIt, pp.Confidence, pp.Preconditioner = num(c.Solver.Rtol), c.Solver.MaxIt, num(c.Confidence), c.Solver.PC
	pp.Solver = c.Solver.Method
	if pp.Solver == "auto" { // what ran: AMG's, or none for the factor
		pp.Preconditioner = sv.Preconditioner()
	}
	if pp.Solver == "" {
		pp.Solver = "cg"
	}
	if r.Replicates > 0 {
		pp.Sampler, pp.Replicates = c.Sampler, r.Replicates
	}
	o.Mean, o.TotalCost, o.CostUnit = num(s.Mean), r.TotalCost, sv.CostUnit()
	if c.Tol > 0 {
		o.Rounds = r.Rounds
	}
	pr := &o.Problem
	k := r.Problem.System().K
	pr.Mesh, pr.Nodes, pr.Triangles, pr.Unknowns, pr.NonZeros = info.Mesh, info.Nodes, info.Tris, k.N, k.NNZ()
	pr.QoI, pr.Reused = info.QoI, r.Problem.Reused(sv.Setup())
	pr.Solver, pr.SolverChoice, pr.FactorBytes = sv.Name(), sv.Choice(), sv.FactorBytes()
	pr.Notes = info.Notes
	o.Statistics = newStats(s, c.Samples)
	if names := r.Problem.QoINames(); len(names) > 1 {
		for q, name := range names {
			o.QoIs = append(o.QoIs, qoiJSON{Name: name, Statistics: newStats(r.Stats[q], c.Samples)})
		}
	}
	if ex, ok := r.Problem.Exact(); ok || ex.Note != "" {
		o.Exact = &exactJSON{ex.Note, num(ex.Mean), num(ex.Variance), num(ex.StdDev), num(ex.Skewness), num(ex.ExKurtosis)}
		o.Gap = &gapJSON{num(s.Mean - ex.Mean), num((s.Mean - ex.Mean) / s.StdErr), num(s.Variance - ex.Variance),
			num((s.Variance - ex.Variance) / s.VarStdErr), num(s.Skewness - ex.Skewness), num(s.ExKurtosis - ex.ExKurtosis)}
	}
	it := r.Iterations()
	o.CG.IterationsMin, o.CG.IterationsMean, o.CG.IterationsMax, o.CG.ResidualMax = it.Min, num(it.Mean), it.Max, num(it.MaxResidual)
	o.Verdict.Result = "INVALID"
	if r.Valid() {
		o.Verdict.Result = "VALID"
	}
	o.Verdict.Checks = r.Checks
	o.Distributions = distributions(r)
	o.Sensitivity = sensitivity(r)
	if len(r.DiscreteMean) > 0 {
		d := r.DiscreteMean[0]
		o.Discrete = &discreteJSON{Note: "E[Q_h] on this mesh: the QoI of one solve at the inputs' means, where it is linear in them",
			Mean: num(d), Gap: num(s.Mean - d), GapOverStderr: num(float64(s.Mean-d) / s.StdErr)}
	}

	x := &o.Execution
	x.Backend, x.Library, x.Ranks, x.Threads, x.Hosts = env.Backend, env.Library, r.Ranks, r.Timing[0].Threads, r.Hosts()
	x.Batch, x.Configuration = sv.Batch(), env.Configuration
	if est, got := r.AutoEstimate(); est > 0 {
		e, g := num(est), num(got)
		x.AutoEstimate, x.AutoMeasured = &e, &g
	}
	x.Journaled, x.Computed, x.Resolved = r.Journaled, r.Computed, r.Resolved
	x.Started = env.Started.UTC().Format(time.RFC3339)
	x.WallSeconds, x.SamplesPerSecond, x.LoadImbalance = num(r.Wall), num(r.SamplesPerSecond()), num(r.Imbalance())
	x.Phases = map[string]phaseJSON{}
	for i, ph := range r.Phases() {
		x.Phases[mc.PhaseNames[i]] = phaseJSON{num(ph.Min), num(ph.Avg), num(ph.Max)}
	}
	for _, t := range r.Timing {
		x.PerRank = append(x.PerRank, rankJSON{t.Rank, t.Host, t.Threads, t.Samples, num(t.Phase[mc.PhaseSetup]), num(t.Phase[mc.PhaseSolve]), num(t.Phase[mc.PhaseCombine])})
	}
	x.Build.Version, x.Build.Go, x.Build.OS, x.Build.Arch, x.Build.Tags = env.Version, env.Go, env.OS, env.Arch, env.Tags
	return &o
}
