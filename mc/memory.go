package mc

import (
	"fmt"
	"math"
	"strings"

	"mcfem/internal/bounded"
	"mcfem/problem"
	"mcfem/solver"
)

// Memory is an estimate of the memory a campaign needs at its peak, made from the sizes of
// its arrays before any of them is allocated (MemoryOfRun, MemoryOfMLMC): what one rank sets
// up (the mesh and matrix, the solver, each thread's vectors, and the set-up's temporary
// work), times the ranks that share the memory, plus the buffers of the samples' records.
//
// The model, in bytes, for a mesh of N nodes, T triangles, U unknowns and Z nonzeros of K:
//
//	mesh and matrix  17N + 12T (mesh) + 8N + 8U + 12Z (K) + 108T (scatter map, element
//	                 matrices) + 16U (load, areas); a problem file adds (inputs+1)·(8T + 8U +
//	                 16N) for its affine pieces, a random field 8·terms·T for its basis
//	solver           Jacobi 32U (inverse diagonal and band form); AMG 3·(12Z + 4U), the
//	                 hierarchy measured at about three times K; Cholesky a factor of
//	                 18·U·log₂U (nested dissection on a planar mesh: measured 16.5·U·log₂U − 10U
//	                 on the unit squares 64…1024); auto the larger of AMG and the factor, the
//	                 factor only while auto would take it (≤ 4 GiB)
//	per thread       48U per batch column (the load, the solution, CG's four vectors); with a
//	                 random matrix (the field, a random conductivity) its own 8Z values, 16T
//	                 coefficients and its own preconditioner
//	set-up work      half the mesh and matrix (the pattern and scatter map under
//	                 construction), and the AMG hierarchy again while it is built
//	record buffers   per rank, a window of at most 64 Ki records of 136 + 8·(inputs + QoIs)
//	                 bytes, and, when the records are kept (-out, ordered statistics), twice its
//	                 block's encoded records up to 4 MiB (the spill's memory, a chunk of the
//	                 ordered pass); on rank 0, with
//	                 ordered statistics, 16 bytes per QoI value (N·QoIs ≤ 2²¹: the statistics'
//	                 copy and the plots'). None grows with the samples beyond those bounds.
//
// Measured against the Go heap (TestMemoryEstimate): the estimate is within 1–2× of the
// peak heap of a set-up rank. It is an estimate of the live data: Go's collector needs
// headroom above it, which the command line gives by setting the runtime's soft memory limit
// to the memory available.
type Memory struct {
	Ranks   int      // ranks sharing the memory (in-process ranks, or an MPI node's)
	PerRank int64    // one rank's set-up, threads and set-up work
	Records int64    // the buffers of the samples' records
	Parts   []string // the per-rank parts, for the message: "mesh and matrix 1.2 GiB"
	Mesh    string   // what the mesh is, for the message: "-mesh 20000"
}

// Total is the memory the ranks and the record buffers need together.
func (m Memory) Total() int64 { return int64(m.Ranks)*m.PerRank + m.Records }

// String says the estimate and its breakdown: "about 61 GiB (2 ranks × 30 GiB: mesh and
// matrix 20 GiB, solver 3 GiB, …; records of 1000 samples 586 KiB)".
func (m Memory) String() string {
	records := ""
	if m.Records > 0 {
		records = "; record buffers " + bounded.Size(m.Records)
	}
	return fmt.Sprintf("about %s (%s × %s: %s%s)", bounded.Size(m.Total()), plural(m.Ranks, "rank"), bounded.Size(m.PerRank),
		strings.Join(m.Parts, ", "), records)
}

// meshSize is the size of a problem's discrete system.
type meshSize struct {
	n, t, u, z float64 // nodes, triangles, unknowns, nonzeros of K
}

