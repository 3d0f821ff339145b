package problem

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"mcfem/dist"
	"mcfem/fem"
	"mcfem/field"
	"mcfem/internal/setting"
	"mcfem/mesh"
	"mcfem/problemfile"
	"mcfem/sparse"
)

// Inputs are one sample's random inputs.
type Inputs struct {
	// Values are the scalar inputs reported for every sample (samples.csv, journals), one per
	// Problem.InputNames: the tutorial's ε.
	Values []float64
	// Coeffs are inputs only the problem reads: the random field's KL coefficients ξ.
	Coeffs []float64
}

// A Problem is a stationary diffusion problem −∇·(κ∇u) = f on a triangulation, with random
// inputs, discretised by P1 elements. It is set up once per rank (New) and read-only after:
// every worker of the rank shares it and keeps its writable state in its own Sampler.
type Problem interface {
	// Info describes the problem for reports.
	Info() Info
	// InputNames names the reported scalar inputs (Inputs.Values), QoINames the quantities
	// of interest, in the order of every sample's record.
	InputNames() []string
	QoINames() []string
	// NewInputs returns inputs of the right shape for Draw.
	NewInputs() *Inputs
	// Draw sets in to sample i's inputs, drawing from src: the stream of sample i alone (the
	// campaign seeds it from the seed, the stream and i), so the draw does not depend on
	// which rank or thread makes it. It allocates nothing.
	Draw(i int, src rand.Source, in *Inputs)
	// Dims is the number of random scalars a sample draws: its random inputs, then the random
	// field's KL coefficients; an error names an input without a quantile function (a list of
	// values), which only plain Monte Carlo can draw.
	Dims() (int, error)
	// FromUniform sets in to the inputs of the point u of the unit cube (Dims coordinates in
	// (0, 1)): each input its quantile at its coordinate, each KL coefficient the standard
	// normal quantile (uniform.go). Designs other than plain Monte Carlo draw through it. It
	// allocates nothing.
	FromUniform(u []float64, in *Inputs)
	// Samples is the number of samples a list input fixes (-dist list:…), 0 for random inputs.
	Samples() int
	// System is the discrete problem set up once: the mesh, the unknowns, the sparsity
	// pattern and scatter map, the stiffness matrix of the sample-independent κ, the load
	// shape and the nodal areas.
	System() *fem.System
	// Varying reports that the stiffness matrix depends on the sample (Sampler.Matrix
	// assembles it): a solver then cannot factorise K once.
	Varying() bool
	// NewSampler returns one worker's writable state.
	NewSampler() Sampler
	// Exact returns what is known exactly about the QoI, and whether an exact reference is
	// known at all. Only a problem that knows its continuum solution says yes; the reports,
	// plots, checks, verify and MLMC ask here and nowhere else.
	Exact() (Exact, bool)
	// Reused names the sample-independent work of a rank, for the report, with the
	// solver's set-up (solver.Solver.Setup) in its place.
	Reused(solverSetup string) []string
	// SetupSeconds is the time the set-up took (mesh and matrix).
	SetupSeconds() float64
}

// A Sampler is one worker's view of a Problem: the matrix of a sample (its own copy when the
// problem is Varying), its load vectors and its QoIs. Its methods allocate nothing.
type Sampler interface {
	// Matrix returns the stiffness matrix for inputs in: the shared one, or this sampler's
	// own, assembled for in when the problem is Varying (valid until the next call). An error
	// wrapping ErrNotSPD says that the sample's coefficients make the problem ill-posed (a
	// conductivity that is not positive somewhere): the sample fails with its own status.
	Matrix(in *Inputs) (*sparse.CSR, error)
	// Load writes column j of k interleaved load vectors (entry i at b[i·k+j]) for in.
	Load(in *Inputs, b []float64, k, j int)
	// QoIs writes into q the QoIs of the sample with inputs in whose solution is column j of
	// k interleaved solutions u.
	QoIs(in *Inputs, u []float64, k, j int, q []float64)
}

// ErrNotSPD is wrapped by the errors of a sample whose coefficients make its system not
// symmetric positive definite (a conductivity that is not positive somewhere).
var ErrNotSPD = errors.New("problem: the sample's system is not positive definite")

