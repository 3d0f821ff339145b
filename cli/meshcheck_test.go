package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fanMDPA is a model part file of the square [0,2]² cut at node 5 into the elements 10, 20,
// 30, 40 (corners 1–4 counter-clockwise from the origin; node 5 at (x5, y5), the centre when
// (1, 1)), with the extra lines nodes and elems (id x y z, id property n1 n2 n3); Parts_Domain
// holds every node and element, Subpart_Boundary the nodes of dirichlet.
func fanMDPA(x5, y5 float64, nodes, elems []string, dirichlet string) string {
	var b strings.Builder
	b.WriteString("Begin Properties 0\n    CONDUCTIVITY 1.0\nEnd Properties\nBegin Nodes\n")
	fmt.Fprintf(&b, "    1 0 0 0\n    2 2 0 0\n    3 2 2 0\n    4 0 2 0\n    5 %v %v 0\n", x5, y5)
	ids := []string{"1", "2", "3", "4", "5"}
	for _, n := range nodes {
		b.WriteString("    " + n + "\n")
		ids = append(ids, strings.Fields(n)[0])
	}
	b.WriteString("End Nodes\nBegin Elements LaplacianElement2D3N\n")
	b.WriteString("    10 0 1 2 5\n    20 0 2 3 5\n    30 0 3 4 5\n    40 0 4 1 5\n")
	eids := []string{"10", "20", "30", "40"}
	for _, e := range elems {
		b.WriteString("    " + e + "\n")
		eids = append(eids, strings.Fields(e)[0])
	}
	b.WriteString("End Elements\n")
	fmt.Fprintf(&b, "Begin SubModelPart Parts_Domain\n    Begin SubModelPartNodes\n        %s\n    End SubModelPartNodes\n", strings.Join(ids, " "))
	fmt.Fprintf(&b, "    Begin SubModelPartElements\n        %s\n    End SubModelPartElements\nEnd SubModelPart\n", strings.Join(eids, " "))
	fmt.Fprintf(&b, "Begin SubModelPart Subpart_Boundary\n    Begin SubModelPartNodes\n        %s\n    End SubModelPartNodes\nEnd SubModelPart\n", dirichlet)
	return b.String()
}

