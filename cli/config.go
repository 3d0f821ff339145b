package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
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

// pathFlags are the flags whose values are paths: in a configuration file they are relative to
// the file's directory (absolute paths are refused, so a configuration travels with its files).
var pathFlags = map[string]bool{"out": true, "mdpa": true}

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
	dir := filepath.Dir(path)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	lineAt := func(off int64) int { return 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n")) }
	fail := func(off int64, format string, a ...any) error {
		return fmt.Errorf("%s:%d: %s", path, lineAt(off), fmt.Sprintf(format, a...))
	}
	// syntax describes a JSON error where want was expected: the end of the file, or a
	// syntax error at its offset.
	syntax := func(err error, want string) error {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fail(int64(len(data)), "the file ends early: want %s", want)
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fail(se.Offset, "%v: want %s", err, want)
		}
		return fail(dec.InputOffset(), "%v: want %s", err, want)
	}
	const object = "a JSON object of flag names and values, e.g. {\"samples\": 1000}"
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		if len(bytes.TrimSpace(data)) == 0 {
			return fail(0, "the file is empty: want %s", object)
		}
		return fail(dec.InputOffset(), "want %s", object)
	}
	seen := map[string]int{} // key → its line
	for {
		more := dec.More()
		if !more {
			break
		}
		keyOff := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return syntax(err, "a key (a flag name in quotes) or } to close the object")
		}
		key, isKey := tok.(string)
		if !isKey {
			return fail(dec.InputOffset(), "want a key (a flag name in quotes), not %v", tok)
		}
		if i := bytes.Index(data[keyOff:], []byte(strconv.Quote(key))); i >= 0 {
			keyOff += int64(i) // the key itself, not the separator before it
		}
		var raw any
		if err := dec.Decode(&raw); err != nil {
			return syntax(err, fmt.Sprintf("the value of key %q", key))
		}
		f := fs.Lookup(key)
		if f == nil || key == "config" {
			return fail(keyOff, "unknown key %q (the keys are the flags of %s -h)", key, fs.Name())
		}
		if first, dup := seen[key]; dup {
			return fail(keyOff, "key %q given twice (first on line %d): give each flag once", key, first)
		}
		seen[key] = lineAt(keyOff)
		var value string
		switch v := raw.(type) {
		case string:
			value = v
		case json.Number:
			value = v.String()
		case bool:
			value = strconv.FormatBool(v)
		default:
			return fail(keyOff, "key %q: want a string, number or boolean", key)
		}
		if pathFlags[key] || (key == "dist" && strings.HasPrefix(value, "list:")) {
			p := strings.TrimPrefix(value, "list:")
			if filepath.IsAbs(p) {
				return fail(keyOff, "key %q: %q is absolute: paths in a configuration are relative to its file", key, p)
			}
			if p != "" {
				value = strings.TrimSuffix(value, p) + filepath.Join(dir, p)
			}
		}
		if err := fs.Set(key, value); err != nil {
			return fail(keyOff, "key %q: invalid value %s: %s", key, jsonValue(raw), flagWant(f, err))
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntax(err, "} to close the object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail(dec.InputOffset(), "unexpected data after the configuration object")
	}
	return nil
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

// effectiveConfig returns every flag's value after the configuration file and the command
// line, for the report.
func effectiveConfig(fs flagSet) map[string]string {
	out := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) { out[f.Name] = f.Value.String() })
	return out
}
