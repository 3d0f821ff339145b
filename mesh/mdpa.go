package mesh

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"mcfem/internal/bounded"
)

// Kratos model part files (.mdpa).
//
// A model part file is a sequence of blocks, one record per line:
//
//	Begin ModelPartData … End ModelPartData          skipped
//	Begin Properties 0 … End Properties              skipped (values, nested Tables)
//	Begin Table 1 X Y … End Table                    skipped
//	Begin Nodes
//	    id x y z
//	End Nodes
//	Begin Elements LaplacianElement2D3N
//	    id property n1 n2 n3
//	End Elements
//	Begin Conditions LineCondition2D2N
//	    id property n1 n2
//	End Conditions
//	Begin SubModelPart Subpart_Boundary
//	    Begin SubModelPartData … End SubModelPartData          skipped
//	    Begin SubModelPartTables … End SubModelPartTables      skipped
//	    Begin SubModelPartNodes        node ids …      End SubModelPartNodes
//	    Begin SubModelPartElements     element ids …   End SubModelPartElements
//	    Begin SubModelPartConditions   condition ids … End SubModelPartConditions
//	    Begin SubModelPart Child … End SubModelPart            nested, named Subpart_Boundary.Child
//	End SubModelPart
//
// Any other block (NodalData, ElementalData, Geometries, …) is skipped as Kratos skips it: up
// to its matching End, nested Begin/End pairs balanced and their names checked.

// mdpaMaxLine is the longest line ReadMDPA accepts, in bytes. GiD writes lines of under 100
// bytes; the one long line in the Kratos test files is a 240-byte comment.
const mdpaMaxLine = 1 << 20

// mdpaMaxDepth is the deepest nesting of blocks ReadMDPA accepts. Kratos files nest three
// deep (SubModelPart, SubModelPart, SubModelPartNodes); the limit only keeps a hostile input
// from growing the block stack and the dotted sub-model-part names without bound.
const mdpaMaxDepth = 64

// ReadOptions controls ReadMDPA.
type ReadOptions struct {
	// Boundary names the sub-model-part whose nodes are the Dirichlet boundary: a top-level
	// name such as "Subpart_Boundary", or a nested one as Parent.Child. The nodes of its
	// nested sub-model-parts belong to it too, as in Kratos. "" means the nodes on the mesh's
	// outer boundary edges (edges used by exactly one triangle).
	Boundary string
}

// ParseError is a syntax or content error at a place in a model part file. Line is 1-based;
// 0 means the error concerns the file as a whole (no triangles, an unknown boundary name).
type ParseError struct {
	File string
	Line int
	Msg  string
}

// Error returns "FILE:LINE: mdpa: MSG", or "FILE: mdpa: MSG" when Line is 0.
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: mdpa: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: mdpa: %s", e.File, e.Msg)
}

// MDPAInfo is what ReadMDPA knows about a file beyond the Mesh.
type MDPAInfo struct {
	NodeIDs       []int    // Kratos id of mesh node i
	ElementIDs    []int    // Kratos id of mesh triangle t
	SubModelParts []string // full names (Parent.Child when nested), in file order
	BoundaryFrom  string   // `sub-model-part "NAME"` or "outer edges"
	Conditions    int      // number of conditions read (checked, otherwise unused)
	Reoriented    int      // triangles given clockwise and stored counter-clockwise
	Skipped       []string // blocks skipped, as "Name (line N)", e.g. "ModelPartData (line 1)"
	// Properties are the values of the Properties blocks, in file order; ElementProperties
	// is the property id of every triangle, in mesh order.
	Properties        []Property
	ElementProperties []int
	// Parts are the sub-model-parts again, in the order of SubModelParts, with their members
	// as mesh indices: the nodes and elements (triangles) each lists, its nested parts'
	// members included (as in Kratos).
	Parts []Part
}

// Property is one value line of a Properties block: "KEY VALUE…" in "Begin Properties ID".
type Property struct {
	ID         int
	Key, Value string // Value is the rest of the line, words joined by single spaces
	Line       int
}

