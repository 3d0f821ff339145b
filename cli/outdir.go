package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gofrs/flock"

	"mcfem/internal/atomicfile"
	"mcfem/journal"
	"mcfem/mc"
	"mcfem/report"
)

// Who owns -out. A run takes -out in three steps, each a function of outSteps that every rank
// runs (under mpirun the outcome of each is agreed collectively, one message per job, exit 2
// on every rank, all before the set-up):
//
//  1. lockOut (rank 0): create -out and take an exclusive lock on -out/.mcfem.lock for the
//     whole run (flock(2): released by the kernel when the process ends, however it ends; it
//     holds across nodes where the file system supports it: NFSv4, GPFS, Lustre mounted with
//     -o flock). A second run into the same -out is refused, naming the holder written into
//     the file (pid@host since T).
//  2. inspectOut (every rank): -out (and -out/journal) must be writable from every rank; with
//     -resume every rank reads the journals; without -resume or -overwrite rank 0 refuses a
//     directory that holds a campaign (journals of the same settings: "use -resume to continue
//     or -overwrite to start over"; of other settings, or outputs without journals: "use
//     -overwrite").
//  3. prepareOut (rank 0): -overwrite removes the earlier campaign's journals and outputs (only
//     mcfem's own files: journal/*.mcj and the outputs report.Outputs names); then the stale
//     outputs go, summary.json first, so that a failure before the new ones are complete never
//     leaves a VALID summary.json beside missing or stale files (report.WriteFiles writes it
//     last).

// lockName is the lock file in -out. It stays after a run and names its last holder; only a
// refused run removes it, from a directory it created (undoOut).
const lockName = ".mcfem.lock"

// outStep is one step of taking -out on one rank; where is "" in-process, and " from rank R
// (HOST)" under mpirun. It returns -1, or the exit code after printing one line on stderr.
type outStep func(j *runJob, rank int, where string, stderr io.Writer) int

// outSteps are the steps of taking -out, in order.
var outSteps = []outStep{(*runJob).lockOut, (*runJob).inspectOut, (*runJob).prepareOut}

// claimOut takes -out for a run on in-process ranks: every step, as rank 0.
func (j *runJob) claimOut(stderr io.Writer) int {
	for _, step := range outSteps {
		if code := step(j, 0, "", stderr); code >= 0 {
			return code
		}
	}
	return -1
}

// releaseOut releases the lock on -out, if this process holds it.
func (j *runJob) releaseOut() {
	_ = j.opt.Done.Close()
	j.opt.Done = nil
	if j.lock != nil {
		_ = j.lock.Unlock()
		j.lock = nil
	}
}

// undoOut leaves -out as it was before a run that was refused (exit 2, nothing ran: by a step
// of claimOut, or by the problem's set-up) and releases the lock: a directory this run created
// is removed with its lock file, if nothing else is in it. The lock file is removed while the
// lock is held (tryLock checks that the file it locked is still the one at the path, so no
// other run can hold a lock on the removed file).
func (j *runJob) undoOut() {
	if j.lock != nil && j.madeOut {
		_ = os.Remove(filepath.Join(j.out, lockName))
	}
	j.releaseOut()
	if j.madeOut {
		_ = os.Remove(j.out) // fails, harmlessly, if anything else is in it
	}
}

// lockOut is step 1: rank 0 creates -out and locks it.
func (j *runJob) lockOut(rank int, _ string, stderr io.Writer) int {
	if j.out == "" || rank != 0 {
		return -1
	}
	if _, err := os.Stat(j.out); errors.Is(err, os.ErrNotExist) {
		j.madeOut = true
	}
	if err := os.MkdirAll(j.out, 0o755); err != nil {
		fmt.Fprintf(stderr, "mcfem run: -out %s: cannot create it: %v\n", j.out, err)
		return exitUsage
	}
	path := filepath.Join(j.out, lockName)
	fl, ok, err := tryLock(path)
	switch {
	case err != nil && lockUnsupported(err):
		// Some parallel file systems (Lustre without -o flock) have no locks: run unguarded
		// rather than not at all, and say so.
		j.notes = append(j.notes, fmt.Sprintf("warning: -out %s cannot be locked (%v): nothing stops another run from writing into it at the same time", j.out, err))
		return -1
	case err != nil:
		fmt.Fprintf(stderr, "mcfem run: -out %s is not writable: cannot open its lock file: %v\n", j.out, err)
		return exitUsage
	case !ok:
		holder := "another process"
		if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			holder = strings.TrimSpace(string(b))
		}
		fmt.Fprintf(stderr, "mcfem run: -out %s is in use by another run (%s; lock %s): wait for it to end, or choose another -out\n", j.out, holder, path)
		return exitUsage
	}
	j.lock = fl
	host, _ := os.Hostname()
	// The holder, for the message of a refused run; best effort (the lock is what counts).
	_ = os.WriteFile(path, fmt.Appendf(nil, "pid %d@%s since %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339)), 0o644)
	return -1
}

// tryLock takes the lock on path without waiting: it reports false when another process holds
// it. A lock file removed (undoOut) after this process opened it is not a lock: tryLock checks
// that the file it locked is the one at path, and tries again with the new one if not.
func tryLock(path string) (*flock.Flock, bool, error) {
	for range 10 { // a file removed ten times in a row: count it as held
		fl := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o644))
		ok, err := fl.TryLock()
		if !ok || err != nil {
			return fl, ok, err
		}
		held, err1 := fl.Stat()
		now, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(held, now) {
			return fl, true, nil
		}
		_ = fl.Unlock()
	}
	return nil, false, nil
}

