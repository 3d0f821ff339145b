package cli

import (
	"fmt"
	"io"
	"mcfem/journal"
	"os"
	"os/signal"
	"syscall"
)

// catchSignals makes SIGTERM, SIGINT and SIGUSR1 (SLURM's warning before a time limit, which
// mpirun forwards to every rank) stop this process within a second: appends to the journals
// stop (none is torn), the journals are synced, and the process exits with exitResumable, or
// exitFailure without -out (nothing journaled). The rank's in-flight samples are abandoned;
// -resume computes them. No MPI call is made: every rank receives the signal and exits, and
// mpirun returns the lowest rank's code. Only rank 0 (say) prints.
func (j *runJob) catchSignals(say bool, stderr io.Writer) {
	j.opt.Journals = &journal.Set{}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1)
	go func() {
		sig := <-ch
		j.opt.Journals.Freeze()
		if j.out == "" {
			if say {
				fmt.Fprintf(stderr, "mcfem: stopped by %v; without -out nothing was journaled\n", sig)
			}
			os.Exit(exitFailure)
		}
		if say {
			fmt.Fprintf(stderr, "mcfem: stopped by %v: every finished sample is in %s; to finish, rerun the same command with -resume (any rank count)\n",
				sig, j.out+"/journal")
		}
		os.Exit(exitResumable)
	}()
}

// sayNotes prints what -resume recovered.
func (j *runJob) sayNotes(stderr io.Writer) {
	if j.quiet {
		return
	}
	for _, n := range j.notes {
		fmt.Fprintf(stderr, "mcfem: %s\n", n)
	}
	if j.resume {
		fmt.Fprintf(stderr, "mcfem: resuming: %d of %d samples recovered from journals\n", len(j.opt.Done), j.cfg.Samples)
	}
}
