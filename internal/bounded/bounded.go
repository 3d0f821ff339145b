// Package bounded implements size-bounded reading of input files: every file mcfem reads (a
// configuration, a list of values, a mesh, a problem file, a Kratos project) has a limit, and
// a file over it is refused before it is read, with one line naming the file, its size and the
// limit. A file whose size the file system does not give (a pipe, /dev/zero) is read up to
// the limit and refused there.
//
// The limits, generous for real use:
//
//	MDPA     1 GiB   a Kratos .mdpa mesh (about 10 million triangles)
//	List    64 MiB   a -dist list:FILE of values (about 3 million values)
//	Config   1 MiB   a -config JSON file of flag values
package bounded

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// The limits of the input files mcfem reads, in bytes (problemfile.MaxFileSize and
// kratos.MaxFileSize bound problem files and Kratos projects).
const (
	MDPA   = 1 << 30
	List   = 64 << 20
	Config = 1 << 20
)

// TooLargeError is a file over its limit. Size is its size, or -1 when the file system does not
// say and more than Limit bytes could be read from it.
type TooLargeError struct {
	Path  string
	Size  int64
	Limit int64
	What  string // what the file is, e.g. "a list file"
}

// Error returns e.g. "eps.txt: 70 MiB (73400320 bytes), over the 64 MiB limit of a list file".
func (e *TooLargeError) Error() string { return e.Path + ": " + e.Detail() }

// Detail is the error without the path: "70 MiB (73400320 bytes), over the 64 MiB limit of a
// list file".
func (e *TooLargeError) Detail() string {
	what := ""
	if e.What != "" {
		what = " of " + e.What
	}
	if e.Size < 0 {
		return fmt.Sprintf("over the %s limit%s (more than %d bytes could be read)", Size(e.Limit), what, e.Limit)
	}
	return fmt.Sprintf("%s (%d bytes), over the %s limit%s", Size(e.Size), e.Size, Size(e.Limit), what)
}

// Open opens path for reading at most limit bytes: a regular file larger than limit is
// refused with *TooLargeError before anything is read; the reader of any other file (a pipe, a
// device) fails with *TooLargeError once more than limit bytes come. what names the file's
// kind for the message ("a list file").
func Open(path string, limit int64, what string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.Mode().IsRegular() && st.Size() > limit {
		f.Close()
		return nil, &TooLargeError{Path: path, Size: st.Size(), Limit: limit, What: what}
	}
	return &reader{f: f, left: limit, err: &TooLargeError{Path: path, Size: -1, Limit: limit, What: what}}, nil
}

// ReadFile reads the whole file path, at most limit bytes (see Open).
func ReadFile(path string, limit int64, what string) ([]byte, error) {
	r, err := Open(path, limit, what)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// reader reads at most left more bytes of f; past them, it returns err.
type reader struct {
	f    *os.File
	left int64
	err  error
}

func (r *reader) Read(p []byte) (int, error) {
	if r.left < 0 {
		return 0, r.err
	}
	// Read one byte past the limit to tell a file of exactly limit bytes from a longer one.
	if int64(len(p)) > r.left+1 {
		p = p[:r.left+1]
	}
	n, err := r.f.Read(p)
	r.left -= int64(n)
	if r.left < 0 {
		return n + int(r.left), r.err
	}
	return n, err
}

func (r *reader) Close() error { return r.f.Close() }

// IsTooLarge reports whether err is or wraps a *TooLargeError.
func IsTooLarge(err error) bool {
	var e *TooLargeError
	return errors.As(err, &e)
}

// Size formats a byte count with a binary unit: "512 B", "64 MiB", "1.5 GiB".
func Size(b int64) string {
	const units = "KMGTPE"
	if b < 1024 {
		return fmt.Sprintf("%d B", b)
	}
	v, u := float64(b)/1024, 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %ciB", int64(v), units[u])
	}
	return fmt.Sprintf("%.1f %ciB", v, units[u])
}
