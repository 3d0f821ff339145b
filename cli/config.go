package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
// value a JSON string, number or boolean. Unknown keys, nested values and bad values are errors
// naming the file and line. Flags given on the command line are parsed afterwards and win.
func loadConfig(fs flagSet, path string) error {
	data, err := os.ReadFile(path)
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
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fail(dec.InputOffset(), "want a JSON object of flag names and values, e.g. {\"samples\": 1000}")
	}
	for dec.More() {
		keyOff := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return fail(dec.InputOffset(), "%v", err)
		}
		key := tok.(string)
		if i := bytes.Index(data[keyOff:], []byte(strconv.Quote(key))); i >= 0 {
			keyOff += int64(i) // the key itself, not the separator before it
		}
		var raw any
		if err := dec.Decode(&raw); err != nil {
			return fail(dec.InputOffset(), "value of %q: %v", key, err)
		}
		f := fs.Lookup(key)
		if f == nil || key == "config" {
			return fail(keyOff, "unknown key %q (the keys are the flags of %s -h)", key, fs.Name())
		}
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
			return fail(keyOff, "key %q: %v", key, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail(dec.InputOffset(), "%v", err)
	}
	if dec.More() {
		return fail(dec.InputOffset(), "unexpected data after the configuration object")
	}
	return nil
}

// effectiveConfig returns every flag's value after the configuration file and the command
// line, for the report.
func effectiveConfig(fs flagSet) map[string]string {
	out := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) { out[f.Name] = f.Value.String() })
	return out
}
