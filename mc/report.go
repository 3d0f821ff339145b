package mc

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Env describes where and how a campaign ran: the fields of the report that may change from
// run to run without the results changing.
type Env struct {
	Backend string // "local" (in-process ranks) or "mpi"
	Library string // MPI library version, if any
	Version string // mcfem version (VCS revision)
	Go      string
	OS      string
	Arch    string
	Tags    string
	Started time.Time
	// Configuration is every option's effective value (flags, configuration file, defaults).
	Configuration map[string]string
}

// Reused names the sample-independent work a rank does once, as the report states it.
func (c Config) Reused() []string {
	pc := map[string]string{"jacobi": "Jacobi preconditioner", "amg": "AMG hierarchy (smoothed aggregation)", "none": "no preconditioner"}[c.PC]
	if c.Model == "lognormal-field" {
		return []string{"mesh", "CSR pattern and scatter map", "load shape F_i = ∫ f φ_i",
			fmt.Sprintf("KL expansion (%d terms) and its basis at the triangle centroids; per sample: κ, the numeric assembly of K and the %s", c.Field.Terms, pc)}
	}
	return []string{"mesh", "CSR pattern and scatter map", "stiffness matrix K", pc, "load shape F_i = ∫ f φ_i"}
}

// pc is the preconditioner that ran: Config's, or AMG when -solver auto chose CG for the
// reference model.
func (p Problem) pc(c Config) string {
	if pre, ok := strings.CutPrefix(p.Solver, "CG, preconditioner "); ok {
		return pre
	}
	return c.PC
}

// Reused names the sample-independent work each rank did once: Config.Reused with the
// solver that ran (the Cholesky factor, or auto's preconditioner).
func (r *Result) Reused() []string {
	c := r.Config
	c.PC = r.Problem.pc(c)
	u := c.Reused()
	if r.Problem.Direct {
		u[len(u)-2] = fmt.Sprintf("Cholesky factor of K (%.3g MB)", float64(r.Problem.FactorBytes)/1e6)
	}
	return u
}

