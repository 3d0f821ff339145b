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
// exitFailure when nothing was journaled (no -out, or stopped during set-up before any journal
// existed: then the rerun is the same command, without -resume). The rank's in-flight samples
// are abandoned; -resume computes them. No MPI call is made: every rank receives the signal
// and exits, and mpirun returns the lowest rank's code (or 1 when mpirun itself was signalled:
// see the README). Only rank 0 (say) prints.
func (j *runJob) catchSignals(say bool, stderr io.Writer) {
	j.opt.Journals = &journal.Set{}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1)
	go func() {
		sig := <-ch
		journaled := j.opt.Journals.Added() > 0 // before Freeze, which keeps the set locked
		j.opt.Journals.Freeze()
		msg, code := j.stopMessage(sig, journaled)
		if say {
			fmt.Fprintln(stderr, msg)
		}
		os.Exit(code)
	}()
}

// stopMessage returns what a run stopped by sig says and its exit code; journaled says that
// this process has written journals in -out.
func (j *runJob) stopMessage(sig os.Signal, journaled bool) (string, int) {
	name := signalName(sig)
	from := ""
	if j.mpi && sig == syscall.SIGTERM {
		from = " (under mpirun, the launcher's: a user or the scheduler stopped the job, or another rank failed)"
	}
	switch {
	case j.out == "":
		return fmt.Sprintf("mcfem: stopped by %s%s; without -out nothing was journaled", name, from), exitFailure
	case !journaled && !j.resume:
		return fmt.Sprintf("mcfem: stopped by %s%s during set-up, before any sample was journaled: nothing to resume; to start, rerun the same command (without -resume)", name, from), exitFailure
	}
	return fmt.Sprintf("mcfem: stopped by %s%s: every finished sample is in %s; to finish, rerun the same command with -resume (any rank count)",
		name, from, j.out+"/journal"), exitResumable
}

// signalName returns SIGTERM, SIGINT, SIGUSR1 or Go's name of sig.
func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGUSR1:
		return "SIGUSR1"
	}
	return sig.String()
}

// sayNotes prints what -resume recovered.
func (j *runJob) sayNotes(stderr io.Writer) {
	if j.quiet {
		return
	}
	for _, n := range j.notes {
		fmt.Fprintf(stderr, "mcfem: %s\n", n)
	}
	switch {
	case j.resume && j.cfg.Tol > 0: // the final count is not known yet
		fmt.Fprintf(stderr, "mcfem: resuming: %d samples recovered from journals (-tol: the pilot is %d)\n", j.journaled, j.cfg.Samples)
	case j.resume:
		fmt.Fprintf(stderr, "mcfem: resuming: %d of %d samples recovered from journals\n", j.journaled, j.cfg.Samples)
	}
}
