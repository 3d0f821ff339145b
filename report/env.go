package report

import (
	"fmt"
	"strings"
	"time"
)

// Env describes where and how a campaign ran: the fields of the report that may change from
// run to run without the results changing.
type Env struct {
	Backend string // "local" (in-process ranks) or "mpi"
	Library string // MPI library version, if any
	Version string // mcfem version (VCS revision)
	Go      string
	OS      string
	Arch    string
	Tags    string
	Started time.Time
	// Configuration is every option's effective value (flags, configuration file, defaults).
	Configuration map[string]any
}

// FirstLine returns the first line of s with its runs of white space made single spaces: an
// MPI library's version string, shortened for a one-line report.
func FirstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.Join(strings.Fields(line), " ")
}

// plural returns "1 thread", "2 threads".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
