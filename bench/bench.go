package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"mcfem/chol"
	"mcfem/mc"
	"mcfem/problem"
	"mcfem/solver"
	"mcfem/sparse"
)

// Options choose what `mcfem bench` measures.
type Options struct {
	Sizes   []int         // cells per side
	PCs     []string      // preconditioners, and "cholesky" for the direct solver
	Batches []int         // samples per batch
	MinTime time.Duration // least time spent on each measurement
	Rtol    float64
	// MaxSampleTime skips a (size, pc) whose single solve is estimated to take longer
	// (Jacobi-CG at 1024 cells per side takes ~10 s); 0 never skips.
	MaxSampleTime time.Duration
	// ProbeElems is the length of each of the triad's three arrays (0: 1<<24, 128 MiB each);
	// tests make it small.
	ProbeElems int
	// Problem, if not nil, is the problem to measure (a problem file's on the unit square;
	// Cells is set per size); nil is the built-in tutorial.
	Problem *problem.Spec
}

// DefaultOptions is the full ladder, or with quick a small one that runs in under a minute.
func DefaultOptions(quick bool) Options {
	if quick {
		return Options{Sizes: []int{64, 128, 256}, PCs: []string{"jacobi", "amg", "cholesky"}, Batches: []int{1, 8},
			MinTime: 200 * time.Millisecond, Rtol: 1e-8, MaxSampleTime: 2 * time.Second}
	}
	return Options{Sizes: []int{64, 128, 256, 512, 1024}, PCs: []string{"jacobi", "amg", "cholesky"}, Batches: []int{1, 8},
		MinTime: time.Second, Rtol: 1e-8, MaxSampleTime: 30 * time.Second}
}

// Probe is the reference of the run, measured on the machine at hand: the memory bandwidth
// (STREAM triad) and the flop peak of the factorisation's dense kernel.
type Probe struct {
	Triad1GBs   float64 `json:"triad_1thread_gbs"`
	TriadAllGBs float64 `json:"triad_all_gbs"`
	Threads     int     `json:"threads"`
	ArrayMiB    float64 `json:"array_mib"`
	LLCMiB      float64 `json:"llc_mib,omitempty"` // the last-level cache, as Linux reports it
	PeakGflops  float64 `json:"peak_gflops"`       // chol.KernelGflops, one thread
	PeakKernel  string  `json:"peak_kernel"`
	Seconds     float64 `json:"probe_seconds"` // the probes' whole time, allocation included
}

// Direct is the direct solver's work model and rates at one (mesh, batch): the factor's
// size, the factorisation's flops and rate, and the triangular solves' bytes and flops per
// sample (chol.Factor.SolveBytes, SolveFlops) with the rates of the measured solve, held
// against the probe's bandwidth and flop peak.
type Direct struct {
	FactorNNZ     int64   `json:"factor_nnz"`     // entries of L, diagonal included
	TrilNNZ       int64   `json:"tril_nnz"`       // entries of K's lower triangle
	Fill          float64 `json:"fill"`           // FactorNNZ / TrilNNZ
	Supernodes    int     `json:"supernodes"`     //
	FactorBytes   int64   `json:"factor_bytes"`   // memory held by the factor
	FactorFlops   float64 `json:"factor_flops"`   // Σ_j c_j² (chol.Factor.Flops)
	FactorSeconds float64 `json:"factor_seconds"` // numeric factorisation, best of the builds
	FactorGflops  float64 `json:"factor_gflops"`
	FactorOfPeak  float64 `json:"factor_of_peak"` // FactorGflops / Probe.PeakGflops
	// Per sample: the bytes and flops of the forward and backward solves of one batch of
	// Batch right-hand sides, divided by Batch.
	SolveBytes   float64 `json:"solve_bytes_per_sample"`
	SolveFlops   float64 `json:"solve_flops_per_sample"`
	SolveSeconds float64 `json:"solve_seconds_per_sample"` // the batch's SolveBatch alone, best of repeated calls, / Batch
	SolveGBs     float64 `json:"solve_gbs"`
	SolveOfTriad float64 `json:"solve_of_triad"` // SolveGBs / Probe.Triad1GBs
	SolveGflops  float64 `json:"solve_gflops"`
	SolveOfPeak  float64 `json:"solve_of_peak"`   // SolveGflops / Probe.PeakGflops
	SolveShare   float64 `json:"solve_of_sample"` // SolveSeconds / the whole sample's time
}

