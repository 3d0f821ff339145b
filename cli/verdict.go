package cli

import (
	"fmt"
	"strings"

	"mcfem/mc"
)

// invalidError is a finished campaign whose verdict is INVALID: its outputs are written, and
// the job ends with exitInvalid and this one line.
type invalidError struct{ msg string }

func (e *invalidError) Error() string { return e.msg }

// verdictError returns nil for a VALID result, else the *invalidError naming the failed checks
// of the command cmd ("mcfem run").
func verdictError(cmd string, res *mc.Result) error {
	if res == nil || res.Valid() {
		return nil
	}
	var failed []string
	for _, c := range res.Checks {
		if !c.Pass {
			failed = append(failed, c.Name+": "+c.Detail)
		}
	}
	return &invalidError{fmt.Sprintf("%s: verdict INVALID: %s", cmd, strings.Join(failed, "; "))}
}