// ReadMDPAFile opens path and reads it with ReadMDPA; errors name the path. A file over
// bounded.MDPA (1 GiB) is refused before it is read (*bounded.TooLargeError).
func ReadMDPAFile(path string, opt ReadOptions) (*Mesh, *MDPAInfo, error) {
	f, err := bounded.Open(path, bounded.MDPA, "a .mdpa mesh file")
	if bounded.IsTooLarge(err) {
		return nil, nil, err
	}
	if err != nil {
		return nil, nil, fmt.Errorf("mesh: %w", err)
	}
	defer f.Close()
	return ReadMDPA(f, path, opt)
}

// ReadMDPA reads a Kratos model part file holding a 2D mesh of 3-node triangles; name is the
// file name used in error messages. The returned mesh passes Validate.
//
// What it reads:
//
//   - Nodes: "id x y z", one per line. Ids are positive integers, need not be contiguous or
//     sorted, and must be unique. z must be exactly 0: the mesh lies in the plane z = 0, as
//     GiD and Kratos write 2D meshes; a non-zero z is an error, not silently dropped, since
//     projecting a mesh that is not in that plane would change its geometry. Coordinates
//     must be finite. Several Nodes blocks are allowed.
//   - Elements: "id property n1 n2 n3" in blocks whose element type name ends in 2D3N
//     (LaplacianElement2D3N, Element2D3N, …); any other type (a quadrilateral 2D4N, a
//     3D3N shell) is an error naming the block's type and line. Element ids are unique. A
//     triangle given clockwise is stored counter-clockwise by swapping n2 and n3
//     (MDPAInfo.Reoriented counts them); a triangle with a repeated node or a zero area (area
//     ≤ 1e-12·(longest edge)², the tolerance of Validate) is an error naming the element id.
//   - Conditions: "id property n1 … nk", k taken from a type name ending in kN (2 for
//     LineCondition2D2N), else any k ≥ 1. Checked to name defined nodes, otherwise unused.
//   - SubModelParts, nested (blocks of any kind up to 64 deep), with SubModelPartNodes,
//     …Elements and …Conditions lists (several ids per line allowed) that must name defined
//     entities. MDPAInfo.Parts gives each part's nodes and elements as mesh indices, sorted
//     and distinct, the members of the parts nested in it included. (Nesting is taken from
//     the blocks; ReadOptions.Boundary matches Parent.Child names by prefix instead. The two
//     agree unless a name written in the file itself contains a dot, which Kratos forbids.)
//   - Properties blocks ("Begin Properties ID"): every "KEY VALUE…" line is kept in
//     MDPAInfo.Properties (a block nested in one, such as a Table, is skipped); the property
//     id of every element is in MDPAInfo.ElementProperties. The reader does not interpret
//     them: the problem that uses the mesh decides what it models (CONDUCTIVITY, …).
//   - Every other block (ModelPartData, Table, NodalData, SubModelPartData,
//     SubModelPartTables, …) is skipped, nested blocks balanced; MDPAInfo.Skipped lists them.
//
// As in Kratos, a node must be defined before an element, condition or sub-model-part names
// it, and an element or condition before a sub-model-part lists it. Every node must belong to
// a triangle (an isolated interior node would make the stiffness matrix singular).
//
// Node numbering: mesh node i is the i-th node line of the file, whatever its id; triangle t
// is the t-th element line. MDPAInfo.NodeIDs and ElementIDs give the Kratos ids back.
//
// One record per line: a node, element or condition does not continue on the next line (GiD
// and Kratos write them so; Kratos itself reads word by word).
//
// Format tolerance (the GiD quirks of the Kratos test meshes): a comment runs from "//" to the
// end of the line wherever it starts, also glued to a word ("LaplacianElement2D3N// GUI …") or
// after data, and is removed before the line is split into words; words are separated by any
// run of spaces or tabs, so fixed-width columns, leading and trailing spaces and CRLF line
// ends are all fine; blank lines anywhere; no final newline; a UTF-8 byte order mark.
//
// Errors are *ParseError with the file, the line and what was expected: a line longer than
// 1 MiB, a word that is not a number, a wrong number of fields, an unknown node or element,
// a duplicate id, a Begin without End (at end of file), an End without Begin or closing the
// wrong block, an unsupported element type, a degenerate triangle, an unknown boundary name
// (the message lists the sub-model-parts that exist). An error of the reader r is returned
// wrapped. ReadMDPA never panics, and its memory is proportional to the input: ids are mapped
// to indices, never used to size an array.
func ReadMDPA(r io.Reader, name string, opt ReadOptions) (*Mesh, *MDPAInfo, error) {
	p := &mdpaParser{
		file:      name,
		info:      &MDPAInfo{},
		nodeIndex: map[int]int32{},
		elemLine:  map[int]int{},
		elemIndex: map[int]int32{},
		condLine:  map[int]int{},
		partIndex: map[string]int{},
	}
	if err := p.parse(r); err != nil {
		return nil, nil, err
	}
	if err := p.finish(opt); err != nil {
		return nil, nil, err
	}
	return &p.m, p.info, nil
}

