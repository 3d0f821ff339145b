package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"mcfem/bench"
	"mcfem/internal/bounded"
	"mcfem/internal/setting"
	"mcfem/mc"
	"mcfem/problem"
	"mcfem/solver"
	"mcfem/spmd"
)

// The ranges of the numeric flags that size a run, besides those the packages check.
const (
	// maxRanks bounds -np (in-process ranks): beyond a few thousand goroutine ranks the
	// per-rank set-up alone is gigabytes, and no machine has the cores.
	maxRanks = 4096
	// maxThreads bounds -threads (worker threads per rank).
	maxThreads = 4096
)

// Memory available to this process: the smallest of the bounds below, each as a number of
// bytes this process may still allocate, with its name for messages. The limits are read
// once per check; a bound that cannot be read does not count.
//
//	MemAvailable  /proc/meminfo: what the kernel says new allocations can get without swapping
//	cgroup        the memory cgroup's limit (v2 memory.max, v1 memory.limit_in_bytes) less its
//	              usage that cannot be reclaimed (usage less the inactive file cache)
//	RLIMIT_AS     the address-space limit (ulimit -v, prlimit --as) less this process's size
type memoryBound struct {
	bytes int64
	name  string
}

// availableMemory returns the tightest bound on the memory this process may still use; ok
// is false when none can be read (the run is then not checked). Tests replace it.
var availableMemory = func() (memoryBound, bool) {
	var best memoryBound
	found := false
	for _, read := range []func() (memoryBound, bool){memAvailable, cgroupAvailable, addressSpaceAvailable} {
		if b, ok := read(); ok && (!found || b.bytes < best.bytes) {
			best, found = b, true
		}
	}
	return best, found
}

// memAvailable reads MemAvailable from /proc/meminfo.
func memAvailable() (memoryBound, bool) {
	v, ok := procField("/proc/meminfo", "MemAvailable:")
	return memoryBound{v, "MemAvailable"}, ok
}

// procField reads "KEY: N kB" from a /proc file, in bytes.
func procField(path, key string) (int64, bool) {
	data, err := bounded.ReadFile(path, 1<<20, "a /proc file")
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == key {
			v, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return 0, false
			}
			if len(f) >= 3 && f[2] == "kB" {
				v *= 1024
			}
			return v, true
		}
	}
	return 0, false
}

// cgroupAvailable reads the memory cgroup of this process: v2 (memory.max, memory.current,
// inactive_file of memory.stat) or v1 (memory.limit_in_bytes, memory.usage_in_bytes,
// total_inactive_file), under /sys/fs/cgroup at the process's own cgroup path or at the root
// (a container's namespace).
func cgroupAvailable() (memoryBound, bool) {
	v2, v1 := "", ""
	if data, err := bounded.ReadFile("/proc/self/cgroup", 1<<20, "a /proc file"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.SplitN(line, ":", 3)
			if len(f) != 3 {
				continue
			}
			if f[0] == "0" && f[1] == "" {
				v2 = f[2]
			}
			for _, c := range strings.Split(f[1], ",") {
				if c == "memory" {
					v1 = f[2]
				}
			}
		}
	}
	type layout struct{ dir, limit, usage, inactive, name string }
	var tries []layout
	for _, d := range []string{filepath.Join("/sys/fs/cgroup", v2), "/sys/fs/cgroup"} {
		tries = append(tries, layout{d, "memory.max", "memory.current", "inactive_file", "cgroup memory.max"})
	}
	for _, d := range []string{filepath.Join("/sys/fs/cgroup/memory", v1), "/sys/fs/cgroup/memory"} {
		tries = append(tries, layout{d, "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file", "cgroup memory.limit_in_bytes"})
	}
	for _, t := range tries {
		data, err := bounded.ReadFile(filepath.Join(t.dir, t.limit), 4096, "a cgroup file")
		if err != nil {
			continue
		}
		s := strings.TrimSpace(string(data))
		limit, err := strconv.ParseInt(s, 10, 64)
		if s == "max" || err != nil || limit >= 1<<60 {
			return memoryBound{}, false // no limit (v1 writes a huge number)
		}
		used := int64(0)
		if data, err := bounded.ReadFile(filepath.Join(t.dir, t.usage), 4096, "a cgroup file"); err == nil {
			used, _ = strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
		}
		if inactive, ok := procField(filepath.Join(t.dir, "memory.stat"), t.inactive); ok {
			used -= inactive
		}
		return memoryBound{max(limit-max(used, 0), 0), t.name}, true
	}
	return memoryBound{}, false
}

