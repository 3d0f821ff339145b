package fem

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/mesh"
)

// manufactured is a problem −∇·(κ∇u) = f on the unit square with a known solution u: Dirichlet
// data u on the sides named in dirichlet (mesh.BoxParts names), κ ∂u/∂n = g on the side named
// neumann (if any).
type manufactured struct {
	name      string
	u         func(x, y float64) float64
	f         Source
	kappa     func(x, y float64) float64 // nil: κ = 1
	dirichlet []string
	neumann   string
	g         Source
	integral  float64 // ∫ u over the square
	fluxRight float64 // −∫_{x=1} κ ∂u/∂x dy: the flux of −κ∇u out through the right side
}

var manufacturedProblems = []manufactured{
	{
		// (1) Non-zero Dirichlet data on all sides. The 5-point stencil (K on this mesh) is
		// exact for a quadratic and F_i = −4h², so the nodal values are exact: the QoI error
		// is the lumped rule's alone.
		name:      "dirichlet u=x²+y²+xy",
		u:         func(x, y float64) float64 { return x*x + y*y + x*y },
		f:         func(x, y float64) float64 { return -4 },
		dirichlet: []string{"left", "right", "bottom", "top"},
		integral:  1.0/3 + 1.0/3 + 1.0/4,
		fluxRight: -(2 + 0.5), // −∫ (2 + y) dy
	},
	{
		// (2) κ ∂u/∂n = g on x = 1 (Neumann), Dirichlet on the other sides (corners included).
		name:      "neumann on x=1, u=eˣcos y+x²",
		u:         func(x, y float64) float64 { return math.Exp(x)*math.Cos(y) + x*x },
		f:         func(x, y float64) float64 { return -2 },
		dirichlet: []string{"left", "bottom", "top"},
		neumann:   "right",
		g:         func(x, y float64) float64 { return math.E*math.Cos(y) + 2 }, // ∂u/∂x at x = 1
		integral:  (math.E-1)*math.Sin(1) + 1.0/3,
		fluxRight: -(math.E*math.Sin(1) + 2),
	},
	{
		// (3) κ = 1 + x + y² varying in space, per-triangle value at the centroid; u harmonic,
		// so f = −∇κ·∇u.
		name:      "kappa=1+x+y², u=eˣsin y",
		u:         func(x, y float64) float64 { return math.Exp(x) * math.Sin(y) },
		f:         func(x, y float64) float64 { return -math.Exp(x) * (math.Sin(y) + 2*y*math.Cos(y)) },
		kappa:     func(x, y float64) float64 { return 1 + x + y*y },
		dirichlet: []string{"left", "right", "bottom", "top"},
		integral:  (math.E - 1) * (1 - math.Cos(1)),
		// −e ∫ (2 + y²) sin y dy = −e (2 sin 1 − cos 1)
		fluxRight: -math.E * (2*math.Sin(1) - math.Cos(1)),
	},
}

// mmsResult is what one solve of a manufactured problem gives.
type mmsResult struct {
	qoi      float64 // lumped integral Σ_v w_v u_v over all nodes
	flux     float64 // Σ of the reactions over the right side's nodes (volume load only)
	nodalErr float64 // max_v |u_v − u(x_v)|
	freeRes  float64 // max |reaction| at the free nodes (with the full load)
}

