// Package setting implements the error of a setting — a flag, a key of a configuration file —
// whose value is outside its valid range. The packages that validate settings (mc, problem,
// solver) return it, and the command line reports it as "-FIELD VALUE: want WANT".
package setting

import "fmt"

// Error reports a setting outside its valid range; Field is the name used by both the flag
// and the configuration key.
type Error struct {
	Field, Value, Want string
}

// Error returns e.g. "samples = 0: want an integer ≥ 1".
func (e *Error) Error() string {
	return fmt.Sprintf("%s = %s: want %s", e.Field, e.Value, e.Want)
}

// Invalid returns the error of setting field, whose value is value, with what is wanted.
func Invalid(field, value, want string) *Error { return &Error{Field: field, Value: value, Want: want} }
