package mesh

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// mdpaDomainPart is the sub-model-part WriteMDPA puts every node and element in, as GiD does.
const mdpaDomainPart = "Parts_Domain"

// WriteMDPA writes m as a Kratos model part file that Kratos (and ReadMDPA) can read:
//
//	Begin ModelPartData / End ModelPartData        empty, as GiD writes it
//	Begin Properties 0 / End Properties            empty
//	Begin Nodes                                    ids 1..N in node order, z = 0
//	Begin Elements LaplacianElement2D3N            ids 1..M in triangle order, property 0
//	Begin SubModelPart Parts_Domain                every node and element, no conditions
//	Begin SubModelPart boundaryName                the boundary nodes, no elements or conditions
//
// Coordinates are written in the shortest form that parses back to the same float64
// (strconv 'g', -1), so ReadMDPA(…, ReadOptions{Boundary: boundaryName}) gives back m
// exactly: the same coordinates bit for bit, triangles and boundary flags. m must pass
// Validate; boundaryName must be one word without "//" or "." (a sub-model-part name) and
// not Parts_Domain. Errors: an invalid mesh or name, or the first error of w.
func WriteMDPA(w io.Writer, m *Mesh, boundaryName string) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := checkPartName(boundaryName); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	var buf []byte
	// A line is built in buf: start it with an indent and an id, add fields, end it.
	start := func(indent string, id int) {
		buf = strconv.AppendInt(append(buf[:0], indent...), int64(id), 10)
	}
	intField := func(v int64) { buf = strconv.AppendInt(append(buf, ' '), v, 10) }
	floatField := func(x float64) { buf = strconv.AppendFloat(append(buf, ' '), x, 'g', -1, 64) }
	end := func() {
		buf = append(buf, '\n')
		bw.Write(buf) // a write error is sticky: Flush returns it
	}
	line := func(parts ...string) {
		buf = buf[:0]
		for _, s := range parts {
			buf = append(buf, s...)
		}
		end()
	}
	idLine := func(id int) { // one id of a sub-model-part
		start("        ", id)
		end()
	}
	subModelPart := func(name string, nodes, elements func()) {
		line("Begin SubModelPart ", name)
		line("    Begin SubModelPartNodes")
		nodes()
		line("    End SubModelPartNodes")
		line("    Begin SubModelPartElements")
		elements()
		line("    End SubModelPartElements")
		line("    Begin SubModelPartConditions")
		line("    End SubModelPartConditions")
		line("End SubModelPart")
	}

	line("Begin ModelPartData")
	line("//  VARIABLE_NAME value")
	line("End ModelPartData")
	line()
	line("Begin Properties 0")
	line("End Properties")
	line()

	line("Begin Nodes")
	for i := range m.NumNodes() {
		start("    ", i+1)
		floatField(m.Coords[2*i])
		floatField(m.Coords[2*i+1])
		intField(0)
		end()
	}
	line("End Nodes")
	line()

	line("Begin Elements LaplacianElement2D3N")
	for t := range m.NumTris() {
		start("    ", t+1)
		intField(0) // the property
		for _, v := range m.Tri[3*t : 3*t+3] {
			intField(int64(v) + 1)
		}
		end()
	}
	line("End Elements")
	line()

	subModelPart(mdpaDomainPart, func() {
		for i := range m.NumNodes() {
			idLine(i + 1)
		}
	}, func() {
		for t := range m.NumTris() {
			idLine(t + 1)
		}
	})
	subModelPart(boundaryName, func() {
		for i, b := range m.Boundary {
			if b {
				idLine(i + 1)
			}
		}
	}, func() {})
	return bw.Flush()
}

// checkPartName checks that name can be written as a top-level sub-model-part name that
// reads back as itself.
func checkPartName(name string) error {
	bad := name == "" || strings.Contains(name, "//") || strings.Contains(name, ".")
	for _, r := range name {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) || r == unicode.ReplacementChar {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("mesh: WriteMDPA: bad boundary name %q: want one word without \"//\" or \".\"", name)
	}
	if name == mdpaDomainPart {
		return fmt.Errorf("mesh: WriteMDPA: boundary name %q is taken by the sub-model-part of all nodes and elements", name)
	}
	return nil
}
