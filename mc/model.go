package mc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"mcfem/chol"
	"mcfem/fem"
	"mcfem/field"
	"mcfem/mesh"
	"mcfem/solver"
	"mcfem/sparse"
)

// Preconditioners lists the values of Config.PC.
var Preconditioners = []string{"jacobi", "amg", "none"}

// Solvers lists the values of Config.Solver.
var Solvers = []string{"cg", "cholesky", "auto"}

// Models lists the values of Config.Model.
var Models = []string{"reference", "lognormal-field"}

// Model is the reference problem on one mesh (SPEC.md): -Δu = ε f on the unit square,
// u = 0 on the boundary, QoI = Σ_i area_i u_i. Everything in it is independent of the sample
// and read-only once built, so a rank builds it once and every sample (and every thread)
// shares it: the mesh, the CSR pattern and stiffness matrix, the preconditioner and the load
// shape ∫ f φ_i. Each sample still assembles its own load vector ε·F and runs its own CG solve
// from u = 0.
type Model struct {
	Cells  int
	Mesh   *mesh.Mesh
	Sys    *fem.System
	PCName string
	PC     any // shared, read-only: *solver.Jacobi, *solver.AMG or solver.Identity (see bindPC)
	Rtol   float64
	MaxIt  int
	Batch  int
	// Setup times in seconds: mesh and matrix (assembly), and the preconditioner.
	AssemblySeconds, PCSeconds float64
	// The random-field model: the KL expansion and its basis at the triangle centroids (set
	// up once); every sample assembles its own K and preconditioner into its worker's copy.
	KL    *field.KL
	Basis []float64
	// Chol is the Cholesky factor of K when the samples are solved directly (-solver
	// cholesky, or auto's choice; PC is then nil); SolverNote is auto's reason.
	Chol       *chol.Factor
	SolverNote string
}

// NewModel builds the model of the configuration: mesh, system and preconditioner.
func NewModel(cfg Config) (*Model, error) {
	t0 := time.Now()
	m := cfg.Mesh
	if m == nil {
		var err error
		if m, err = mesh.UnitSquare(cfg.Cells); err != nil {
			return nil, err
		}
	}
	sys, err := fem.NewSystem(m, fem.ReferenceSource)
	if err != nil {
		return nil, err
	}
	t1 := time.Now()
	md := &Model{Cells: cfg.Cells, Mesh: m, Sys: sys, PCName: cfg.PC, Rtol: cfg.Rtol, MaxIt: cfg.MaxIt,
		Batch: max(cfg.Batch, 1), AssemblySeconds: t1.Sub(t0).Seconds()}
	method := cfg.Solver
	var an *chol.Analysis
	if method == "auto" {
		method, md.SolverNote, an = chooseSolver(cfg, sys.K)
		if method == "cg" && cfg.Model != "lognormal-field" {
			cfg.PC, md.PCName = "amg", "amg"
		}
	}
	if method == "cholesky" {
		if an == nil {
			an = chol.Analyze(sys.K, chol.Options{})
		}
		if md.Chol, err = an.Factor(); err != nil {
			return nil, fmt.Errorf("mc: cholesky: %w", err)
		}
		md.PCName = ""
		md.PCSeconds = time.Since(t1).Seconds()
		return md, nil
	}
	switch cfg.PC {
	case "jacobi", "":
		md.PCName = "jacobi"
		md.PC, err = solver.NewJacobi(sys.K)
	case "amg":
		md.PC, err = newAMG(sys.K)
	case "none":
		md.PC = solver.Identity{}
	default:
		err = fmt.Errorf("unknown preconditioner %q", cfg.PC)
	}
	if err != nil {
		return nil, fmt.Errorf("mc: preconditioner %s: %w", md.PCName, err)
	}
	md.PCSeconds = time.Since(t1).Seconds()
	if cfg.Model == "lognormal-field" {
		if md.KL, err = field.NewKL(cfg.Field); err != nil {
			return nil, fmt.Errorf("mc: %w", err)
		}
		md.Basis = md.KL.Basis(field.Centroids(m.Coords, m.Tri))
	}
	return md, nil
}

// Random reports whether the model has a random field besides ε.
func (m *Model) Random() bool { return m.KL != nil }