// WriteText writes the readable summary.
func (r *Result) WriteText(w io.Writer, env Env) error {
	b := bufio.NewWriter(w)
	c, p, s := r.Config, r.Problem, r.Stats
	ex := c.ExactStats()
	it := r.Iterations()
	fmt.Fprintf(b, "mcfem run: %d samples on %s (%s) × %s, mesh %s: %d nodes, %d triangles, %d unknowns, %d nonzeros\n",
		c.Samples, plural(r.Ranks, "rank"), env.Backend, plural(r.Timing[0].Threads, "thread"), p.Mesh, p.Nodes, p.Triangles, p.Unknowns, p.NonZeros)
	if p.Direct {
		fmt.Fprintf(b, "input ε ~ %s, seed %d; QoI = Σ area_i u_i; %s, rtol %g, batch %d\n",
			c.Dist, c.Seed, p.Solver, c.Rtol, c.Batch)
	} else {
		fmt.Fprintf(b, "input ε ~ %s, seed %d; QoI = Σ area_i u_i; CG with preconditioner %s, rtol %g, maxit %d, batch %d\n",
			c.Dist, c.Seed, p.pc(c), c.Rtol, c.MaxIt, c.Batch)
	}
	if p.SolverChoice != "" {
		fmt.Fprintf(b, "solver %s\n", p.SolverChoice)
	}
	if env.Library != "" {
		fmt.Fprintf(b, "MPI: %s\n", FirstLine(env.Library))
	}
	fmt.Fprintf(b, "hosts: %s\n", strings.Join(r.Hosts(), ", "))
	fmt.Fprintf(b, "set up once per rank: %s\n", strings.Join(r.Reused(), ", "))
	if r.Journaled > 0 {
		fmt.Fprintf(b, "resumed: %d samples recovered from journals, %d computed in this run\n", r.Journaled, r.Computed)
	}
	fmt.Fprintln(b)

	fmt.Fprintf(b, "%-22s %14s %14s %12s %8s\n", "QoI", "estimate", "exact (6ε)", "gap", "gap/SE")
	row := func(name string, est, exact, se float64) {
		if math.IsNaN(exact) {
			fmt.Fprintf(b, "%-22s %14.7g %14s %12s %8s\n", name, est, "-", "-", "-")
			return
		}
		z := "      -"
		if se > 0 {
			z = fmt.Sprintf("%8.2f", (est-exact)/se)
		}
		fmt.Fprintf(b, "%-22s %14.7g %14.7g %12.3g %s\n", name, est, exact, est-exact, z)
	}
	row("mean", s.Mean, ex.Mean, s.StdErr)
	fmt.Fprintf(b, "%-22s [%.7g, %.7g]  (± %.3g)\n", fmt.Sprintf("%g%% CI of the mean", 100*s.Confidence), s.CILow(), s.CIHigh(), s.CIHalf)
	fmt.Fprintf(b, "%-22s %14.7g\n", "std error of the mean", s.StdErr)
	row("variance", s.Variance, ex.Variance, s.VarStdErr)
	row("std deviation", s.StdDev, ex.StdDev, 0)
	row("skewness", s.Skewness, ex.Skewness, 0)
	row("excess kurtosis", s.ExKurtosis, ex.ExKurtosis, 0)
	fmt.Fprintf(b, "(the exact values are the continuum's; the discrete QoI differs from 6ε by O(h²), see `mcfem verify`)\n\n")

	if c.Tol > 0 {
		fmt.Fprintf(b, "-tol %g: %d rounds:", c.Tol, len(r.Rounds))
		for _, rd := range r.Rounds {
			fmt.Fprintf(b, " N=%d (±%.3g)", rd.Samples, rd.CIHalf)
		}
		fmt.Fprintf(b, "; |mean − exact| = %.3g (sampling and discretisation error)\n", math.Abs(s.Mean-ex.Mean))
	}
	if p.Direct {
		fmt.Fprintf(b, "total cost %d (2 × nonzeros of L per sample)\n", r.TotalCost)
		fmt.Fprintf(b, "direct solves: largest relative residual ‖b − Ku‖/‖b‖ %.3g\n", it.MaxResidual)
	} else {
		fmt.Fprintf(b, "total cost %d (CG iterations × nonzeros)\n", r.TotalCost)
		fmt.Fprintf(b, "CG iterations: min %d, mean %.1f, max %d; largest final relative residual %.3g\n", it.Min, it.Mean, it.Max, it.MaxResidual)
	}
	fmt.Fprintf(b, "%-22s %10s %10s %10s\n", "time per phase [s]", "min", "avg", "max")
	for i, ph := range r.Phases() {
		fmt.Fprintf(b, "%-22s %10.4f %10.4f %10.4f\n", PhaseNames[i], ph.Min, ph.Avg, ph.Max)
	}
	fmt.Fprintf(b, "load imbalance (max/avg solve time): %.3f\n", r.Imbalance())
	fmt.Fprintf(b, "wall %.3f s, %.1f samples/s\n", r.Wall, r.SamplesPerSecond())
	verdict, passed := "VALID", 0
	for _, ch := range r.Checks {
		if ch.Name == "failures" {
			fmt.Fprintf(b, "failed samples: %s\n", ch.Detail)
		}
		if ch.Pass {
			passed++
		} else {
			verdict = "INVALID"
			fmt.Fprintf(b, "check %s FAILED: %s\n", ch.Name, ch.Detail)
		}
	}
	fmt.Fprintf(b, "verdict: %s (%d of %d checks passed)\n", verdict, passed, len(r.Checks))
	return b.Flush()
}

// Hosts returns the distinct host names of the ranks, in rank order.
func (r *Result) Hosts() []string {
	var hosts []string
	seen := map[string]bool{}
	for _, t := range r.Timing {
		if !seen[t.Host] {
			seen[t.Host] = true
			hosts = append(hosts, t.Host)
		}
	}
	return hosts
}

