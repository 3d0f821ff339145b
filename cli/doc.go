// Package cli implements the mcfem command: its subcommands (run, mlmc, mlmc-test, verify,
// bench, mesh, plot-scaling, version), their flags and configuration files, the start-up and
// shutdown of MPI ranks (or of in-process ranks), signals, progress lines and exit codes.
// main.go only locks the main goroutine to its OS thread and calls Main.
//
// A command parses and validates its flags on every rank (under MPI the verdict is agreed
// collectively), sets up the campaign's configuration (mc.Config: a problem.Spec, the
// solver.Options and the campaign's own settings), runs it through package mc, and has rank 0
// write what package report makes of the result. A run with -out first takes the directory
// (outdir.go): a lock held by rank 0, the directory writable from every rank, no other
// campaign in it unless -resume or -overwrite, the journals of -resume read, the outputs of
// an earlier run removed, summary.json first; every step agreed collectively under MPI.
package cli