// sizeOf returns the size of spec's system without setting it up: from the structured mesh's
// cells, or from the mesh read from a file.
func sizeOf(spec problem.Spec) meshSize {
	if m := spec.Mesh; m != nil {
		n, t := float64(m.NumNodes()), float64(m.NumTris())
		u := n
		if spec.File == nil { // the tutorial's Dirichlet nodes are the mesh's boundary
			u = 0
			for _, b := range m.Boundary {
				if !b {
					u++
				}
			}
		}
		// Each unknown's row: itself and its neighbours, two per edge; a planar mesh has at
		// most N + T edges (Euler).
		return meshSize{n: n, t: t, u: u, z: u + 2*(n+t)}
	}
	c := float64(spec.Cells)
	s := meshSize{n: (c + 1) * (c + 1), t: 2 * c * c, u: (c - 1) * (c - 1)}
	if spec.File != nil { // its Dirichlet parts may be any: at most every node is unknown
		s.u = s.n
	}
	s.z = 5 * s.u // the five-point rows of the structured mesh (the diagonals' zero entries pruned)
	return s
}

// Memory model constants, in bytes (see Memory).
const (
	recordBytes      = 136     // a record of the window (the Record and its index)
	recordBytesValue = 8       // per input or QoI
	recordKept       = 8 << 20 // the spill's memory and a chunk of the ordered pass
	factorLog2Bytes  = 18      // the Cholesky factor: this · U · log₂U
	autoFactorMax    = 4 << 30
)

// rankMemory estimates one rank's set-up of spec solved by so with threads workers, and
// names its parts.
func rankMemory(spec problem.Spec, so solver.Options, threads int) (int64, []string) {
	s := sizeOf(spec)
	varying := spec.Varying()
	// Every product is rounded (float64(…)) before it is added: no fused multiply-add, the
	// same estimate in every build.
	base := float64(17*s.n) + float64(12*s.t) + float64(8*s.n) + float64(8*s.u) + float64(12*s.z) + float64(108*s.t) + float64(16*s.u)
	if f := spec.File; f != nil {
		base += float64(float64(len(f.Inputs)+1) * (float64(8*s.t) + float64(8*s.u) + float64(16*s.n)))
		if f.Field != nil {
			base += float64(8 * float64(f.Field.Terms) * s.t)
		}
	} else if spec.Model == "lognormal-field" {
		base += float64(8 * float64(spec.Field.Terms) * s.t)
	}
	amg := float64(3 * (float64(12*s.z) + float64(4*s.u))) // rounded: no fused multiply-add
	factor := factorLog2Bytes * s.u * math.Log2(math.Max(s.u, 2))
	var shared, perThreadPC float64
	var what string
	method, pc := so.Method, so.PC
	if method == "auto" {
		switch {
		case varying:
			method, pc = "cg", "" // auto takes CG with the given preconditioner
		case factor <= autoFactorMax:
			method = "cholesky-or-amg"
		default:
			method, pc = "cg", "amg"
		}
	}
	pcBytes := func(pc string) float64 {
		switch pc {
		case "amg":
			return amg
		case "none":
			return 0
		}
		return 32 * s.u
	}
	switch method {
	case "cholesky":
		shared, what = factor, "Cholesky factor"
	case "cholesky-or-amg":
		shared, what = math.Max(factor, amg), "Cholesky factor or AMG"
	default:
		what = "CG " + pc
		if pc == "" {
			what = "CG jacobi"
		}
		shared = pcBytes(pc) // for the set-up matrix
		if varying {
			perThreadPC = pcBytes(pc) // and each sample's own, per thread
		}
	}
	batch := float64(so.Batch)
	if so.Batch == 0 {
		batch = float64(solver.AutoBatch(so.Method, so.PC, varying))
	}
	thread := float64(48 * s.u * batch) // rounded: no fused multiply-add with the += below
	if varying {
		thread += float64(8*s.z) + float64(16*s.t) + perThreadPC
	}
	work := float64(base / 2) // (×0.5 for the compiler: rounded, no fused multiply-add)
	if pc == "amg" || method == "cholesky-or-amg" {
		work += amg
	}
	th := float64(max(threads, 1))
	total := base + shared + float64(th*thread) + work
	parts := []string{
		"mesh and matrix " + bounded.Size(int64(base)),
		what + " " + bounded.Size(int64(shared+float64(th*perThreadPC))),
		plural(int(th), "thread") + " " + bounded.Size(int64(th*(thread-perThreadPC))),
		"set-up work " + bounded.Size(int64(work)),
	}
	return int64(math.Min(total, math.MaxInt64/1024)), parts
}

