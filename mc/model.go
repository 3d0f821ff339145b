package mc

import (
	"fmt"
	"math/rand/v2"
	"time"

	"mcfem/fem"
	"mcfem/field"
	"mcfem/mesh"
	"mcfem/solver"
)

// Preconditioners lists the values of Config.PC.
var Preconditioners = solver.Preconditioners

// Solvers lists the values of Config.Solver.
var Solvers = solver.Methods

// Models lists the values of Config.Model.
var Models = []string{"reference", "lognormal-field"}

// Model is the reference problem on one mesh (SPEC.md): -Δu = ε f on the unit square,
// u = 0 on the boundary, QoI = Σ_i area_i u_i. Everything in it is independent of the sample
// and read-only once built, so a rank builds it once and every sample (and every thread)
// shares it: the mesh, the CSR pattern and stiffness matrix, the solver's set-up and the load
// shape ∫ f φ_i. Each sample still assembles its own load vector ε·F and runs its own solve.
type Model struct {
	Cells  int
	Mesh   *mesh.Mesh
	Sys    *fem.System
	Solver solver.Solver
	Batch  int
	// AssemblySeconds is the time of the mesh and the matrix.
	AssemblySeconds float64
	// The random-field model: the KL expansion and its basis at the triangle centroids (set
	// up once); every sample assembles its own K into its worker's copy.
	KL    *field.KL
	Basis []float64
}

// NewModel builds the model of the configuration: mesh, system and solver.
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
	md := &Model{Cells: cfg.Cells, Mesh: m, Sys: sys, Batch: max(cfg.Batch, 1), AssemblySeconds: time.Since(t0).Seconds()}
	random := cfg.Model == "lognormal-field"
	opt := solver.Options{Method: cfg.Solver, PC: cfg.PC, Rtol: cfg.Rtol, MaxIt: cfg.MaxIt, Batch: md.Batch, Samples: cfg.Samples}
	if md.Solver, err = solver.New(sys.K, opt, random); err != nil {
		return nil, fmt.Errorf("mc: %w", err)
	}
	if random {
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
// of Model.Batch samples (interleaved) and the solver's worker, allocated once and reused by
// every sample.
type Solver struct {
	m      *Model
	sys    *fem.System // the model's, or this worker's copy whose K values change per sample
	xi     []float64   // random-field model: this sample's KL coefficients (set by DrawField)
	kappa  []float64
	rng    *rand.Rand // normals for DrawField, over rngSrc
	rngSrc rand.Source
	k      int
	w      solver.Worker
	b, u   []float64
	res    []solver.Result
	errs   []error
	qoi    []float64
	epsBuf []float64
}

// NewSolver allocates a worker's state.
func (m *Model) NewSolver() *Solver {
	n, k := m.Sys.K.N, m.Batch
	s := &Solver{m: m, sys: m.Sys, k: k, w: m.Solver.NewWorker(), b: make([]float64, n*k), u: make([]float64, n*k),
		res: make([]solver.Result, k), errs: make([]error, k), qoi: make([]float64, k), epsBuf: make([]float64, k)}
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

// prepare assembles this sample's matrix and the solver's per-sample set-up for the
// random-field model.
func (s *Solver) prepare() error {
	if s.xi == nil {
		return nil
	}
	s.m.KL.Kappa(s.kappa, s.m.Basis, s.xi)
	s.sys.AssembleStiffness(s.kappa)
	return s.w.SetMatrix(s.sys.K)
}

// Solve assembles the load for ε, solves K u = b by preconditioned CG from u = 0 and
// returns the QoI. It allocates nothing. On a CG failure the error is fem's (typed) and the
// QoI is NaN.
func (s *Solver) Solve(eps float64) (qoi float64, res solver.Result, err error) {
	return s.solve(eps, false)
}

func (s *Solver) solve(eps float64, retry bool) (qoi float64, res solver.Result, err error) {
	if err := s.prepare(); err != nil {
		return nan, res, err
	}
	sys := s.sys
	n := sys.K.N
	b, u := s.b[:n], s.u[:n]
	sys.Load(eps, b)
	if retry {
		res, err = s.w.Retry(u, b)
	} else {
		s.w.Solve(u, b, 1, s.res[:1], s.errs[:1])
		res, err = s.res[0], s.errs[0]
	}
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
	s.w.Solve(s.u, s.b, k, s.res, s.errs)
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
	return s.solve(eps, true)
}

// SampleCost is the work of one sample in the unit of CostUnit.
func (m *Model) SampleCost(iterations int) int64 { return m.Solver.Cost(iterations) }