// lockUnsupported reports whether a lock error says that the file system has no locks.
func lockUnsupported(err error) bool {
	return errors.Is(err, syscall.ENOLCK) || errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.ENOTSUP) ||
		errors.Is(err, syscall.EOPNOTSUPP)
}

// inspectOut is step 2: -out writable from this rank, the journals of -resume read, and (rank 0,
// without -resume or -overwrite) a directory holding a campaign refused.
func (j *runJob) inspectOut(rank int, where string, stderr io.Writer) int {
	if j.out == "" {
		return -1
	}
	if err := probeWritable(j.out); err != nil {
		fmt.Fprintf(stderr, "mcfem run: -out %s is not writable%s: %v\n", j.out, where, err)
		return exitUsage
	}
	if j.resumeAuto { // resume when there is something to resume
		files, _ := filepath.Glob(filepath.Join(j.out, "journal", "*.mcj"))
		j.resume = len(files) > 0
		if !j.resume {
			j.notes = append(j.notes, fmt.Sprintf("-resume=auto: no journal in %s: starting the campaign", filepath.Join(j.out, "journal")))
		}
	}
	switch {
	case j.resume:
		return j.readJournals(stderr)
	case !j.overwrite && rank == 0:
		if msg := j.heldCampaign(); msg != "" {
			fmt.Fprintf(stderr, "mcfem run: -out %s %s\n", j.out, msg)
			return exitUsage
		}
	}
	return -1
}

// probeWritable checks that files can be created in dir and, when it exists, dir/journal
// (where every rank creates its journal), by creating and removing one in each.
func probeWritable(dir string) error {
	dirs := []string{dir}
	jdir := filepath.Join(dir, "journal")
	if st, err := os.Stat(jdir); err == nil {
		if !st.IsDir() {
			return fmt.Errorf("%s is not a directory", jdir)
		}
		dirs = append(dirs, jdir)
	}
	for _, d := range dirs {
		f, err := os.CreateTemp(d, ".mcfem-probe-*")
		if err != nil {
			return err
		}
		f.Close()
		if err := os.Remove(f.Name()); err != nil {
			return err
		}
	}
	return nil
}

// readJournals reads the journals of -resume into the job: a table of their records sorted
// by index (journal.SortDir: on disk in -out, unlinked, beyond a few MiB), of which the
// campaign uses the samples of indices below the run's count (the others are left out and
// said to be, unless -tol's later rounds may reach them).
func (j *runJob) readJournals(stderr io.Writer) int {
	pb := &j.cfg.Problem
	ch, err := autoChoice(j.out, j.cfg)
	if err != nil {
		fmt.Fprintf(stderr, "mcfem run: -resume: %v\n", err)
		return exitUsage
	}
	j.cfg.Solver.AutoChoice = ch // the journals' solver, kept as they were written
	done, files, notes, err := journal.SortDir(j.out, j.cfg.JournalFields(), len(pb.InputNames()), len(pb.QoINames()), j.out)
	if err != nil {
		fmt.Fprintf(stderr, "mcfem run: -resume: %v\n", err)
		return exitUsage
	}
	if len(files) == 0 {
		_ = done.Close()
		fmt.Fprintf(stderr, "mcfem run: -resume: no journal in %s: nothing to resume (run without -resume)\n", filepath.Join(j.out, "journal"))
		return exitUsage
	}
	n := j.cfg.Samples
	j.journaled = done.Len()
	if j.cfg.Tol == 0 {
		k, err := done.Search(int64(n))
		if err != nil {
			_ = done.Close()
			fmt.Fprintf(stderr, "mcfem run: -resume: %v\n", err)
			return exitUsage
		}
		if extra := done.Len() - k; extra > 0 {
			notes = append(notes, fmt.Sprintf("%d journaled sample%s of index %d or more %s beyond -samples %d: not used", extra, pluralS(extra), n, isAre(extra), n))
			j.journaled = k
		}
	}
	j.opt.Done, j.notes = done, append(j.notes, notes...)
	if j.opt.Fields && j.journaled > 0 {
		j.notes = append(j.notes, fmt.Sprintf("-fields: the %d journaled sample%s will be solved again for the field statistics (journals keep QoIs, not fields) and checked against their journal records", j.journaled, pluralS(j.journaled)))
	}
	return -1
}

