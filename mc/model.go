package mc

import (
	"fmt"
	"math/rand/v2"
	"time"

	"mcfem/fem"
	"mcfem/field"
	"mcfem/mesh"
)

// Preconditioners lists the values of Config.PC.
var Preconditioners = []string{"jacobi", "amg", "none"}

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
	PC     any // shared, read-only: *fem.Jacobi, *fem.AMG or fem.Identity (see bindPC)
	Rtol   float64
	MaxIt  int
	Batch  int
	// Setup times in seconds: mesh and matrix (assembly), and the preconditioner.
	AssemblySeconds, PCSeconds float64
	// The random-field model: the KL expansion and its basis at the triangle centroids (set
	// up once); every sample assembles its own K and preconditioner into its worker's copy.
	KL    *field.KL
	Basis []float64
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
	switch cfg.PC {
	case "jacobi", "":
		md.PCName = "jacobi"
		md.PC, err = fem.NewJacobi(sys.K)
	case "amg":
		md.PC, err = newAMG(sys.K)
	case "none":
		md.PC = fem.Identity{}
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
	pc     fem.Preconditioner // the model's, bound to this worker's workspace when it needs one
	b, u   []float64
	ws     *fem.Workspace
	bws    *fem.BatchWorkspace
	res    []fem.Result
	errs   []error
	qoi    []float64
	epsBuf []float64
}

// NewSolver allocates a worker's state.
func (m *Model) NewSolver() *Solver {
	n, k := m.Sys.K.N, m.Batch
	s := &Solver{m: m, sys: m.Sys, k: k, pc: bindPC(m.PC, k), b: make([]float64, n*k), u: make([]float64, n*k),
		ws: fem.NewWorkspace(n), res: make([]fem.Result, k), errs: make([]error, k),
		qoi: make([]float64, k), epsBuf: make([]float64, k)}
	if k > 1 {
		s.bws = fem.NewBatchWorkspace(n, k)
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
	case *fem.Jacobi:
		j, ok := s.pc.(*fem.Jacobi)
		if !ok || j == p {
			j = &fem.Jacobi{InvDiag: make([]float64, s.sys.K.N)}
			s.pc = j
		}
		return j.Update(s.sys.K)
	case *fem.AMG:
		// A new hierarchy for this sample's matrix (set-up per sample).
		a, err := fem.NewAMG(s.sys.K, fem.AMGOptions{})
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
func (s *Solver) Solve(eps float64) (qoi float64, res fem.Result, err error) {
	return s.solve(eps, s.m.MaxIt)
}

func (s *Solver) solve(eps float64, maxit int) (qoi float64, res fem.Result, err error) {
	if err := s.prepare(); err != nil {
		return nan, res, err
	}
	sys := s.sys
	n := sys.K.N
	b, u := s.b[:n], s.u[:n]
	sys.Load(eps, b)
	clear(u)
	res, err = fem.PCG(sys.K, s.pc, b, u, s.m.Rtol, maxit, s.ws)
	if err != nil {
		return nan, res, err
	}
	return sys.QoI(u), res, nil
}

// SolveBatch solves the samples of eps (at most Model.Batch of them) together: one pass over
// the matrix per iteration serves them all, and each converges on its own. Sample j's QoI,
// CG result and error are in the returned slices' entry j (valid until the next call); each is
// bit-identical to Solve(eps[j]). It allocates nothing.
func (s *Solver) SolveBatch(eps []float64) (qoi []float64, res []fem.Result, errs []error) {
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
	clear(s.u)
	fem.PCGBatch(sys.K, s.pc, s.b, s.u, k, s.m.Rtol, s.m.MaxIt, s.bws, s.res, s.errs)
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
func (s *Solver) SolveRetry(eps float64) (qoi float64, res fem.Result, err error) {
	return s.solve(eps, 10*s.m.MaxIt)
}