// Row is one (mesh, preconditioner, batch) measurement.
type Row struct {
	Cells    int    `json:"cells"`
	Unknowns int    `json:"unknowns"`
	NonZeros int    `json:"nonzeros"`
	PC       string `json:"pc"`
	Batch    int    `json:"batch"`

	SpMVSeconds  float64 `json:"spmv_seconds"`
	SpMVGBs      float64 `json:"spmv_gbs"`        // from sparse.SpMVBytes
	SpMVFraction float64 `json:"spmv_of_triad"`   // SpMVGBs / one-thread triad
	Iterations   float64 `json:"cg_iterations"`   // mean per sample
	IterSeconds  float64 `json:"cg_iter_seconds"` // time per CG iteration (batch 1: solve time / iterations)
	// IterModelRatio is IterSeconds over the time to move one SpMV's bytes plus six vector
	// passes (6·8·n) at the one-thread triad bandwidth.
	IterModelRatio float64 `json:"cg_iter_over_model"`
	// SetupSeconds is mesh, matrix and preconditioner: the best of setupReps builds, like
	// the SpMV time it is divided by; SetupFirstSeconds is the first build's (a campaign pays
	// that once, with the page faults of fresh memory).
	SetupSeconds      float64 `json:"setup_seconds"`
	SetupFirstSeconds float64 `json:"setup_first_seconds"`
	SetupSpMVEq       float64 `json:"setup_spmv_equiv"`
	PCSetupSeconds    float64 `json:"pc_setup_seconds"`
	SampleSeconds     float64 `json:"sample_seconds"` // per sample: load + solve + QoI
	SampleSpMVEq      float64 `json:"sample_spmv_equiv"`
	Samples           int     `json:"samples_timed"`
	Skipped           string  `json:"skipped,omitempty"`
	// Direct is the direct solver's model and rates (pc "cholesky" only).
	Direct *Direct `json:"direct,omitempty"`
}

// Report is a whole `mcfem bench` run.
type Report struct {
	Machine string  `json:"machine"`
	Go      string  `json:"go"`
	Started string  `json:"started"`
	Probe   Probe   `json:"probe"`
	Rtol    float64 `json:"rtol"`
	Rows    []Row   `json:"rows"`
}

// Run measures the bandwidth probe, then every size, preconditioner and batch. Progress
// lines go to log.
func Run(opt Options, log io.Writer) (*Report, error) {
	rep := &Report{Machine: machine(), Go: runtime.Version(), Started: time.Now().UTC().Format(time.RFC3339), Rtol: opt.Rtol}
	// 3 arrays of 128 MiB: above the last-level cache of the machines at hand (1.5× a 256 MiB
	// one); 4× that measures the same bandwidth but takes a second to allocate and touch.
	n := 1 << 24
	if opt.ProbeElems > 0 {
		n = opt.ProbeElems
	}
	rep.Probe = MeasureProbe(n, runtime.GOMAXPROCS(0), opt.MinTime)
	fmt.Fprintf(log, "bench: triad %.1f GB/s (1 thread), %.1f GB/s (%d threads); dense kernel %.2f Gflop/s; probes %.2f s\n",
		rep.Probe.Triad1GBs, rep.Probe.TriadAllGBs, rep.Probe.Threads, rep.Probe.PeakGflops, rep.Probe.Seconds)
	for _, cells := range opt.Sizes {
		for _, pc := range opt.PCs {
			var solveEstimate float64
			for _, k := range opt.Batches {
				row, err := measure(cells, pc, k, opt, rep.Probe, solveEstimate)
				if err != nil {
					return rep, err
				}
				if k == 1 {
					solveEstimate = row.SampleSeconds
				}
				fmt.Fprintf(log, "bench: mesh %d pc %s batch %d: %.4g s per sample, %.3g SpMV-equivalents %s\n",
					cells, pc, k, row.SampleSeconds, row.SampleSpMVEq, row.Skipped)
				rep.Rows = append(rep.Rows, row)
			}
		}
	}
	return rep, nil
}

// setupReps is how many times measure builds the model: the set-up time is the best of
// them (the least disturbed on a shared machine, as for the SpMV), the first is kept too.
const setupReps = 3

