package cli

import (
	"fmt"
	"io"

	"mcfem/internal/setting"
	"mcfem/mc"
	"mcfem/mesh"
	"mcfem/problem"
	"mcfem/report"
)

// readMesh reads a Kratos mesh, checks it is a usable model (a triangulation, mesh.Check;
// a Dirichlet node in every connected part, mesh.CheckDirichlet; at least one unknown) and
// reorders its nodes by reverse Cuthill–McKee for a narrow-banded matrix. The reader's
// information (properties, ids) comes with it. A check's error names the file and the
// elements by their ids in it.
func readMesh(path, boundary string) (*mesh.Mesh, *mesh.MDPAInfo, error) {
	m, info, err := mesh.ReadMDPAFile(path, mesh.ReadOptions{Boundary: boundary})
	if err != nil {
		return nil, nil, err
	}
	ids := mesh.IDs{Elements: info.ElementIDs, Nodes: info.NodeIDs}
	if err := m.Check(ids); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := m.CheckDirichlet(m.Boundary, ids); err != nil {
		return nil, nil, fmt.Errorf("%s (Dirichlet boundary: %s): %w", path, info.BoundaryFrom, err)
	}
	interior := 0
	for _, b := range m.Boundary {
		if !b {
			interior++
		}
	}
	if interior == 0 {
		return nil, nil, fmt.Errorf("%s: all %d nodes are on the Dirichlet boundary: nothing to solve", path, m.NumNodes())
	}
	return m.Permute(m.RCM()), info, nil
}

func cmdMesh(fs flagSet, args []string, stdout, stderr io.Writer) int {
	cells := fs.Int("mesh", 64, "cells per side (≥ 1)")
	out := fs.String("o", "", "output file (required)")
	boundary := fs.String("boundary", "Subpart_Boundary", "name of the boundary sub-model-part")
	if code := fs.parse(args, stdout, stderr); code >= 0 {
		return code
	}
	if *out == "" {
		return usageError(fs, &setting.Error{Field: "o", Value: `""`, Want: "an output file, e.g. -o square.mdpa"}, stderr)
	}
	if *cells >= 1 && *cells <= problem.MaxCells {
		c := float64(*cells)
		// The mesh (17 bytes a node, 12 a triangle) and the writer's buffers.
		mm := mc.Memory{Ranks: 1, PerRank: int64(float64(17*(c+1)*(c+1)) + float64(24*c*c)) /* rounded products: no fused multiply-add */, Parts: []string{"the mesh"}, Mesh: fmt.Sprintf("-mesh %d", *cells)}
		if code := checkMemory(fs.Name(), mm, "", "", stderr); code >= 0 {
			return code
		}
	}
	m, err := mesh.UnitSquare(*cells)
	if err != nil {
		return usageError(fs, err, stderr)
	}
	err = report.WriteAtomic(*out, func(f io.Writer) error { return mesh.WriteMDPA(f, m, *boundary) })
	if err != nil {
		fmt.Fprintf(stderr, "mcfem mesh: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "wrote %s: %d nodes, %d triangles, boundary sub-model-part %s\n", *out, m.NumNodes(), m.NumTris(), *boundary)
	return exitOK
}