// Info describes a problem for the reports.
type Info struct {
	Model    string    // "reference" or "lognormal-field"
	Field    string    // the model's own parameters ("sigma 1, lambda 0.3, terms 50"), "" if none
	Cells    int       // cells per side of the structured mesh, 0 for a mesh file
	MeshFile string    // the .mdpa file, "" for the structured mesh
	Boundary string    // its Dirichlet sub-model-part ("" = the outer edges)
	Dist     dist.Dist // the distribution of the scalar input
	Mesh     string    // "unit square 64×64" or "FILE (boundary NAME, RCM node order)"
	QoI      string    // what the QoI is, in words
	Nodes    int
	Tris     int
	// Notes are what a user should know about the problem before trusting it: settings of the
	// mesh file the problem does not model, why no exact value is known.
	Notes []string
}

// Exact is what is known exactly about a problem's QoI.
type Exact struct {
	// Note says what the values are of (the continuum QoI, and how the discrete one differs);
	// Label is the report's column header.
	Note, Label string
	// The exact statistics of the QoI; NaN where unknown (a list of input values).
	Mean, Variance, StdDev, Skewness, ExKurtosis float64
	// Density is the probability density of the QoI, nil when unknown; CDF and Quantile its
	// distribution function and quantile function, nil when unknown.
	Density       func(q float64) float64
	CDF, Quantile func(float64) float64
	// QoIs writes the exact QoIs of one input into q (one per QoINames), nil when unknown:
	// a problem may know them (a manufactured solution) without knowing their distribution.
	QoIs func(in *Inputs, q []float64)
	// MeanInputs, when not nil, sets in to inputs at which the discrete problem's QoIs equal
	// their expectations (the tutorial's QoI is linear in ε: Q_h(E ε) = E Q_h), so that one
	// solve gives the discrete expectation the estimates converge to on this mesh.
	MeanInputs func(in *Inputs)
}

// The values of Spec.Model.
var Models = []string{"reference", "lognormal-field"}

// MaxCells bounds Spec.Cells: the structured mesh's (cells+1)² nodes stay within int32
// indices.
const MaxCells = 46339

// Spec says which problem to set up.
type Spec struct {
	// Model is "reference" (the Kratos tutorial's problem, κ = 1) or "lognormal-field" (κ =
	// exp(g), g a truncated Karhunen–Loève expansion, Field).
	Model string
	// Cells is the structured mesh of the unit square (cells per side), used when Mesh is nil.
	Cells int
	// Mesh, if not nil, is the mesh to solve on (read from MeshFile, nodes already
	// reordered), MDPA what its reader said about the file.
	Mesh     *mesh.Mesh
	MDPA     *mesh.MDPAInfo
	MeshFile string
	Boundary string // the sub-model-part of MeshFile that is the Dirichlet boundary ("" = outer edges)
	Dist     dist.Dist
	Field    field.Params
	// File, when not nil, is a problem file (Model "file"): its inputs, coefficients,
	// boundary conditions and QoIs; Dist, Field and Boundary are then not used. Its mesh is
	// Mesh (read from its .mdpa by the caller, parts permuted with the nodes) or the unit
	// square of Cells.
	File *problemfile.File
}

// Validate checks the spec; it returns the first *setting.Error.
func (s Spec) Validate() error {
	switch {
	case s.File != nil && s.Model != "file":
		return setting.Invalid("model", s.Model, "file, with a problem file")
	case s.File != nil && s.Mesh == nil && (s.Cells < 1 || s.Cells > MaxCells):
		return setting.Invalid("mesh", fmt.Sprint(s.Cells), fmt.Sprintf("cells per side in [1, %d]", MaxCells))
	case s.File != nil:
		return nil
	case !slices.Contains(Models, s.Model):
		return setting.Invalid("model", s.Model, "one of "+strings.Join(Models, ", "))
	case s.Mesh == nil && (s.Cells < 2 || s.Cells > MaxCells):
		// One cell has no interior node: u = 0 on ∂Ω leaves nothing to solve.
		return setting.Invalid("mesh", fmt.Sprint(s.Cells), fmt.Sprintf("cells per side in [2, %d] (with 1, every node is on the Dirichlet boundary)", MaxCells))
	case s.Dist == nil:
		return setting.Invalid("dist", "none", "a distribution")
	case s.Model == "lognormal-field" && s.Field.Validate() != nil:
		return setting.Invalid("field", fmt.Sprintf("sigma %g, lambda %g, terms %d", s.Field.Sigma, s.Field.Lambda, s.Field.Terms),
			strings.TrimPrefix(s.Field.Validate().Error(), "field: "))
	}
	return nil
}