// measure builds the model setupReps times and times SpMV, set-up and samples.
func measure(cells int, pc string, k int, opt Options, probe Probe, solveEstimate float64) (Row, error) {
	triad1 := probe.Triad1GBs
	cfg := mc.DefaultConfig()
	if opt.Problem != nil {
		cfg.Problem = *opt.Problem
	}
	cfg.Problem.Cells = cells
	cfg.Solver = solver.Options{Method: "cg", PC: pc, Rtol: opt.Rtol, MaxIt: 1000000, Batch: k}
	if pc == "cholesky" { // the direct solver: set-up = the factorisation, a sample = two triangular solves
		cfg.Solver.Method, cfg.Solver.PC = "cholesky", "jacobi"
	}
	row := Row{Cells: cells, PC: pc, Batch: k}
	if opt.MaxSampleTime > 0 && solveEstimate > opt.MaxSampleTime.Seconds() {
		row.Skipped = fmt.Sprintf("(skipped: one solve takes %.1f s)", solveEstimate)
		return row, nil
	}
	var bench *mc.Bench
	factorSeconds := -1.0 // the numeric factorisation, best of the builds
	for rep := range setupReps {
		bench = nil // let the previous build go before the next one allocates
		runtime.GC()
		b, err := mc.NewBench(cfg)
		if err != nil {
			return row, err
		}
		bench = b
		t := b.SetupSeconds()
		if rep == 0 {
			row.SetupFirstSeconds = t
		}
		if rep == 0 || t < row.SetupSeconds {
			row.SetupSeconds, row.PCSetupSeconds = t, b.Solver.SetupSeconds()
		}
		if f := solver.CholeskyFactor(b.Solver); f != nil {
			_, _, num := f.Times()
			if factorSeconds < 0 || num.Seconds() < factorSeconds {
				factorSeconds = num.Seconds()
			}
		}
	}
	a := bench.Problem.System().K
	row.Unknowns, row.NonZeros = a.N, a.NNZ()
	// Collect the earlier builds now, so that the collector does not run (on the other core,
	// taking memory bandwidth) during the timings.
	runtime.GC()

	x, y := make([]float64, a.N), make([]float64, a.N)
	for i := range x {
		x[i] = 1
	}
	row.SpMVSeconds = bestOf(func() { a.MulVec(y, x) }, opt.MinTime/4, 5)
	row.SpMVGBs = float64(sparse.SpMVBytes(a.N, a.NNZ())) / row.SpMVSeconds / 1e9
	row.SpMVFraction = row.SpMVGBs / triad1
	row.SetupSpMVEq = row.SetupSeconds / row.SpMVSeconds

	// One untimed batch first: it allocates the pipeline's worker and touches its fresh
	// vectors (their page faults are part of the set-up a campaign pays once, not of a
	// sample). Then whole batches through the campaign's sample pipeline, 16 samples or more
	// per call, until MinTime has passed.
	if _, err := bench.Solve(k); err != nil {
		return row, fmt.Errorf("bench: mesh %d pc %s: %w", cells, pc, err)
	}
	chunk := k * ((16 + k - 1) / k)
	var its, samples int
	start := time.Now()
	for samples == 0 || time.Since(start) < opt.MinTime {
		n, err := bench.Solve(chunk)
		if err != nil {
			return row, fmt.Errorf("bench: mesh %d pc %s: %w", cells, pc, err)
		}
		its += n
		samples += chunk
	}
	elapsed := time.Since(start).Seconds()
	row.Samples = samples
	row.SampleSeconds = elapsed / float64(samples)
	row.SampleSpMVEq = row.SampleSeconds / row.SpMVSeconds
	row.Iterations = float64(its) / float64(samples)
	if k == 1 && row.Iterations > 0 {
		row.IterSeconds = row.SampleSeconds / row.Iterations
		model := float64(sparse.SpMVBytes(a.N, a.NNZ())+48*int64(a.N)) / (triad1 * 1e9)
		row.IterModelRatio = row.IterSeconds / model
	}
	if f := solver.CholeskyFactor(bench.Solver); f != nil {
		row.Direct = measureDirect(f, a, k, factorSeconds, probe, opt.MinTime/4)
		row.Direct.SolveShare = row.Direct.SolveSeconds / row.SampleSeconds
	}
	return row, nil
}

