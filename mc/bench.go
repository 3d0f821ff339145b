package mc

import (
	"time"

	"mcfem/problem"
	"mcfem/solver"
)

// Bench is one rank's set-up of a campaign's problem and solver with its sample pipeline, and
// no collectives: `mcfem bench` times samples through the same set-up and the same loop as
// Run (one worker, the campaign's batches, sample i drawn from the stream (seed, 0, i)).
type Bench struct {
	Problem problem.Problem
	Solver  solver.Solver
	pl      *pipeline
	next    int
}

// NewBench validates cfg and sets up its problem and solver.
func NewBench(cfg Config) (*Bench, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p, err := problem.New(cfg.Problem)
	if err != nil {
		return nil, err
	}
	sopt := cfg.Solver
	sopt.Samples = cfg.Samples
	s, err := solver.New(p.System().K, sopt, p.Varying())
	if err != nil {
		return nil, err
	}
	batch := cfg.Batch()
	pl := &pipeline{ev: &single{p: p, s: s, batch: batch}, seed: cfg.Seed, batch: batch, onFailure: "fail",
		maxit: cfg.Solver.MaxIt, t0: time.Now()}
	return &Bench{Problem: p, Solver: s, pl: pl}, nil
}

// SetupSeconds is the time of the set-up: mesh, matrix, and the solver's preconditioner or
// factor.
func (b *Bench) SetupSeconds() float64 { return b.Problem.SetupSeconds() + b.Solver.SetupSeconds() }

// Solve solves the next n samples and returns their total solver iterations; a failed sample
// is an error.
func (b *Bench) Solve(n int) (iterations int, err error) {
	first := b.next
	b.next += n
	_, err = b.pl.runRange(first, n, len(b.Problem.InputNames()), len(b.Problem.QoINames()), func(recs []Record) {
		for _, r := range recs {
			iterations += r.Iterations
		}
	})
	if err != nil {
		return 0, err
	}
	return iterations, nil
}