// Solver is one worker's writable state for the model: load and solution vectors for a batch
// of Model.Batch samples (interleaved), the CG workspace and the preconditioner's own
// workspace, allocated once and reused by every sample.
type Solver struct {
	m      *Model
	sys    *fem.System // the model's, or this worker's copy whose K values change per sample
	xi     []float64   // random-field model: this sample's KL coefficients (set by DrawField)
	kappa  []float64
	rng    *rand.Rand // normals for DrawField, over rngSrc
	rngSrc rand.Source
	k      int
	pc     solver.Preconditioner // the model's, bound to this worker's workspace when it needs one
	b, u   []float64
	ws     *solver.Workspace
	bws    *solver.BatchWorkspace
	res    []solver.Result
	errs   []error
	qoi    []float64
	epsBuf []float64
	cws    *chol.Workspace // direct solves: the factor's workspace
	ku     []float64       // direct solves: K u, for the residual check
}

// NewSolver allocates a worker's state.
func (m *Model) NewSolver() *Solver {
	n, k := m.Sys.K.N, m.Batch
	var pc solver.Preconditioner
	if m.PC != nil { // nil with the Cholesky factor
		pc = bindPC(m.PC, k)
	}
	s := &Solver{m: m, sys: m.Sys, k: k, pc: pc, b: make([]float64, n*k), u: make([]float64, n*k),
		res: make([]solver.Result, k), errs: make([]error, k), qoi: make([]float64, k), epsBuf: make([]float64, k)}
	switch {
	case m.Chol != nil: // the factor's workspace instead of CG's
		s.cws, s.ku = m.Chol.NewWorkspace(k), make([]float64, n*k)
	case k > 1:
		s.ws, s.bws = solver.NewWorkspace(n), solver.NewBatchWorkspace(n, k)
	default:
		s.ws = solver.NewWorkspace(n)
	}
	if m.Random() {
		s.sys = m.Sys.WithOwnValues()
		s.xi = make([]float64, m.KL.Terms())
		s.kappa = make([]float64, m.Mesh.NumTris())
	}
	return s
}

// DrawField draws the random-field model's KL coefficients ξ_k ~ N(0, 1) from src (after ε,
// so that ε is the same draw as in the reference model); a no-op for the reference model.
func (s *Solver) DrawField(src rand.Source) {
	if s.xi == nil {
		return
	}
	if s.rngSrc != src {
		s.rng, s.rngSrc = rand.New(src), src
	}
	for k := range s.xi {
		s.xi[k] = s.rng.NormFloat64()
	}
}

// SetField copies another solver's drawn coefficients (coupled MLMC samples use one draw on
// two meshes).
func (s *Solver) SetField(from *Solver) { copy(s.xi, from.xi) }

// prepare assembles this sample's matrix and preconditioner for the random-field model.
func (s *Solver) prepare() error {
	if s.xi == nil {
		return nil
	}
	s.m.KL.Kappa(s.kappa, s.m.Basis, s.xi)
	s.sys.AssembleStiffness(s.kappa)
	switch p := s.m.PC.(type) {
	case *solver.Jacobi:
		j, ok := s.pc.(*solver.Jacobi)
		if !ok || j == p {
			j = &solver.Jacobi{InvDiag: make([]float64, s.sys.K.N)}
			s.pc = j
		}
		return j.Update(s.sys.K)
	case *solver.AMG:
		// A new hierarchy for this sample's matrix (set-up per sample).
		a, err := solver.NewAMG(s.sys.K, solver.AMGOptions{})
		if err != nil {
			return err
		}
		s.pc = bindPC(a, 1)
	}
	return nil
}

// Solve assembles the load for ε, solves K u = b by preconditioned CG from u = 0 and
// returns the QoI. It allocates nothing. On a CG failure the error is fem's (typed) and the
// QoI is NaN.
func (s *Solver) Solve(eps float64) (qoi float64, res solver.Result, err error) {
	return s.solve(eps, s.m.MaxIt)
}

