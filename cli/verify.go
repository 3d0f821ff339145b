package cli

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"mcfem/internal/setting"
	"mcfem/mc"
	"mcfem/mesh"
	"mcfem/problem"
	"mcfem/problemfile"
	"mcfem/solver"
)

func cmdVerify(fs flagSet, args []string, stdout, stderr io.Writer) int {
	lo := fs.Int("min", 8, "coarsest mesh, cells per side (≥ 1)")
	hi := fs.Int("max", 512, "finest mesh, cells per side (≥ -min)")
	refine := fs.Int("refine", 4, "with -problem on a mesh file: solve on the mesh and on this many uniform refinements of it (1..8)")
	rtol := fs.Float64("rtol", 1e-12, "CG relative residual tolerance, in (0, 1): tight, so that the solver's error stays below the discretisation error")
	maxit := fs.Int("maxit", 100000, "CG iteration cap (≥ 1)")
	var src problemSource
	src.define(fs, false)
	if code := fs.parse(args, stdout, stderr); code >= 0 {
		return code
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	cfg := mc.DefaultConfig()
	cfg.Problem.Cells = *hi
	cfg.Solver = solver.Options{Method: "cg", PC: "jacobi", Rtol: *rtol, MaxIt: *maxit, Batch: 1}
	delete(set, "max") // -max is verify's own, not run's -mesh
	if err := src.apply(&cfg.Problem, set, nil); err != nil {
		fmt.Fprintf(stderr, "mcfem verify: %v\n", err)
		return exitUsage
	}
	pb := &cfg.Problem
	if pb.File != nil && pb.Mesh == nil {
		pb.Cells = *hi
	}
	if err := cfg.Validate(); err != nil {
		return usageError(fs, err, stderr)
	}
	if *lo < 1 || *lo > *hi {
		return usageError(fs, &setting.Error{Field: "min", Value: fmt.Sprint(*lo), Want: fmt.Sprintf("cells per side in [1, -max=%d]", *hi)}, stderr)
	}
	if *refine < 1 || *refine > 8 {
		return usageError(fs, &setting.Error{Field: "refine", Value: fmt.Sprint(*refine), Want: "refinements in [1, 8]"}, stderr)
	}
	if code := verifyMemory(fs.Name(), *pb, cfg.Solver, *refine, stderr); code >= 0 {
		return code
	}
	meshes, label := mc.SquareMeshes(*pb, *lo, *hi), "cells"
	if pb.Mesh != nil {
		meshes, label = refinedMeshes(*pb, *refine), "refined"
	}
	values, input := []float64{1}, "ε = 1"
	if f := pb.File; f != nil {
		values, input = make([]float64, len(f.Inputs)), ""
		var parts []string
		for k, in := range f.Inputs {
			values[k] = in.Dist.Mean()
			parts = append(parts, fmt.Sprintf("%s = %g (its mean)", in.Name, values[k]))
		}
		if f.Field != nil {
			parts = append(parts, "the field's ξ = 0")
		}
		input = strings.Join(parts, ", ")
		if input == "" {
			input = "the problem's data"
		}
	}
	var current atomic.Int64
	quit := make(chan struct{})
	go func() { // progress on stderr every progressEvery: the mesh being solved
		start := time.Now()
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case now := <-tick.C:
				i := current.Load()
				fmt.Fprintf(stderr, "mcfem verify: mesh %s (%d of %d, each about 4× the work of the one before), elapsed %s\n",
					meshes[i].Label, i+1, len(meshes), now.Sub(start).Round(time.Second))
			}
		}
	}()
	rows, err := mc.VerifyProgress(meshes, values, *rtol, *maxit, func(i int) { current.Store(int64(i)) })
	close(quit)
	if err != nil {
		fmt.Fprintf(stderr, "mcfem verify: %v\n", err)
		return exitFailure
	}
	if err := mc.WriteVerify(stdout, rows, pb.QoINames(), verifyTheory(*pb), input, label, *rtol); err != nil {
		return exitFailure
	}
	return exitOK
}

// verifyTheory returns the order P1 elements give each of spec's QoIs (nil: 2 for all).
func verifyTheory(spec problem.Spec) []string {
	if spec.File == nil {
		return nil
	}
	var out []string
	for _, q := range spec.File.QoIs {
		th := "2"
		if q.Kind == problemfile.QoIFlux {
			th = "2 through the whole boundary, 1 through part of it: its end nodes' reactions reach one edge beyond it"
		}
		out = append(out, th)
	}
	return out
}

// refinedMeshes returns spec's mesh file and its r uniform refinements (mesh.Refine, each
// renumbered by reverse Cuthill–McKee), with their parts and element properties.
func refinedMeshes(spec problem.Spec, r int) []mc.VerifyMesh {
	out := []mc.VerifyMesh{{Spec: spec, Label: "0", H: 1}}
	m, info := spec.Mesh, spec.MDPA
	for k := 1; k <= r; k++ {
		rm, parts, props := mesh.Refine(m, info.Parts, info.ElementProperties)
		perm := rm.RCM()
		ri := *info
		ri.Parts, ri.ElementProperties = mesh.PermuteParts(parts, perm), props
		m, info = rm.Permute(perm), &ri
		s := spec
		s.Mesh, s.MDPA = m, info
		out = append(out, mc.VerifyMesh{Spec: s, Label: fmt.Sprint(k), H: math.Ldexp(1, -k)})
	}
	return out
}
