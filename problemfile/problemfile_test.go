package problemfile

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/field"
)

func TestReadExample(t *testing.T) {
	f, err := Read("testdata/example.json")
	require.NoError(t, err)
	assert.Equal(t, "testdata/example.json", f.Path)
	assert.Equal(t, Mesh{Square: 64, Line: 2}, f.Mesh)
	require.Len(t, f.Inputs, 2)
	assert.Equal(t, []string{"eps", "a"}, f.InputNames())
	assert.Equal(t, "beta:2,6", f.Inputs[0].Dist.String())
	assert.Equal(t, "uniform:0.5,1.5", f.Inputs[1].Dist.String())
	assert.Equal(t, 3, f.Inputs[1].Line)
	assert.Equal(t, &field.Params{Sigma: 1, Lambda: 0.3, Terms: 50}, f.Field)

	require.NotNil(t, f.Conductivity)
	assert.Equal(t, "1 + a*x", f.Conductivity.Text)
	assert.Equal(t, 5, f.Conductivity.Line)
	assert.Equal(t, "conductivity", f.Conductivity.Key)
	assert.Equal(t, []string{"x", "a"}, f.Conductivity.Vars())
	assert.Equal(t, []string{"x", "y", "eps"}, f.Source.Vars())
	assert.Equal(t, []string{"x", "y", "eps"}, f.Exact.Vars())

	require.Len(t, f.Boundary, 2)
	assert.Equal(t, BC{Part: "boundary", Kind: Dirichlet, Value: f.Boundary[0].Value, Line: 8}, f.Boundary[0])
	assert.Equal(t, BC{Part: "right", Kind: Neumann, Value: f.Boundary[1].Value, Line: 9}, f.Boundary[1])
	assert.Equal(t, "boundary.right.neumann", f.Boundary[1].Value.Key)
	assert.Empty(t, f.Boundary[0].Value.Vars(), "0 is a constant")

	assert.Equal(t, []QoI{
		{Name: "qoi", Kind: QoIIntegral, Part: Domain, Line: 12},
		{Name: "avg", Kind: QoIAverage, Part: "Parts_Domain", Line: 13},
		{Name: "mid", Kind: QoIPoint, Point: [2]float64{0.5, 0.5}, Line: 14},
		{Name: "umax", Kind: QoIMax, Part: Domain, Line: 15},
		{Name: "out", Kind: QoIFlux, Part: "boundary", Line: 16},
	}, f.QoIs)
	assert.Equal(t, []string{"qoi", "avg", "mid", "umax", "out"}, f.QoINames())

	// The manufactured solution solves the problem with κ = 1: −Δ(216 ε x(1−x)y(1−y)) is
	// the source. Both at one point, exactly as Go computes them.
	v := &Vars{X: 0.25, Y: 0.75, Inputs: []float64{0.5, 1.25}}
	assert.Equal(t, 216*0.5*0.25*(1-0.25)*0.75*(1-0.75), f.Exact.Eval(v))
	assert.Equal(t, 0.5*-432*(0.25*0.25+0.75*0.75-0.25-0.75), f.Source.Eval(v))
	assert.Equal(t, 1+1.25*0.25, f.Conductivity.Eval(v))
	assert.Equal(t, 1.25*0.75, f.Boundary[1].Value.Eval(v))
}