// InputNames and QoINames name the reported inputs and the QoIs the problem of the spec will
// have, in order (before it is set up).
func (s Spec) InputNames() []string {
	if s.File != nil {
		return s.File.InputNames()
	}
	return []string{"eps"}
}

func (s Spec) QoINames() []string {
	if s.File != nil {
		return s.File.QoINames()
	}
	return []string{"qoi"}
}

// ListLen is the number of samples the spec's list inputs fix (-dist list:…, or a problem
// file's list inputs), 0 when its inputs are random.
func (s Spec) ListLen() int {
	if s.File == nil {
		return s.Dist.Len()
	}
	for _, in := range s.File.Inputs {
		if n := in.Dist.Len(); n > 0 {
			return n
		}
	}
	return 0
}

// Varying reports whether the stiffness matrix of the spec's problem depends on the sample:
// the random field, or a problem file's conductivity that uses an input.
func (s Spec) Varying() bool {
	if f := s.File; f != nil {
		if f.Field != nil {
			return true
		}
		for _, in := range f.Inputs {
			if f.Conductivity != nil && f.Conductivity.Uses(in.Name) {
				return true
			}
		}
		return false
	}
	return s.Model == "lognormal-field"
}

// Inputs describes the spec's random inputs: "eps ~ DIST", or a problem file's "NAME ~ DIST,
// …" (with the field's when it has one).
func (s Spec) Inputs() string {
	if s.File == nil {
		return "eps ~ " + s.Dist.String()
	}
	var parts []string
	for _, in := range s.File.Inputs {
		parts = append(parts, in.Name+" ~ "+in.Dist.String())
	}
	if fp := s.File.Field; fp != nil {
		parts = append(parts, fmt.Sprintf("log-normal field (sigma %g, lambda %g, terms %d)", fp.Sigma, fp.Lambda, fp.Terms))
	}
	if len(parts) == 0 {
		return "no random input"
	}
	return strings.Join(parts, ", ")
}

// DistText is the distribution for reports: -dist's ("beta:2,6"), or Inputs for a problem
// file.
func (s Spec) DistText() string {
	if s.File == nil {
		return s.Dist.String()
	}
	return s.Inputs()
}

// QoIIndex returns the index of the QoI called name ("" means the first), or -1.
func (s Spec) QoIIndex(name string) int {
	if name == "" {
		return 0
	}
	return slices.Index(s.QoINames(), name)
}

// JournalKey are the settings that determine every sample's result, as the journals record
// them (the campaign adds its own: seed, tolerances, solver): the model with its parameters,
// the mesh (the structured one by its size, a file's by a hash of its nodes, triangles and
// boundary) and the distribution's values.
func (s Spec) JournalKey() map[string]string {
	model := s.Model
	if model == "lognormal-field" {
		model = fmt.Sprintf("lognormal-field sigma=%g lambda=%g terms=%d", s.Field.Sigma, s.Field.Lambda, s.Field.Terms)
	}
	mesh := fmt.Sprintf("unit square %d", s.Cells)
	if s.Mesh != nil {
		mesh = s.Mesh.Hash()
	}
	if f := s.File; f != nil {
		keys := make([]string, len(f.Inputs))
		for k, in := range f.Inputs {
			keys[k] = in.Name + "=" + in.Dist.Key()
		}
		return map[string]string{"model": "file sha256=" + f.Digest, "mesh": mesh, "dist": strings.Join(keys, "; ")}
	}
	return map[string]string{"model": model, "mesh": mesh, "dist": s.Dist.Key()}
}

// New sets up the problem of the spec: the mesh (the structured one, or the spec's) and its
// discrete system, and for the random-field model the KL expansion at the triangles.
func New(s Spec) (Problem, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if s.File != nil {
		return newFileProblem(s)
	}
	t, err := newTutorial(s)
	if err != nil {
		return nil, err
	}
	if s.Model == "lognormal-field" {
		return newLogNormalField(t)
	}
	return t, nil
}