// blockKind says how the lines of an open block are read.
type blockKind int

const (
	blockTop  blockKind = -1 // no block open: the parent of a top-level block
	blockSkip blockKind = iota
	blockNodes
	blockElements
	blockConditions
	blockPart      // SubModelPart
	blockPartNodes // SubModelPartNodes
	blockPartElements
	blockPartConditions
	blockProperties
)

// mdpaBlock is an open block: its name as written after Begin, the line of its Begin, and
// for an Elements or Conditions block its type, for a sub-model-part block its part.
type mdpaBlock struct {
	kind      blockKind
	name      string
	line      int
	typ       string // element or condition type name
	condNodes int    // nodes per condition from the type name, 0 = any number ≥ 1
	part      int    // index into parts for blockPart*
	prop      int    // property id for blockProperties
}

// mdpaPart is a sub-model-part: its full dotted name, the line of its Begin, the part it is
// nested in (-1 at top level), its node and element lists as mesh indices.
type mdpaPart struct {
	name   string
	line   int
	parent int
	nodes  []int32
	tris   []int32
}

type mdpaParser struct {
	file  string
	line  int // current line, 1-based
	stack []mdpaBlock
	m     Mesh
	info  *MDPAInfo

	nodeIndex map[int]int32 // node id -> mesh index
	nodeLine  []int         // mesh index -> line of its definition
	elemLine  map[int]int   // element id -> line
	elemIndex map[int]int32 // element id -> mesh triangle index
	condLine  map[int]int   // condition id -> line
	parts     []mdpaPart
	partIndex map[string]int // full name -> index into parts
}

