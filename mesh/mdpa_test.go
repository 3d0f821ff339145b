package mesh

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kratosFiles are the real GiD-written meshes in testdata, with the counts of
// testdata/README.md.
var kratosFiles = []struct {
	file                          string
	nodes, elems, boundary, conds int
	skipped                       []string
}{
	{"square_coarse_2d.mdpa", 9, 8, 8, 8, []string{"ModelPartData (line 1)"}},
	{"square_finer_2d.mdpa", 84, 134, 32, 0, []string{"ModelPartData (line 1)"}},
	{"Level1.mdpa", 84, 134, 32, 0, []string{"ModelPartData (line 1)"}},
}

func readKratos(t *testing.T, file, boundary string) (*Mesh, *MDPAInfo) {
	t.Helper()
	m, info, err := ReadMDPAFile(filepath.Join("testdata", file), ReadOptions{Boundary: boundary})
	require.NoError(t, err)
	return m, info
}

func TestReadMDPAKratosFiles(t *testing.T) {
	for _, tc := range kratosFiles {
		t.Run(tc.file, func(t *testing.T) {
			m, info := readKratos(t, tc.file, "Subpart_Boundary")
			require.NoError(t, m.Validate())
			assert.Equal(t, tc.nodes, m.NumNodes())
			assert.Equal(t, tc.elems, m.NumTris())
			assert.Equal(t, tc.conds, info.Conditions)
			assert.Equal(t, []string{"Parts_Domain", "Subpart_Boundary"}, info.SubModelParts)
			assert.Equal(t, `sub-model-part "Subpart_Boundary"`, info.BoundaryFrom)
			assert.Equal(t, tc.skipped, info.Skipped)
			nb := 0
			for _, b := range m.Boundary {
				if b {
					nb++
				}
			}
			assert.Equal(t, tc.boundary, nb)

			// Ids 1..N and 1..M in file order (README: contiguous).
			require.Len(t, info.NodeIDs, tc.nodes)
			require.Len(t, info.ElementIDs, tc.elems)
			for i, id := range info.NodeIDs {
				assert.Equal(t, i+1, id)
			}
			for i, id := range info.ElementIDs {
				assert.Equal(t, i+1, id)
			}

			// All counter-clockwise as given: nothing reoriented, every area positive.
			assert.Zero(t, info.Reoriented)
			var total float64
			for tr := range m.NumTris() {
				a := m.SignedArea(tr)
				assert.Greater(t, a, 0.0, "triangle %d", tr)
				total += a
			}
			// The triangles tile [0,1]²; coordinates are printed with 10 decimals, but the
			// README reports the double-precision sum as 1.0: the rounding of the coordinates
			// is shared by neighbouring triangles and cancels. 1e-12 is ~100 ulps of slack for
			// the sum of 134 areas.
			assert.InDelta(t, 1.0, total, 1e-12)

			// Every node on a side of the square is in Subpart_Boundary, and only those; the
			// outer edges give the same set.
			for v, b := range m.Boundary {
				x, y := m.Coords[2*v], m.Coords[2*v+1]
				assert.Equal(t, x == 0 || y == 0 || x == 1 || y == 1, b, "node %d at (%g, %g)", info.NodeIDs[v], x, y)
			}
			me, infoE := readKratos(t, tc.file, "")
			assert.Equal(t, "outer edges", infoE.BoundaryFrom)
			assert.Equal(t, m.Boundary, me.Boundary)
			assert.Equal(t, m.Coords, me.Coords)
			assert.Equal(t, m.Tri, me.Tri)
		})
	}
}

func TestReadMDPASameMesh(t *testing.T) {
	// README quirk 10: square_finer_2d and Level1 differ only in formatting.
	a, ia := readKratos(t, "square_finer_2d.mdpa", "Subpart_Boundary")
	b, ib := readKratos(t, "Level1.mdpa", "Subpart_Boundary")
	assert.Equal(t, a.Coords, b.Coords)
	assert.Equal(t, a.Tri, b.Tri)
	assert.Equal(t, a.Boundary, b.Boundary)
	assert.Equal(t, ia.NodeIDs, ib.NodeIDs)
	assert.Equal(t, ia.ElementIDs, ib.ElementIDs)
}

