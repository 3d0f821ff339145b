package output

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vtkFile mirrors the part of the VTK XML UnstructuredGrid schema that WriteVTU writes.
type vtkFile struct {
	XMLName    xml.Name `xml:"VTKFile"`
	Type       string   `xml:"type,attr"`
	Version    string   `xml:"version,attr"`
	ByteOrder  string   `xml:"byte_order,attr"`
	HeaderType string   `xml:"header_type,attr"`
	Grid       struct {
		Pieces []struct {
			NumberOfPoints int `xml:"NumberOfPoints,attr"`
			NumberOfCells  int `xml:"NumberOfCells,attr"`
			PointData      struct {
				Scalars string      `xml:"Scalars,attr"`
				Arrays  []dataArray `xml:"DataArray"`
			} `xml:"PointData"`
			Points struct {
				Arrays []dataArray `xml:"DataArray"`
			} `xml:"Points"`
			Cells struct {
				Arrays []dataArray `xml:"DataArray"`
			} `xml:"Cells"`
		} `xml:"Piece"`
	} `xml:"UnstructuredGrid"`
}

type dataArray struct {
	Type       string `xml:"type,attr"`
	Name       string `xml:"Name,attr"`
	Components string `xml:"NumberOfComponents,attr"`
	Format     string `xml:"format,attr"`
	Text       string `xml:",chardata"`
}

// floats decodes a Float64 array, ASCII or binary (UInt64 byte count, then little-endian data).
func (a dataArray) floats(t *testing.T) []float64 {
	t.Helper()
	require.Equal(t, "Float64", a.Type, a.Name)
	var v []float64
	switch a.Format {
	case "ascii":
		for _, s := range strings.Fields(a.Text) {
			x, err := strconv.ParseFloat(s, 64)
			require.NoError(t, err, "%s: %q", a.Name, s)
			v = append(v, x)
		}
	case "binary":
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(a.Text))
		require.NoError(t, err, a.Name)
		require.GreaterOrEqual(t, len(raw), 8)
		n := binary.LittleEndian.Uint64(raw)
		require.Equal(t, uint64(len(raw)-8), n, "%s: the header counts the data bytes", a.Name)
		for i := 8; i < len(raw); i += 8 {
			v = append(v, math.Float64frombits(binary.LittleEndian.Uint64(raw[i:])))
		}
	default:
		t.Fatalf("%s: format %q", a.Name, a.Format)
	}
	return v
}

func (a dataArray) ints(t *testing.T) []int64 {
	t.Helper()
	require.Equal(t, "ascii", a.Format, a.Name)
	var v []int64
	for _, s := range strings.Fields(a.Text) {
		x, err := strconv.ParseInt(s, 10, 64)
		require.NoError(t, err, "%s: %q", a.Name, s)
		v = append(v, x)
	}
	return v
}

func parseVTU(t *testing.T, coords []float64, tri []int32, fields []Field) vtkFile {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, WriteVTU(&buf, coords, tri, fields))
	var f vtkFile
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &f), buf.String())
	assert.Equal(t, "UnstructuredGrid", f.Type)
	assert.Equal(t, "1.0", f.Version)
	assert.Equal(t, "LittleEndian", f.ByteOrder)
	assert.Equal(t, "UInt64", f.HeaderType)
	require.Len(t, f.Grid.Pieces, 1)
	return f
}

// checkMesh checks the points and cells of a parsed file against the mesh written.
func checkMesh(t *testing.T, f vtkFile, coords []float64, tri []int32) {
	t.Helper()
	p := f.Grid.Pieces[0]
	nn, nt := len(coords)/2, len(tri)/3
	assert.Equal(t, nn, p.NumberOfPoints)
	assert.Equal(t, nt, p.NumberOfCells)

	require.Len(t, p.Points.Arrays, 1)
	assert.Equal(t, "3", p.Points.Arrays[0].Components)
	xyz := p.Points.Arrays[0].floats(t)
	require.Len(t, xyz, 3*nn)
	for i := range nn {
		// Written in the shortest form that reads back exactly: no tolerance.
		assert.Equal(t, coords[2*i], xyz[3*i], "x of node %d", i)
		assert.Equal(t, coords[2*i+1], xyz[3*i+1], "y of node %d", i)
		assert.Equal(t, 0.0, xyz[3*i+2], "z of node %d", i)
	}

	cells := map[string]dataArray{}
	for _, a := range p.Cells.Arrays {
		cells[a.Name] = a
	}
	require.Len(t, cells, 3)
	assert.Equal(t, "Int32", cells["connectivity"].Type)
	assert.Equal(t, "Int32", cells["offsets"].Type)
	assert.Equal(t, "UInt8", cells["types"].Type)
	conn, offs, types := cells["connectivity"].ints(t), cells["offsets"].ints(t), cells["types"].ints(t)
	require.Len(t, conn, 3*nt)
	require.Len(t, offs, nt)
	require.Len(t, types, nt)
	for i, v := range conn {
		assert.Equal(t, int64(tri[i]), v)
		assert.Less(t, v, int64(nn), "connectivity names a point")
	}
	prev := int64(0)
	for c := range nt {
		assert.Equal(t, prev+3, offs[c], "cell %d has 3 points", c)
		prev = offs[c]
		assert.Equal(t, int64(5), types[c], "VTK_TRIANGLE")
	}
	if nt > 0 {
		assert.Equal(t, int64(len(conn)), offs[nt-1], "the last offset ends the connectivity")
	}
}