// errorf returns a *ParseError at the current line.
func (p *mdpaParser) errorf(format string, args ...any) error {
	return &ParseError{File: p.file, Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

// quote returns s quoted for a message, cut to a readable length.
func quote(s string) string {
	const maxLen = 40
	if len(s) > maxLen {
		return strconv.Quote(s[:maxLen]) + "…"
	}
	return strconv.Quote(s)
}

// parse reads every line of r into p.
func (p *mdpaParser) parse(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), mdpaMaxLine)
	for sc.Scan() {
		p.line++
		text := sc.Text()
		if p.line == 1 {
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		if i := strings.Index(text, "//"); i >= 0 {
			text = text[:i]
		}
		tok := strings.Fields(text)
		if len(tok) == 0 {
			continue
		}
		if err := p.record(tok); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		p.line++
		if errors.Is(err, bufio.ErrTooLong) {
			return p.errorf("line longer than %d bytes", mdpaMaxLine)
		}
		return fmt.Errorf("%s: mdpa: reading line %d: %w", p.file, p.line, err)
	}
	if n := len(p.stack); n > 0 {
		b := p.stack[n-1]
		return p.errorf("end of file inside the %s block begun at line %d: want End %s", b.name, b.line, b.name)
	}
	return nil
}

// record handles one non-empty line, split into words.
func (p *mdpaParser) record(tok []string) error {
	switch tok[0] {
	case "Begin":
		return p.begin(tok)
	case "End":
		return p.end(tok)
	}
	if len(p.stack) == 0 {
		return p.errorf("unexpected %s at top level: want Begin and a block name (Nodes, Elements, Conditions, SubModelPart, …)", quote(tok[0]))
	}
	b := &p.stack[len(p.stack)-1]
	switch b.kind {
	case blockNodes:
		return p.node(tok)
	case blockElements:
		return p.element(tok, b)
	case blockConditions:
		return p.condition(tok, b)
	case blockPart:
		return p.errorf("unexpected %s in SubModelPart %s: want Begin SubModelPartNodes, SubModelPartElements, SubModelPartConditions, SubModelPart or End SubModelPart",
			quote(tok[0]), p.parts[b.part].name)
	case blockPartNodes, blockPartElements, blockPartConditions:
		return p.partList(tok, b)
	case blockProperties:
		p.info.Properties = append(p.info.Properties, Property{ID: b.prop, Key: tok[0], Value: strings.Join(tok[1:], " "), Line: p.line})
	}
	return nil // blockSkip
}

// begin opens the block named on a Begin line.
func (p *mdpaParser) begin(tok []string) error {
	if len(tok) < 2 {
		return p.errorf("Begin without a block name")
	}
	name := tok[1]
	if len(p.stack) >= mdpaMaxDepth {
		return p.errorf("Begin %s: blocks nested deeper than %d", quote(name), mdpaMaxDepth)
	}
	b := mdpaBlock{kind: blockSkip, name: name, line: p.line}
	parent := blockTop
	if n := len(p.stack); n > 0 {
		parent = p.stack[n-1].kind
	}
	switch parent {
	case blockSkip:
		// Inside a skipped block everything is skipped; only the nesting is followed.
	case blockTop:
		switch name {
		case "Nodes":
			if err := p.args(tok, 0, ""); err != nil {
				return err
			}
			b.kind = blockNodes
		case "Elements", "Conditions":
			if err := p.args(tok, 1, "a type name"); err != nil {
				return err
			}
			b.typ = tok[2]
			if name == "Elements" {
				if !strings.HasSuffix(b.typ, "2D3N") {
					return p.errorf("Elements block of type %s: only 2D 3-node triangles are supported (a type name ending in 2D3N, such as LaplacianElement2D3N)", quote(b.typ))
				}
				b.kind = blockElements
			} else {
				b.kind = blockConditions
				b.condNodes = nodesFromTypeName(b.typ)
			}
		case "SubModelPart":
			if err := p.openPart(tok, &b, -1); err != nil {
				return err
			}
		case "Properties":
			if err := p.args(tok, 1, "a property id"); err != nil {
				return err
			}
			id, err := strconv.ParseUint(tok[2], 10, 31)
			if err != nil {
				return p.errorf("bad property id %s: want a non-negative integer", quote(tok[2]))
			}
			b.kind, b.prop = blockProperties, int(id)
		default:
			p.info.Skipped = append(p.info.Skipped, fmt.Sprintf("%s (line %d)", name, p.line))
		}
	case blockProperties:
		// A block inside Properties (a Table): skipped, its nesting followed.
		p.info.Skipped = append(p.info.Skipped, fmt.Sprintf("%s (line %d)", name, p.line))
	case blockPart:
		part := p.stack[len(p.stack)-1].part
		pname := p.parts[part].name
		switch name {
		case "SubModelPartNodes", "SubModelPartElements", "SubModelPartConditions":
			if err := p.args(tok, 0, ""); err != nil {
				return err
			}
			switch name {
			case "SubModelPartNodes":
				b.kind = blockPartNodes
			case "SubModelPartElements":
				b.kind = blockPartElements
			default:
				b.kind = blockPartConditions
			}
			b.part = part
		case "SubModelPart":
			if err := p.openPart(tok, &b, part); err != nil {
				return err
			}
		case "Nodes", "Elements", "Conditions":
			return p.errorf("Begin %s inside SubModelPart %s: %s are defined at top level and listed in SubModelPart%s", name, pname, name, name)
		default:
			p.info.Skipped = append(p.info.Skipped, fmt.Sprintf("%s (line %d)", name, p.line))
		}
	default:
		open := p.stack[len(p.stack)-1]
		return p.errorf("Begin %s inside the %s block begun at line %d: want End %s first", quote(name), open.name, open.line, open.name)
	}
	p.stack = append(p.stack, b)
	return nil
}

// args checks that a Begin line has n words after the block name; what names them.
func (p *mdpaParser) args(tok []string, n int, what string) error {
	if got := len(tok) - 2; got != n {
		if n == 0 {
			return p.errorf("Begin %s takes nothing after the block name, got %s", tok[1], quote(strings.Join(tok[2:], " ")))
		}
		return p.errorf("Begin %s takes one word after the block name (%s), got %d", tok[1], what, got)
	}
	return nil
}

// openPart sets b up as the sub-model-part named by tok nested in the part with index
// parent (-1 at top level).
func (p *mdpaParser) openPart(tok []string, b *mdpaBlock, parent int) error {
	if err := p.args(tok, 1, "the sub-model-part name"); err != nil {
		return err
	}
	full := tok[2]
	if parent >= 0 {
		full = p.parts[parent].name + "." + full
	}
	if i, ok := p.partIndex[full]; ok {
		return p.errorf("SubModelPart %s defined twice (first at line %d)", quote(full), p.parts[i].line)
	}
	b.kind = blockPart
	b.part = len(p.parts)
	p.partIndex[full] = b.part
	p.parts = append(p.parts, mdpaPart{name: full, line: p.line, parent: parent})
	p.info.SubModelParts = append(p.info.SubModelParts, full)
	return nil
}

// nodesFromTypeName returns k for a type name ending in kN (LineCondition2D2N: 2), else 0.
func nodesFromTypeName(typ string) int {
	s, ok := strings.CutSuffix(typ, "N")
	if !ok {
		return 0
	}
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	k, err := strconv.Atoi(s[i:])
	if err != nil || k < 1 || k > 64 {
		return 0
	}
	return k
}

// end closes the innermost block, which must be the one named.
func (p *mdpaParser) end(tok []string) error {
	if len(tok) < 2 {
		return p.errorf("End without a block name")
	}
	name := tok[1]
	n := len(p.stack)
	if n == 0 {
		return p.errorf("End %s without a matching Begin %s", quote(name), quote(name))
	}
	open := p.stack[n-1]
	if name != open.name {
		return p.errorf("End %s does not match Begin %s at line %d", quote(name), open.name, open.line)
	}
	if len(tok) > 2 {
		return p.errorf("End %s takes nothing after the block name, got %s", name, quote(strings.Join(tok[2:], " ")))
	}
	p.stack = p.stack[:n-1]
	return nil
}

// id parses a Kratos id: a positive integer. what names it in the message.
func (p *mdpaParser) id(s, what string) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 {
		return 0, p.errorf("bad %s %s: want a positive integer", what, quote(s))
	}
	return v, nil
}