func TestParseValid(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, json string
		check      func(t *testing.T, f *File)
	}{
		{"minimal", `{"mesh": {"square": 1}, "boundary": {"boundary": {"dirichlet": 0}}, "qoi": {"u": {"average": "domain"}}}`,
			func(t *testing.T, f *File) {
				assert.Equal(t, Mesh{Square: 1, Line: 1}, f.Mesh)
				assert.Empty(t, f.Inputs)
				assert.Nil(t, f.Field)
				assert.Nil(t, f.Conductivity)
				assert.Nil(t, f.Source)
				assert.Nil(t, f.Exact)
				require.Len(t, f.Boundary, 1)
				assert.Equal(t, "0", f.Boundary[0].Value.Text)
				assert.Equal(t, 0.0, f.Boundary[0].Value.Eval(&Vars{}))
			}},
		{"order kept", `{
  "qoi": {"z": {"max": "domain"}, "b": {"point": [0, 1e-3]}, "m": {"flux": "left"}},
  "boundary": {"top": {"neumann": "c"}, "left": {"dirichlet": "1"}, "bottom": {"dirichlet": "b"}},
  "inputs": {"c": "normal:0,1", "b": "uniform:0,1", "a": "lognormal:0,0.5"},
  "mesh": {"square": 46339}
}`,
			func(t *testing.T, f *File) {
				assert.Equal(t, []string{"c", "b", "a"}, f.InputNames())
				assert.Equal(t, []string{"z", "b", "m"}, f.QoINames())
				var parts []string
				for _, bc := range f.Boundary {
					parts = append(parts, bc.Part+":"+bc.Kind)
				}
				assert.Equal(t, []string{"top:neumann", "left:dirichlet", "bottom:dirichlet"}, parts)
				// Inputs declared after the expressions that use them, by index in file order.
				v := &Vars{Inputs: []float64{10, 20, 30}}
				assert.Equal(t, 10.0, f.Boundary[0].Value.Eval(v))
				assert.Equal(t, 20.0, f.Boundary[2].Value.Eval(v))
				assert.Equal(t, 4, f.Inputs[2].Line)
				assert.Equal(t, [2]float64{0, 1e-3}, f.QoIs[1].Point)
				assert.Equal(t, 46339, f.Mesh.Square)
				assert.Equal(t, 5, f.Mesh.Line)
			}},
		{"mdpa relative", `{"mesh": {"mdpa": "meshes/plate.mdpa"}, "boundary": {"Inlet": {"dirichlet": 1}}, "qoi": {"q": {"integral": "Parts_Solid"}}}`,
			func(t *testing.T, f *File) {
				assert.Equal(t, Mesh{MDPA: filepath.Join(dir, "meshes/plate.mdpa"), Line: 1}, f.Mesh)
			}},
		{"mdpa absolute", `{"mesh": {"mdpa": "/data/plate.mdpa"}, "boundary": {"Inlet": {"dirichlet": 1}}, "qoi": {"q": {"integral": "Parts_Solid"}}}`,
			func(t *testing.T, f *File) { assert.Equal(t, "/data/plate.mdpa", f.Mesh.MDPA) }},
		{"numbers as expressions", `{"mesh": {"square": 2}, "conductivity": 2.5e0, "source": -1,
"boundary": {"boundary": {"dirichlet": 1E-3}}, "qoi": {"q": {"average": "domain"}}}`,
			func(t *testing.T, f *File) {
				assert.Equal(t, "2.5e0", f.Conductivity.Text)
				assert.Equal(t, 2.5, f.Conductivity.Eval(&Vars{}))
				assert.Equal(t, -1.0, f.Source.Eval(&Vars{}))
				assert.Equal(t, 1e-3, f.Boundary[0].Value.Eval(&Vars{}))
			}},
		{"conductivity of the mesh", `{"mesh": {"square": 2}, "inputs": {"k": "uniform:1,2"}, "conductivity": "k * conductivity",
"boundary": {"boundary": {"dirichlet": 0}}, "qoi": {"q": {"average": "domain"}}}`,
			func(t *testing.T, f *File) {
				assert.True(t, f.Conductivity.Uses("conductivity"))
				assert.True(t, f.Conductivity.Uses("k"))
				assert.False(t, f.Conductivity.Uses("x"))
				assert.Equal(t, 3.0, f.Conductivity.Eval(&Vars{Inputs: []float64{1.5}, Conductivity: 2}))
			}},
		{"byte order mark and white space", "\ufeff\r\n { \"mesh\" : {\"square\":3},\t\"boundary\":{\"left\":{\"dirichlet\":\"x\"}},\"qoi\":{\"_q1\":{\"max\":\"left\"}}}\r\n\n",
			func(t *testing.T, f *File) {
				assert.Equal(t, 2, f.Mesh.Line)
				assert.Equal(t, "_q1", f.QoIs[0].Name)
			}},
		{"escaped keys", `{"mesh": {"squ\u0061re": 3}, "boundary": {"Parts.Wall 1": {"dirichlet": "0"}}, "qoi": {"q": {"max": "Parts.Wall 1"}}}`,
			func(t *testing.T, f *File) {
				assert.Equal(t, 3, f.Mesh.Square)
				assert.Equal(t, "Parts.Wall 1", f.Boundary[0].Part)
				assert.Equal(t, `boundary."Parts.Wall 1".dirichlet`, f.Boundary[0].Value.Key)
			}},
		{"field and integral terms", `{"mesh": {"square": 8}, "field": {"terms": 5e1, "lambda": 1e-4, "sigma": 100},
"boundary": {"boundary": {"dirichlet": 0}}, "qoi": {"q": {"average": "domain"}}}`,
			func(t *testing.T, f *File) {
				assert.Equal(t, &field.Params{Sigma: 100, Lambda: 1e-4, Terms: 50}, f.Field)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse([]byte(tc.json), "p.json", dir)
			require.NoError(t, err)
			assert.Equal(t, "p.json", f.Path)
			tc.check(t, f)
		})
	}
}

