package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"mcfem/spmd"
)

// mcfemMPI is mcfem on an MPI rank: MPI_Init_thread first, before anything can fail; then the
// command line is validated on every rank and the verdict agreed collectively, so that all
// ranks end with the same code and one message; then the run; MPI_Finalize only on the success
// path. Any error or panic after MPI_Init ends the whole job through MPI_Abort.
func mcfemMPI(args []string, stdout, stderr io.Writer) int {
	c, err := spmd.InitMPI()
	if err != nil {
		fmt.Fprintf(stderr, "mcfem: %v\n", err)
		return exitFailure
	}
	if msg := spmd.WorldMismatch(os.Getenv, c.Size(), spmd.MPILibraryVersion()); msg != "" {
		// The launcher's tasks did not join one world (a PMI plugin that does not fit this
		// MPI): each is a world of its own; the first task says why, every one exits 2.
		if r := launcherRank(); r == "" || r == "0" {
			fmt.Fprintln(stderr, msg)
		}
		return finishMPI(c, exitUsage)
	}
	defer func() {
		if p := recover(); p != nil {
			c.Abort(exitInternal, fmt.Sprintf("mcfem: rank %d: internal error: panic: %v\n%s", c.Rank(), p, debug.Stack()))
		}
	}()
	if len(args) > 0 && args[0] == "mlmc" {
		j, code := parseAgreed(c, commandNamed("mlmc").flags(), parseMLMC, args[1:], stdout, stderr)
		if code >= 0 {
			return code
		}
		hb := startHeartbeat(c, j.opt.StallTimeout, stderr)
		if err := rankMain(c, func() error { return j.rankWork(c, "mpi", stdout) }); err != nil {
			c.Abort(exitFailure, fmt.Sprintf("mcfem: rank %d: %v", c.Rank(), err))
		}
		if err := hb.Stop(); err != nil {
			c.Abort(exitFailure, fmt.Sprintf("mcfem: rank %d: %v", c.Rank(), err))
		}
		return finishMPI(c, exitOK)
	}
	if len(args) == 0 || args[0] != "run" {
		// Other commands run on rank 0 alone; the others wait for its exit code.
		code := int64(0)
		if c.Rank() == 0 {
			code = int64(dispatch(args, stdout, stderr))
		}
		return finishMPI(c, code)
	}
	j, code := parseAgreed(c, commandNamed("run").flags(), parseRun, args[1:], stdout, stderr)
	if code >= 0 {
		return code
	}
	j.mpi = true
	if code := claimOutAgreed(c, j, stdout, stderr); code >= 0 {
		return code
	}
	hb := startHeartbeat(c, j.opt.StallTimeout, stderr)
	env := newEnv("mpi", spmd.MPILibraryVersion())
	env.Configuration = j.conf
	j.opt.Host = spmd.ProcessorName()
	j.catchSignals(c.Rank() == 0, stderr)
	if c.Rank() == 0 {
		j.sayNotes(stderr)
	}
	if !j.quiet && c.Rank() == 0 {
		p := j.startProgress(stderr, rank0Scale(c, j.cfg.Samples), " (estimated from rank 0's block)")
		defer p.stop() // a deferred stop is safe: it makes no MPI call
	}
	work := func() error {
		err := j.rankWork(c, env, stdout)
		if errors.As(err, new(*setUpError)) { // refused by the set-up (exit 2)
			if c.Rank() == 0 {
				j.undoOut() // rank 0 leaves -out as it found it, then ends the job (rankMain)
			} else {
				// Every rank finds the same error in the problem's files; the others give rank
				// 0 time to finish undoOut before their own MPI_Abort could kill it halfway.
				time.Sleep(setUpAbortGrace)
			}
		}
		return err
	}
	if err := rankMain(c, work); err != nil {
		c.Abort(exitFailure, fmt.Sprintf("mcfem: rank %d: %v", c.Rank(), err))
	}
	if err := hb.Stop(); err != nil {
		c.Abort(exitFailure, fmt.Sprintf("mcfem: rank %d: %v", c.Rank(), err))
	}
	j.releaseOut()
	return finishMPI(c, exitOK)
}

// setUpAbortGrace is how long a rank other than 0 that was refused by the set-up waits for rank
// 0 to end the job (after it has removed the -out it created) before it ends it itself.
const setUpAbortGrace = 5 * time.Second

