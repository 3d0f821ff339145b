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
	p, err := Create(path)
	if err != nil {
		return err
	}
	defer p.Discard() // an error or a panic: nothing of it may stay (a no-op after Commit)
	if err := write(p.f); err != nil {
		return p.fail(err)
	}
	return p.Commit()
}

// Pending is a file being written to a temporary file NAME.tmp* beside its final name, to be
// renamed into place by Commit or removed by Discard: Write, for content that is written over
// a while (as a campaign's records pass) and committed later, beside other files.
type Pending struct {
	path string
	f    *os.File
	done bool
}

// Create starts the pending file of path: a temporary file NAME.tmp* in path's directory,
// mode 0644. Errors name path.
func Create(path string) (*Pending, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+TempSuffix+"*")
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	p := &Pending{path: path, f: tmp}
	if err := tmp.Chmod(0o644); err != nil {
		p.Discard()
		return nil, p.fail(err)
	}
	return p, nil
}

// Write appends b to the temporary file.
func (p *Pending) Write(b []byte) (int, error) {
	n, err := p.f.Write(b)
	if err != nil {
		err = p.fail(err)
	}
	return n, err
}

// fail names the final path in err.
func (p *Pending) fail(err error) error { return fmt.Errorf("writing %s: %w", p.path, err) }

// Commit fsyncs the temporary file and renames it into place. After an error the temporary
// file is removed and the final path left as it was.
func (p *Pending) Commit() error {
	if p.done {
		panic("atomicfile: Commit after Commit or Discard")
	}
	if err := p.f.Sync(); err != nil {
		p.Discard()
		return p.fail(err)
	}
	if err := p.f.Close(); err != nil {
		p.Discard()
		return p.fail(err)
	}
	if err := os.Rename(p.f.Name(), p.path); err != nil {
		p.Discard()
		return p.fail(err)
	}
	p.done = true
	return nil
}

// Discard removes the temporary file, unless Commit or Discard already ended it.
func (p *Pending) Discard() {
	if p.done {
		return
	}
	p.done = true
	p.f.Close()
	os.Remove(p.f.Name())
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