func TestBadMeshesExitTwoBeforeAnySample(t *testing.T) {
	// Issue 13: a mesh that passes the reader but is not a triangulation (folded, duplicated,
	// overlapping elements, an edge of three elements) or has a part without a Dirichlet node
	// ends `mcfem run -mdpa`, `-problem` (a .mdpa mesh) and `-kratos` before any sample: exit
	// 2, one line naming the mesh file and the elements by their ids in it, no samples.csv.
	square := []string{"6 3 0 0", "7 4 0 0", "8 4 1 0", "9 3 1 0"} // [3,4]×[0,1], away from the fan
	for _, tc := range []struct {
		name string
		mdpa string
		want string // the message of the mesh check, after "mesh: "
	}{
		{"folded: node 5 moved across edge 1–2", fanMDPA(1, -0.5, nil, nil, "1 2 3 4"),
			"folded elements: element 10 is inverted relative to its neighbours (elements 10 and 40 lie on the same side of their shared edge, nodes 1 and 5; 2 such edges)"},
		{"duplicated element", fanMDPA(1, 1, nil, []string{"50 0 5 2 3"}, "1 2 3 4"),
			"duplicated elements: elements 20 and 50 have the same three nodes 2, 3 and 5"},
		{"overlapping element", fanMDPA(1, 1, []string{"6 1.5 0.8 0", "7 1.8 0.9 0", "8 1.7 1.2 0"}, []string{"50 0 6 7 8"}, "1 2 3 4"),
			"overlapping elements: element 50 overlaps element 20 (their interiors intersect)"},
		{"non-manifold edge", fanMDPA(1, 1, []string{"6 1 -1 0", "7 1 0.3 0"}, []string{"50 0 2 1 6", "60 0 1 2 7"}, "1 2 3 4 6"),
			"non-manifold edge: elements 10, 50 and 60 share the edge of nodes 1 and 2 (an edge belongs to at most two elements)"},
		{"a part without a Dirichlet node", fanMDPA(1, 1, square, []string{"50 0 6 7 8", "60 0 6 8 9"}, "1 2 3 4"),
			"no Dirichlet node in a part of the mesh: elements 50 and 60 share no node with the rest of the mesh and have no Dirichlet node, so the solution is not determined there"},
	} {
		for _, how := range []string{"-mdpa", "-problem", "-kratos"} {
			t.Run(tc.name+" "+how, func(t *testing.T) {
				dir := t.TempDir()
				require.NoError(t, os.MkdirAll(filepath.Join(dir, "problem_settings"), 0o755))
				mdpa := writeFile(t, tc.mdpa, dir, "problem_settings", "square_finer_2d.mdpa")
				out := filepath.Join(dir, "out")
				args := []string{"run", "-np", "2", "-samples", "4", "-out", out}
				noDirichlet := strings.HasPrefix(tc.want, "no Dirichlet")
				var prefix string
				switch how {
				case "-mdpa":
					args = append(args, "-mdpa", mdpa, "-boundary", "Subpart_Boundary")
					prefix = "mcfem run: -mdpa: " + mdpa + ": "
					if noDirichlet {
						prefix = "mcfem run: -mdpa: " + mdpa + ` (Dirichlet boundary: sub-model-part "Subpart_Boundary"): `
					}
				case "-problem":
					path := writeFile(t, `{"mesh": {"mdpa": "problem_settings/square_finer_2d.mdpa"}, "boundary": {"Subpart_Boundary": {"dirichlet": 0}}, "qoi": {"q": {"integral": "domain"}}}`, dir, "p.json")
					args = append(args, "-problem", path)
					prefix = "mcfem run: -problem: " + path + ":1: mesh.mdpa: " + mdpa + ": "
					if noDirichlet {
						prefix = "mcfem run: -problem: " + path + ": boundary: " + mdpa + ": "
					}
				case "-kratos":
					path := writeFile(t, string(readFile(t, kratosProject)), dir, "project.json")
					args = append(args, "-kratos", path)
					prefix = "mcfem run: -kratos: " + path + ":18: mesh.mdpa: " + mdpa + ": "
					if noDirichlet {
						prefix = "mcfem run: -kratos: " + path + ": boundary: " + mdpa + ": "
					}
				}
				code, stdout, stderr := runCLI(args...)
				assert.Equal(t, exitUsage, code, stderr)
				assert.Empty(t, stdout)
				assert.Equal(t, prefix+"mesh: "+tc.want+"\n", stderr)
				assert.NoFileExists(t, filepath.Join(out, "samples.csv"))
			})
		}
	}
}

func TestValidMeshFilesStillRun(t *testing.T) {
	// The same fan, unfolded, runs on all three paths (the checks refuse only bad meshes).
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "problem_settings"), 0o755))
	mdpa := writeFile(t, fanMDPA(1, 1, nil, nil, "1 2 3 4"), dir, "problem_settings", "square_finer_2d.mdpa")
	p := writeFile(t, `{"mesh": {"mdpa": "problem_settings/square_finer_2d.mdpa"}, "boundary": {"Subpart_Boundary": {"dirichlet": 0}}, "qoi": {"q": {"integral": "domain"}}}`, dir, "p.json")
	k := writeFile(t, string(readFile(t, kratosProject)), dir, "project.json")
	for i, flags := range [][]string{{"-mdpa", mdpa, "-boundary", "Subpart_Boundary"}, {"-problem", p}, {"-kratos", k}} {
		out := filepath.Join(dir, fmt.Sprint("out", i))
		code, _, stderr := runCLI(append([]string{"run", "-np", "1", "-samples", "3", "-quiet", "-out", out}, flags...)...)
		require.Equal(t, exitOK, code, stderr)
		_, rows := readCSV(t, out)
		assert.Len(t, rows, 3, "%v", flags)
	}
}