// quirkFile exercises what the GiD files do and more: a byte order mark, CRLF and tab
// separators, comments everywhere, nested blocks inside skipped ones, unsorted and
// non-contiguous ids, a clockwise triangle, several ids per sub-model-part line, nested
// sub-model-parts with data and tables, and no final newline.
const quirkFile = "\uFEFFBegin ModelPartData // data\r\n" +
	"  DENSITY 1.0\r\n" +
	"  Begin Table 3 TIME VALUE\r\n  0 0\r\n  End Table\r\n" +
	"End ModelPartData\r\n" +
	"\r\n" +
	"Begin Properties 7\n" +
	"    CONDUCTIVITY   2.5 // kept, not interpreted\n" +
	"    Begin Table 1 TEMPERATURE CONDUCTIVITY\n 0 1\n 1 2\n    End Table\n" +
	"End Properties\n" +
	"Begin Table 1 TIME TEMPERATURE\n 0.0 0.0\nEnd Table\n" +
	"Begin Nodes//glued\n" +
	"\t40\t0.0\t0.0\t0.0   \n" +
	"  1000000000000 1.0 0.0 -0.0\n" + // a huge id: mapped, not an array size
	"  7   1.0   1.0   0.0 // a comment: 1 2 3\n" +
	"  3   0.0   1.0   0.0\n" +
	"End Nodes\n" +
	"Begin NodalData TEMPERATURE\n 40 1 0.0\nEnd NodalData\n" +
	"Begin Elements Element2D3N// GUI group identifier: Domain\n" +
	"       12     0     40 1000000000000 7 \n" + // counter-clockwise
	"        5     0     40 3 7\n" + // clockwise: stored as 40 7 3
	"End Elements\n" +
	"Begin Conditions LineCondition2D2N\n" +
	" 1 1 40 1000000000000 //pos1:condition ID(irrelevant) ; pos2:cond Property ( = 1 in this case)\n" +
	" 2 1 3 40\n" +
	"End Conditions\n" +
	"Begin SubModelPart Outer // Group Boundary // Subtree TEMPERATURE\n" +
	"    Begin SubModelPartData\n        Begin Table 2 TIME X\n        End Table\n    End SubModelPartData\n" +
	"    Begin SubModelPartTables\n        3\n    End SubModelPartTables\n" +
	"    Begin SubModelPartNodes\n        40 3\n    End SubModelPartNodes\n" +
	"    Begin SubModelPartElements\n    End SubModelPartElements\n" +
	"    Begin SubModelPartConditions\n 1 2\n    End SubModelPartConditions\n" +
	"    Begin SubModelPart Inner\n" +
	"        Begin SubModelPartNodes\n 7\n        End SubModelPartNodes\n" +
	"        Begin SubModelPartElements\n 12\n        End SubModelPartElements\n" +
	"    End SubModelPart\n" +
	"End SubModelPart"

func TestReadMDPAQuirks(t *testing.T) {
	m, info, err := ReadMDPA(strings.NewReader(quirkFile), "quirks.mdpa", ReadOptions{Boundary: "Outer"})
	require.NoError(t, err)
	require.NoError(t, m.Validate())
	assert.Equal(t, []float64{0, 0, 1, 0, 1, 1, 0, 1}, m.Coords)
	assert.Equal(t, []int32{0, 1, 2, 0, 2, 3}, m.Tri)
	assert.Equal(t, []int{40, 1000000000000, 7, 3}, info.NodeIDs)
	assert.Equal(t, []int{12, 5}, info.ElementIDs)
	assert.Equal(t, 1, info.Reoriented)
	assert.Equal(t, 2, info.Conditions)
	assert.Equal(t, []string{"Outer", "Outer.Inner"}, info.SubModelParts)
	assert.Equal(t, []string{"ModelPartData (line 1)", "Table (line 10)", "Table (line 15)", "NodalData (line 24)",
		"SubModelPartData (line 36)", "SubModelPartTables (line 40)"}, info.Skipped)
	assert.Equal(t, []Property{{ID: 7, Key: "CONDUCTIVITY", Value: "2.5", Line: 9}}, info.Properties)
	assert.Equal(t, []int{0, 0}, info.ElementProperties)
	// Outer includes the nodes of its child Inner, as in Kratos.
	assert.Equal(t, []bool{true, false, true, true}, m.Boundary)

	m, _, err = ReadMDPA(strings.NewReader(quirkFile), "quirks.mdpa", ReadOptions{Boundary: "Outer.Inner"})
	require.NoError(t, err)
	assert.Equal(t, []bool{false, false, true, false}, m.Boundary)

	m, _, err = ReadMDPA(strings.NewReader(quirkFile), "quirks.mdpa", ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, []bool{true, true, true, true}, m.Boundary)
}

