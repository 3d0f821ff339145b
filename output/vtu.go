package output

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// vtkTriangle is VTK's cell type number for a linear triangle (VTK_TRIANGLE).
const vtkTriangle = 5

// Values per line in the ASCII arrays: short enough to read, long enough to keep files small.
const (
	floatsPerLine = 6
	intsPerLine   = 12
)

// Field is a named nodal scalar field.
type Field struct {
	Name   string
	Values []float64
}

// WriteVTU writes a triangle mesh (coords: 2 per node, x y; z written as 0; tri: 3 per triangle,
// 0-based node indices) with nodal PointData fields as a VTK XML UnstructuredGrid (.vtu) for
// ParaView: ASCII format (readable, diffable), VTK_TRIANGLE cell type 5, offsets and types
// arrays, Float64 points and fields, Int32 connectivity and offsets, UInt8 types.
//
// The file is a VTKFile version 1.0, byte_order LittleEndian, header_type UInt64, with one
// Piece; the first field is the PointData's active scalars. Floats are written in the shortest
// form that reads back exactly (strconv 'g', −1), so a written field round-trips bit for bit.
//
// Non-finite values: VTK's XML readers do not agree on ASCII "nan" and "inf". Those whose
// parser is C++ `istream >> double` stop at the first such token and leave the array short,
// so the file fails to load (ParaView issue 19042); VTK 9.1 (checked with its Python
// reader) reads "nan" and "inf" but reads "-inf" as +inf. No finite sentinel keeps NaN's
// meaning either. So an array (a field, or the points) that holds a NaN or ±Inf is written
// format="binary" instead: base64 of one UInt64 byte count followed by the little-endian
// float64 values, in one base64 stream, as VTK's own writer does for uncompressed inline
// data. NaN, +Inf and −Inf then arrive in ParaView exactly (NaN shows in the colour map's NaN
// colour); every all-finite array stays ASCII.
//
// WriteVTU panics if len(coords) is odd, len(tri) is not a multiple of 3 or above MaxInt32, a
// triangle names a node out of range, a field has the wrong length, or a field name is empty
// or repeated; it returns the writer's error.
func WriteVTU(w io.Writer, coords []float64, tri []int32, fields []Field) error {
	if len(coords)%2 != 0 {
		panic("output: WriteVTU: len(coords) is odd")
	}
	if len(tri)%3 != 0 {
		panic("output: WriteVTU: len(tri) is not a multiple of 3")
	}
	nn, nt := len(coords)/2, len(tri)/3
	if int64(len(tri)) > math.MaxInt32 {
		panic("output: WriteVTU: too many triangles for Int32 offsets")
	}
	for _, v := range tri {
		if v < 0 || int(v) >= nn {
			panic(fmt.Sprintf("output: WriteVTU: triangle node %d out of range [0, %d)", v, nn))
		}
	}
	seen := map[string]bool{}
	for _, f := range fields {
		if f.Name == "" || seen[f.Name] {
			panic(fmt.Sprintf("output: WriteVTU: field name %q empty or repeated", f.Name))
		}
		seen[f.Name] = true
		if len(f.Values) != nn {
			panic(fmt.Sprintf("output: WriteVTU: field %q has %d values for %d nodes", f.Name, len(f.Values), nn))
		}
	}

	b := bufio.NewWriter(w)
	b.WriteString(`<?xml version="1.0"?>` + "\n")
	b.WriteString(`<VTKFile type="UnstructuredGrid" version="1.0" byte_order="LittleEndian" header_type="UInt64">` + "\n")
	b.WriteString("  <UnstructuredGrid>\n")
	fmt.Fprintf(b, "    <Piece NumberOfPoints=\"%d\" NumberOfCells=\"%d\">\n", nn, nt)

	if len(fields) > 0 {
		fmt.Fprintf(b, "      <PointData Scalars=%s>\n", xmlAttr(fields[0].Name))
		for _, f := range fields {
			writeFloats(b, f.Name, 1, f.Values)
		}
		b.WriteString("      </PointData>\n")
	} else {
		b.WriteString("      <PointData>\n      </PointData>\n")
	}

	b.WriteString("      <Points>\n")
	xyz := make([]float64, 3*nn)
	for i := range nn {
		xyz[3*i], xyz[3*i+1] = coords[2*i], coords[2*i+1]
	}
	writeFloats(b, "Points", 3, xyz)
	b.WriteString("      </Points>\n")

	b.WriteString("      <Cells>\n")
	writeInts(b, "connectivity", "Int32", 3*nt, 3, func(i int) int64 { return int64(tri[i]) })
	writeInts(b, "offsets", "Int32", nt, intsPerLine, func(i int) int64 { return 3 * int64(i+1) })
	writeInts(b, "types", "UInt8", nt, intsPerLine, func(int) int64 { return vtkTriangle })
	b.WriteString("      </Cells>\n")

	b.WriteString("    </Piece>\n  </UnstructuredGrid>\n</VTKFile>\n")
	return b.Flush()
}

// writeFloats writes a Float64 DataArray of len(v)/nc tuples of nc components: ASCII, nc or
// floatsPerLine values a line, when every value is finite, else binary as WriteVTU describes.
func writeFloats(b *bufio.Writer, name string, nc int, v []float64) {
	finite := true
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			finite = false
			break
		}
	}
	format := "ascii"
	if !finite {
		format = "binary"
	}
	fmt.Fprintf(b, "        <DataArray type=\"Float64\" Name=%s NumberOfComponents=\"%d\" format=\"%s\">\n", xmlAttr(name), nc, format)
	if !finite {
		raw := make([]byte, 8+8*len(v))
		binary.LittleEndian.PutUint64(raw, uint64(8*len(v)))
		for i, x := range v {
			binary.LittleEndian.PutUint64(raw[8+8*i:], math.Float64bits(x))
		}
		b.WriteString("          ")
		b.WriteString(base64.StdEncoding.EncodeToString(raw))
		b.WriteString("\n        </DataArray>\n")
		return
	}
	per := floatsPerLine
	if nc > 1 {
		per = nc
	}
	var buf []byte
	for i, x := range v {
		if i%per == 0 {
			buf = append(buf, "          "...)
		} else {
			buf = append(buf, ' ')
		}
		buf = strconv.AppendFloat(buf, x, 'g', -1, 64)
		if i%per == per-1 || i == len(v)-1 {
			buf = append(buf, '\n')
			b.Write(buf)
			buf = buf[:0]
		}
	}
	b.WriteString("        </DataArray>\n")
}

// writeInts writes an ASCII integer DataArray of n values, value(i) the i-th, per a line.
func writeInts(b *bufio.Writer, name, typ string, n, per int, value func(int) int64) {
	fmt.Fprintf(b, "        <DataArray type=\"%s\" Name=\"%s\" format=\"ascii\">\n", typ, name)
	var buf []byte
	for i := range n {
		if i%per == 0 {
			buf = append(buf, "          "...)
		} else {
			buf = append(buf, ' ')
		}
		buf = strconv.AppendInt(buf, value(i), 10)
		if i%per == per-1 || i == n-1 {
			buf = append(buf, '\n')
			b.Write(buf)
			buf = buf[:0]
		}
	}
	b.WriteString("        </DataArray>\n")
}

// xmlAttr returns s quoted and escaped as an XML attribute value.
func xmlAttr(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	xml.EscapeText(&sb, []byte(s)) // escapes <, >, &, ', " and control characters
	sb.WriteByte('"')
	return sb.String()
}