// node reads "id x y z".
func (p *mdpaParser) node(tok []string) error {
	if len(tok) != 4 {
		return p.errorf("node line: want \"id x y z\" (4 fields), got %d", len(tok))
	}
	id, err := p.id(tok[0], "node id")
	if err != nil {
		return err
	}
	var c [3]float64
	for k, axis := range [3]string{"x", "y", "z"} {
		v, err := strconv.ParseFloat(tok[1+k], 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return p.errorf("bad %s coordinate %s of node %d: want a finite number", axis, quote(tok[1+k]), id)
		}
		c[k] = v
	}
	if c[2] != 0 {
		return p.errorf("node %d has z = %g: want 0 (only 2D meshes in the plane z = 0 are read)", id, c[2])
	}
	if i, ok := p.nodeIndex[id]; ok {
		return p.errorf("duplicate node id %d (first defined at line %d)", id, p.nodeLine[i])
	}
	n := p.m.NumNodes()
	if n >= math.MaxInt32 {
		return p.errorf("more than %d nodes: too many for int32 indices", math.MaxInt32)
	}
	p.nodeIndex[id] = int32(n)
	p.nodeLine = append(p.nodeLine, p.line)
	p.m.Coords = append(p.m.Coords, c[0], c[1])
	p.info.NodeIDs = append(p.info.NodeIDs, id)
	return nil
}