// measureDirect fills the direct solver's model from the factor f of a and times its batch
// solve with k right-hand sides alone (the best of repeated calls over minTime); the
// numeric factorisation took factorSeconds.
func measureDirect(f *chol.Factor, a *sparse.CSR, k int, factorSeconds float64, probe Probe, minTime time.Duration) *Direct {
	d := &Direct{
		FactorNNZ:     f.NNZ(),
		TrilNNZ:       trilNNZ(a),
		Supernodes:    f.Supernodes(),
		FactorBytes:   f.Bytes(),
		FactorFlops:   f.Flops(),
		FactorSeconds: factorSeconds,
		SolveBytes:    float64(f.SolveBytes(k)) / float64(k),
		SolveFlops:    float64(f.SolveFlops(k)) / float64(k),
	}
	d.Fill = float64(d.FactorNNZ) / float64(d.TrilNNZ)
	if factorSeconds > 0 {
		d.FactorGflops = d.FactorFlops / factorSeconds / 1e9
		d.FactorOfPeak = d.FactorGflops / probe.PeakGflops
	}
	x, b := make([]float64, a.N*k), make([]float64, a.N*k)
	for i := range b {
		b[i] = 1
	}
	ws := f.NewWorkspace(k)
	f.SolveBatch(x, b, k, ws) // touch the workspace
	d.SolveSeconds = bestOf(func() { f.SolveBatch(x, b, k, ws) }, minTime, 5) / float64(k)
	d.SolveGBs = d.SolveBytes / d.SolveSeconds / 1e9
	d.SolveOfTriad = d.SolveGBs / probe.Triad1GBs
	d.SolveGflops = d.SolveFlops / d.SolveSeconds / 1e9
	d.SolveOfPeak = d.SolveGflops / probe.PeakGflops
	return d
}

// WriteText writes the table.
func (r *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "machine: %s, %s\n", r.Machine, r.Go)
	llc := ""
	if r.Probe.LLCMiB > 0 {
		llc = fmt.Sprintf("; last-level cache %.0f MiB", r.Probe.LLCMiB)
	}
	fmt.Fprintf(w, "bandwidth probe (STREAM triad, 3 arrays of %.0f MiB%s), measured here: %.1f GB/s one thread, %.1f GB/s %d threads\n",
		r.Probe.ArrayMiB, llc, r.Probe.Triad1GBs, r.Probe.TriadAllGBs, r.Probe.Threads)
	fmt.Fprintf(w, "flop peak probe (%s), measured here: %.2f Gflop/s; probes took %.2f s\n",
		r.Probe.PeakKernel, r.Probe.PeakGflops, r.Probe.Seconds)
	fmt.Fprintf(w, "CG to rtol %g from u = 0; one rank, one thread; SpMV-eq = time / time of one SpMV y = Kx on the same matrix\n", r.Rtol)
	fmt.Fprintf(w, "it/model = time of a CG iteration / time to move one SpMV's bytes + 6·8·n at the one-thread triad rate\n")
	fmt.Fprintf(w, "setup = mesh + matrix + preconditioner, best of %d builds (the first build's time is in the JSON)\n", setupReps)
	fmt.Fprintf(w, "(SpMV: the CSR kernel, 12 bytes per nonzero + 20 per row; Jacobi-CG runs on the matrix's band form when it has one: 24 bytes per row, two fused sweeps)\n")
	fmt.Fprintf(w, "triad = the SpMV's GB/s as a share of the one-thread triad over %.0f MiB arrays: above 100%% the matrix stays in cache, which the probe's arrays do not\n", r.Probe.ArrayMiB)
	fmt.Fprintf(w, "CG its: CG iterations per sample; \"-\" for the direct solver (cholesky), which has none\n\n")
	fmt.Fprintf(w, "%6s %9s %9s | %8s %6s %6s | %-8s %5s | %7s %9s %8s | %9s %7s | %10s %8s\n",
		"cells", "unknowns", "nnz", "SpMV ms", "GB/s", "triad", "pc", "batch", "CG its", "it ms", "it/model", "setup ms", "SpMV-eq", "sample ms", "SpMV-eq")
	for _, x := range r.Rows {
		if x.Skipped != "" {
			fmt.Fprintf(w, "%6d %9s %9s | %8s %6s %6s | %-8s %5d | %s\n", x.Cells, "", "", "", "", "", x.PC, x.Batch, x.Skipped)
			continue
		}
		it, ratio, its := "-", "-", fmt.Sprintf("%.1f", x.Iterations)
		if x.IterSeconds > 0 {
			it, ratio = fmt.Sprintf("%.3f", x.IterSeconds*1e3), fmt.Sprintf("%.2f", x.IterModelRatio)
		}
		if x.PC == "cholesky" {
			its = "-"
		}
		fmt.Fprintf(w, "%6d %9d %9d | %8.3f %6.1f %5.0f%% | %-8s %5d | %7s %9s %8s | %9.1f %7.0f | %10.3f %8.1f\n",
			x.Cells, x.Unknowns, x.NonZeros, x.SpMVSeconds*1e3, x.SpMVGBs, 100*x.SpMVFraction, x.PC, x.Batch,
			its, it, ratio, x.SetupSeconds*1e3, x.SetupSpMVEq, x.SampleSeconds*1e3, x.SampleSpMVEq)
	}
	r.writeDirect(w)
	return nil
}