func (s *Solver) solve(eps float64, maxit int) (qoi float64, res solver.Result, err error) {
	if err := s.prepare(); err != nil {
		return nan, res, err
	}
	sys := s.sys
	n := sys.K.N
	b, u := s.b[:n], s.u[:n]
	sys.Load(eps, b)
	if s.m.Chol != nil {
		s.m.Chol.Solve(u, b, s.cws)
		sys.K.MulVec(s.ku[:n], u)
		res.Residual = relResidual(b, s.ku[:n], 1, 0)
		if err := s.m.checkDirect(res.Residual); err != nil {
			return nan, res, err
		}
		return sys.QoI(u), res, nil
	}
	clear(u)
	res, err = solver.PCG(sys.K, s.pc, b, u, s.m.Rtol, maxit, s.ws)
	if err != nil {
		return nan, res, err
	}
	return sys.QoI(u), res, nil
}

// SolveBatch solves the samples of eps (at most Model.Batch of them) together: one pass over
// the matrix per iteration serves them all, and each converges on its own. Sample j's QoI,
// CG result and error are in the returned slices' entry j (valid until the next call); each is
// bit-identical to Solve(eps[j]). It allocates nothing.
func (s *Solver) SolveBatch(eps []float64) (qoi []float64, res []solver.Result, errs []error) {
	if s.k == 1 {
		for j, e := range eps {
			s.qoi[j], s.res[j], s.errs[j] = s.Solve(e)
		}
		return s.qoi[:len(eps)], s.res[:len(eps)], s.errs[:len(eps)]
	}
	if len(eps) > s.k {
		panic("mc: SolveBatch with more samples than the model's batch size")
	}
	k := s.k
	// Unused columns solve b = 0: zero iterations, nothing to do.
	e := s.epsBuf
	copy(e, eps)
	clear(e[len(eps):])
	sys := s.sys
	F := sys.F
	for i, f := range F {
		bi := s.b[i*k : i*k+k]
		for j := range bi {
			bi[j] = e[j] * f
		}
	}
	if s.m.Chol != nil {
		s.m.Chol.SolveBatch(s.u, s.b, k, s.cws)
		sys.K.MulMulti(s.ku, s.u, k)
		for j := range k {
			r := relResidual(s.b, s.ku, k, j)
			s.res[j], s.errs[j] = solver.Result{Residual: r}, s.m.checkDirect(r)
		}
	} else {
		clear(s.u)
		solver.PCGBatch(sys.K, s.pc, s.b, s.u, k, s.m.Rtol, s.m.MaxIt, s.bws, s.res, s.errs)
	}
	area := sys.Area
	for j := range eps {
		s.qoi[j] = nan
		if s.errs[j] != nil {
			continue
		}
		var q float64
		for i, a := range area {
			q += a * s.u[i*k+j]
		}
		s.qoi[j] = q
	}
	return s.qoi[:len(eps)], s.res[:len(eps)], s.errs[:len(eps)]
}

// SolveRetry solves one sample alone with ten times the iteration cap: the stricter set-up of
// -on-failure retry.
func (s *Solver) SolveRetry(eps float64) (qoi float64, res solver.Result, err error) {
	return s.solve(eps, 10*s.m.MaxIt)
}

// relResidual returns ‖b − Ku‖₂/‖b‖₂ for column j of k interleaved ones, with ku = K u, summed
// in row order (so a column's value does not depend on k); 0 when b = 0.
func relResidual(b, ku []float64, k, j int) float64 {
	var bb, rr float64
	for i := j; i < len(b); i += k {
		d := b[i] - ku[i]
		bb += b[i] * b[i]
		rr += d * d
	}
	if bb == 0 {
		return 0
	}
	return math.Sqrt(rr / bb)
}

// DirectResidualError reports a direct solve whose residual ‖b − Ku‖/‖b‖ exceeds rtol: the
// factor is too inaccurate for this matrix (ill-conditioned beyond what rtol allows).
type DirectResidualError struct {
	Residual, Rtol float64
}

// Error returns e.g. "mc: Cholesky solve: relative residual 3e-07 > rtol 1e-08".
func (e *DirectResidualError) Error() string {
	return fmt.Sprintf("mc: Cholesky solve: relative residual %.2g > rtol %.2g", e.Residual, e.Rtol)
}

// checkDirect returns a *DirectResidualError unless a direct solve's residual is ≤ rtol.
func (m *Model) checkDirect(r float64) error {
	if r <= m.Rtol {
		return nil
	}
	return &DirectResidualError{Residual: r, Rtol: m.Rtol}
}

