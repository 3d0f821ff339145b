// Package mc implements the Monte Carlo campaign of mcfem: the random input of every sample
// drawn from a stream keyed by (seed, sample index) alone, the model that turns an input into a
// quantity of interest by a real finite-element solve, power sums and h-statistics, the
// rank-local sample loop over a static block partition, the combination of the ranks' results
// (one allreduce of the power sums, an ordered gather of the per-sample records on rank 0) and
// the run report.
//
// Results never depend on the number of ranks: sample i's input depends only on (seed, i), its
// solve is a rank-local computation, and the statistics rank 0 reports are computed from the
// gathered records in sample order.
package mc