func TestWriteVTU(t *testing.T) {
	// The unit square cut into two triangles along its diagonal.
	coords := []float64{0, 0, 1, 0, 1, 1, 0.1, 1}
	tri := []int32{0, 1, 2, 0, 2, 3}

	t.Run("two-triangles", func(t *testing.T) {
		fields := []Field{
			{Name: "u", Values: []float64{0, 0.125, 1.0 / 3, -2.5e-17}},
			{Name: "node id", Values: []float64{0, 1, 2, 3}},
		}
		f := parseVTU(t, coords, tri, fields)
		checkMesh(t, f, coords, tri)
		pd := f.Grid.Pieces[0].PointData
		assert.Equal(t, "u", pd.Scalars, "the first field is the active scalars")
		require.Len(t, pd.Arrays, len(fields))
		for i, a := range pd.Arrays {
			assert.Equal(t, fields[i].Name, a.Name)
			assert.Equal(t, "ascii", a.Format)
			assert.Equal(t, "1", a.Components)
			assert.Equal(t, fields[i].Values, a.floats(t), "round trip, bit for bit")
		}
	})
	t.Run("non-finite-binary", func(t *testing.T) {
		vals := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1.5}
		f := parseVTU(t, coords, tri, []Field{{Name: "q", Values: vals}, {Name: "ok", Values: []float64{1, 2, 3, 4}}})
		checkMesh(t, f, coords, tri)
		pd := f.Grid.Pieces[0].PointData
		require.Len(t, pd.Arrays, 2)
		assert.Equal(t, "binary", pd.Arrays[0].Format, "NaN and Inf go binary")
		assert.Equal(t, "ascii", pd.Arrays[1].Format, "finite fields stay ASCII")
		got := pd.Arrays[0].floats(t)
		require.Len(t, got, 4)
		assert.True(t, math.IsNaN(got[0]))
		assert.Equal(t, vals[1:], got[1:])
	})
	t.Run("non-finite-point", func(t *testing.T) {
		c := []float64{0, 0, 1, 0, math.NaN(), 1}
		f := parseVTU(t, c, []int32{0, 1, 2}, nil)
		a := f.Grid.Pieces[0].Points.Arrays[0]
		assert.Equal(t, "binary", a.Format)
		got := a.floats(t)
		require.Len(t, got, 9)
		assert.True(t, math.IsNaN(got[6]))
	})
	t.Run("escaped-name", func(t *testing.T) {
		name := `u <"a" & 'b'>`
		f := parseVTU(t, coords, tri, []Field{{Name: name, Values: make([]float64, 4)}})
		pd := f.Grid.Pieces[0].PointData
		assert.Equal(t, name, pd.Scalars)
		assert.Equal(t, name, pd.Arrays[0].Name)
	})
	t.Run("empty-mesh", func(t *testing.T) {
		f := parseVTU(t, nil, nil, nil)
		checkMesh(t, f, nil, nil)
		assert.Empty(t, f.Grid.Pieces[0].PointData.Arrays)
	})
	t.Run("larger-mesh-lines", func(t *testing.T) {
		// A 3×3-node grid: 8 triangles, enough values to wrap the ASCII lines.
		var c []float64
		var tr []int32
		for j := range 3 {
			for i := range 3 {
				c = append(c, float64(i)/2, float64(j)/2)
			}
		}
		for j := range int32(2) {
			for i := range int32(2) {
				a := 3*j + i
				tr = append(tr, a, a+1, a+4, a, a+4, a+3)
			}
		}
		vals := make([]float64, 9)
		for i := range vals {
			vals[i] = math.Sin(float64(i))
		}
		f := parseVTU(t, c, tr, []Field{{Name: "s", Values: vals}})
		checkMesh(t, f, c, tr)
		assert.Equal(t, vals, f.Grid.Pieces[0].PointData.Arrays[0].floats(t))
	})
	t.Run("misuse-panics", func(t *testing.T) {
		four := make([]float64, 4)
		odd := coords[:7]
		for name, fn := range map[string]func(){
			"odd-coords":    func() { _ = WriteVTU(&bytes.Buffer{}, odd, tri, nil) },
			"tri-length":    func() { _ = WriteVTU(&bytes.Buffer{}, coords, tri[:5], nil) },
			"node-range":    func() { _ = WriteVTU(&bytes.Buffer{}, coords, []int32{0, 1, 4}, nil) },
			"negative-node": func() { _ = WriteVTU(&bytes.Buffer{}, coords, []int32{0, -1, 2}, nil) },
			"field-length":  func() { _ = WriteVTU(&bytes.Buffer{}, coords, tri, []Field{{Name: "u", Values: four[:3]}}) },
			"empty-name":    func() { _ = WriteVTU(&bytes.Buffer{}, coords, tri, []Field{{Name: "", Values: four}}) },
			"duplicate-name": func() {
				_ = WriteVTU(&bytes.Buffer{}, coords, tri, []Field{{Name: "u", Values: four}, {Name: "u", Values: four}})
			},
		} {
			assert.Panics(t, fn, name)
		}
	})
}