// solveManufactured solves p on UnitSquare(n) with the general-problem pieces: Dirichlet nodes
// from the box parts, K for the per-triangle κ (AssembleValues), load = NodalLoad + EdgeLoad,
// Lift, Cholesky, Expand, PartWeights and Reactions.
func solveManufactured(t *testing.T, p manufactured, n int) mmsResult {
	m := unitSquare(t, n)
	box := mesh.BoxParts(m)
	part := func(name string) mesh.Part {
		i := slices.IndexFunc(box, func(q mesh.Part) bool { return q.Name == name })
		require.GreaterOrEqual(t, i, 0, name)
		return box[i]
	}
	clear(m.Boundary)
	for _, name := range p.dirichlet {
		for _, v := range part(name).Nodes {
			m.Boundary[v] = true
		}
	}
	s := newSystem(t, m, p.f)
	nn := m.NumNodes()

	var kappa []float64
	if p.kappa != nil {
		kappa = make([]float64, m.NumTris())
		for tr := range kappa {
			var cx, cy float64
			for _, v := range m.Tri[3*tr : 3*tr+3] {
				cx += m.Coords[2*v] / 3
				cy += m.Coords[2*v+1] / 3
			}
			kappa[tr] = p.kappa(cx, cy)
		}
	}
	s.AssembleValues(s.K.Val, kappa)

	volume, err := s.NodalLoad(p.f)
	require.NoError(t, err)
	load := slices.Clone(volume)
	if p.neumann != "" {
		edge, err := s.EdgeLoad(m.BoundaryEdges(part(p.neumann).Nodes), p.g)
		require.NoError(t, err)
		for v := range load {
			load[v] += edge[v]
		}
	}
	ud := make([]float64, nn)
	for v := range nn {
		if m.Boundary[v] {
			ud[v] = p.u(m.Coords[2*v], m.Coords[2*v+1])
		}
	}
	b := make([]float64, len(s.Node))
	s.Restrict(b, load)
	s.Lift(b, kappa, ud)
	uFree := cholSolve(t, s, b)
	u := make([]float64, nn)
	s.Expand(u, uFree, 1, 0, ud)

	var res mmsResult
	w := s.PartWeights(part("domain").Tris)
	for v := range nn {
		res.qoi += w[v] * u[v]
		res.nodalErr = max(res.nodalErr, math.Abs(u[v]-p.u(m.Coords[2*v], m.Coords[2*v+1])))
	}
	r := make([]float64, nn)
	s.Reactions(r, kappa, u, load)
	for v, i := range s.Dof {
		if i >= 0 {
			res.freeRes = max(res.freeRes, math.Abs(r[v]))
		}
	}
	s.Reactions(r, kappa, u, volume)
	for _, v := range part("right").Nodes {
		res.flux += r[v]
	}
	return res
}

// TestManufacturedConvergence solves the manufactured problems on UnitSquare(n), n = 8…128,
// and checks the observed orders: 2 for the lumped integral of u, ≥ 1 for the flux through
// the right side computed from the reactions.
func TestManufacturedConvergence(t *testing.T) {
	ns := []int{8, 16, 32, 64, 128}
	for _, p := range manufacturedProblems {
		t.Run(p.name, func(t *testing.T) {
			qErr := make([]float64, len(ns))
			fErr := make([]float64, len(ns))
			for k, n := range ns {
				res := solveManufactured(t, p, n)
				qErr[k] = math.Abs(res.qoi - p.integral)
				fErr[k] = math.Abs(res.flux - p.fluxRight)
				t.Logf("n=%3d  QoI error %.4e  flux error %.4e  max nodal error %.3e  max free residual %.1e",
					n, qErr[k], fErr[k], res.nodalErr, res.freeRes)
				// The reduced system is solved to rounding (Cholesky): the free-node reactions
				// are rounding of |K|·|u| + |f| ≲ 10 (observed ≤ 1e-14); 1e-11 leaves room.
				assert.Less(t, res.freeRes, 1e-11, "n=%d: reactions at free nodes", n)
				if p.name == manufacturedProblems[0].name {
					// Nodal values exact (see the problem): only the Cholesky rounding, growing
					// like κ(K)·ε ~ n²·ε (observed 1.4e-13 at n = 128); 1e-11.
					assert.Less(t, res.nodalErr, 1e-11, "n=%d: nodal values of a quadratic", n)
				}
			}
			for k := 1; k < len(ns); k++ {
				qOrder := math.Log2(qErr[k-1] / qErr[k])
				fOrder := math.Log2(fErr[k-1] / fErr[k])
				t.Logf("n=%3d→%3d  QoI order %.4f  flux order %.4f", ns[k-1], ns[k], qOrder, fOrder)
				// O(h²) for the lumped integral of the P1 solution (SPEC: the tutorial QoI).
				assert.InDelta(t, 2.0, qOrder, 0.1, "QoI order n=%d→%d", ns[k-1], ns[k])
				// The reaction flux: O(h) from the end nodes' hat functions reaching into the
				// neighbouring sides, where the flux is not zero; 0.9 allows pre-asymptotic
				// ratios.
				assert.Greater(t, fOrder, 0.9, "flux order n=%d→%d", ns[k-1], ns[k])
			}
		})
	}
}