// autoChoice returns -solver auto's choice recorded in the journals in dir (mc.AutoChoiceField)
// when cfg asks for auto, "" otherwise or when they record none.
func autoChoice(dir string, cfg mc.Config) (string, error) {
	if cfg.Solver.Method != "auto" {
		return "", nil
	}
	v, _, err := journal.Field(dir, mc.AutoChoiceField)
	return v, err
}

// heldCampaign describes the campaign -out holds, as the end of a sentence starting with the
// directory, with what to do; "" when it holds none (no journal, no output of mcfem's).
func (j *runJob) heldCampaign() string {
	pb := &j.cfg.Problem
	cfg := j.cfg
	cfg.Solver.AutoChoice, _ = autoChoice(j.out, cfg) // compatible means resumable: with the journals' choice
	done, files, _, err := journal.SortDir(j.out, cfg.JournalFields(), len(pb.InputNames()), len(pb.QoINames()), j.out)
	_ = done.Close()
	switch {
	case err != nil:
		return fmt.Sprintf("holds another campaign (%s): use -overwrite to replace it (its journals and outputs are removed), or choose another -out",
			strings.TrimPrefix(err.Error(), "journal: "))
	case len(files) > 0:
		return fmt.Sprintf("holds journals of this campaign (%d sample%s in %d journal%s): use -resume to continue or -overwrite to start over",
			done.Len(), pluralS(done.Len()), len(files), pluralS(len(files)))
	}
	if outs := j.outputsIn(); len(outs) > 0 {
		return fmt.Sprintf("holds the outputs of an earlier run (%s) and no journal: use -overwrite to replace them, or choose another -out", strings.Join(outs, ", "))
	}
	return ""
}

// outputNames are the names of the outputs mcfem may have written into -out: those of this
// run's QoIs and, when the directory's summary.json names others, of those too.
func (j *runJob) outputNames() []string {
	names := report.Outputs(j.cfg.Problem.QoINames())
	var old struct {
		QoIs []struct {
			Name string `json:"name"`
		} `json:"qois"`
	}
	if b, err := os.ReadFile(filepath.Join(j.out, report.SummaryFile)); err == nil && json.Unmarshal(b, &old) == nil {
		var qois []string
		for _, q := range old.QoIs {
			if q.Name != "" && !strings.ContainsAny(q.Name, `/\`) {
				qois = append(qois, q.Name)
			}
		}
		for _, n := range report.Outputs(qois) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// outputsIn returns the outputs of mcfem's that -out holds (regular files only).
func (j *runJob) outputsIn() []string {
	var have []string
	for _, n := range j.outputNames() {
		if st, err := os.Lstat(filepath.Join(j.out, n)); err == nil && st.Mode().IsRegular() {
			have = append(have, n)
		}
	}
	return have
}

// prepareOut is step 3, on rank 0: -overwrite removes the earlier campaign's journals; then
// the outputs of any earlier run go, summary.json first (and durably so), with the temporary
// files a killed writer may have left.
func (j *runJob) prepareOut(rank int, _ string, stderr io.Writer) int {
	if j.out == "" || rank != 0 {
		return -1
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "mcfem run: -out %s: %v\n", j.out, err)
		return exitUsage
	}
	names := j.outputNames()
	outputs := len(j.outputsIn())
	if err := removeRegular(filepath.Join(j.out, names[0])); err != nil { // summary.json
		return fail(err)
	}
	atomicfile.SyncDir(j.out)
	removed := 0
	if j.overwrite {
		journals, err := filepath.Glob(filepath.Join(j.out, "journal", "*.mcj"))
		if err != nil {
			return fail(err)
		}
		for _, p := range journals {
			if err := removeRegular(p); err != nil {
				return fail(err)
			}
		}
		removed = len(journals)
	}
	ents, err := os.ReadDir(j.out)
	if err != nil {
		return fail(err)
	}
	for _, e := range ents {
		for _, n := range names {
			if e.Name() == n || atomicfile.IsTemp(e.Name(), n) {
				if err := removeRegular(filepath.Join(j.out, e.Name())); err != nil {
					return fail(err)
				}
			}
		}
	}
	atomicfile.SyncDir(j.out)
	if j.overwrite && removed+outputs > 0 {
		j.notes = append(j.notes, fmt.Sprintf("-overwrite: removed %d journal%s and %d output%s of the earlier campaign in %s", removed, pluralS(removed), outputs, pluralS(outputs), j.out))
	}
	return -1
}

// removeRegular removes path if it is a regular file (a directory or a link of that name is
// not mcfem's: left alone); a missing file is no error.
func removeRegular(path string) error {
	st, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && !st.Mode().IsRegular()) {
		return nil
	}
	if err == nil {
		err = os.Remove(path)
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("cannot remove an earlier output: %w", err)
	}
	return nil
}

// pluralS returns "s" unless n is 1.
func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// isAre returns "is" for 1, else "are".
func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}