// nodeRef resolves the node id in s, named by an element or condition (what, id).
func (p *mdpaParser) nodeRef(s, what string, id int) (int32, error) {
	nid, err := p.id(s, "node id")
	if err != nil {
		return 0, err
	}
	v, ok := p.nodeIndex[nid]
	if !ok {
		return 0, p.errorf("%s %d references node %d, which is not defined (nodes must be defined before use)", what, id, nid)
	}
	return v, nil
}

// element reads "id property n1 n2 n3" in block b.
func (p *mdpaParser) element(tok []string, b *mdpaBlock) error {
	if len(tok) != 5 {
		return p.errorf("element line in the %s block: want \"id property n1 n2 n3\" (5 fields), got %d", b.typ, len(tok))
	}
	id, err := p.id(tok[0], "element id")
	if err != nil {
		return err
	}
	if first, ok := p.elemLine[id]; ok {
		return p.errorf("duplicate element id %d (first defined at line %d)", id, first)
	}
	prop, err := strconv.ParseUint(tok[1], 10, 31)
	if err != nil {
		return p.errorf("bad property id %s of element %d: want a non-negative integer", quote(tok[1]), id)
	}
	var v [3]int32
	for k := range v {
		if v[k], err = p.nodeRef(tok[2+k], "element", id); err != nil {
			return err
		}
	}
	for k := range 3 {
		if v[k] == v[(k+1)%3] {
			return p.errorf("element %d uses node %d twice", id, p.info.NodeIDs[v[k]])
		}
	}
	t := p.m.NumTris()
	p.m.Tri = append(p.m.Tri, v[0], v[1], v[2])
	// The test of Validate, on the same arrays: a triangle accepted here passes it, in either
	// orientation (swapping two corners negates the signed area exactly).
	area := p.m.SignedArea(t)
	if tol := areaRelTol * p.m.maxEdge2(t); math.Abs(area) <= tol {
		return p.errorf("element %d has zero area: nodes %d %d %d are collinear (|area| %.3g ≤ tolerance %.3g)",
			id, p.info.NodeIDs[v[0]], p.info.NodeIDs[v[1]], p.info.NodeIDs[v[2]], math.Abs(area), tol)
	}
	if area < 0 {
		p.m.Tri[3*t+1], p.m.Tri[3*t+2] = v[2], v[1]
		p.info.Reoriented++
	}
	p.elemLine[id] = p.line
	p.elemIndex[id] = int32(t)
	p.info.ElementIDs = append(p.info.ElementIDs, id)
	p.info.ElementProperties = append(p.info.ElementProperties, int(prop))
	return nil
}

// condition reads "id property n1 … nk" in block b.
func (p *mdpaParser) condition(tok []string, b *mdpaBlock) error {
	if len(tok) < 3 || b.condNodes > 0 && len(tok) != 2+b.condNodes {
		want := "id property n1 … nk"
		if b.condNodes > 0 {
			want = fmt.Sprintf("id property and %d node ids", b.condNodes)
		}
		return p.errorf("condition line in the %s block: want %s, got %d fields", b.typ, want, len(tok))
	}
	id, err := p.id(tok[0], "condition id")
	if err != nil {
		return err
	}
	if first, ok := p.condLine[id]; ok {
		return p.errorf("duplicate condition id %d (first defined at line %d)", id, first)
	}
	if _, err := strconv.ParseUint(tok[1], 10, 63); err != nil {
		return p.errorf("bad property id %s of condition %d: want a non-negative integer", quote(tok[1]), id)
	}
	for _, s := range tok[2:] {
		if _, err := p.nodeRef(s, "condition", id); err != nil {
			return err
		}
	}
	p.condLine[id] = p.line
	p.info.Conditions++
	return nil
}

// listed returns what a sub-model-part list block of kind k lists: "node", "element" or
// "condition".
func (k blockKind) listed() string {
	switch k {
	case blockPartNodes:
		return "node"
	case blockPartElements:
		return "element"
	}
	return "condition"
}

