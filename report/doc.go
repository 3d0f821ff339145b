// Package report implements what rank 0 writes after a campaign: the readable summary on
// stdout (text.go), summary.json (summary.go), samples.csv and timings.csv (csv.go), the
// multilevel tables and summary (mlmc.go), and the optional outputs assembled from a result —
// fields.vtu, trace.json and the plots (extras.go, drawn by package output). files.go writes
// every file atomically (internal/atomicfile), summary.json last.
//
// What a report says about exact values, it asks the problem (problem.Problem.Exact): a
// problem that knows none gets no exact column, no density overlay and no reference line.
// Everything in summary.json outside "execution" depends only on the results, so two runs of
// the same configuration on any rank count have identical summaries once "execution" is
// removed.
package report