// startHeartbeat makes the ranks watch one another until the heartbeat's Stop (spmd's
// heartbeat): a rank that gives no sign of life for timeout (-stall-timeout; 0: not watched)
// ends the job with exitStall, naming it. Without MPI_THREAD_MULTIPLE rank 0 says that stopped
// ranks go unnoticed, and the job goes on.
func startHeartbeat(c spmd.Comm, timeout time.Duration, stderr io.Writer) *spmd.Heartbeat {
	hb, err := spmd.StartHeartbeat(c, timeout, func(peer int, silence time.Duration) {
		msg := ""
		// One message per job: rank 0 speaks for a silent rank; when rank 0 is the silent
		// one, every other rank finds it, and rank 1 speaks.
		if c.Rank() == 0 || c.Rank() == 1 && peer == 0 {
			msg = spmd.SilentMessage(c.Rank(), peer, silence, timeout)
		}
		c.Abort(exitStall, msg)
	})
	if err != nil && c.Rank() == 0 {
		fmt.Fprintf(stderr, "mcfem: note: %v\n", err)
	}
	return hb
}

// claimOutAgreed takes -out for a run on MPI ranks: each step of outSteps on every rank, its
// outcome agreed with agreeOnArgs (one message per job, the same exit code everywhere), all
// before the set-up. It returns -1 to go on, or the exit code after MPI_Finalize.
func claimOutAgreed(c spmd.Comm, j *runJob, stdout, stderr io.Writer) int {
	where := fmt.Sprintf(" from rank %d (%s)", c.Rank(), spmd.ProcessorName())
	for _, step := range outSteps {
		var outb, errb bytes.Buffer
		if code := agreeOnArgs(c, step(j, c.Rank(), where, &errb), &outb, &errb, stdout, stderr); code >= 0 {
			j.undoOut()
			return code
		}
	}
	return -1
}

// rankedJob is a parsed job that has -np: *runJob or *mlmcJob.
type rankedJob[J any] interface {
	*J
	ranks() *npFlag
}

// parseAgreed parses a command's arguments with parse and the command's flag set fs on every
// rank, refuses -np (it counts in-process ranks) and makes the outcome collective with
// agreeOnArgs. It returns the job and -1 to go on, or the exit code after MPI_Finalize.
func parseAgreed[J any, PJ rankedJob[J]](c spmd.Comm, fs flagSet, parse func(fs flagSet, args []string, stdout, stderr io.Writer) (PJ, int),
	args []string, stdout, stderr io.Writer) (PJ, int) {
	var outb, errb bytes.Buffer
	j, code := parse(fs, args, &outb, &errb)
	if j != nil && j.ranks().npSet {
		fmt.Fprintf(&errb, "%s: -np %d: -np counts in-process ranks; under mpirun the rank count is mpirun's -np (%d here)\n", fs.Name(), j.ranks().np, c.Size())
		j, code = nil, exitUsage
	}
	return j, agreeOnArgs(c, code, &outb, &errb, stdout, stderr)
}

// agreeOnArgs makes the outcome of every rank's argument check collective: the highest exit
// code wins and the lowest rank that failed prints its message (rank 0 prints -h's output).
// It returns -1 to go on, or the exit code after MPI_Finalize.
func agreeOnArgs(c spmd.Comm, code int, outb, errb *bytes.Buffer, stdout, stderr io.Writer) int {
	v := []int64{int64(code), 0}
	if code > 0 {
		v[1] = int64(c.Size() - c.Rank())
	}
	if err := c.AllreduceInt64s(v, v, spmd.Max); err != nil {
		c.Abort(exitFailure, fmt.Sprintf("mcfem: rank %d: %v", c.Rank(), err))
	}
	if v[0] < 0 {
		return -1
	}
	if v[1] > 0 && c.Rank() == c.Size()-int(v[1]) {
		stderr.Write(errb.Bytes())
	}
	if c.Rank() == 0 {
		stdout.Write(outb.Bytes())
	}
	return finishMPI(c, v[0])
}

// finishMPI shares rank 0's exit code, finalizes MPI (every rank reaches it) and returns the code.
func finishMPI(c spmd.Comm, code int64) int {
	v := []int64{code}
	if err := c.AllreduceInt64s(v, v, spmd.Max); err != nil {
		c.Abort(exitFailure, fmt.Sprintf("mcfem: rank %d: %v", c.Rank(), err))
	}
	if err := spmd.FinalizeMPI(); err != nil {
		fmt.Fprintf(os.Stderr, "mcfem: rank %d: %v\n", c.Rank(), err)
		return exitFailure
	}
	return int(v[0])
}