// partList reads ids of a SubModelPartNodes, …Elements or …Conditions block; each must be
// defined at top level.
func (p *mdpaParser) partList(tok []string, b *mdpaBlock) error {
	part := &p.parts[b.part]
	what := b.kind.listed()
	for _, s := range tok {
		id, err := p.id(s, what+" id")
		if err != nil {
			return err
		}
		var defined bool
		switch b.kind {
		case blockPartNodes:
			var v int32
			if v, defined = p.nodeIndex[id]; defined {
				part.nodes = append(part.nodes, v)
			}
		case blockPartElements:
			var t int32
			if t, defined = p.elemIndex[id]; defined {
				part.tris = append(part.tris, t)
			}
		case blockPartConditions:
			_, defined = p.condLine[id]
		}
		if !defined {
			return p.errorf("SubModelPart %s lists %s %d, which is not defined", part.name, what, id)
		}
	}
	return nil
}

// finish checks the whole file and sets the boundary.
func (p *mdpaParser) finish(opt ReadOptions) error {
	whole := func(format string, args ...any) error {
		return &ParseError{File: p.file, Msg: fmt.Sprintf(format, args...)}
	}
	nn := p.m.NumNodes()
	if nn == 0 {
		return whole("no nodes: want a Nodes block")
	}
	if p.m.NumTris() == 0 {
		return whole("no elements: want an Elements block of 2D 3-node triangles")
	}
	used := make([]bool, nn)
	for _, v := range p.m.Tri {
		used[v] = true
	}
	for i, u := range used {
		if !u {
			return &ParseError{File: p.file, Line: p.nodeLine[i],
				Msg: fmt.Sprintf("node %d is in no element: every node must belong to a triangle", p.info.NodeIDs[i])}
		}
	}

	p.buildParts()

	p.m.Boundary = make([]bool, nn)
	if opt.Boundary == "" {
		p.info.BoundaryFrom = "outer edges"
		markOuterEdges(&p.m)
	} else {
		p.info.BoundaryFrom = fmt.Sprintf("sub-model-part %q", opt.Boundary)
		i, ok := p.partIndex[opt.Boundary]
		if !ok {
			const maxListed = 20
			names := p.info.SubModelParts
			have := strings.Join(names[:min(len(names), maxListed)], ", ")
			switch {
			case len(names) == 0:
				have = "none"
			case len(names) > maxListed:
				have += fmt.Sprintf(" and %d more", len(names)-maxListed)
			}
			return whole("no sub-model-part %s for the boundary (the file has: %s)", quote(opt.Boundary), have)
		}
		prefix := opt.Boundary + "."
		count := 0
		for _, part := range p.parts {
			if part.name == opt.Boundary || strings.HasPrefix(part.name, prefix) {
				for _, v := range part.nodes {
					p.m.Boundary[v] = true
				}
				count += len(part.nodes)
			}
		}
		if count == 0 {
			return &ParseError{File: p.file, Line: p.parts[i].line,
				Msg: fmt.Sprintf("SubModelPart %s has no nodes: the boundary would be empty", opt.Boundary)}
		}
	}
	if err := p.m.Validate(); err != nil {
		// Not expected: every condition of Validate is checked above. Kept as a safety net.
		return whole("%v", err)
	}
	return nil
}

// buildParts sets info.Parts from the parsed parts. A nested part comes after its parent in
// file order, so walking the parts backwards, each part's list is complete (its nested parts'
// members already added) when it is sorted and handed on to its parent. Nesting is at most
// mdpaMaxDepth deep, so the lists hold at most that many copies of each listed id.
func (p *mdpaParser) buildParts() {
	parts := make([]Part, len(p.parts))
	for i := len(p.parts) - 1; i >= 0; i-- {
		q, part := &p.parts[i], &parts[i]
		part.Name = q.name
		part.Nodes = sortedSet(append(part.Nodes, q.nodes...))
		part.Tris = sortedSet(append(part.Tris, q.tris...))
		if q.parent >= 0 {
			up := &parts[q.parent]
			up.Nodes = append(up.Nodes, part.Nodes...)
			up.Tris = append(up.Tris, part.Tris...)
		}
	}
	p.info.Parts = parts
}

// markOuterEdges sets m.Boundary on the nodes of the edges used by exactly one triangle.
func markOuterEdges(m *Mesh) {
	for v, on := range m.OnOuterEdges() {
		m.Boundary[v] = m.Boundary[v] || on
	}
}