// Small valid pieces for the malformed cases.
const (
	tNodes = "Begin Nodes\n 1 0 0 0\n 2 1 0 0\n 3 0 1 0\nEnd Nodes\n"          // lines 1-5
	tElems = "Begin Elements LaplacianElement2D3N\n 1 0 1 2 3\nEnd Elements\n" // lines 6-8 after tNodes
	tPart  = "Begin SubModelPart Boundary\n Begin SubModelPartNodes\n 1 2 3\n End SubModelPartNodes\nEnd SubModelPart\n"
)

// mdpaBadCases are malformed inputs with the line and a fragment of the message expected.
// They also seed FuzzReadMDPA.
var mdpaBadCases = []struct {
	name     string
	input    string
	boundary string
	line     int
	msg      string
}{
	{"truncated Nodes block", "Begin Nodes\n 1 0 0 0\n 2 1 0 0\n", "", 3,
		"end of file inside the Nodes block begun at line 1: want End Nodes"},
	{"truncated Elements block", tNodes + "Begin Elements LaplacianElement2D3N\n 1 0 1 2 3", "", 7,
		"end of file inside the Elements block begun at line 6: want End Elements"},
	{"truncated nested SubModelPart", tNodes + tElems + "Begin SubModelPart A\n Begin SubModelPart B\n\n", "", 11,
		"end of file inside the SubModelPart block begun at line 10"},
	{"truncated skipped block", "Begin Properties 0\n Begin Table 1 X Y\n 0 0\nEnd Table\n", "", 4,
		"end of file inside the Properties block begun at line 1"},
	{"bad number", "Begin Nodes\n 1 0 0 0\n 2 1.0.0 0 0\n", "", 3,
		`bad x coordinate "1.0.0" of node 2: want a finite number`},
	{"NaN coordinate", "Begin Nodes\n 1 0 NaN 0\n", "", 2, `bad y coordinate "NaN" of node 1`},
	{"overflowing coordinate", "Begin Nodes\n 1 1e400 0 0\n", "", 2, `bad x coordinate "1e400"`},
	{"bad node id", "Begin Nodes\n x1 0 0 0\n", "", 2, `bad node id "x1": want a positive integer`},
	{"zero node id", "Begin Nodes\n 0 0 0 0\n", "", 2, `bad node id "0"`},
	{"huge node id", "Begin Nodes\n 99999999999999999999 0 0 0\n", "", 2, `bad node id "99999999999999999999"`},
	{"non-zero z", "Begin Nodes\n 1 0 0 0.5\n", "", 2, "node 1 has z = 0.5: want 0"},
	{"node with 3 fields", "Begin Nodes\n 1 0 0\n", "", 2, `node line: want "id x y z" (4 fields), got 3`},
	{"duplicate node id", "Begin Nodes\n 1 0 0 0\n 2 1 0 0\n 1 0 1 0\n", "", 4,
		"duplicate node id 1 (first defined at line 2)"},
	{"element with a missing node", tNodes + "Begin Elements LaplacianElement2D3N\n 1 0 1 2 9\n", "", 7,
		"element 1 references node 9, which is not defined"},
	{"element with 4 nodes", tNodes + "Begin Elements LaplacianElement2D3N\n 1 0 1 2 3 4\n", "", 7,
		`element line in the LaplacianElement2D3N block: want "id property n1 n2 n3" (5 fields), got 6`},
	{"element with a bad property", tNodes + "Begin Elements LaplacianElement2D3N\n 1 -1 1 2 3\n", "", 7,
		`bad property id "-1" of element 1`},
	{"zero-area triangle", "Begin Nodes\n 1 0 0 0\n 2 1 0 0\n 3 2 0 0\nEnd Nodes\n" +
		"Begin Elements LaplacianElement2D3N\n 4 0 1 2 3\n", "", 7,
		"element 4 has zero area: nodes 1 2 3 are collinear"},
	{"element repeating a node", tNodes + "Begin Elements LaplacianElement2D3N\n 1 0 1 2 1\n", "", 7,
		"element 1 uses node 1 twice"},
	{"duplicate element id", tNodes + "Begin Elements LaplacianElement2D3N\n 1 0 1 2 3\n 1 0 1 2 3\n", "", 8,
		"duplicate element id 1 (first defined at line 7)"},
	{"quadrilateral element type", tNodes + "Begin Elements Element2D4N\n 1 0 1 2 3 3\nEnd Elements\n", "", 6,
		`Elements block of type "Element2D4N": only 2D 3-node triangles are supported`},
	{"3D triangle element type", tNodes + "Begin Elements ShellThinElement3D3N\n", "", 6,
		`Elements block of type "ShellThinElement3D3N"`},
	{"Elements without a type", tNodes + "Begin Elements\n", "", 6,
		"Begin Elements takes one word after the block name (a type name), got 0"},
	{"End without Begin", tNodes + "End Nodes\n", "", 6, `End "Nodes" without a matching Begin "Nodes"`},
	{"nested blocks mismatched", tNodes + tElems + "Begin SubModelPart B\n Begin SubModelPartNodes\n 1\nEnd SubModelPart\n", "", 12,
		`End "SubModelPart" does not match Begin SubModelPartNodes at line 10`},
	{"End of the wrong block", "Begin Nodes\n 1 0 0 0\nEnd Elements\n", "", 3,
		`End "Elements" does not match Begin Nodes at line 1`},
	{"Begin inside Nodes", "Begin Nodes\n 1 0 0 0\nBegin Elements Element2D3N\n", "", 3,
		`Begin "Elements" inside the Nodes block begun at line 1: want End Nodes first`},
	{"Nodes inside a SubModelPart", tNodes + "Begin SubModelPart A\nBegin Nodes\n", "", 7,
		"Begin Nodes inside SubModelPart A"},
	{"data at top level", "1 0 0 0\n", "", 1, `unexpected "1" at top level: want Begin`},
	{"data in a SubModelPart", tNodes + "Begin SubModelPart A\n 1\n", "", 7, `unexpected "1" in SubModelPart A`},
	{"Begin without a name", "Begin // Nodes\n", "", 1, "Begin without a block name"},
	{"End with extra words", "Begin Nodes\nEnd Nodes now\n", "", 2, `End Nodes takes nothing after the block name, got "now"`},
	{"condition with a missing node", tNodes + "Begin Conditions LineCondition2D2N\n 1 0 1 8\n", "", 7,
		"condition 1 references node 8, which is not defined"},
	{"condition with 3 nodes", tNodes + "Begin Conditions LineCondition2D2N\n 1 0 1 2 3\n", "", 7,
		"want id property and 2 node ids, got 5 fields"},
	{"sub-model-part with a missing node", tNodes + tElems + "Begin SubModelPart A\n Begin SubModelPartNodes\n 1 5\n", "", 11,
		"SubModelPart A lists node 5, which is not defined"},
	{"sub-model-part with a missing element", tNodes + tElems + "Begin SubModelPart A\n Begin SubModelPartElements\n 2\n", "", 11,
		"SubModelPart A lists element 2, which is not defined"},
	{"sub-model-part with a missing condition", tNodes + tElems + "Begin SubModelPart A\n Begin SubModelPartConditions\n 1\n", "", 11,
		"SubModelPart A lists condition 1, which is not defined"},
	{"sub-model-part defined twice", tNodes + tElems + tPart + tPart, "", 14,
		`SubModelPart "Boundary" defined twice (first at line 9)`},
	{"unknown boundary name", tNodes + tElems + tPart, "Subpart_Boundary", 0,
		`no sub-model-part "Subpart_Boundary" for the boundary (the file has: Boundary)`},
	{"unknown boundary name, no parts", tNodes + tElems, "Subpart_Boundary", 0,
		`no sub-model-part "Subpart_Boundary" for the boundary (the file has: none)`},
	{"empty boundary part", tNodes + tElems + "Begin SubModelPart Boundary\nEnd SubModelPart\n", "Boundary", 9,
		"SubModelPart Boundary has no nodes"},
	{"node in no element", "Begin Nodes\n 1 0 0 0\n 2 1 0 0\n 3 0 1 0\n 4 1 1 0\nEnd Nodes\n" +
		"Begin Elements LaplacianElement2D3N\n 1 0 1 2 3\nEnd Elements\n", "", 5,
		"node 4 is in no element"},
	{"no elements", tNodes, "", 0, "no elements: want an Elements block of 2D 3-node triangles"},
	{"empty file", "", "", 0, "no nodes: want a Nodes block"},
	{"only comments", "// nothing\n\n   // here\n", "", 0, "no nodes"},
}