// plural returns "1 thread", "2 threads".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// FirstLine returns the first line of s with its runs of white space made single spaces: an
// MPI library's version string, shortened for a one-line report.
func FirstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.Join(strings.Fields(line), " ")
}

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
	Mean       num     `json:"mean"`
	TotalCost  int64   `json:"total_cost"`
	CostUnit   string  `json:"cost_unit"`
	Rounds     []Round `json:"rounds,omitempty"`
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
		Preconditioner string `json:"preconditioner"`
		Solver         string `json:"solver"`
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
	} `json:"problem"`
	Statistics struct {
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
	} `json:"statistics"`
	Exact struct {
		Note       string `json:"note"`
		Mean       num    `json:"mean"`
		Variance   num    `json:"variance"`
		StdDev     num    `json:"std"`
		Skewness   num    `json:"skewness"`
		ExKurtosis num    `json:"excess_kurtosis"`
	} `json:"exact"`
	Gap struct {
		Mean           num `json:"mean"`
		MeanOverSE     num `json:"mean_over_stderr"`
		Variance       num `json:"variance"`
		VarianceOverSE num `json:"variance_over_stderr"`
		Skewness       num `json:"skewness"`
		ExKurtosis     num `json:"excess_kurtosis"`
	} `json:"gap"`
	CG struct {
		IterationsMin  int `json:"iterations_min"`
		IterationsMean num `json:"iterations_mean"`
		IterationsMax  int `json:"iterations_max"`
		ResidualMax    num `json:"residual_max"`
	} `json:"cg"`
	Verdict struct {
		Result string  `json:"result"`
		Checks []Check `json:"checks"`
	} `json:"verdict"`
	Execution struct {
		Backend          string               `json:"backend"`
		Library          string               `json:"mpi_library,omitempty"`
		Ranks            int                  `json:"ranks"`
		Threads          int                  `json:"threads_per_rank"`
		Batch            int                  `json:"batch"`
		Journaled        int                  `json:"samples_from_journals"`
		Computed         int                  `json:"samples_computed"`
		Configuration    map[string]string    `json:"configuration"`
		Hosts            []string             `json:"hosts"`
		Started          string               `json:"started"`
		WallSeconds      num                  `json:"wall_seconds"`
		SamplesPerSecond num                  `json:"samples_per_second"`
		LoadImbalance    num                  `json:"load_imbalance"`
		Phases           map[string]phaseJSON `json:"phases_seconds"`
		PerRank          []rankJSON           `json:"per_rank"`
		Build            struct {
			Version string `json:"version"`
			Go      string `json:"go"`
			OS      string `json:"os"`
			Arch    string `json:"arch"`
			Tags    string `json:"tags"`
		} `json:"build"`
	} `json:"execution"`
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

// Summary builds summary.json's content.
func (r *Result) Summary(env Env) *Summary {
	var o Summary
	c, s := r.Config, r.Stats
	pp := &o.Parameters
	pp.Samples, pp.Seed, pp.Dist, pp.OnFailure, pp.Tol = c.Samples, c.Seed, c.Dist.String(), c.OnFailure, num(c.Tol)
	pp.Model = c.Model
	if c.Model == "lognormal-field" {
		pp.Field = fmt.Sprintf("sigma %g, lambda %g, terms %d", c.Field.Sigma, c.Field.Lambda, c.Field.Terms)
	}
	o.Mean, o.TotalCost, o.CostUnit = num(s.Mean), r.TotalCost, r.Problem.CostUnit
	if c.Tol > 0 {
		o.Rounds = r.Rounds
	}
	if c.Mesh == nil {
		pp.Mesh = c.Cells
	} else {
		pp.MDPA, pp.Boundary = c.MeshFile, c.Boundary
	}
	pp.Rtol, pp.MaxIt, pp.Confidence, pp.Preconditioner = num(c.Rtol), c.MaxIt, num(c.Confidence), c.PC
	pp.Solver = c.Solver
	if pp.Solver == "" {
		pp.Solver = "cg"
	}
	pr := &o.Problem
	pr.Mesh, pr.Nodes, pr.Triangles, pr.Unknowns, pr.NonZeros = r.Problem.Mesh, r.Problem.Nodes, r.Problem.Triangles, r.Problem.Unknowns, r.Problem.NonZeros
	pr.QoI, pr.Reused = "sum over nodes of lumped nodal area times u", r.Reused()
	pr.Solver, pr.SolverChoice, pr.FactorBytes = r.Problem.Solver, r.Problem.SolverChoice, r.Problem.FactorBytes
	st := &o.Statistics
	st.Failed = int64(c.Samples) - s.N
	st.N, st.Mean, st.CILow, st.CIHigh, st.CIHalfWidth = s.N, num(s.Mean), num(s.CILow()), num(s.CIHigh()), num(s.CIHalf)
	st.Confidence, st.StdErr, st.Variance, st.VarianceStdErr = num(s.Confidence), num(s.StdErr), num(s.Variance), num(s.VarStdErr)
	st.StdDev, st.Skewness, st.ExKurtosis = num(s.StdDev), num(s.Skewness), num(s.ExKurtosis)
	ex := c.ExactStats()
	e := &o.Exact
	e.Note = "continuum QoI = 6ε; the discrete QoI differs by O(h²)"
	e.Mean, e.Variance, e.StdDev, e.Skewness, e.ExKurtosis = num(ex.Mean), num(ex.Variance), num(ex.StdDev), num(ex.Skewness), num(ex.ExKurtosis)
	g := &o.Gap
	g.Mean, g.MeanOverSE = num(s.Mean-ex.Mean), num((s.Mean-ex.Mean)/s.StdErr)
	g.Variance, g.VarianceOverSE = num(s.Variance-ex.Variance), num((s.Variance-ex.Variance)/s.VarStdErr)
	g.Skewness, g.ExKurtosis = num(s.Skewness-ex.Skewness), num(s.ExKurtosis-ex.ExKurtosis)
	it := r.Iterations()
	o.CG.IterationsMin, o.CG.IterationsMean, o.CG.IterationsMax, o.CG.ResidualMax = it.Min, num(it.Mean), it.Max, num(it.MaxResidual)
	o.Verdict.Result = "INVALID"
	if r.Valid() {
		o.Verdict.Result = "VALID"
	}
	o.Verdict.Checks = r.Checks

	x := &o.Execution
	x.Backend, x.Library, x.Ranks, x.Threads, x.Hosts = env.Backend, env.Library, r.Ranks, r.Timing[0].Threads, r.Hosts()
	x.Batch, x.Configuration = c.Batch, env.Configuration
	x.Journaled, x.Computed = r.Journaled, r.Computed
	x.Started = env.Started.UTC().Format(time.RFC3339)
	x.WallSeconds, x.SamplesPerSecond, x.LoadImbalance = num(r.Wall), num(r.SamplesPerSecond()), num(r.Imbalance())
	x.Phases = map[string]phaseJSON{}
	for i, ph := range r.Phases() {
		x.Phases[PhaseNames[i]] = phaseJSON{num(ph.Min), num(ph.Avg), num(ph.Max)}
	}
	for _, t := range r.Timing {
		x.PerRank = append(x.PerRank, rankJSON{t.Rank, t.Host, t.Threads, t.Samples, num(t.Phase[PhaseSetup]), num(t.Phase[PhaseSolve]), num(t.Phase[PhaseCombine])})
	}
	x.Build.Version, x.Build.Go, x.Build.OS, x.Build.Arch, x.Build.Tags = env.Version, env.Go, env.OS, env.Arch, env.Tags
	return &o
}