func TestReadListInputs(t *testing.T) {
	// list: paths are relative to the problem file's directory, kept as given for reports.
	f, err := Read("testdata/list.json")
	require.NoError(t, err)
	require.Len(t, f.Inputs, 1)
	assert.Equal(t, 3, f.Inputs[0].Dist.Len())
	assert.Equal(t, "list:eps.txt", f.Inputs[0].Dist.String())
	assert.Equal(t, 0.25, f.Inputs[0].Dist.Draw(1, nil))
}

// body is the rest of a valid file, for the bad files that are bad elsewhere.
const body = `"boundary": {"boundary": {"dirichlet": 0}}, "qoi": {"q": {"average": "domain"}}`

// badFiles are invalid files and their exact messages (named p.json, in the directory /d); the
// fuzz target seeds its corpus with them.
var badFiles = []struct{ name, json, want string }{
	// The top level.
	{"empty file", "", `p.json:1: empty file: want a JSON object {"mesh": …, "boundary": …, "qoi": …}`},
	{"not an object", "\n[1, 2]", `p.json:2: want a JSON object {"mesh": …, "boundary": …, "qoi": …}, got an array`},
	{"unknown key at top level", "{\"mesh\": {\"square\": 4},\n \"solver\": \"cg\", " + body + "}",
		`p.json:2: solver: unknown key (keys: mesh, inputs, field, conductivity, source, boundary, qoi, exact)`},
	{"duplicate key", "{\"mesh\": {\"square\": 4},\n\n\"mesh\": {\"square\": 5}, " + body + "}",
		`p.json:3: mesh: duplicate key (first at line 1)`},
	{"JSON syntax", "{\"mesh\": {\"square\": 4}\n\"boundary\": 1}", `p.json:2: JSON syntax: invalid character '"' after object key:value pair`},
	{"truncated", "{\"mesh\": {\"square\": 4},\n\"boundary\": {\"left\": ", `p.json:2: boundary.left: unexpected end of the file: the JSON is incomplete`},
	{"trailing data", "{\"mesh\": {\"square\": 4}, " + body + "}\n\n{}", `p.json:3: unexpected data after the problem's JSON object`},
	{"missing mesh", "\n{" + body + "}", `p.json:2: mesh: missing: want {"square": N} or {"mdpa": "FILE"}`},
	{"missing boundary", `{"mesh": {"square": 4}, "qoi": {"q": {"max": "domain"}}}`,
		`p.json:1: boundary: missing: want the boundary conditions, e.g. {"boundary": {"dirichlet": "0"}}`},
	{"missing qoi", `{"mesh": {"square": 4}, "boundary": {"left": {"dirichlet": 0}}}`,
		`p.json:1: qoi: missing: want the quantities of interest, e.g. {"mean_u": {"average": "domain"}}`},
	{"too large", "{" + strings.Repeat(" ", MaxFileSize) + "}", `p.json: 1.0 MiB (1048578 bytes), over the 1 MiB limit of a problem file: a problem file describes a problem, its data go in the mesh and list files`},

	// The mesh.
	{"mesh not an object", `{"mesh": 64, ` + body + `}`, `p.json:1: mesh: want {"square": N} or {"mdpa": "FILE"}, got the number 64`},
	{"square of the wrong type", "{\"mesh\":\n {\"square\": \"64\"}, " + body + "}",
		`p.json:2: mesh.square: want the cells per side of the unit square, an integer in [1, 46339], got the string "64"`},
	{"square zero", `{"mesh": {"square": 0}, ` + body + `}`, `p.json:1: mesh.square: 0: want the cells per side of the unit square, an integer in [1, 46339]`},
	{"square fractional", `{"mesh": {"square": 4.5}, ` + body + `}`, `p.json:1: mesh.square: 4.5: want the cells per side of the unit square, an integer in [1, 46339]`},
	{"square too large", `{"mesh": {"square": 46340}, ` + body + `}`, `p.json:1: mesh.square: 46340: want the cells per side of the unit square, an integer in [1, 46339]`},
	{"square infinite", `{"mesh": {"square": 1e999}, ` + body + `}`,
		`p.json:1: mesh.square: 1e999 is not a finite float64: want the cells per side of the unit square, an integer in [1, 46339]`},
	{"square and mdpa", "{\"mesh\": {\"square\": 4,\n \"mdpa\": \"a.mdpa\"}, " + body + "}",
		`p.json:1: mesh: both "square" and "mdpa": want exactly one of {"square": N} or {"mdpa": "FILE"}`},
	{"empty mesh", `{"mesh": {}, ` + body + `}`, `p.json:1: mesh: empty: want {"square": N} or {"mdpa": "FILE"}`},
	{"empty mdpa", `{"mesh": {"mdpa": ""}, ` + body + `}`, `p.json:1: mesh.mdpa: empty: want the path of a .mdpa file`},
	{"unknown key in mesh", `{"mesh": {"square": 4, "order": "rcm"}, ` + body + `}`, `p.json:1: mesh.order: unknown key (keys: square, mdpa)`},

	// The inputs.
	{"inputs an array", `{"mesh": {"square": 4}, "inputs": ["beta:2,6"], ` + body + `}`,
		`p.json:1: inputs: want an object of names and distributions, e.g. {"eps": "beta:2,6"}, got an array`},
	{"bad dist", "{\"mesh\": {\"square\": 4},\n\"inputs\": {\"eps\": \"beta:0,6\"}, " + body + "}",
		`p.json:2: inputs.eps: dist: "beta:0,6": want beta:a,b with a, b > 0`},
	{"unknown dist", `{"mesh": {"square": 4}, "inputs": {"eps": "gamma:1,2"}, ` + body + `}`,
		`p.json:1: inputs.eps: dist: "gamma:1,2": unknown kind "gamma" (kinds: beta, uniform, normal, lognormal, list)`},
	{"dist a number", `{"mesh": {"square": 4}, "inputs": {"eps": 0.5}, ` + body + `}`,
		`p.json:1: inputs.eps: want a distribution: beta:a,b, uniform:a,b, normal:mu,sigma, lognormal:mu,sigma or list:FILE, got the number 0.5`},
	{"duplicate input", "{\"mesh\": {\"square\": 4}, \"inputs\": {\"eps\": \"beta:2,6\",\n \"eps\": \"beta:1,1\"}, " + body + "}",
		`p.json:2: inputs.eps: duplicate key (first at line 1)`},
	{"input named x", `{"mesh": {"square": 4}, "inputs": {"x": "beta:2,6"}, ` + body + `}`,
		`p.json:1: inputs.x: "x" is reserved (a coordinate): want another name`},
	{"input named conductivity", `{"mesh": {"square": 4}, "inputs": {"conductivity": "beta:2,6"}, ` + body + `}`,
		`p.json:1: inputs.conductivity: "conductivity" is reserved (the mesh's conductivity): want another name`},
	{"input named after a function", `{"mesh": {"square": 4}, "inputs": {"exp": "beta:2,6"}, ` + body + `}`,
		`p.json:1: inputs.exp: "exp" is reserved (a function of expressions): want another name`},
	{"input named after a builtin", `{"mesh": {"square": 4}, "inputs": {"len": "beta:2,6"}, ` + body + `}`,
		`p.json:1: inputs.len: "len" is reserved (a builtin function of expr-lang, the expression language): want another name`},
	{"input named after a keyword", `{"mesh": {"square": 4}, "inputs": {"and": "beta:2,6"}, ` + body + `}`,
		`p.json:1: inputs.and: "and" is reserved (a keyword of expressions): want another name`},
	{"input named after a column", `{"mesh": {"square": 4}, "inputs": {"status": "beta:2,6"}, ` + body + `}`,
		`p.json:1: inputs.status: "status" is reserved (a column of samples.csv): want another name`},
	{"input not a name", `{"mesh": {"square": 4}, "inputs": {"2eps": "beta:2,6"}, ` + body + `}`,
		`p.json:1: inputs.2eps: not a name: want the name of an input (a variable of the expressions): a letter or _, then letters, digits or _ (at most 64 characters)`},
	{"input with a line break", `{"mesh": {"square": 4}, "inputs": {"e\nps": "beta:2,6"}, ` + body + `}`,
		`p.json:1: inputs."e\nps": not a name: want the name of an input (a variable of the expressions): a letter or _, then letters, digits or _ (at most 64 characters)`},
	{"too many inputs", `{"mesh": {"square": 4}, "inputs": {` + manyInputs(MaxInputs+1) + `}, ` + body + `}`,
		`p.json:1: inputs.i64: more than 64 inputs`},

	// The field.
	{"field sigma zero", "{\"mesh\": {\"square\": 4}, \"field\": {\n\"sigma\": 0, \"lambda\": 0.3, \"terms\": 50}, " + body + "}",
		`p.json:2: field.sigma: 0: want the standard deviation of log κ, in (0, 100]`},
	{"field lambda too small", `{"mesh": {"square": 4}, "field": {"sigma": 1, "lambda": 1e-5, "terms": 50}, ` + body + `}`,
		`p.json:1: field.lambda: 1e-05: want the correlation length, in [0.0001, 10000]`},
	{"field terms fractional", `{"mesh": {"square": 4}, "field": {"sigma": 1, "lambda": 0.3, "terms": 2.5}, ` + body + `}`,
		`p.json:1: field.terms: 2.5: want the number of Karhunen–Loève terms, an integer in [1, 10000]`},
	{"field missing keys", `{"mesh": {"square": 4}, "field": {"sigma": 1}, ` + body + `}`,
		`p.json:1: field: missing lambda, terms: want {"sigma": S, "lambda": L, "terms": K}`},
	{"field unknown key", `{"mesh": {"square": 4}, "field": {"sigma": 1, "model": "exp"}, ` + body + `}`,
		`p.json:1: field.model: unknown key (keys: sigma, lambda, terms)`},
	{"field null", `{"mesh": {"square": 4}, "field": null, ` + body + `}`,
		`p.json:1: field: want {"sigma": S, "lambda": L, "terms": K}, got null`},

	// Expressions.
	{"expression syntax error", "{\"mesh\": {\"square\": 4},\n\"source\": \"2 * (x + y\", " + body + "}",
		`p.json:2: source: "2 * (x + y" column 11: unexpected end of the expression`},
	{"expression operator", `{"mesh": {"square": 4}, "source": "x +* y", ` + body + `}`,
		`p.json:1: source: "x +* y" column 4: unexpected token Operator("*")`},
	{"unknown variable", `{
  "mesh": {"square": 4},
  "inputs": {"eps": "beta:2,6", "a": "uniform:0.5,1.5"},
  "boundary": {
    "boundary": {"dirichlet": "0"},
    "right": {"neumann": "a * yy"}
  },
  "qoi": {"q": {"average": "domain"}}
}`, `p.json:6: boundary.right.neumann: "a * yy" column 5: unknown variable yy (variables: x, y, eps, a)`},
	{"conductivity outside conductivity", `{"mesh": {"square": 4}, "source": "2 * conductivity", ` + body + `}`,
		`p.json:1: source: "2 * conductivity" column 5: the variable conductivity (the mesh's value) is allowed only in the key conductivity (variables here: x, y)`},
	{"unknown function", `{"mesh": {"square": 4}, "exact": "sinh(x)", ` + body + `}`,
		`p.json:1: exact: "sinh(x)" column 1: unknown function sinh (functions: sin, cos, tan, exp, log, sqrt, abs, min, max, pow)`},
	{"builtin of expr-lang", `{"mesh": {"square": 4}, "exact": "now()", ` + body + `}`,
		`p.json:1: exact: "now()" column 1: unknown function now (functions: sin, cos, tan, exp, log, sqrt, abs, min, max, pow)`},
	{"wrong number of arguments", `{"mesh": {"square": 4}, "exact": "1 + pow(x)", ` + body + `}`,
		`p.json:1: exact: "1 + pow(x)" column 5: pow takes 2 arguments, got 1`},
	{"not a number", `{"mesh": {"square": 4}, "source": "x < 0.5", ` + body + `}`,
		`p.json:1: source: "x < 0.5": is a condition (true or false): want a number (cond ? a : b gives a piecewise value)`},
	{"condition not a condition", `{"mesh": {"square": 4}, "source": "x ? 1 : 2", ` + body + `}`,
		`p.json:1: source: "x ? 1 : 2" column 1: want a condition (a comparison such as x < 0.5) before ?, got a number`},
	{"string in an expression", `{"mesh": {"square": 4}, "source": "x + \"1\"", ` + body + `}`,
		`p.json:1: source: "x + \"1\"" column 5: a string is not allowed (allowed: numbers, the variables, pi, + - * / ^, comparisons, and/or/not, ?: and the functions sin, cos, tan, exp, log, sqrt, abs, min, max, pow)`},
	{"range", `{"mesh": {"square": 4}, "source": "1..1000000000", ` + body + `}`,
		`p.json:1: source: "1..1000000000" column 2: the operator .. is not allowed (allowed: numbers, the variables, pi, + - * / ^, comparisons, and/or/not, ?: and the functions sin, cos, tan, exp, log, sqrt, abs, min, max, pow)`},
	{"expression of the wrong type", `{"mesh": {"square": 4}, "source": ["x"], ` + body + `}`,
		`p.json:1: source: want an expression (a string such as "1 + x*y", or a number), got an array`},
	{"empty expression", `{"mesh": {"square": 4}, "source": " ", ` + body + `}`,
		`p.json:1: source: " ": empty expression: want a formula, e.g. "1 + x*y"`},
	{"expression too long", `{"mesh": {"square": 4}, "source": "` + strings.Repeat("x+", MaxExprLen/2) + `x", ` + body + `}`,
		`p.json:1: source: "x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+"…: 4097 bytes: want at most 4096`},
	{"long expression error", `{"mesh": {"square": 4}, "source": "` + strings.Repeat("x+", 50) + `z+` + strings.Repeat("x+", 50) + `x", ` + body + `}`,
		`p.json:1: source: …"x+x+x+x+x+x+x+x+x+x+x+x+x+x+x+z+x+x+x+x+x+x+x+x+x+x+x+x+x+x+"… column 101: unknown variable z (variables: x, y)`},
	{"constant not finite", `{"mesh": {"square": 4}, "source": "1/0", ` + body + `}`, `p.json:1: source: "1/0" is +Inf: want a finite value`},
	{"constant conductivity not positive", `{"mesh": {"square": 4}, "conductivity": "1 - 1", ` + body + `}`,
		`p.json:1: conductivity: "1 - 1" is 0: want a positive conductivity`},

	// The boundary.
	{"no dirichlet", "{\"mesh\": {\"square\": 4},\n\"boundary\": {\"left\": {\"neumann\": 1}, \"right\": {\"neumann\": -1}}, \"qoi\": {\"q\": {\"max\": \"domain\"}}}",
		`p.json:2: boundary: no "dirichlet" entry: want at least one part with {"dirichlet": …}, otherwise u is determined only up to a constant (the problem is singular)`},
	{"both kinds", "{\"mesh\": {\"square\": 4}, \"boundary\": {\n\"left\": {\"dirichlet\": 0, \"neumann\": 1}}, \"qoi\": {\"q\": {\"max\": \"domain\"}}}",
		`p.json:2: boundary.left: both "dirichlet" and "neumann": want exactly one of {"dirichlet": EXPR} or {"neumann": EXPR}`},
	{"unknown boundary kind", `{"mesh": {"square": 4}, "boundary": {"left": {"robin": 0}}, "qoi": {"q": {"max": "domain"}}}`,
		`p.json:1: boundary.left.robin: unknown key (keys: dirichlet, neumann)`},
	{"empty boundary entry", `{"mesh": {"square": 4}, "boundary": {"left": {}}, "qoi": {"q": {"max": "domain"}}}`,
		`p.json:1: boundary.left: empty: want {"dirichlet": EXPR} or {"neumann": EXPR}`},
	{"boundary value a string", `{"mesh": {"square": 4}, "boundary": {"left": "0"}, "qoi": {"q": {"max": "domain"}}}`,
		`p.json:1: boundary.left: want {"dirichlet": EXPR} or {"neumann": EXPR}, got the string "0"`},
	{"boundary on the domain", `{"mesh": {"square": 4}, "boundary": {"domain": {"dirichlet": 0}}, "qoi": {"q": {"max": "domain"}}}`,
		`p.json:1: boundary.domain: domain is the whole mesh, not a part of its boundary: want left, right, bottom, top, boundary or a sub-model-part of the mesh`},
	{"boundary part empty", `{"mesh": {"square": 4}, "boundary": {"": {"dirichlet": 0}}, "qoi": {"q": {"max": "domain"}}}`,
		`p.json:1: boundary."": empty part name: want a part of the mesh`},

	// The QoIs.
	{"unknown QoI kind", "{\"mesh\": {\"square\": 4}, \"boundary\": {\"left\": {\"dirichlet\": 0}}, \"qoi\": {\n\"q\": {\"mean\": \"domain\"}}}",
		`p.json:2: qoi.q.mean: unknown kind of quantity of interest (kinds: integral, average, point, max, flux)`},
	{"QoI with two kinds", `{"mesh": {"square": 4}, "boundary": {"left": {"dirichlet": 0}}, "qoi": {"q": {"max": "domain", "integral": "domain"}}}`,
		`p.json:1: qoi.q: both "max" and "integral": want exactly one of {"integral": PART}, {"average": PART}, {"point": [X, Y]}, {"max": PART}, {"flux": PART}`},
	{"point of one number", `{"mesh": {"square": 4}, "boundary": {"left": {"dirichlet": 0}}, "qoi": {"mid": {"point": [0.5]}}}`,
		`p.json:1: qoi.mid.point: want two numbers [x, y], got 1`},
	{"point of three numbers", `{"mesh": {"square": 4}, "boundary": {"left": {"dirichlet": 0}}, "qoi": {"mid": {"point": [0.5, 0.5, 0]}}}`,
		`p.json:1: qoi.mid.point: want two numbers [x, y], got more`},
	{"point of a string", `{"mesh": {"square": 4}, "boundary": {"left": {"dirichlet": 0}}, "qoi": {"mid": {"point": [0.5, "0.5"]}}}`,
		`p.json:1: qoi.mid.point: want two numbers [x, y], got the string "0.5"`},
	{"point not an array", `{"mesh": {"square": 4}, "boundary": {"left": {"dirichlet": 0}}, "qoi": {"mid": {"point": "0.5,0.5"}}}`,
		`p.json:1: qoi.mid.point: want two numbers [x, y], got the string "0.5,0.5"`},
	{"duplicate QoI", "{\"mesh\": {\"square\": 4}, \"boundary\": {\"left\": {\"dirichlet\": 0}}, \"qoi\": {\"q\": {\"max\": \"domain\"},\n\"q\": {\"max\": \"left\"}}}",
		`p.json:2: qoi.q: duplicate key (first at line 1)`},
	{"QoI not a name", `{"mesh": {"square": 4}, "boundary": {"left": {"dirichlet": 0}}, "qoi": {"u max": {"max": "domain"}}}`,
		`p.json:1: qoi."u max": not a name: want the name of a quantity of interest (a column of samples.csv): a letter or _, then letters, digits or _ (at most 64 characters)`},
	{"QoI named after an input", `{"mesh": {"square": 4}, "inputs": {"eps": "beta:2,6"}, "boundary": {"left": {"dirichlet": 0}}, "qoi": {"eps": {"max": "domain"}}}`,
		`p.json:1: qoi.eps: "eps" is reserved (the name of an input, and a column of samples.csv): want another name`},
	{"QoI named after a column", `{"mesh": {"square": 4}, "boundary": {"left": {"dirichlet": 0}}, "qoi": {"residual": {"max": "domain"}}}`,
		`p.json:1: qoi.residual: "residual" is reserved (a column of samples.csv): want another name`},
	{"flux through the domain", `{"mesh": {"square": 4}, "boundary": {"left": {"dirichlet": 0}}, "qoi": {"q": {"flux": "domain"}}}`,
		`p.json:1: qoi.q.flux: a flux is through a boundary part, not the domain: want left, right, bottom, top, boundary or a sub-model-part`},
	{"QoI part a number", `{"mesh": {"square": 4}, "boundary": {"left": {"dirichlet": 0}}, "qoi": {"q": {"max": 1}}}`,
		`p.json:1: qoi.q.max: want the name of a part of the mesh, or "domain", got the number 1`},
	{"no QoI", `{"mesh": {"square": 4}, "boundary": {"left": {"dirichlet": 0}}, "qoi": {}}`,
		`p.json:1: qoi: empty: want at least one quantity of interest, e.g. {"mean_u": {"average": "domain"}}`},
	{"empty QoI", `{"mesh": {"square": 4}, "boundary": {"left": {"dirichlet": 0}}, "qoi": {"q": {}}}`,
		`p.json:1: qoi.q: empty: want one of {"integral": PART}, {"average": PART}, {"point": [X, Y]}, {"max": PART}, {"flux": PART}`},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range badFiles {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.json), "p.json", "/d")
			require.Error(t, err)
			var pe *Error
			require.True(t, errors.As(err, &pe), "%T", err)
			assert.Equal(t, tc.want, err.Error())
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

