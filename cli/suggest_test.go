package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "run", 3},
		{"run", "", 3},
		{"run", "run", 0},
		{"rn", "run", 1},         // an insertion
		{"samples", "sample", 1}, // a deletion
		{"seef", "seed", 1},      // a substitution
		{"smaples", "samples", 1},
		{"ab", "ba", 1}, // a swap of adjacent letters, one edit (Levenshtein: 2)
		{"kitten", "sitting", 3},
		{"ε-sigma", "e-sigma", 1}, // runes, not bytes
		{"bench", "mesh", 3},
	} {
		assert.Equal(t, tc.want, editDistance(tc.a, tc.b), "%q %q", tc.a, tc.b)
		assert.Equal(t, tc.want, editDistance(tc.b, tc.a), "%q %q", tc.b, tc.a)
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"mesh", "np", "pc", "sampler", "samples", "seed", "threshold", "tol"}
	for _, tc := range []struct {
		word string
		want []string
	}{
		{"sample", []string{"sampler", "samples"}}, // equally near: both
		{"smaples", []string{"samples"}},
		{"treshold", []string{"threshold"}},
		{"thresold", []string{"threshold"}},
		{"to", []string{"tol"}},
		{"mesg", []string{"mesh"}},
		{"sed", []string{"seed"}},
		{"nq", []string{"np"}}, // two letters: one edit at most
		{"xy", nil},
		{"pn", []string{"np", "pc"}}, // a swap and a substitution
		{"frobnicate", nil},
		{"thr", nil},  // 6 edits from threshold
		{"seed", nil}, // itself is not a suggestion
	} {
		assert.Equal(t, tc.want, suggest(tc.word, names), tc.word)
	}
}

// TestDidYouMean: a misspelt command, flag or configuration key gets the nearest names; a
// far-off one none; the exit code is 2 either way, the message one line.
func TestDidYouMean(t *testing.T) {
	cfg := writeFile(t, `{"sampels": 10}`, t.TempDir(), "c.json")
	for _, tc := range []struct {
		args []string
		want string // "": no suggestion
	}{
		{[]string{"rn"}, `mcfem: unknown command "rn"; did you mean run? (commands: run, mlmc,`},
		{[]string{"mlmc-tset"}, `; did you mean mlmc-test?`},
		{[]string{"verison"}, `; did you mean version?`},
		{[]string{"frobnicate"}, ""},
		{[]string{"xyz"}, ""},
		{[]string{"run", "-sample", "5"}, "mcfem run: flag provided but not defined: -sample; did you mean -sampler or -samples? (see mcfem run -h)"},
		{[]string{"run", "-smaples", "5"}, "flag provided but not defined: -smaples; did you mean -samples? (see"},
		{[]string{"run", "--treshold=0.5"}, "flag provided but not defined: -treshold; did you mean -threshold?"},
		{[]string{"mlmc", "-to", "0.1"}, "mcfem mlmc: flag provided but not defined: -to; did you mean -tol?"},
		{[]string{"run", "-frobnicate"}, ""},
		{[]string{"run", "-xy"}, ""},
		{[]string{"run", "-config", cfg}, `c.json:1: unknown key "sampels"; did you mean samples? (the keys are`},
	} {
		code, stdout, stderr := runCLI(tc.args...)
		assert.Equal(t, exitUsage, code, tc.args)
		assert.Empty(t, stdout, tc.args)
		assert.Regexp(t, `^[^\n]*\n$`, stderr, "one line")
		if tc.want == "" {
			assert.NotContains(t, stderr, "did you mean", tc.args)
			assert.Contains(t, stderr, "mcfem", tc.args)
		} else {
			assert.Contains(t, stderr, tc.want, tc.args)
		}
	}
}