// recordMemory is the memory of the record buffers of a campaign of n samples of ni inputs and
// nq QoIs on one of ranks ranks (rank0: rank 0, with its ordered values), the records kept or
// not (see Memory).
func recordMemory(n, ni, nq int, kept, rank0 bool, ranks int) int64 {
	block := int64(n)/int64(max(ranks, 1)) + 1
	m := min(int64(window), block) * int64(recordBytes+recordBytesValue*(ni+nq))
	if kept {
		m += 2 * min(recordKept/2, block*int64(recordCodec{ni, nq}.size()))
	}
	if rank0 && ordered(n, nq) {
		m += 16 * int64(n) * int64(nq)
	}
	return m
}

// MemoryOfRun estimates the memory of the campaign cfg on ranks ranks sharing the memory, each
// with threads threads, the records kept (kept: -out) or not. The record buffers are those of
// the most samples it may reach: -samples, or with -tol -max-samples; withRank0 says whether
// rank 0 (which holds the ordered values) is among the ranks (in-process ranks: yes; under MPI
// the node of rank 0; counted on every node, as a rank does not know where rank 0 runs),
// worldRanks the ranks in all.
func MemoryOfRun(cfg Config, ranks, threads int, kept, withRank0 bool, worldRanks int) Memory {
	per, parts := rankMemory(cfg.Problem, cfg.Solver, threads)
	n := cfg.Samples
	if cfg.Tol > 0 {
		n = max(n, cfg.MaxSamples)
	}
	m := Memory{Ranks: ranks, PerRank: per, Parts: parts, Mesh: meshFlag(cfg.Problem)}
	ni, nq := len(cfg.Problem.InputNames()), len(cfg.Problem.QoINames())
	kept = kept || ordered(n, nq)
	m.Records = int64(ranks) * recordMemory(n, ni, nq, kept, false, worldRanks)
	if withRank0 {
		m.Records += recordMemory(n, ni, nq, kept, true, worldRanks) - recordMemory(n, ni, nq, kept, false, worldRanks)
	}
	return m
}

// MemoryOfMLMC estimates the memory of the multilevel campaign m's first levels (-levels: a
// level added later is checked when it is added) on ranks ranks of threads threads: each rank
// sets up every level, and a round's records pass through one window per rank.
func MemoryOfMLMC(m MLMCConfig, levels, ranks, threads int) Memory {
	var per int64
	var parts []string
	for l := range levels {
		spec := m.Base.Problem
		spec.Cells = m.Base.Problem.Cells << l
		p, ps := rankMemory(spec, m.Base.Solver, threads)
		per += p
		if l == levels-1 {
			parts = append([]string{fmt.Sprintf("%d levels, the finest %d×%d", levels, spec.Cells, spec.Cells)}, ps...)
		}
	}
	rec := int64(ranks) * recordMemory(m.Base.MaxSamples, 1, 2, false, false, ranks)
	return Memory{Ranks: ranks, PerRank: per, Parts: parts, Records: rec, Mesh: fmt.Sprintf("-mesh %d -levels %d", m.Base.Problem.Cells, levels)}
}

// MemoryOfSpec estimates one rank's set-up of spec with one thread and solver so (verify and
// bench set up one problem at a time).
func MemoryOfSpec(spec problem.Spec, so solver.Options) Memory {
	per, parts := rankMemory(spec, so, 1)
	return Memory{Ranks: 1, PerRank: per, Parts: parts, Mesh: meshFlag(spec)}
}

// meshFlag names the flag that chose spec's mesh.
func meshFlag(spec problem.Spec) string {
	switch {
	case spec.Mesh != nil && spec.MeshFile != "":
		return spec.MeshFile
	case spec.Mesh != nil:
		return "the mesh"
	}
	return fmt.Sprintf("-mesh %d", spec.Cells)
}

// plural is "1 rank", "2 ranks".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
