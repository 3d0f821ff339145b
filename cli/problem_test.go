package cli

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/integrate/quad"
)

// readCSV reads dir's samples.csv as its header and rows.
func readCSV(t *testing.T, dir string) ([]string, [][]string) {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(string(readFile(t, dir, "samples.csv")))).ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, rows)
	return rows[0], rows[1:]
}

// column returns column name of rows as floats.
func column(t *testing.T, header []string, rows [][]string, name string) []float64 {
	t.Helper()
	k := -1
	for i, h := range header {
		if h == name {
			k = i
		}
	}
	require.GreaterOrEqual(t, k, 0, "no column %s in %v", name, header)
	out := make([]float64, len(rows))
	for i, r := range rows {
		v, err := strconv.ParseFloat(r[k], 64)
		require.NoError(t, err)
		out[i] = v
	}
	return out
}

func TestTutorialProblemFileReproducesTheTutorial(t *testing.T) {
	// Acceptance 4: problems/tutorial.json gives the built-in tutorial's samples.csv byte for
	// byte, on any rank count and batch.
	want := referenceCSV(t)
	for _, flags := range [][]string{{"-np", "1"}, {"-np", "3", "-batch", "8"}, {"-np", "2", "-threads", "2"}} {
		dir := filepath.Join(t.TempDir(), "out")
		code, _, stderr := runCLI(append([]string{"run", "-problem", "../problems/tutorial.json", "-quiet", "-out", dir}, flags...)...)
		require.Equal(t, exitOK, code, stderr)
		assert.Equal(t, string(want), string(readFile(t, dir, "samples.csv")), "flags %v", flags)
	}
}

// kratosProject is the Kratos tests' project file (../shared/testdata/kratos), with its mesh
// where its input_filename says.
const kratosProject = "../kratos/testdata/parameters_poisson_square_2d_finer.json"

// kratosQoI runs the project with ε = 1 and returns the QoI and the report.
func kratosQoI(t *testing.T, project string) (float64, string) {
	t.Helper()
	dir := t.TempDir()
	list := writeFile(t, "1\n", dir, "eps.txt")
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI("run", "-kratos", project, "-dist", "list:"+list, "-np", "1", "-out", out)
	require.Equal(t, exitOK, code, stderr)
	header, rows := readCSV(t, out)
	require.Len(t, rows, 1)
	return column(t, header, rows, "qoi")[0], stdout
}

func TestKratosProjectQoI(t *testing.T) {
	// Acceptance 1: the Kratos project gives the reference QoI(1) = 5.7824558650 (README of
	// the test data); the report says where κ came from.
	q, report := kratosQoI(t, kratosProject)
	assert.InDelta(t, 5.7824558650, q, 1e-9)
	assert.Contains(t, report, "κ of the elements of property 0: 1 (the tutorial's value): ")

	// Level1.mdpa (the same mesh) with CONDUCTIVITY 2.0 in its place: half the QoI.
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "problem_settings"), 0o755))
	writeFile(t, string(readFile(t, kratosProject)), dir, "project.json")
	level1 := strings.Replace(string(readFile(t, "../mesh/testdata/Level1.mdpa")), "CONDUCTIVITY 1.0", "CONDUCTIVITY 2.0", 1)
	require.Contains(t, level1, "CONDUCTIVITY 2.0")
	writeFile(t, level1, dir, "problem_settings", "square_finer_2d.mdpa")
	q2, report := kratosQoI(t, filepath.Join(dir, "project.json"))
	assert.InDelta(t, 5.7824558650/2, q2, 1e-9)
	assert.Contains(t, report, "κ of the elements of property 0: CONDUCTIVITY 2 from ")
}

func TestKratosProjectRefusesWhatItDoesNotModel(t *testing.T) {
	// Acceptance 1: a process mcfem does not model is refused, naming the key and the file.
	dir := t.TempDir()
	js := strings.Replace(string(readFile(t, kratosProject)), `"assign_scalar_variable_process"`, `"apply_thermal_face_process"`, 1)
	path := writeFile(t, js, dir, "project.json")
	code, stdout, stderr := runCLI("run", "-kratos", path, "-np", "1", "-out", filepath.Join(dir, "out"))
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "mcfem run: -kratos: "+path+`:34: processes.constraints_process_list[0].python_module: "apply_thermal_face_process": a process mcfem does not model (it models assign_scalar_variable_process on TEMPERATURE)`+"\n", stderr)
	assert.NoDirExists(t, filepath.Join(dir, "out"))
}