func TestReadMDPAErrors(t *testing.T) {
	for _, tc := range mdpaBadCases {
		t.Run(tc.name, func(t *testing.T) {
			m, info, err := ReadMDPA(strings.NewReader(tc.input), "bad.mdpa", ReadOptions{Boundary: tc.boundary})
			require.Error(t, err)
			assert.Nil(t, m)
			assert.Nil(t, info)
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "want a *ParseError, got %T: %v", err, err)
			assert.Equal(t, "bad.mdpa", pe.File)
			assert.Equal(t, tc.line, pe.Line, "%v", err)
			assert.Contains(t, pe.Msg, tc.msg)
			want := fmt.Sprintf("bad.mdpa:%d: mdpa: ", tc.line)
			if tc.line == 0 {
				want = "bad.mdpa: mdpa: "
			}
			assert.True(t, strings.HasPrefix(err.Error(), want), "%q should start with %q", err.Error(), want)
		})
	}
}

func TestReadMDPALongLine(t *testing.T) {
	in := "Begin Nodes\n 1 0 0 0\n" + strings.Repeat(" ", mdpaMaxLine+1) + "\nEnd Nodes\n"
	_, _, err := ReadMDPA(strings.NewReader(in), "long.mdpa", ReadOptions{})
	var pe *ParseError
	require.True(t, errors.As(err, &pe), "%v", err)
	assert.Equal(t, 3, pe.Line)
	assert.Contains(t, pe.Msg, "line longer than 1048576 bytes")
}