// addressSpaceAvailable reads RLIMIT_AS less the process's current size (VmSize).
func addressSpaceAvailable() (memoryBound, bool) {
	var r unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_AS, &r); err != nil || r.Cur == unix.RLIM_INFINITY || r.Cur > math.MaxInt64 {
		return memoryBound{}, false
	}
	size, _ := procField("/proc/self/status", "VmSize:")
	return memoryBound{max(int64(r.Cur)-size, 0), "RLIMIT_AS"}, true
}

// mpiNode returns, under an MPI launcher, the ranks on this node and in the job as the
// launcher's environment says (Open MPI's OMPI_COMM_WORLD_LOCAL_SIZE and _SIZE, MPICH's
// MPI_LOCALNRANKS and PMI_SIZE, SLURM's SLURM_NTASKS_PER_NODE and SLURM_NTASKS); a count it
// does not say is 1. ok is false outside a launcher.
func mpiNode() (local, world int, ok bool) {
	if _, _, ok := spmd.LaunchedByMPI(); !ok {
		return 0, 0, false
	}
	first := func(keys ...string) int {
		for _, k := range keys {
			// SLURM writes e.g. "4(x2)": the leading count.
			v := strings.TrimSpace(os.Getenv(k))
			if i := strings.IndexByte(v, '('); i >= 0 {
				v = v[:i]
			}
			if n, err := strconv.Atoi(v); err == nil && n >= 1 {
				return n
			}
		}
		return 1
	}
	local = first("OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE")
	world = max(first("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "SLURM_NTASKS"), local)
	return local, world, true
}

// checkMemory refuses a run whose estimate m does not fit the memory available: it prints one
// line, "CMD: FLAG: needs about 61 GiB (…), 4.0 GiB available (RLIMIT_AS)", and returns
// exitUsage; otherwise it sets the Go runtime's soft memory limit to the memory available
// (unless GOMEMLIMIT is set), so that the collector works harder rather than go beyond it,
// and returns -1. lead names the flag to blame for each kind of excess: the mesh (m.Mesh),
// the ranks (ranksFlag, "" under MPI) and the samples (samplesFlag).
func checkMemory(cmd string, m mc.Memory, ranksFlag, samplesFlag string, stderr io.Writer) int {
	avail, ok := availableMemory()
	if !ok {
		return -1
	}
	if need := m.Total(); need > avail.bytes {
		lead := m.Mesh
		switch {
		case samplesFlag != "" && m.Records > need/2:
			lead = samplesFlag
		case ranksFlag != "" && m.Ranks > 1 && m.PerRank+m.Records <= avail.bytes:
			lead = ranksFlag
		}
		fmt.Fprintf(stderr, "%s: %s: needs %s, %s available (%s)\n", cmd, lead, m, bounded.Size(avail.bytes), avail.name)
		return exitUsage
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		limit := avail.bytes
		if local, _, ok := mpiNode(); ok {
			limit /= int64(local) // the ranks of a node share it
		}
		debug.SetMemoryLimit(max(limit, 64<<20))
	}
	return -1
}

// memoryRanks returns how many ranks of a run share this machine's memory, the ranks in all,
// and whether rank 0's records are counted here: the in-process ranks np, or under MPI this
// node's ranks (rank 0's records counted on every node: a rank does not know where rank 0
// runs).
func memoryRanks(np int) (ranks, world int, withRank0 bool, ranksFlag string) {
	if local, world, ok := mpiNode(); ok {
		return local, world, true, ""
	}
	return np, np, true, fmt.Sprintf("-np %d", np)
}

// checkMemory refuses the run when its memory estimate does not fit (see checkMemory).
func (j *runJob) checkMemory(stderr io.Writer) int {
	ranks, world, withRank0, ranksFlag := memoryRanks(j.np)
	m := mc.MemoryOfRun(j.cfg, ranks, j.opt.Threads, j.out != "", withRank0, world)
	samples := fmt.Sprintf("-samples %d", j.cfg.Samples)
	if j.cfg.Tol > 0 && j.cfg.MaxSamples > j.cfg.Samples {
		samples = fmt.Sprintf("-max-samples %d", j.cfg.MaxSamples)
	}
	return checkMemory("mcfem run", m, ranksFlag, samples, stderr)
}

// checkRanks range-checks -np and -threads of run and mlmc: it returns -1, or exitUsage after
// printing the first one out of range.
func checkRanks(fs flagSet, np, threads int, stderr io.Writer) int {
	field := func(name string, v int, want string) int {
		return usageError(fs, &setting.Error{Field: name, Value: fmt.Sprint(v), Want: want}, stderr)
	}
	switch {
	case np < 1:
		return field("np", np, "ranks ≥ 1")
	case np > maxRanks:
		return field("np", np, fmt.Sprintf("at most %d in-process ranks (for more, run under mpirun)", maxRanks))
	case threads < 1:
		return field("threads", threads, "threads per rank ≥ 1")
	case threads > maxThreads:
		return field("threads", threads, fmt.Sprintf("at most %d threads per rank", maxThreads))
	}
	return -1
}

// checkMemory refuses the multilevel campaign when the set-up of its first levels (-levels,
// or the study's levels of mlmc-test) does not fit, and gives RunMLMC the check of each level
// it adds (Options.LevelsFit).
func (j *mlmcJob) checkMemory(cmd string, stderr io.Writer, levels ...int) int {
	ranks, _, _, ranksFlag := memoryRanks(j.np)
	first := j.cfg.Levels
	if len(levels) > 0 {
		first = max(first, levels[0])
	}
	m := mc.MemoryOfMLMC(j.cfg, first, ranks, j.opt.Threads)
	if code := checkMemory(cmd, m, ranksFlag, fmt.Sprintf("-max-samples %d", j.cfg.Base.MaxSamples), stderr); code >= 0 {
		return code
	}
	if avail, ok := availableMemory(); ok {
		j.opt.LevelsFit = func(l int) bool { return mc.MemoryOfMLMC(j.cfg, l, ranks, j.opt.Threads).Total() <= avail.bytes }
	}
	return -1
}

// verifyMemory refuses a convergence study whose finest problem does not fit: -max's square,
// or the mesh file refined refine times (4^refine times the triangles; verify builds every
// refinement first, a third more).
func verifyMemory(cmd string, spec problem.Spec, so solver.Options, refine int, stderr io.Writer) int {
	m := mc.MemoryOfSpec(spec, so)
	if spec.Mesh != nil {
		scale := math.Pow(4, float64(refine))
		m.PerRank = int64(float64(m.PerRank) * scale * 4 / 3)
		m.Mesh = fmt.Sprintf("-refine %d of %s", refine, m.Mesh)
		m.Parts = append([]string{fmt.Sprintf("the mesh refined %d times: %.3g× its size", refine, scale)}, m.Parts...)
	} else {
		m.Mesh = fmt.Sprintf("-max %d", spec.Cells)
	}
	return checkMemory(cmd, m, "", "", stderr)
}

// benchMemory refuses a benchmark whose largest measurement does not fit: each size with each
// of its solvers is set up in turn, with the largest batch.
func benchMemory(opt bench.Options, stderr io.Writer) int {
	spec := mc.DefaultConfig().Problem
	if opt.Problem != nil {
		spec = *opt.Problem
	}
	var worst mc.Memory
	for _, cells := range opt.Sizes {
		spec.Cells = cells
		for _, pc := range opt.PCs {
			so := solver.Options{Method: "cg", PC: pc, Batch: slices.Max(opt.Batches)}
			if pc == "cholesky" {
				so.Method, so.PC = "cholesky", "jacobi"
			}
			m := mc.MemoryOfSpec(spec, so)
			if m.Total() > worst.Total() {
				worst, worst.Mesh = m, fmt.Sprintf("-sizes %d with %s", cells, pc)
			}
		}
	}
	return checkMemory("mcfem bench", worst, "", "", stderr)
}
