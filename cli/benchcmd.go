package cli

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"mcfem/bench"
	"mcfem/internal/setting"
	"mcfem/mc"
	"mcfem/solver"
)

func cmdBench(fs flagSet, args []string, stdout, stderr io.Writer) int {
	quick := fs.Bool("quick", false, "small ladder (64, 128, 256 cells) that runs in under a minute")
	jsonOut := fs.String("json", "", "also write the results as JSON to this file")
	sizes := fs.String("sizes", "", "comma-separated cells per side (default 64,128,256,512,1024; with -quick 64,128,256)")
	pcs := fs.String("pc", "", "comma-separated preconditioners, and cholesky for the direct solver (default jacobi,amg,cholesky)")
	batches := fs.String("batch", "", "comma-separated batch sizes (default 1,8)")
	minTime := fs.Duration("min-time", 0, "least time per measurement (default 1s; with -quick 200ms)")
	var src problemSource
	src.define(fs, false)
	if code := fs.parse(args, stdout, stderr); code >= 0 {
		return code
	}
	opt := bench.DefaultOptions(*quick)
	var err error
	if *sizes != "" {
		if opt.Sizes, err = intList(*sizes, 1, 46339); err != nil {
			return usageError(fs, &setting.Error{Field: "sizes", Value: *sizes, Want: "comma-separated cells per side in [1, 46339]"}, stderr)
		}
	}
	if *batches != "" {
		if opt.Batches, err = intList(*batches, 1, solver.MaxBatch); err != nil {
			return usageError(fs, &setting.Error{Field: "batch", Value: *batches, Want: fmt.Sprintf("comma-separated batch sizes in [1, %d]", solver.MaxBatch)}, stderr)
		}
	}
	if *pcs != "" {
		opt.PCs = strings.Split(*pcs, ",")
		for _, p := range opt.PCs {
			if !slices.Contains(solver.Preconditioners, p) && p != "cholesky" {
				return usageError(fs, &setting.Error{Field: "pc", Value: *pcs, Want: "comma-separated of " + strings.Join(append(solver.Preconditioners, "cholesky"), ", ")}, stderr)
			}
		}
	}
	if *minTime < 0 {
		return usageError(fs, &setting.Error{Field: "min-time", Value: minTime.String(), Want: "a duration ≥ 0"}, stderr)
	}
	if *minTime > 0 {
		opt.MinTime = *minTime
	}
	if src.problem != "" {
		spec := mc.DefaultConfig().Problem
		src.squares = true
		if err := src.apply(&spec, nil, nil); err != nil {
			fmt.Fprintf(stderr, "mcfem bench: %v\n", err)
			return exitUsage
		}
		opt.Problem = &spec
	}
	if code := benchMemory(opt, stderr); code >= 0 {
		return code
	}
	rep, err := bench.Run(opt, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "mcfem bench: %v\n", err)
		return exitFailure
	}
	rep.WriteText(stdout)
	if *jsonOut != "" {
		f, err := os.Create(*jsonOut)
		if err == nil {
			err = rep.WriteJSON(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "mcfem bench: %v\n", err)
			return exitFailure
		}
	}
	return exitOK
}

// intList parses "a,b,c" into integers in [lo, hi].
func intList(s string, lo, hi int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < lo || v > hi {
			return nil, fmt.Errorf("bad value %q", f)
		}
		out = append(out, v)
	}
	return out, nil
}