// trilNNZ counts the entries of a's lower triangle, the diagonal included: what the
// factorisation reads.
func trilNNZ(a *sparse.CSR) int64 {
	var n int64
	for i := range a.N {
		for _, c := range a.Col[a.RowPtr[i]:a.RowPtr[i+1]] {
			if int(c) <= i {
				n++
			}
		}
	}
	return n
}

// writeDirect writes the direct solver's table, if any row has one.
func (r *Report) writeDirect(w io.Writer) {
	if !slices.ContainsFunc(r.Rows, func(x Row) bool { return x.Direct != nil }) {
		return
	}
	fmt.Fprintf(w, "\ndirect solver (sparse Cholesky): fill = nnz(L)/nnz(tril K); factor Gflop/s = Σ c_j² / numeric factorisation time (best of %d builds)\n", setupReps)
	fmt.Fprintf(w, "solve, per sample (one column of a batch of k): bytes = (2·(8·nnz(L) + 4·row indices) + k·64·n)/k, flops = 4·nnz(L) − 2n;\n")
	fmt.Fprintf(w, "solve ms = the batch's forward + backward solves alone / k; %%triad and %%peak against the probes above (%.1f GB/s, %.2f Gflop/s);\n",
		r.Probe.Triad1GBs, r.Probe.PeakGflops)
	fmt.Fprintf(w, "%%triad over 100%% means the factor stays in cache; %%sample = solve ms / the whole sample's time (load, solve, residual check, QoI)\n\n")
	fmt.Fprintf(w, "%6s %5s | %9s %5s %6s %8s | %9s %9s %7s %6s | %8s %8s %9s %6s %6s %7s %6s %6s\n",
		"cells", "batch", "nnz(L)", "fill", "snodes", "L MB", "fact Mflop", "fact ms", "Gflop/s", "%peak",
		"MB/smp", "Mflop/smp", "solve ms", "GB/s", "%triad", "Gflop/s", "%peak", "%sample")
	for _, x := range r.Rows {
		d := x.Direct
		if d == nil {
			continue
		}
		fmt.Fprintf(w, "%6d %5d | %9d %5.2f %6d %8.2f | %10.1f %9.2f %7.2f %5.0f%% | %8.3f %9.3f %9.4f %6.2f %5.0f%% %7.2f %5.0f%% %5.0f%%\n",
			x.Cells, x.Batch, d.FactorNNZ, d.Fill, d.Supernodes, float64(d.FactorBytes)/1e6,
			d.FactorFlops/1e6, d.FactorSeconds*1e3, d.FactorGflops, 100*d.FactorOfPeak,
			d.SolveBytes/1e6, d.SolveFlops/1e6, d.SolveSeconds*1e3, d.SolveGBs, 100*d.SolveOfTriad,
			d.SolveGflops, 100*d.SolveOfPeak, 100*d.SolveShare)
	}
}

// WriteJSON writes the report as JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// machine describes the processor: model name and logical CPUs.
func machine() string {
	name := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				name = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d logical CPUs, %s/%s", name, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
}
