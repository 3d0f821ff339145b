package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"mcfem/dist"
	"mcfem/kratos"
	"mcfem/mesh"
	"mcfem/problem"
	"mcfem/problemfile"
)

// problemSource is the problem a command solves when not the built-in tutorial: -problem FILE
// (a problem file) or -kratos FILE (a Kratos project).
type problemSource struct {
	problem, kratos string
	// squares: the command solves on unit squares of its own sizes (mlmc's levels, bench's
	// ladder): a problem file's square size is not used and a mesh file is an error.
	squares bool
	notes   []string // what the import decided and ignored, for stderr
}

// define defines -problem (and -kratos when withKratos) on fs.
func (ps *problemSource) define(fs flagSet, withKratos bool) {
	fs.StringVar(&ps.problem, "problem", "", "solve the problem of this JSON problem file (mesh, random inputs, conductivity, source, boundary conditions, QoIs; see the README) instead of the built-in tutorial")
	if withKratos {
		fs.StringVar(&ps.kratos, "kratos", "", "solve the Kratos project of this ProjectParameters.json (its .mdpa, TEMPERATURE constraints and CONDUCTIVITY; the heat source is the tutorial's ε·f with ε from -dist)")
	}
}

// replaced lists the flags that a problem file (and a Kratos project) give themselves.
var replaced = map[string]bool{"mdpa": true, "boundary": true, "model": true, "field-sigma": true, "field-lambda": true, "field-terms": true}

// apply sets pb to the problem of -problem or -kratos (nothing when neither is given): set
// are the flags given, d the -dist (the Kratos project's ε). A flag the file replaces, a
// file that does not read and a mesh file that does not read are errors, one line each.
func (ps *problemSource) apply(pb *problem.Spec, set map[string]bool, d dist.Dist) error {
	if ps.problem == "" && ps.kratos == "" {
		return nil
	}
	flag := "-problem"
	if ps.kratos != "" {
		flag = "-kratos"
	}
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		switch {
		case ps.problem != "" && ps.kratos != "" && name == "kratos":
			return fmt.Errorf("-problem and -kratos: give one problem, not both")
		case replaced[name], name == "dist" && ps.problem != "":
			return fmt.Errorf("-%s with %s: the problem file gives it", name, flag)
		}
	}
	f, err := ps.read(d)
	if err != nil {
		return fmt.Errorf("%s: %w", flag, err)
	}
	pb.Model, pb.File, pb.Dist = "file", f, nil
	if f.Mesh.MDPA == "" {
		if !set["mesh"] && !ps.squares {
			pb.Cells = f.Mesh.Square
		}
		return nil
	}
	if ps.squares {
		return fmt.Errorf("%s: the problem's mesh is the file %s; this command solves on unit squares of its own sizes", flag, f.Mesh.MDPA)
	}
	if set["mesh"] {
		return fmt.Errorf("-mesh with %s: the problem's mesh is the file %s", flag, f.Mesh.MDPA)
	}
	m, info, err := mesh.ReadMDPAFile(f.Mesh.MDPA, mesh.ReadOptions{})
	if err != nil {
		return fmt.Errorf("%s: %w", flag, f.Errorf(f.Mesh.Line, "mesh.mdpa", "%v", err))
	}
	// The mesh is a triangulation: checked before the nodes are renumbered, so that the ids
	// in a message are the file's.
	if err := m.Check(mesh.IDs{Elements: info.ElementIDs, Nodes: info.NodeIDs}); err != nil {
		return fmt.Errorf("%s: %w", flag, f.Errorf(f.Mesh.Line, "mesh.mdpa", "%s: %v", f.Mesh.MDPA, err))
	}
	perm := m.RCM()
	info.Parts = mesh.PermuteParts(info.Parts, perm)
	pb.Mesh, pb.MDPA, pb.MeshFile = m.Permute(perm), info, f.Mesh.MDPA
	// A part of the mesh without a Dirichlet node: refused here, once, rather than by every
	// rank's set-up after the notes are out.
	if err := pb.CheckDirichlet(); err != nil {
		return fmt.Errorf("%s: %w", flag, err)
	}
	return nil
}

// read reads the problem file, or the Kratos project as a problem file with ε ~ d.
func (ps *problemSource) read(d dist.Dist) (*problemfile.File, error) {
	if ps.kratos == "" {
		return problemfile.Read(ps.problem)
	}
	p, err := kratos.Read(ps.kratos)
	if err != nil {
		return nil, err
	}
	// The project as a problem file; its lines and path are then the project's.
	f, err := problemfile.Parse(p.ProblemJSON("uniform:0,1"), ps.kratos, ".")
	if err != nil {
		return nil, fmt.Errorf("%s: as a problem file: %w", ps.kratos, err)
	}
	f.Inputs[0].Dist = d
	f.Mesh.Line = p.MDPALine
	for i := range f.Boundary {
		f.Boundary[i].Line = p.Dirichlet[i].Line
	}
	ps.notes = append(ps.notes, p.Notes...)
	if len(p.Ignored) > 0 {
		ps.notes = append(ps.notes, fmt.Sprintf("%s: ignored, as they cannot change the stationary solution: %s", ps.kratos, strings.Join(p.Ignored, ", ")))
	}
	return f, nil
}

// flagName is the flag the problem came from.
func (ps *problemSource) flagName() string {
	if ps.kratos != "" {
		return "-kratos"
	}
	return "-problem"
}

// setUpError is an error in the problem's files that a rank found while setting the problem
// up (a part that does not exist, a conductivity ≤ 0): every rank finds it, before any
// sample; the job exits 2 with its one line.
type setUpError struct{ msg string }

func (e *setUpError) Error() string { return e.msg }

// wrap turns an error of the problem's files from a rank's set-up into a setUpError of the
// command cmd ("mcfem run"); other errors pass unchanged.
func (ps *problemSource) wrap(cmd string, err error) error {
	var fe *problemfile.Error
	if errors.As(err, &fe) {
		return &setUpError{fmt.Sprintf("%s: %s: %v", cmd, ps.flagName(), fe)}
	}
	return err
}
