package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"mcfem/internal/bounded"
)

// configArg returns the value of -config (or --config, -config=…) in args, or "".
func configArg(args []string) string {
	for i, a := range args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			continue
		}
		if hasValue {
			return value
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// pathFlags are the flags whose values are paths (and -dist list:FILE): in a configuration
// file a relative path is relative to the file's directory, an absolute one is taken as is.
var pathFlags = map[string]bool{"out": true, "mdpa": true, "problem": true, "kratos": true}

// pathValue returns the path in the value of flag name, and whether the flag takes one: the
// value of a path flag, or the FILE of -dist list:FILE.
func pathValue(name, value string) (string, bool) {
	if pathFlags[name] {
		return value, true
	}
	if name == "dist" {
		return strings.CutPrefix(value, "list:")
	}
	return "", false
}

// repeatable is a flag that may be given several times (-threshold): in a configuration file
// its value may be a JSON array, each element one occurrence of the flag.
type repeatable interface {
	flag.Value
	// values returns the flag's value as the occurrences that set it.
	values() []string
}

// loadConfig sets the flags of fs from the JSON object in path: each key is a flag name, each
// value a JSON string, number or boolean. A file over bounded.Config (1 MiB) is refused
// before it is read. Unknown or repeated keys, nested values, bad values and a file that
// ends early are errors naming the file and line. Flags given on the command line are parsed
// afterwards and win.
func loadConfig(fs flagSet, path string) error {
	data, err := bounded.ReadFile(path, bounded.Config, "a configuration file")
	if err != nil {
		return err
	}
	cr := &configReader{path: path, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	cr.dec.UseNumber()
	const object = "a JSON object of flag names and values, e.g. {\"samples\": 1000}"
	if tok, err := cr.dec.Token(); err != nil || tok != json.Delim('{') {
		if len(bytes.TrimSpace(data)) == 0 {
			return cr.fail(0, "the file is empty: want %s", object)
		}
		return cr.fail(cr.dec.InputOffset(), "want %s", object)
	}
	seen := map[string]int{} // key → its line
	for cr.dec.More() {
		if err := cr.entry(fs, seen); err != nil {
			return err
		}
	}
	if _, err := cr.dec.Token(); err != nil {
		return cr.syntax(err, "} to close the object")
	}
	if _, err := cr.dec.Token(); err != io.EOF {
		return cr.fail(cr.dec.InputOffset(), "unexpected data after the configuration object")
	}
	return nil
}

// configReader reads a configuration file's JSON object, entry by entry, and says where an
// error is (file:line).
type configReader struct {
	path string
	data []byte
	dec  *json.Decoder
}

// dir is the directory of the configuration file, absolute when it can be made so: the paths
// in the file are relative to it, and a run records them (and echoes them) independently of
// how -config was given.
func (cr *configReader) dir() string {
	dir := filepath.Dir(cr.path)
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// lineAt returns the line of byte offset off.
func (cr *configReader) lineAt(off int64) int {
	return 1 + bytes.Count(cr.data[:min(int(off), len(cr.data))], []byte("\n"))
}

// fail returns an error "FILE:LINE: message" at byte offset off.
func (cr *configReader) fail(off int64, format string, a ...any) error {
	return fmt.Errorf("%s:%d: %s", cr.path, cr.lineAt(off), fmt.Sprintf(format, a...))
}

// syntax describes a JSON error where want was expected: the end of the file, or a syntax
// error at its offset.
func (cr *configReader) syntax(err error, want string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return cr.fail(int64(len(cr.data)), "the file ends early: want %s", want)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return cr.fail(se.Offset, "%v: want %s", err, want)
	}
	return cr.fail(cr.dec.InputOffset(), "%v: want %s", err, want)
}

// entry reads one "key": value of the object and sets the flag key of fs to it; seen holds
// the line of every key set so far.
func (cr *configReader) entry(fs flagSet, seen map[string]int) error {
	keyOff := cr.dec.InputOffset()
	tok, err := cr.dec.Token()
	if err != nil {
		return cr.syntax(err, "a key (a flag name in quotes) or } to close the object")
	}
	key, isKey := tok.(string)
	if !isKey {
		return cr.fail(cr.dec.InputOffset(), "want a key (a flag name in quotes), not %v", tok)
	}
	if i := bytes.Index(cr.data[keyOff:], []byte(strconv.Quote(key))); i >= 0 {
		keyOff += int64(i) // the key itself, not the separator before it
	}
	var raw any
	if err := cr.dec.Decode(&raw); err != nil {
		return cr.syntax(err, fmt.Sprintf("the value of key %q", key))
	}
	f := fs.Lookup(key)
	if f == nil || key == "config" {
		names := slices.DeleteFunc(fs.names(), func(n string) bool { return n == "config" })
		return cr.fail(keyOff, "unknown key %q%s (the keys are the flags of %s -h)", key, didYouMean("", key, names), fs.Name())
	}
	if first, dup := seen[key]; dup {
		return cr.fail(keyOff, "key %q given twice (first on line %d): give each flag once", key, first)
	}
	seen[key] = cr.lineAt(keyOff)
	values := []any{raw}
	if list, isList := raw.([]any); isList {
		if _, ok := f.Value.(repeatable); !ok {
			return cr.fail(keyOff, "key %q: want a string, number or boolean (a list only for a flag that may be repeated, such as threshold)", key)
		}
		values = list
	}
	for _, raw := range values {
		value, ok := scalar(raw)
		if !ok {
			return cr.fail(keyOff, "key %q: want a string, number or boolean", key)
		}
		if p, isPath := pathValue(key, value); isPath && p != "" && !filepath.IsAbs(p) {
			value = strings.TrimSuffix(value, p) + filepath.Join(cr.dir(), p)
		}
		if err := fs.Set(key, value); err != nil {
			return cr.fail(keyOff, "key %q: invalid value %s: %s", key, jsonValue(raw), flagWant(f, err))
		}
	}
	return nil
}

// scalar is a configuration value as a flag value: a string as is, a number as written, a
// boolean as true or false; ok is false for anything else (an object, a list, null).
func scalar(raw any) (value string, ok bool) {
	switch v := raw.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// jsonValue is a configuration value as the file writes it: a string quoted, a number or a
// boolean as is.
func jsonValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

// flagWant says what flag f wants, after err from its Set: by the type of its value for the
// flag package's own ("an integer"), else err's message (a flag of ours says what it wants).
func flagWant(f *flag.Flag, err error) string {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return err.Error()
	}
	want := ""
	switch g.Get().(type) {
	case int, int64:
		want = "want an integer"
	case uint, uint64:
		want = "want an integer ≥ 0"
	case float64:
		want = "want a number"
	case bool:
		want = "want true or false"
	case time.Duration:
		want = "want a duration such as 90s, 30m or 2h"
	default:
		return err.Error()
	}
	if err.Error() == "value out of range" { // the flag package's errRange

		want += " (this one is out of range)"
	}
	return want
}

// notCampaign are the flags that say where and how a run writes, not what it computes: the
// echoed configuration leaves them out, so that it can be given to -config with any -out.
var notCampaign = map[string]bool{"config": true, "out": true, "quiet": true, "resume": true, "overwrite": true}

// effectiveConfig returns the campaign's flags after the configuration file and the command
// line, for the report (summary.json's execution.configuration), as a configuration file
// that reproduces the run: `mcfem run -config FILE -out DIR` with it, from any directory,
// writes the same samples.csv and summary.json (outside "execution"). It holds every flag
// given and every other flag's default, except the flags of notCampaign and the defaults
// whose mere presence would change the run or be refused (-np under mpirun; -pc with
// -solver cholesky; -mesh with a mesh file; what a problem file gives); numbers and booleans
// are JSON numbers and booleans, paths absolute, a repeatable flag a list.
func effectiveConfig(fs flagSet) map[string]any {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	value := func(name string) string { return fs.Lookup(name).Value.String() }
	fromFile := value("problem") != "" || (fs.Lookup("kratos") != nil && value("kratos") != "")
	omit := func(name string) bool {
		switch {
		case notCampaign[name]:
			return true
		case set[name]:
			return false
		case name == "np":
			return true
		case name == "pc":
			return value("solver") == "cholesky"
		case name == "mesh":
			return value("mdpa") != "" || fromFile
		case name == "dist":
			return value("problem") != ""
		}
		return replaced[name] && fromFile
	}
	out := map[string]any{}
	fs.VisitAll(func(f *flag.Flag) {
		if !omit(f.Name) {
			out[f.Name] = configValue(f)
		}
	})
	return out
}

// configValue is flag f's value as a configuration file writes it: a list for a repeatable
// flag, a JSON number or boolean for the flag package's numeric and boolean flags, a string
// otherwise, with a path made absolute.
func configValue(f *flag.Flag) any {
	if r, ok := f.Value.(repeatable); ok {
		return append([]string{}, r.values()...)
	}
	s := f.Value.String()
	if g, ok := f.Value.(flag.Getter); ok {
		switch g.Get().(type) {
		case bool:
			return s == "true"
		case int, int64, uint, uint64, float64:
			if n := json.Number(s); json.Valid([]byte(n)) { // not NaN or ±Inf
				return n
			}
		}
	}
	if p, isPath := pathValue(f.Name, s); isPath && p != "" {
		if abs, err := filepath.Abs(p); err == nil {
			s = strings.TrimSuffix(s, p) + abs
		}
	}
	return s
}