// errReader fails after returning its data.
type errReader struct{ data []byte }

var errDisk = errors.New("disk on fire")

func (r *errReader) Read(b []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, errDisk
	}
	n := copy(b, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadMDPAReaderError(t *testing.T) {
	_, _, err := ReadMDPA(&errReader{[]byte(tNodes)}, "x.mdpa", ReadOptions{})
	require.ErrorIs(t, err, errDisk)
	assert.Contains(t, err.Error(), "x.mdpa: mdpa: reading line 6")

	_, _, err = ReadMDPAFile(filepath.Join("testdata", "missing.mdpa"), ReadOptions{})
	require.ErrorIs(t, err, os.ErrNotExist)
}

// TestReadMDPABoundedMemory reads a small file whose ids are huge: the reader must map them,
// not size arrays by them.
func TestReadMDPABoundedMemory(t *testing.T) {
	in := "Begin Nodes\n 9000000000000000000 0 0 0\n 8000000000000000000 1 0 0\n 7000000000000000000 0 1 0\nEnd Nodes\n" +
		"Begin Elements LaplacianElement2D3N\n 9000000000000000000 0 9000000000000000000 8000000000000000000 7000000000000000000\nEnd Elements\n"
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	m, info, err := ReadMDPA(strings.NewReader(in), "huge.mdpa", ReadOptions{})
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	assert.Equal(t, 3, m.NumNodes())
	assert.Equal(t, []int{9000000000000000000}, info.ElementIDs)
	// The scanner's 64 KiB buffer dominates; 1 MiB is far below anything id-sized.
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20))
}

func TestWriteMDPARoundTrip(t *testing.T) {
	us, err := UnitSquare(4)
	require.NoError(t, err)
	level1, _ := readKratos(t, "Level1.mdpa", "Subpart_Boundary")
	for _, tc := range []struct {
		name string
		m    *Mesh
	}{{"UnitSquare(4)", us}, {"Level1", level1}} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, WriteMDPA(&buf, tc.m, "Subpart_Boundary"))
			got, info, err := ReadMDPA(&buf, "roundtrip.mdpa", ReadOptions{Boundary: "Subpart_Boundary"})
			require.NoError(t, err)
			// Exact: coordinates are written in the shortest form that parses back to the
			// same float64.
			assert.Equal(t, tc.m.Coords, got.Coords)
			assert.Equal(t, tc.m.Tri, got.Tri)
			assert.Equal(t, tc.m.Boundary, got.Boundary)
			assert.Equal(t, []string{"Parts_Domain", "Subpart_Boundary"}, info.SubModelParts)
			assert.Zero(t, info.Reoriented)
			for i, id := range info.NodeIDs {
				assert.Equal(t, i+1, id)
			}
		})
	}
}

func TestWriteMDPAFormat(t *testing.T) {
	m, err := UnitSquare(1)
	require.NoError(t, err)
	m.Boundary[3] = false
	var buf bytes.Buffer
	require.NoError(t, WriteMDPA(&buf, m, "Dirichlet"))
	want, err := os.ReadFile(filepath.Join("testdata", "unit_square_1_dirichlet.mdpa"))
	require.NoError(t, err)
	assert.Equal(t, string(want), buf.String())
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errDisk }

