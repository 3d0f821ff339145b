package cli

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image/png"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/mc"
	"mcfem/problem"
)

func TestMDPAMeshes(t *testing.T) {
	// Issue 5, acceptance 1: the Kratos meshes with -boundary Subpart_Boundary give the QoI(1)
	// of their README: a list with the single value 1 makes sample 0 solve ε = 1.
	dir := t.TempDir()
	one := writeFile(t, "1\n", dir, "one.txt")
	for _, tc := range []struct {
		file string
		qoi  float64
	}{
		{"square_coarse_2d.mdpa", 1.35},
		{"square_finer_2d.mdpa", 5.7824558650},
		{"Level1.mdpa", 5.7824558650},
	} {
		out := filepath.Join(dir, tc.file)
		code, _, stderr := runCLI("run", "-mdpa", filepath.Join("..", "mesh", "testdata", tc.file), "-boundary", "Subpart_Boundary",
			"-dist", "list:"+one, "-rtol", "1e-13", "-np", "1", "-quiet", "-out", out)
		require.Equal(t, exitOK, code, stderr)
		csv := readFile(t, out, "samples.csv")
		fields := strings.Split(strings.Split(string(csv), "\n")[1], ",")
		q, err := strconv.ParseFloat(fields[2], 64)
		require.NoError(t, err)
		// The README prints 10 decimals; the solve is converged to 1e-13.
		assert.InDelta(t, tc.qoi, q, 1e-9, tc.file)
	}
}

func TestMalformedMDPAExitsTwo(t *testing.T) {
	// Issue 5, acceptance 2: file:line in the message, exit 2, nothing runs.
	dir := t.TempDir()
	for _, tc := range []struct{ name, body, want string }{
		{"truncated.mdpa", "Begin Nodes\n 1 0 0 0\n 2 1 0 0\n", "truncated.mdpa:3: mdpa: end of file inside the Nodes block"},
		{"number.mdpa", "Begin Nodes\n 1 0 0 0\n 2 1.0.0 0 0\nEnd Nodes\n", "number.mdpa:3: mdpa: bad x coordinate"},
		{"missing.mdpa", "Begin Nodes\n 1 0 0 0\n 2 1 0 0\n 3 0 1 0\nEnd Nodes\nBegin Elements Element2D3N\n 1 0 1 2 9\nEnd Elements\n", "missing.mdpa:7: mdpa: element 1 references node 9"},
		{"flat.mdpa", "Begin Nodes\n 1 0 0 0\n 2 1 0 0\n 3 2 0 0\nEnd Nodes\nBegin Elements Element2D3N\n 1 0 1 2 3\nEnd Elements\n", "flat.mdpa:7: mdpa: element 1 has zero area"},
	} {
		path := writeFile(t, tc.body, dir, tc.name)
		out := filepath.Join(dir, "out-"+tc.name)
		code, stdout, stderr := runCLI("run", "-mdpa", path, "-out", out)
		assert.Equal(t, exitUsage, code, tc.name)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, tc.want)
		assert.NoDirExists(t, out)
	}
}

func TestTraceFieldsPlots(t *testing.T) {
	// Issue 5, acceptance 4.
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI("run", "-samples", "300", "-mesh", "16", "-np", "3", "-threads", "2", "-batch", "2",
		"-out", dir, "-quiet", "-trace", "-fields", "-plots")
	require.Equal(t, exitOK, code, stderr)

	// trace.json: JSON with sample events from every rank.
	var trace struct {
		TraceEvents []struct {
			Name string         `json:"name"`
			Ph   string         `json:"ph"`
			Pid  int            `json:"pid"`
			Args map[string]any `json:"args"`
		} `json:"traceEvents"`
	}
	data := readFile(t, dir, "trace.json")
	require.NoError(t, json.Unmarshal(data, &trace))
	samplesPerRank := map[int]int{}
	for _, e := range trace.TraceEvents {
		if e.Ph == "X" && strings.HasPrefix(e.Name, "sample ") {
			samplesPerRank[e.Pid]++
		}
	}
	assert.Equal(t, map[int]int{0: 100, 1: 100, 2: 100}, samplesPerRank)

	// fields.vtu: VTK XML whose mean field integrates (lumped nodal areas) to the mean QoI.
	var vtk struct {
		Grid struct {
			Piece struct {
				Points int `xml:"NumberOfPoints,attr"`
				Data   []struct {
					Name string `xml:"Name,attr"`
					Text string `xml:",chardata"`
				} `xml:"PointData>DataArray"`
			} `xml:"Piece"`
		} `xml:"UnstructuredGrid"`
	}
	data = readFile(t, dir, "fields.vtu")
	require.NoError(t, xml.Unmarshal(data, &vtk))
	var mean []float64
	for _, d := range vtk.Grid.Piece.Data {
		if d.Name == "u_mean" {
			for _, f := range strings.Fields(d.Text) {
				v, err := strconv.ParseFloat(f, 64)
				require.NoError(t, err)
				mean = append(mean, v)
			}
		}
	}
	require.Len(t, mean, 17*17)
	spec := mc.DefaultConfig().Problem
	spec.Cells = 16
	p, err := problem.New(spec)
	require.NoError(t, err)
	var integral float64
	for dof, node := range p.System().Node {
		integral += p.System().Area[dof] * mean[node]
	}
	var s struct {
		Statistics struct {
			Mean float64 `json:"mean"`
		} `json:"statistics"`
	}
	data = readFile(t, dir, "summary.json")
	require.NoError(t, json.Unmarshal(data, &s))
	assert.InEpsilon(t, s.Statistics.Mean, integral, 1e-9)

	for _, name := range []string{"qoi-histogram.png", "running-mean.png"} {
		img, err := png.Decode(bytes.NewReader(readFile(t, dir, name)))
		require.NoError(t, err, name)
		assert.Greater(t, img.Bounds().Dx(), 500, name)
	}

	// The output flags need -out.
	code, _, stderr = runCLI("run", "-samples", "10", "-trace")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "-out")
}