// WriteSamplesCSV writes one row per sample in sample order, results only, with floats in
// their shortest exact form: the file is byte-identical for every rank count.
func (r *Result) WriteSamplesCSV(w io.Writer) error {
	b := bufio.NewWriter(w)
	b.WriteString("sample,eps,qoi,iterations,residual,status\n")
	var line []byte
	for _, rec := range r.Records {
		line = strconv.AppendInt(line[:0], int64(rec.Index), 10)
		line = append(line, ',')
		line = strconv.AppendFloat(line, rec.Eps, 'g', -1, 64)
		line = append(line, ',')
		line = strconv.AppendFloat(line, rec.QoI, 'g', -1, 64)
		line = append(line, ',')
		line = strconv.AppendInt(line, int64(rec.Iterations), 10)
		line = append(line, ',')
		line = strconv.AppendFloat(line, rec.Residual, 'g', -1, 64)
		line = append(line, ',')
		line = append(line, StatusNames[rec.Status]...)
		line = append(line, '\n')
		b.Write(line)
	}
	return b.Flush()
}

// WriteTimingsCSV writes where (rank, worker thread) and how long each sample ran.
func (r *Result) WriteTimingsCSV(w io.Writer) error {
	b := bufio.NewWriter(w)
	b.WriteString("sample,rank,seconds,thread\n")
	for _, rec := range r.Records {
		fmt.Fprintf(b, "%d,%d,%.9f,%d\n", rec.Index, rec.Rank, rec.Seconds, rec.Thread)
	}
	return b.Flush()
}

// WriteAtomic writes path through a temporary file in the same directory, renamed into place
// once complete (mode 0644): a reader never sees half a file, and a failed write leaves no file.
func WriteAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("mc: writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := write(tmp); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	return os.Rename(tmp.Name(), path)
}

// WriteFiles writes summary.json, samples.csv and timings.csv into dir (created if needed).
// Each file is written to a temporary name and renamed, so a reader never sees half a file.
func (r *Result) WriteFiles(dir string, env Env) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	write := func(name string, f func(io.Writer) error) error {
		return WriteAtomic(filepath.Join(dir, name), f)
	}
	summary := func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r.Summary(env))
	}
	if err := write("summary.json", summary); err != nil {
		return err
	}
	if err := write("samples.csv", r.WriteSamplesCSV); err != nil {
		return err
	}
	return write("timings.csv", r.WriteTimingsCSV)
}
