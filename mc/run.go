package mc

import "mcfem/spmd"

// Run is the campaign as every rank runs it, in four phases, one per file: set up the problem
// and its solver once (setup.go); solve the rank's block of the samples still to do, round by
// round, with Options.Threads workers, each round ending with an exact allreduce of the power
// sums (rounds.go); bring the records, fields and timings to rank 0 (combine.go); and there,
// the result (result.go). The samples to do are [0, N) less those in opt.Done (recovered from
// journals by -resume): every rank knows the same list, and rank r of P owns its block
// [r·M/P, (r+1)·M/P). It returns the result on rank 0 and nil on the others.
//
// A failed sample ends the campaign with an error naming the sample (unless cfg.OnFailure
// says otherwise; a worker's panic comes back as *PanicError); the caller makes it end the
// whole job.
func Run(c spmd.Comm, cfg Config, opt Options) (*Result, error) {
	cp, err := setup(c, cfg, opt)
	if err != nil {
		return nil, err
	}
	if err := cp.solveRounds(); err != nil {
		return nil, err
	}
	dists, err := cp.distribution()
	if err != nil {
		return nil, err
	}
	cb, err := cp.combine()
	if err != nil || c.Rank() != 0 {
		return nil, err
	}
	res := cp.result(cb)
	res.Distributions = dists
	return res, nil
}