func TestWriteMDPAErrors(t *testing.T) {
	good, err := UnitSquare(2)
	require.NoError(t, err)
	for _, tc := range []struct {
		name, boundary, msg string
		m                   *Mesh
	}{
		{"empty name", "", `bad boundary name ""`, good},
		{"name with a space", "a b", `bad boundary name "a b"`, good},
		{"name with a comment", "a//b", `bad boundary name "a//b"`, good},
		{"dotted name", "a.b", `bad boundary name "a.b"`, good},
		{"domain name", "Parts_Domain", "taken by the sub-model-part of all nodes", good},
		{"invalid mesh", "B", "mesh: no nodes", &Mesh{}},
		{"nil mesh", "B", "mesh: nil mesh", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteMDPA(&buf, tc.m, tc.boundary)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	require.ErrorIs(t, WriteMDPA(failWriter{}, good, "B"), errDisk)
}

// FuzzReadMDPA checks that ReadMDPA never panics, that a mesh it returns passes Validate and
// is described consistently by its MDPAInfo (ids, and Parts: one per sub-model-part, members
// sorted, distinct and in range), and that such a mesh survives WriteMDPA and a
// second ReadMDPA unchanged.
func FuzzReadMDPA(f *testing.F) {
	for _, tc := range kratosFiles {
		data, err := os.ReadFile(filepath.Join("testdata", tc.file))
		require.NoError(f, err)
		f.Add(data, "Subpart_Boundary")
		f.Add(data, "")
	}
	f.Add([]byte(quirkFile), "Outer")
	f.Add([]byte(quirkFile), "Outer.Inner")
	for _, tc := range mdpaBadCases {
		f.Add([]byte(tc.input), tc.boundary)
	}
	f.Fuzz(func(t *testing.T, data []byte, boundary string) {
		m, info, err := ReadMDPA(bytes.NewReader(data), "fuzz.mdpa", ReadOptions{Boundary: boundary})
		if err != nil {
			if m != nil || info != nil {
				t.Fatalf("error %v with a non-nil result", err)
			}
			var pe *ParseError
			if errors.As(err, &pe) && (pe.Line < 0 || pe.Line > bytes.Count(data, []byte("\n"))+1) {
				t.Fatalf("error line %d outside the input: %v", pe.Line, err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("ReadMDPA returned a mesh that fails Validate: %v", err)
		}
		if len(info.NodeIDs) != m.NumNodes() || len(info.ElementIDs) != m.NumTris() {
			t.Fatalf("%d node ids for %d nodes, %d element ids for %d triangles",
				len(info.NodeIDs), m.NumNodes(), len(info.ElementIDs), m.NumTris())
		}
		if len(info.Parts) != len(info.SubModelParts) {
			t.Fatalf("%d parts for %d sub-model-parts", len(info.Parts), len(info.SubModelParts))
		}
		for k, p := range info.Parts {
			if p.Name != info.SubModelParts[k] {
				t.Fatalf("part %d is %q, sub-model-part %q", k, p.Name, info.SubModelParts[k])
			}
			for _, set := range []struct {
				ids []int32
				n   int
			}{{p.Nodes, m.NumNodes()}, {p.Tris, m.NumTris()}} {
				for i, v := range set.ids {
					if v < 0 || int(v) >= set.n || i > 0 && v <= set.ids[i-1] {
						t.Fatalf("part %q: members %v not sorted, distinct and in [0, %d)", p.Name, set.ids, set.n)
					}
				}
			}
		}
		var buf bytes.Buffer
		if err := WriteMDPA(&buf, m, "B"); err != nil {
			t.Fatalf("WriteMDPA: %v", err)
		}
		m2, _, err := ReadMDPA(&buf, "rewritten.mdpa", ReadOptions{Boundary: "B"})
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
		if !sameMesh(m, m2) {
			t.Fatalf("round trip changed the mesh")
		}
	})
}

// sameMesh reports whether a and b have bit-identical coordinates and the same triangles
// and boundary flags.
func sameMesh(a, b *Mesh) bool {
	if len(a.Coords) != len(b.Coords) || len(a.Tri) != len(b.Tri) || len(a.Boundary) != len(b.Boundary) {
		return false
	}
	for i, c := range a.Coords {
		if math.Float64bits(c) != math.Float64bits(b.Coords[i]) {
			return false
		}
	}
	for i, v := range a.Tri {
		if v != b.Tri[i] {
			return false
		}
	}
	for i, f := range a.Boundary {
		if f != b.Boundary[i] {
			return false
		}
	}
	return true
}