// SampleCost is the work of one sample in the unit of CostUnit: CG iterations × nonzeros of
// K, or for a direct solve the multiply-adds of the two triangular solves, 2·nnz(L).
func (m *Model) SampleCost(iterations int) int64 {
	if m.Chol != nil {
		return 2 * m.Chol.NNZ()
	}
	return int64(iterations) * int64(m.Sys.K.NNZ())
}

// CostUnit names SampleCost's unit for the reports.
func (m *Model) CostUnit() string {
	if m.Chol != nil {
		return "multiply-adds of the triangular solves (2 × nonzeros of the Cholesky factor per sample), summed over the samples"
	}
	return "CG iterations × nonzeros of K, summed over the samples"
}

// SolverText describes the solver for the reports (no timings: summary.json keeps it).
func (m *Model) SolverText() string {
	if f := m.Chol; f != nil {
		return fmt.Sprintf("Cholesky factor of K (%s ordering, L %.4g M nonzeros, %.3g MB per rank), a forward and a backward solve per sample, residual ‖b − Ku‖/‖b‖ checked against rtol",
			f.Ordering(), float64(f.NNZ())/1e6, float64(f.Bytes())/1e6)
	}
	return "CG, preconditioner " + m.PCName
}

// The cost model of -solver auto, calibrated on the development machine (bench/RESULTS.md):
// rates of the factorisation, of the batched triangular solves and of a CSR SpMV, and the
// cost of AMG-CG in SpMV-equivalents. The choice depends only on the matrix and the sample
// count, never on a timing, so every rank makes the same one.
const (
	autoFactorFlops   = 4.5e9   // flop/s of the numeric factorisation
	autoSolveFlops    = 5e9     // flop/s of batched triangular solves (4 flops per entry of L)
	autoSolveFlops1   = 4e9     // the same unbatched
	autoSpMVBytes     = 25e9    // bytes/s of a CSR SpMV
	autoAMGSetup      = 200     // SpMV-equivalents: the AMG set-up with the assembly
	autoAMGSample     = 30      // SpMV-equivalents per sample of AMG-CG with batches of 4 or more
	autoAMGSample1    = 60      // the same unbatched
	autoFactorMaxByte = 4 << 30 // the largest factor auto accepts, per rank
)

// chooseSolver is -solver auto: "cg" for the random-field model (a factor would serve one
// sample), else the Cholesky factor when it fits in autoFactorMaxByte and its estimated time
// (numeric factorisation + N solves; the ordering and analysis are done by then) is below
// AMG-CG's (set-up + N samples) for the campaign's N samples (the pilot of a -tol campaign),
// batched or not as -batch says. It returns the analysis for the factorisation.
func chooseSolver(cfg Config, a *sparse.CSR) (string, string, *chol.Analysis) {
	if cfg.Model == "lognormal-field" {
		return "cg", "auto: CG, since every sample has its own matrix (a factor would serve one sample)", nil
	}
	an := chol.Analyze(a, chol.Options{})
	if b := an.Bytes(); b > autoFactorMaxByte {
		return "cg", fmt.Sprintf("auto: AMG-CG, since the Cholesky factor would need %.1f GB per rank (limit %.1f GB)",
			float64(b)/1e9, float64(autoFactorMaxByte)/1e9), nil
	}
	n := float64(max(cfg.Samples, 1))
	solve, sample := autoSolveFlops, float64(autoAMGSample)
	if cfg.Batch < 4 {
		solve, sample = autoSolveFlops1, autoAMGSample1
	}
	spmv := float64(sparse.SpMVBytes(a.N, a.NNZ())) / autoSpMVBytes
	tChol := an.Flops()/autoFactorFlops + n*4*float64(an.NNZ())/solve
	tCG := spmv * (autoAMGSetup + n*sample)
	why := fmt.Sprintf("estimated %.3g s for the factor and %d solves against %.3g s for AMG-CG", tChol, int(n), tCG)
	if tChol < tCG {
		return "cholesky", "auto: Cholesky, " + why, an
	}
	return "cg", "auto: AMG-CG, " + why, nil
}
