package cli

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeCommands returns the mcfem command lines of the README: its indented code lines and
// its inline code spans that start with mcfem or ./mcfem (after a prompt, prlimit, mpirun or
// srun), cut at a comment or an ellipsis, without the ones that show placeholders (N, T, FILE,
// [flags]) or take a positional argument.
func readmeCommands(t *testing.T) [][]string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	var texts []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "    ") {
			texts = append(texts, strings.TrimSpace(line))
		}
	}
	for _, m := range regexp.MustCompile("`([^`\n]*mcfem [^`\n]*)`").FindAllStringSubmatch(string(b), -1) {
		texts = append(texts, m[1])
	}
	placeholder := regexp.MustCompile(`^([A-Z]+|[A-Z]\.[a-z]+|\[.*|.*….*|<.*>)$`)
	var out [][]string
	for _, text := range texts {
		i := strings.Index(text, "mcfem ")
		if i < 0 || i > 0 && !strings.HasSuffix(text[:i], "./") && !strings.HasSuffix(text[:i], " ") {
			continue
		}
		var args []string
		skip := false
		for _, tok := range strings.Fields(text[i+len("mcfem "):]) {
			if strings.HasPrefix(tok, "#") || strings.HasPrefix(tok, "(") || tok == "…" || tok == "|" || tok == ">" || tok == "&&" {
				break
			}
			if placeholder.MatchString(tok) {
				skip = true
			}
			args = append(args, strings.Trim(tok, `"'`))
		}
		switch {
		case skip, len(args) == 0, slices.Contains(args, "-config"): // a -config file is read first
			continue
		case strings.HasPrefix(args[len(args)-1], "-") && len(args) > 1: // prose naming a flag
			continue
		case args[0] == "run", args[0] == "mlmc", args[0] == "mlmc-test", args[0] == "verify", args[0] == "bench", args[0] == "mesh":
			out = append(out, args)
		}
	}
	return out
}

// TestReadmeCommandsParse (issue 16 item 8): every mcfem command the README shows names
// flags that exist with values they take: each is run with -h appended, which the flag
// package reaches only after it has parsed every flag before it.
func TestReadmeCommandsParse(t *testing.T) {
	cmds := readmeCommands(t)
	require.Greater(t, len(cmds), 20, "the README's commands")
	// The README's examples of mistakes, which must be refused (exit 2) as it says.
	wrong := map[string]bool{"run -sample 5": true}
	for _, args := range cmds {
		code, _, stderr := runCLI(append(append([]string{}, args...), "-h")...)
		if wrong[strings.Join(args, " ")] {
			assert.Equal(t, exitUsage, code, "mcfem %s is the README's example of a mistake", strings.Join(args, " "))
			continue
		}
		assert.Equal(t, exitOK, code, "mcfem %s: %s", strings.Join(args, " "), stderr)
	}
	t.Logf("%d commands from the README parse", len(cmds))
}
