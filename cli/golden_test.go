package cli

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The goldens in testdata/golden were written by mcfem at commit 2f1bd62 (before the
// redesign of issue 11), built for linux/amd64 with the default GOAMD64=v1, from the directory
// holding this file: samples.csv (gzipped with gzip -n -9) and summary.json without its
// "execution" object, which is the part that may change from run to run. Every later version
// must reproduce them byte for byte: they are the behaviour the redesign keeps. Since -solver
// auto became the default (issue 14), the runs that relied on the old default (CG with
// Jacobi, batch 1) say -solver cg; the goldens did not change.
var goldenRuns = []struct {
	name string
	args []string
}{
	{"ref", []string{"run", "-np", "2", "-samples", "3000", "-mesh", "32", "-solver", "cg"}},
	{"amg4", []string{"run", "-np", "2", "-samples", "3000", "-mesh", "32", "-pc", "amg", "-batch", "4"}},
	{"cholesky", []string{"run", "-np", "2", "-samples", "3000", "-mesh", "32", "-solver", "cholesky"}},
	{"field", []string{"run", "-np", "2", "-samples", "300", "-mesh", "32", "-model", "lognormal-field", "-solver", "cg"}},
	{"tol", []string{"run", "-np", "2", "-samples", "3000", "-mesh", "32", "-tol", "0.02", "-solver", "cg"}},
	{"mlmc", []string{"mlmc", "-np", "2", "-tol", "0.01", "-solver", "cg"}},
	{"mdpa", []string{"run", "-np", "2", "-samples", "3000", "-mdpa", "testdata/golden/square_finer_2d.mdpa", "-boundary", "Subpart_Boundary", "-solver", "cg"}},
}

func TestGoldenOutputs(t *testing.T) {
	for _, g := range goldenRuns {
		t.Run(g.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			var stdout, stderr bytes.Buffer
			args := append(append([]string{}, g.args...), "-quiet", "-out", out)
			require.Equal(t, 0, Main(args, &stdout, &stderr), "stderr: %s", stderr.String())
			dir := filepath.Join("testdata", "golden", g.name)

			want := readFile(t, dir, "summary.json")
			got := readFile(t, out, "summary.json")
			sameText(t, "summary.json", string(want), withoutKey(t, withoutKey(t, goldenSummary(t, string(got)), "distributions"), "discrete_exact"))

			gz := filepath.Join(dir, "samples.csv.gz")
			if _, err := os.Stat(gz); err != nil {
				return // mlmc writes no samples.csv
			}
			got = readFile(t, out, "samples.csv")
			sameText(t, "samples.csv", gunzip(t, gz), string(got))
		})
	}
}

// withoutKey removes the top-level object key (two-space indent) of a summary that has it: an
// output added after the goldens were written (issue 15's "distributions"), whose absence
// from them is all that differs.
func withoutKey(t *testing.T, s, key string) string {
	t.Helper()
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != `  "`+key+`": {` {
			continue
		}
		end := i
		for !strings.HasPrefix(lines[end], "  }") {
			end++
		}
		return strings.Join(append(append([]string{}, lines[:i]...), lines[end+1:]...), "\n")
	}
	return s
}

// goldenSummary removes the object "execution" (two-space indent, as summary.json writes
// its top-level keys) and the comma it leaves dangling when it was the last key.
func goldenSummary(t *testing.T, s string) string {
	t.Helper()
	lines := strings.Split(s, "\n")
	start := -1
	for i, l := range lines {
		if l == `  "execution": {` {
			start = i
			break
		}
	}
	require.GreaterOrEqual(t, start, 1, "summary.json has no top-level execution object")
	end := start
	for !strings.HasPrefix(lines[end], "  }") {
		end++
	}
	last := lines[end] == "  }"
	out := append(append([]string{}, lines[:start]...), lines[end+1:]...)
	if last {
		out[start-1] = strings.TrimSuffix(out[start-1], ",")
	}
	return strings.Join(out, "\n")
}

// sameText fails with the first differing line when got is not want byte for byte.
func sameText(t *testing.T, what, want, got string) {
	t.Helper()
	if want == got {
		return
	}
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			t.Fatalf("%s differs from the golden at line %d:\n golden: %q\n    got: %q", what, i+1, w, g)
		}
	}
	t.Fatalf("%s differs from the golden (line endings)", what)
}

func gunzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	b, err := io.ReadAll(zr)
	require.NoError(t, err)
	return string(b)
}
