package problemfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"mcfem/dist"
	"mcfem/field"
	"mcfem/internal/bounded"
)

// Limits on what a problem file may ask for; with MaxExprLen they bound the memory and time
// that reading any file takes.
const (
	// MaxFileSize bounds a problem file's size in bytes.
	MaxFileSize = 1 << 20
	// MaxSquare bounds the cells per side of the structured mesh (problem.MaxCells: its
	// (n+1)² nodes keep within int32 indices).
	MaxSquare = 46339
	// MaxInputs, MaxBoundary and MaxQoIs bound the entries of inputs, boundary and qoi.
	MaxInputs   = 64
	MaxBoundary = 256
	MaxQoIs     = 256
	// MaxNameLen bounds the names of inputs and QoIs, MaxPartLen the names of mesh parts.
	MaxNameLen = 64
	MaxPartLen = 256
)

// The kinds of boundary conditions (BC.Kind).
const (
	Dirichlet = "dirichlet" // u = value on the part
	Neumann   = "neumann"   // κ ∂u/∂n = value on the part (outward normal)
)

// The kinds of quantities of interest (QoI.Kind).
const (
	QoIIntegral = "integral" // ∫ u over the part
	QoIAverage  = "average"  // ∫ u over the part divided by its measure
	QoIPoint    = "point"    // u at QoI.Point
	QoIMax      = "max"      // the largest value of u on the part
	QoIFlux     = "flux"     // −∫ κ ∂u/∂n over a boundary part (n outward): the heat flowing out
)

// Domain is the part name of the whole mesh, for QoIs.
const Domain = "domain"

// File is a problem file, read and validated.
type File struct {
	Path   string // the file's name as given to Read (or Parse)
	Digest string // the SHA-256 of its bytes, hex (journals compare it on resume)
	Mesh   Mesh
	Inputs []Input // in file order
	// Field, when not nil, is a log-normal random field (validated) that multiplies the
	// conductivity.
	Field *field.Params
	// Conductivity is κ (nil: the mesh's own value, 1 for the structured mesh); Source is f
	// (nil: 0); Exact is the manufactured solution (nil: none).
	Conductivity, Source, Exact *Expr
	Boundary                    []BC  // in file order
	QoIs                        []QoI // in file order
}

// Mesh is exactly one of a structured mesh of the unit square and a Kratos .mdpa file.
type Mesh struct {
	Square int    // cells per side, in [1, MaxSquare]; 0 when MDPA is set
	MDPA   string // the file, relative paths resolved against the problem file's directory
	Line   int    // the line of the key "mesh"
}

// Input is a named random scalar.
type Input struct {
	Name string
	Dist dist.Dist
	Line int
}

// BC is the boundary condition of a part of the mesh.
type BC struct {
	Part  string // a sub-model-part of the mesh, or left, right, bottom, top, boundary
	Kind  string // Dirichlet or Neumann
	Value *Expr
	Line  int // the line of the part's key
}

// QoI is a named quantity of interest.
type QoI struct {
	Name  string
	Kind  string     // QoIIntegral, QoIAverage, QoIPoint, QoIMax or QoIFlux
	Part  string     // the part it concerns (Domain: the whole mesh); "" for QoIPoint
	Point [2]float64 // (x, y) for QoIPoint
	Line  int        // the line of the QoI's key
}

// InputNames returns the names of the inputs, in file order.
func (f *File) InputNames() []string {
	names := make([]string, len(f.Inputs))
	for i, in := range f.Inputs {
		names[i] = in.Name
	}
	return names
}

// QoINames returns the names of the QoIs, in file order.
func (f *File) QoINames() []string {
	names := make([]string, len(f.QoIs))
	for i, q := range f.QoIs {
		names[i] = q.Name
	}
	return names
}

// Errorf returns an *Error of the file at line and key: for the checks that need the mesh,
// e.g. f.Errorf(bc.Line, "boundary."+bc.Part, "no such part (parts: …)").
func (f *File) Errorf(line int, key, format string, args ...any) error {
	return &Error{File: f.Path, Line: line, Key: key, Msg: oneLine(fmt.Sprintf(format, args...))}
}

// Error is an error in a problem file. Its message is one line:
//
//	FILE:LINE: KEY: what is wrong and what is wanted
//
// LINE is the line of the key (0 for the file as a whole, and then left out), KEY the key's
// path such as boundary.right.neumann ("" when the error is not about one key, and then left
// out).
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
}

// Error returns the one-line message.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	if e.Key != "" {
		b.WriteString(": " + e.Key)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// tooLarge says why a problem file is small.
const tooLarge = "a problem file describes a problem, its data go in the mesh and list files"

// Read reads and validates the problem file path. Relative paths in it (the mesh, list
// inputs) are relative to its directory. Errors are *Error.
func Read(path string) (*File, error) {
	data, err := bounded.ReadFile(path, MaxFileSize, "a problem file")
	var tl *bounded.TooLargeError
	switch {
	case errors.As(err, &tl):
		return nil, &Error{File: path, Msg: tl.Detail() + ": " + tooLarge}
	case err != nil:
		return nil, &Error{File: path, Msg: oneLine(err.Error())}
	}
	return Parse(data, path, filepath.Dir(path))
}

// Parse validates the problem file data, named name in messages, whose relative paths are
// relative to dir. Errors are *Error.
func Parse(data []byte, name, dir string) (*File, error) {
	return parse(data, name, dir, dist.Parse)
}

// parse is Parse with the parser of inputs' distributions (fuzzing replaces it: list: reads
// files).
func parse(data []byte, name, dir string, parseDist func(s, dir string) (dist.Dist, error)) (*File, error) {
	if len(data) > MaxFileSize {
		tl := &bounded.TooLargeError{Path: name, Size: int64(len(data)), Limit: MaxFileSize, What: "a problem file"}
		return nil, &Error{File: name, Msg: tl.Detail() + ": " + tooLarge}
	}
	r := newReader(data, name, dir, parseDist)
	f, err := r.file()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	f.Digest = hex.EncodeToString(sum[:])
	return f, nil
}

// isIdent reports whether s is an ASCII identifier: a letter or _, then letters, digits, _.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && (i == 0 || !('0' <= c && c <= '9')) {
			return false
		}
	}
	return true
}

// quote returns s quoted for a message (one line), cut to a readable length.
func quote(s string) string {
	const maxLen = 60
	if len(s) <= maxLen {
		return strconv.Quote(s)
	}
	cut := maxLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// quoteAround returns the expression text quoted for a message about character col
// (1-based runes): the whole text when short, otherwise a window around col.
func quoteAround(text string, col int) string {
	const half = 30
	runes := []rune(text)
	if len(runes) <= 2*half || col < 1 {
		return quote(text)
	}
	lo, hi := max(0, col-1-half), min(len(runes), col-1+half)
	s := strconv.Quote(string(runes[lo:hi]))
	if lo > 0 {
		s = "…" + s
	}
	if hi < len(runes) {
		s += "…"
	}
	return s
}

// keyName returns a JSON key as it appears in a key path: as is when plain, quoted when it
// has spaces, quotes, control characters or is long.
func keyName(k string) string {
	if k == "" || len(k) > MaxPartLen || strings.ContainsAny(k, `"\`) ||
		strings.IndexFunc(k, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 {
		return quote(k)
	}
	return k
}

// oneLine returns msg with its control characters (line breaks, tabs…) escaped, so that an
// error is one line whatever the file or a library put in it.
func oneLine(msg string) string {
	if strings.IndexFunc(msg, unicode.IsControl) < 0 {
		return msg
	}
	var b strings.Builder
	for _, r := range msg {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