func TestMeshCommandRoundTrip(t *testing.T) {
	// The built-in mesh written as .mdpa and read back gives the same QoIs.
	dir := t.TempDir()
	path := filepath.Join(dir, "sq.mdpa")
	code, _, stderr := runCLI("mesh", "-mesh", "8", "-o", path)
	require.Equal(t, exitOK, code, stderr)
	runCSV := func(args ...string) string {
		out := filepath.Join(dir, strconv.Itoa(len(args))+args[1])
		code, _, stderr := runCLI(append([]string{"run", "-samples", "20", "-np", "1", "-quiet", "-out", out}, args...)...)
		require.Equal(t, exitOK, code, stderr)
		csv := readFile(t, out, "samples.csv")
		return string(csv)
	}
	a := runCSV("-mesh", "8")
	b := runCSV("-mdpa", path, "-boundary", "Subpart_Boundary")
	// The RCM order changes the order of the sums in CG: equal to about 1e-15, not in bits.
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	require.Equal(t, len(la), len(lb))
	for i := 1; i < len(la)-1; i++ {
		qa, _ := strconv.ParseFloat(strings.Split(la[i], ",")[2], 64)
		qb, _ := strconv.ParseFloat(strings.Split(lb[i], ",")[2], 64)
		assert.InEpsilon(t, qa, qb, 1e-8)
	}
}

// TestStretchedMeshHasNoExactValues is acceptance 4 of issue 11: the structured mesh written
// by `mcfem mesh`, x coordinates doubled ([0,2]×[0,1]), runs with no exact column, no exact
// values or gaps in summary.json, no density overlay, and every check of the verdict listed
// on stdout; the report says why no exact value is known.
func TestStretchedMeshHasNoExactValues(t *testing.T) {
	dir := t.TempDir()
	square := filepath.Join(dir, "square.mdpa")
	code, _, stderr := runCLI("mesh", "-mesh", "16", "-o", square)
	require.Equal(t, exitOK, code, stderr)
	data := readFile(t, square)
	var out strings.Builder
	inNodes := false
	for _, line := range strings.SplitAfter(string(data), "\n") {
		f := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "Begin Nodes"):
			inNodes = true
		case strings.HasPrefix(line, "End Nodes"):
			inNodes = false
		case inNodes && len(f) == 4:
			x, err := strconv.ParseFloat(f[1], 64)
			require.NoError(t, err)
			line = fmt.Sprintf("%s %.10f %s %s\n", f[0], 2*x, f[2], f[3])
		}
		out.WriteString(line)
	}
	stretched := writeFile(t, out.String(), dir, "stretched.mdpa")

	res := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI("run", "-np", "2", "-samples", "200", "-mdpa", stretched, "-out", res, "-plots")
	require.Equal(t, exitOK, code, stderr)
	assert.NotContains(t, stdout, "exact (6ε)")
	assert.NotContains(t, stdout, "gap/SE")
	assert.Contains(t, stdout, "note: the mesh covers [0, 2]×[0, 1], not the unit square")
	for _, check := range []string{"sample-indices", "converged", "finite", "allreduce"} {
		assert.Regexp(t, `(?m)^  pass `+check+` +\S`, stdout, check)
	}
	assert.Contains(t, stdout, "verdict: VALID (4 of 4 checks passed)")
	s := withoutExecution(t, res)
	assert.NotContains(t, s, "exact")
	assert.NotContains(t, s, "gap")
	assert.Contains(t, s["problem"].(map[string]any)["notes"], "the mesh covers [0, 2]×[0, 1], not the unit square")
	for _, png := range []string{"qoi-histogram.png", "running-mean.png"} {
		assert.FileExists(t, filepath.Join(res, png))
	}
}