// manyInputs returns n inputs i0, i1, … as JSON members.
func manyInputs(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"i` + strconv.Itoa(i) + `": "uniform:0,1"`)
	}
	return b.String()
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Read(filepath.Join(dir, "missing.json"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing.json: open ")

	big := filepath.Join(dir, "big.json")
	require.NoError(t, os.WriteFile(big, make([]byte, MaxFileSize+1), 0o644))
	_, err = Read(big)
	assert.EqualError(t, err, big+": 1.0 MiB (1048577 bytes), over the 1 MiB limit of a problem file: a problem file describes a problem, its data go in the mesh and list files")

	// A list input is read relative to the file, and its errors name the list file and line.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.txt"), []byte("0.1\nzero\n"), 0o644))
	p := filepath.Join(dir, "p.json")
	require.NoError(t, os.WriteFile(p, []byte("{\"mesh\": {\"square\": 4},\n \"inputs\": {\"eps\": \"list:bad.txt\"}, "+body+"}"), 0o644))
	_, err = Read(p)
	assert.EqualError(t, err, p+`:2: inputs.eps: `+filepath.Join(dir, "bad.txt")+`:2: dist: list: "zero" is not a finite number`)

	// List inputs give one value per sample: their lengths agree.
	require.NoError(t, os.WriteFile(p, []byte("{\"mesh\": {\"square\": 4},\n \"inputs\": {\"eps\": \"list:eps.txt\", \"n\": \"normal:0,1\",\n \"k\": \"list:two.txt\"}, "+body+"}"), 0o644))
	for _, name := range []string{"eps.txt", "two.txt"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	_, err = Read(p)
	assert.EqualError(t, err, p+`:3: inputs.k: "list:two.txt" has 2 values and "list:eps.txt" (eps, line 2) has 3: list inputs give one value per sample, so they must have the same length`)
}

func TestErrorf(t *testing.T) {
	f := &File{Path: "p.json"}
	assert.EqualError(t, f.Errorf(7, "boundary.Inlet", "no such part (parts: %s)", "Wall\nOutlet"),
		`p.json:7: boundary.Inlet: no such part (parts: Wall\nOutlet)`)
	assert.EqualError(t, &Error{File: "p.json", Msg: "too large"}, "p.json: too large")
}

func TestDocExampleIsTestdata(t *testing.T) {
	// The package documentation's complete example is testdata/example.json, which
	// TestReadExample reads: the documented example is a valid file.
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	example, err := os.ReadFile("testdata/example.json")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(doc), "// A complete example (testdata/example.json):\n//\n")
	require.True(t, ok)
	var lines []string
	for line := range strings.Lines(rest) {
		code, ok := strings.CutPrefix(line, "//\t")
		if !ok {
			break
		}
		lines = append(lines, code)
	}
	assert.Equal(t, string(example), strings.Join(lines, ""))
}
