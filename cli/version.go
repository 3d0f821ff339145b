package cli

import (
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"mcfem/report"
	"mcfem/spmd"
)

// newEnv describes this process for the run report.
func newEnv(backend, library string) report.Env {
	return report.Env{Backend: backend, Library: library, Version: buildVersion(), Go: runtime.Version(),
		OS: runtime.GOOS, Arch: runtime.GOARCH, Tags: buildTags(), Started: time.Now()}
}

func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "", ""
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if rev == "" {
		return info.Main.Version
	}
	return rev[:min(12, len(rev))] + dirty
}

func buildTags() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "-tags" {
				return s.Value
			}
		}
	}
	return ""
}

func versionLine() string {
	mpi := "MPI: not built in (rebuild with make build-mpi)"
	if spmd.MPIAvailable() {
		mpi = "MPI: built in"
		if lib := spmd.MPILibraryVersion(); lib != "" {
			mpi += " (" + report.FirstLine(lib) + ")"
		}
	}
	tags := buildTags()
	if tags == "" {
		tags = "none"
	}
	return strings.Join([]string{"mcfem " + buildVersion(), runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		"tags: " + tags, "backends: local (in-process ranks); " + mpi}, ", ")
}
