// Package atomicfile implements the one way mcfem replaces an output file: the new content is
// written to a temporary file beside it, synced, and renamed over it, so that a reader (or a
// crash, or a full disk) never leaves half a file under the final name, and a failure of any
// kind — an error, a panic of the writer — leaves no temporary file behind.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// TempSuffix is the part of a temporary file's name after the final name: NAME.tmp123456.
// A process killed while it writes leaves such a file; Stale finds them.
const TempSuffix = ".tmp"

// Write writes path through write into a temporary file NAME.tmp* in the same directory (mode
// 0644), fsyncs it and renames it into place. On any failure, a panic of write included, the
// temporary file is removed and path is left as it was. Errors name path.
func Write(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+TempSuffix+"*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done { // an error or a panic: nothing of it may stay
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	fail := func(err error) error { return fmt.Errorf("writing %s: %w", path, err) }
	if err := tmp.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := write(tmp); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fail(err)
	}
	done = true
	return nil
}

// IsTemp reports whether name (a base name) is a temporary file of Write's for the final name
// final: final + ".tmp" followed by digits.
func IsTemp(name, final string) bool {
	rest, ok := strings.CutPrefix(name, final+TempSuffix)
	if !ok || rest == "" {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// SyncDir fsyncs a directory, so that the renames and removals in it are durable before what
// follows. Some file systems cannot fsync a directory: their error is ignored.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
