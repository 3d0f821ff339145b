// Package mc implements the Monte Carlo campaigns of mcfem on SPMD ranks.
//
// A campaign (Run) goes through four phases, one per file, as in the HPC mini-apps:
// setup.go sets up the problem (package problem) and its solver (package solver) once per
// rank; rounds.go solves the rank's static block of the samples, round by round (one round,
// or several for an accuracy -tol), each round closed by one exact integer allreduce of the
// power sums (package stats), so every rank takes the same decisions for every rank count;
// combine.go reduces the per-rank tallies of the records (tally.go) and, when the records are
// kept (files to write, or a campaign small enough for ordered statistics), passes them to rank
// 0 in sample order (stream.go: chunks of fixed binary layout from each rank's spill,
// spill.go, for a Sink), and brings the timings to rank 0; result.go assembles the result
// there, check.go its verdict. No rank holds more per-sample data than a window of records
// (64 Ki), its spill's few MiB and one chunk. budget.go holds the budgets
// behind that verdict (-max-samples for -tol and mlmc, -max-failures for -on-failure skip);
// memory.go the estimate of a campaign's memory that the command line checks before it runs.
//
// Every sample of every campaign goes through one pipeline (loop.go): sample i's inputs are
// drawn from the stream of (seed, stream, i) alone (sample.go, Draw), workers take batches in
// turn, the evaluator (evaluate.go) solves them — one problem for plain Monte Carlo, the
// coupled fine and coarse solves of a level for multilevel Monte Carlo (mlmc.go, mlmctest.go)
// — and the failure policy, the journal (package journal), the field sums (fields.go), the
// progress counter and the stall watchdog (watchdog.go) act on the records. Test faults enter
// through one hook (fault.go). verify.go is the mesh-convergence study against a problem's
// exact QoI.
//
// Results never depend on the number of ranks, threads or the batch size: a sample's inputs
// depend only on (seed, stream, i), its solve is bit-identical in every batch, and rank 0's
// statistics are computed from the values in sample order (up to OrderedValues) or from exact
// sums.
package mc
