// Package bench implements benchmarks of whole samples over a ladder of mesh sizes, with the
// work model beside them (CG iterations and SpMV-equivalents per sample), for comparing
// solvers and machines, run through the campaign's sample pipeline (mc.Bench). The kernels'
// own benchmarks live next to the kernels, in packages sparse, solver and chol.
package bench