// orderLine finds, in verify's output, the observed order of QoI name.
func orderLine(t *testing.T, out, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?s)mesh convergence of QoI ` + name + ` .*?observed order on the two finest meshes: ([0-9.]+)`).FindStringSubmatch(out)
	require.NotNil(t, m, "no order for %s in\n%s", name, out)
	v, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	return v
}

func TestManufacturedSolutionsConvergeAtOrderTwo(t *testing.T) {
	// Acceptance 2: verify -problem on manufactured solutions shows order 2.0 ± 0.1 in the
	// integral QoI: nonzero Dirichlet data, a Neumann flux on one side, κ(x, y) varying in
	// space, two property ids of a .mdpa mesh with different CONDUCTIVITY (κ = 1 | 2).
	for _, tc := range []struct {
		file  string
		flags []string
		also  map[string]float64 // other QoIs and their orders
	}{
		{"dirichlet", []string{"-min", "8", "-max", "128"}, map[string]float64{"centre": 2, "top_mean": 2}},
		{"neumann", []string{"-min", "8", "-max", "128"}, map[string]float64{"right_mean": 2, "out_left": 1}},
		{"kappa", []string{"-min", "8", "-max", "128"}, nil},
		{"two-materials", []string{"-refine", "4"}, nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			code, stdout, stderr := runCLI(append([]string{"verify", "-problem", "../problems/manufactured/" + tc.file + ".json"}, tc.flags...)...)
			require.Equal(t, exitOK, code, stderr)
			assert.InDelta(t, 2.0, orderLine(t, stdout, "integral"), 0.1, stdout)
			for name, order := range tc.also {
				assert.InDelta(t, order, orderLine(t, stdout, name), 0.1, "%s\n%s", name, stdout)
			}
		})
	}
}

func TestTwoRandomInputsFourQoIs(t *testing.T) {
	// Acceptance 3: two random inputs (a in κ = 1 + a·x, b in f = 10(1 + b/2)), the QoIs
	// ∫u, u at a point, max u, the flux out through one side and through the whole boundary.
	// Each campaign mean is within 4 standard errors of a reference computed here by
	// Gauss–Legendre quadrature over (a, b) (8 × 2 points: exact in b, which the QoIs are
	// affine in since 1 + b/2 > 0), each point solved by the same discrete solver through a
	// problem file of list inputs. Every sample's outflow balances its source: flux out =
	// ∫ f = 10(1 + b/2) to 1e-10.
	dir := t.TempDir()
	src := string(readFile(t, "../problems/two-inputs.json"))
	mesh := `"mesh": {"square": 16}`
	src = strings.Replace(src, `"mesh": {"square": 32}`, mesh, 1)
	require.Contains(t, src, mesh)

	// The reference: quadrature nodes as list inputs.
	la, wa := quadNodes(8, 0.5, 1.5)
	lb, wb := quadNodes(2, -1, 1)
	var as, bs strings.Builder
	var weights []float64
	for i := range la {
		for j := range lb {
			fmt.Fprintf(&as, "%.17g\n", la[i])
			fmt.Fprintf(&bs, "%.17g\n", lb[j])
			weights = append(weights, wa[i]*wb[j])
		}
	}
	writeFile(t, as.String(), dir, "a.txt")
	writeFile(t, bs.String(), dir, "b.txt")
	ref := strings.Replace(strings.Replace(src, `"uniform:0.5,1.5"`, `"list:a.txt"`, 1), `"uniform:-1,1"`, `"list:b.txt"`, 1)
	refPath := writeFile(t, ref, dir, "reference.json")
	refOut := filepath.Join(dir, "ref")
	code, _, stderr := runCLI("run", "-problem", refPath, "-rtol", "1e-12", "-np", "1", "-quiet", "-out", refOut)
	require.Equal(t, exitOK, code, stderr)
	rh, rrows := readCSV(t, refOut)
	require.Len(t, rrows, len(weights))

	// The campaign.
	path := writeFile(t, src, dir, "two-inputs.json")
	out := filepath.Join(dir, "mc")
	code, _, stderr = runCLI("run", "-problem", path, "-samples", "2000", "-rtol", "1e-12", "-np", "2", "-quiet", "-out", out)
	require.Equal(t, exitOK, code, stderr)
	header, rows := readCSV(t, out)
	require.Equal(t, []string{"sample", "a", "b", "total", "probe", "peak", "right", "out", "iterations", "residual", "status"}, header)
	var sum struct {
		QoIs []struct {
			Name       string
			Statistics struct {
				Mean, StdErr float64
			}
		} `json:"qois"`
	}
	require.NoError(t, json.Unmarshal(readFile(t, out, "summary.json"), &sum))
	require.Len(t, sum.QoIs, 5)
	for k, q := range sum.QoIs {
		name := header[3+k]
		require.Equal(t, name, q.Name)
		var want float64
		for i, v := range column(t, rh, rrows, name) {
			want += weights[i] * v
		}
		assert.InDelta(t, want, q.Statistics.Mean, 4*q.Statistics.StdErr, "%s: mean %g ± %g, reference %g", name, q.Statistics.Mean, q.Statistics.StdErr, want)
		assert.Greater(t, q.Statistics.StdErr, 0.0)
		t.Logf("%-6s mean %.8g ± %.2g (SE), reference %.8g: %.2f SE", name, q.Statistics.Mean, q.Statistics.StdErr, want, (q.Statistics.Mean-want)/q.Statistics.StdErr)
	}
	b, flux := column(t, header, rows, "b"), column(t, header, rows, "out")
	worst := 0.0
	for i := range b {
		worst = math.Max(worst, math.Abs(flux[i]-10*(1+0.5*b[i])))
	}
	assert.Less(t, worst, 1e-10)
	t.Logf("largest |flux out − ∫f| over %d samples: %.3g", len(b), worst)
}

// quadNodes returns the n Gauss–Legendre nodes and weights of the uniform distribution on
// [lo, hi] (weights summing to 1).
func quadNodes(n int, lo, hi float64) ([]float64, []float64) {
	x, w := make([]float64, n), make([]float64, n)
	quad.Legendre{}.FixedLocations(x, w, lo, hi)
	for i := range w {
		w[i] /= hi - lo
	}
	return x, w
}

func TestProblemFileCampaignResumes(t *testing.T) {
	// Journals of several inputs and QoIs: a campaign stopped after 30 samples and resumed to
	// 60 gives the uninterrupted campaign's samples.csv.
	args := []string{"run", "-problem", "../problems/two-inputs.json", "-np", "2", "-quiet"}
	want := filepath.Join(t.TempDir(), "want")
	code, _, stderr := runCLI(append(args, "-samples", "60", "-out", want)...)
	require.Equal(t, exitOK, code, stderr)
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr = runCLI(append(args, "-samples", "30", "-out", dir)...)
	require.Equal(t, exitOK, code, stderr)
	code, _, stderr = runCLI(append(args, "-samples", "60", "-out", dir, "-resume")...)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, string(readFile(t, want, "samples.csv")), string(readFile(t, dir, "samples.csv")))
}

func TestTolControlsTheNamedQoI(t *testing.T) {
	// -tol-qoi: the rounds stop when the named QoI's interval is narrow enough; the default is
	// the first QoI, whose variance is smaller here, so it stops earlier.
	type sum struct {
		Statistics struct{ N int }
		QoIs       []struct {
			Name       string
			Statistics struct {
				CIHalf float64 `json:"ci_half_width"`
			}
		} `json:"qois"`
	}
	run := func(flags ...string) sum {
		dir := filepath.Join(t.TempDir(), "out")
		code, _, stderr := runCLI(append([]string{"run", "-problem", "../problems/two-inputs.json", "-mesh", "8", "-samples", "20", "-tol", "0.02", "-np", "2", "-quiet", "-out", dir}, flags...)...)
		require.Equal(t, exitOK, code, stderr)
		var s sum
		require.NoError(t, json.Unmarshal(readFile(t, dir, "summary.json"), &s))
		require.Len(t, s.QoIs, 5)
		return s
	}
	probe, first := run("-tol-qoi", "probe"), run()
	require.Equal(t, "probe", probe.QoIs[1].Name)
	assert.LessOrEqual(t, probe.QoIs[1].Statistics.CIHalf, 0.02)
	assert.Greater(t, probe.QoIs[4].Statistics.CIHalf, 0.02) // the outflow's interval was not the target
	assert.LessOrEqual(t, first.QoIs[0].Statistics.CIHalf, 0.02)
	assert.Greater(t, first.QoIs[1].Statistics.CIHalf, 0.02)
	assert.Greater(t, probe.Statistics.N, first.Statistics.N)
}

func TestBadProblemFilesExitTwo(t *testing.T) {
	// Acceptance 5: each kind of bad problem file ends the run before any sample with exit 2
	// and one line naming the file and the line, key or position; nothing is written.
	const ok = `"mesh": {"square": 8}, "boundary": {"boundary": {"dirichlet": 0}}, "qoi": {"q": {"integral": "domain"}}`
	mdpa := string(readFile(t, "../problems/manufactured/two-materials.mdpa"))
	empty := mdpa + "\nBegin SubModelPart Empty\n    Begin SubModelPartNodes\n    End SubModelPartNodes\nEnd SubModelPart\n"
	for _, tc := range []struct {
		name, file, mdpa, want string
	}{
		{"unknown key", `{` + ok + `, "solver": "cg"}`, "", `p.json:1: solver: unknown key (keys: mesh, inputs, field, conductivity, source, boundary, qoi, exact)`},
		{"expression that does not parse", `{` + ok + `, "source": "2 * (x + y"}`, "", `p.json:1: source: "2 * (x + y" column 11: unexpected end of the expression`},
		{"unknown variable", `{` + ok + `, "source": "2 * z"}`, "", `p.json:1: source: "2 * z" column 5: unknown variable z (variables: x, y)`},
		{"part that does not exist", `{"mesh": {"square": 8}, "boundary": {"nope": {"dirichlet": 0}}, "qoi": {"q": {"integral": "domain"}}}`, "",
			`p.json:1: boundary.nope: no part "nope" in unit square 8×8 (parts: bottom, boundary, domain, left, right, top)`},
		{"QoI part that does not exist", `{"mesh": {"square": 8}, "boundary": {"boundary": {"dirichlet": 0}}, "qoi": {"q": {"max": "Parts_X"}}}`, "",
			`p.json:1: qoi.q: no part "Parts_X"`},
		{"conductivity ≤ 0 somewhere", `{` + ok + `, "conductivity": "x - 0.5"}`, "", `p.json:1: conductivity: "x - 0.5" is -0.4166666666666667 at (0.08333333333333333, 0.041666666666666664) (the centroid of triangle 0): want a finite conductivity > 0`},
		{"constant conductivity ≤ 0", `{` + ok + `, "conductivity": -1}`, "", `p.json:1: conductivity: "-1" is -1: want a positive conductivity`},
		{"point outside the domain", `{"mesh": {"square": 8}, "boundary": {"boundary": {"dirichlet": 0}}, "qoi": {"q": {"point": [2, 0.5]}}}`, "",
			`p.json:1: qoi.q: the point (2, 0.5) is outside the mesh (unit square 8×8, within [0, 1]×[0, 1])`},
		{"Dirichlet part with no node", `{"mesh": {"mdpa": "m.mdpa"}, "boundary": {"Empty": {"dirichlet": 0}}, "qoi": {"q": {"integral": "domain"}}}`, empty,
			`p.json:1: boundary.Empty: part "Empty" has no node: a Dirichlet condition needs nodes`},
		{"no Dirichlet part", `{"mesh": {"square": 8}, "boundary": {"right": {"neumann": 1}}, "qoi": {"q": {"integral": "domain"}}}`, "",
			`p.json:1: boundary: no "dirichlet" entry`},
		{"conductivity not affine in an input", `{` + ok + `, "inputs": {"a": "uniform:0.5,1.5"}, "conductivity": "exp(a)*(1+x)"}`, "",
			`p.json:1: conductivity: "exp(a)*(1+x)" is not affine in a: at (0.08333333333333333, 0.041666666666666664) (the centroid of triangle 0) it is 0.3985360612690625 for a = -1`},
		{"bad distribution", `{` + ok + `, "inputs": {"a": "beta:0,1"}}`, "", `p.json:1: inputs.a: dist: "beta:0,1": want beta:a,b with a, b > 0`},
		{"mesh file missing", `{"mesh": {"mdpa": "nope.mdpa"}, "boundary": {"boundary": {"dirichlet": 0}}, "qoi": {"q": {"integral": "domain"}}}`, "",
			`p.json:1: mesh.mdpa: mesh: open DIR/nope.mdpa: no such file or directory`},
		{"Dirichlet value not finite", `{"mesh": {"square": 8}, "boundary": {"boundary": {"dirichlet": "log(x)"}}, "qoi": {"q": {"integral": "domain"}}}`, "",
			`p.json:1: boundary.boundary.dirichlet: "log(x)" is -Inf at node (0, 0): want a finite value`},
		{"flux through the domain", `{"mesh": {"square": 8}, "boundary": {"boundary": {"dirichlet": 0}}, "qoi": {"q": {"flux": "domain"}}}`, "",
			`p.json:1: qoi.q.flux: a flux is through a boundary part, not the domain`},
		{"CONDUCTIVITY that is not a number", `{"mesh": {"mdpa": "m.mdpa"}, "boundary": {"Subpart_Boundary": {"dirichlet": 0}}, "qoi": {"q": {"integral": "domain"}}}`,
			strings.Replace(mdpa, "CONDUCTIVITY 2.0", "CONDUCTIVITY two", 1), `m.mdpa:10: Properties 2: CONDUCTIVITY: "two": want a number > 0`},
		{"key given twice", `{` + ok + `, "source": 1, "source": 2}`, "", `p.json:1: source: `},
		{"not JSON", `{"mesh": {"square": 8},`, "", `p.json:1: `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, tc.file, dir, "p.json")
			if tc.mdpa != "" {
				writeFile(t, tc.mdpa, dir, "m.mdpa")
			}
			out := filepath.Join(dir, "out")
			code, stdout, stderr := runCLI("run", "-problem", path, "-samples", "4", "-np", "2", "-out", out)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Empty(t, stdout)
			want := strings.ReplaceAll(tc.want, "DIR/", dir+"/")
			want = strings.Replace(want, "p.json:", path+":", 1)
			want = strings.Replace(want, "m.mdpa:", filepath.Join(dir, "m.mdpa")+":", 1)
			assert.True(t, strings.HasPrefix(stderr, "mcfem run: -problem: "+want), "stderr %q\nwant   %q", stderr, want)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			assert.NoDirExists(t, out)
		})
	}
}

func TestRandomConductivityWithDirichletData(t *testing.T) {
	// κ = a(1 + x) random and u = x + y on the boundary: each sample assembles its K and lifts
	// its Dirichlet data. u = x + y solves −∇·(κ∇u) = −a exactly, and P1 holds it exactly: the
	// point value, the maximum and the lumped integral (exact for linear u) come out exact
	// to the solver's tolerance for every a, and the outflow is ∫ f = −a. A sample whose κ
	// is not positive fails with status non-spd.
	dir := t.TempDir()
	writeFile(t, "0.5\n1\n2.5\n-1\n", dir, "a.txt")
	path := writeFile(t, `{"mesh": {"square": 12}, "inputs": {"a": "list:a.txt"}, "conductivity": "a*(1 + x)", "source": "-a",
		"boundary": {"boundary": {"dirichlet": "x + y"}},
		"qoi": {"p": {"point": [0.3, 0.6]}, "top": {"max": "domain"}, "int": {"integral": "domain"}, "out": {"flux": "boundary"}}}`, dir, "lin.json")
	out := filepath.Join(dir, "out")
	// One of the four samples fails on purpose: -max-failures 1 keeps the verdict VALID.
	code, _, stderr := runCLI("run", "-problem", path, "-rtol", "1e-13", "-on-failure", "skip", "-max-failures", "1", "-np", "2", "-quiet", "-out", out)
	require.Equal(t, exitOK, code, stderr)
	header, rows := readCSV(t, out)
	a := column(t, header, rows, "a")
	p, top, in, flux := column(t, header, rows, "p"), column(t, header, rows, "top"), column(t, header, rows, "int"), column(t, header, rows, "out")
	for i := range 3 {
		assert.InDelta(t, 0.9, p[i], 1e-12, "a = %g", a[i])
		assert.InDelta(t, 2.0, top[i], 1e-12, "a = %g", a[i])
		assert.InDelta(t, 1.0, in[i], 1e-12, "a = %g", a[i])
		assert.InDelta(t, -a[i], flux[i], 1e-10, "a = %g", a[i])
		assert.Equal(t, "ok", rows[i][len(header)-1])
	}
	assert.Equal(t, "non-spd", rows[3][len(header)-1])
	assert.True(t, math.IsNaN(p[3]))
}
