package mc

import (
	"math"

	"mcfem/journal"
	"mcfem/spmd"
)

// A Sink receives a campaign's records on rank 0, in sample order (Options.Sink): Begin once,
// before the first record, then Add for every sample 0, 1, …, N−1, the journaled ones
// (Record.Journaled, rank and thread −1) in their places. The record and its slices are
// reused after Add returns. An error ends the campaign.
type Sink interface {
	Begin(s PassInfo) error
	Add(r *Record) error
}

// PassInfo is what a Sink knows before the first record: the sample count, how many of the
// samples are in the statistics, the least and largest of each QoI's finite values in them
// (+Inf and −Inf when there are none), the rank count, and whether the campaign's statistics
// are the ordered ones (N·QoIs ≤ OrderedValues: rank 0 may hold that many values).
type PassInfo struct {
	Samples        int
	Usable         int64
	QoIMin, QoIMax []float64
	Ranks          int
	Ordered        bool
}

// passChunk is the most bytes of records one collective of the ordered pass moves.
const passChunk = 4 << 20

// pass is the campaign's ordered pass, collective: rank 0 gets every record of the samples
// [0, Samples) in sample order and calls fn with each; the other ranks send theirs. The
// schedule is known to every rank: for each round, for each rank r, rank r's block of the
// round, read back from its spill in chunks of at most 64 Ki records and passChunk bytes, each
// one GathervBytes in which only rank r sends (rank 0 reads its own blocks without one). The
// journaled samples that were not solved again are merged in by index on rank 0. Each rank
// holds one chunk.
func (cp *campaign) pass(fn func(r *Record) error) error {
	c, rank, size := cp.c, cp.c.Rank(), cp.c.Size()
	sz := cp.codec.size()
	chunk := max(1, min(1<<16, passChunk/sz))
	most := 0 // the largest block
	for _, m := range cp.blocks {
		most = max(most, (m+size-1)/size)
	}
	buf := make([]byte, min(chunk, most)*sz)
	var counts []int
	rec := newRecords(1, cp.codec.ni, cp.codec.nq)
	// Rank 0: the journaled samples not solved again, by index; jnext is the next one.
	var jnext *journal.Record
	jadvance := func() error { return nil }
	if rank == 0 {
		counts = make([]int, size)
		if !cp.resolve && cp.opt.Done.Len() > 0 {
			_, b, err := within(cp.opt.Done, 0, cp.cfg.Samples)
			if err != nil {
				return err
			}
			jc := cp.opt.Done.Cursor(0, b)
			jadvance = func() (err error) {
				jnext, err = jc.Next()
				return err
			}
			if err := jadvance(); err != nil {
				return err
			}
		}
	}
	jr := newRecords(1, cp.codec.ni, cp.codec.nq)
	// journaledBefore hands fn the journaled samples of indices below i.
	journaledBefore := func(i int64) error {
		for jnext != nil && jnext.Index < i {
			jr[0].fromJournal(*jnext) // a copy: the cursor's record changes with jadvance
			if err := jadvance(); err != nil {
				return err
			}
			if err := fn(&jr[0]); err != nil {
				return err
			}
		}
		return nil
	}
	emit := func(r *Record) error {
		if err := journaledBefore(int64(r.Index)); err != nil {
			return err
		}
		return fn(r)
	}
	next := 0 // this rank's next record in its spill
	for _, m := range cp.blocks {
		for r := range size {
			lo, hi := spmd.Block(m, size, r)
			for k := lo; k < hi; k += chunk {
				b := buf[:min(chunk, hi-k)*sz]
				switch {
				case r == 0 && rank != 0: // rank 0 reads its own blocks
					continue
				case r == 0:
					if err := cp.spill.read(b, next); err != nil {
						return err
					}
					next += len(b) / sz
				default:
					var src, dst []byte
					if rank == r {
						if err := cp.spill.read(b, next); err != nil {
							return err
						}
						next += len(b) / sz
						src = b
					}
					if rank == 0 {
						clear(counts)
						counts[r], dst = len(b), b
					}
					if err := c.GathervBytes(dst, src, counts, 0); err != nil {
						return err
					}
				}
				if rank != 0 {
					continue
				}
				for off := 0; off < len(b); off += sz {
					cp.codec.decode(b[off:], &rec[0])
					if err := emit(&rec[0]); err != nil {
						return err
					}
				}
			}
		}
	}
	return journaledBefore(math.MaxInt64) // after the last computed sample
}
