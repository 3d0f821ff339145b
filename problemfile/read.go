package problemfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/expr-lang/expr/builtin"

	"mcfem/dist"
	"mcfem/field"
)

// reader reads a problem file token by token (encoding/json's Decoder.Token), following the
// format's schema: it never descends into a value the schema does not expect, so the depth
// of what it reads is that of the schema (four levels), whatever the file holds. Expressions
// are compiled at the end, when the inputs (their variables) are known wherever they are.
type reader struct {
	data      []byte
	name, dir string
	parseDist func(s, dir string) (dist.Dist, error)
	dec       *json.Decoder

	lineOff int64 // lineAt's memo: byte lineOff is on line lineNo
	lineNo  int

	pending []pendingExpr
}

// pendingExpr is an expression read and not yet compiled.
type pendingExpr struct {
	text string
	line int
	key  string
	cond bool // may use the variable conductivity
	set  func(*Expr)
}

func newReader(data []byte, name, dir string, parseDist func(s, dir string) (dist.Dist, error)) *reader {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return &reader{data: data, name: name, dir: dir, parseDist: parseDist, dec: dec, lineNo: 1}
}

// lineAt returns the line of byte offset off. Offsets mostly grow, so it counts on from the
// last one.
func (r *reader) lineAt(off int64) int {
	off = max(0, min(off, int64(len(r.data))))
	if off < r.lineOff {
		r.lineOff, r.lineNo = 0, 1
	}
	r.lineNo += bytes.Count(r.data[r.lineOff:off], []byte("\n"))
	r.lineOff = off
	return r.lineNo
}

// errf returns an *Error at line and key.
func (r *reader) errf(line int, key, format string, args ...any) error {
	return &Error{File: r.name, Line: line, Key: key, Msg: oneLine(fmt.Sprintf(format, args...))}
}

// next returns the next token, or an error about key: a JSON syntax error at its line, or
// the end of the file.
func (r *reader) next(key string) (json.Token, error) {
	tok, err := r.dec.Token()
	if err == nil {
		return tok, nil
	}
	return nil, r.tokenError(err, key)
}

// tokenError returns the *Error of a Decoder.Token error about key: a JSON syntax error at
// its line, or the end of the file.
func (r *reader) tokenError(err error, key string) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return r.errf(r.lineAt(se.Offset), key, "JSON syntax: %v", err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return r.errf(r.lineAt(int64(len(r.data))), key, "unexpected end of the file: the JSON is incomplete")
	}
	return r.errf(r.lineAt(r.dec.InputOffset()), key, "%v", err)
}

// describe names a JSON value by its first token, for messages.
func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return "an object"
	case string:
		return "the string " + quote(v)
	case json.Number:
		return "the number " + string(v)
	case bool:
		return strconv.FormatBool(v)
	}
	return "null"
}

// open reads the '{' of an object at key, or returns an error saying what is wanted.
func (r *reader) open(key string, line int, want string) error {
	tok, err := r.next(key)
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return r.errf(line, key, "want %s, got %s", want, describe(tok))
	}
	return nil
}

// members reads the members of the object whose '{' open read, up to its '}', calling member
// with each key, its path (path.key) and its line; member reads the value. A key given twice
// is an error.
func (r *reader) members(path string, member func(key, keyPath string, line int) error) error {
	seen := map[string]int{}
	for r.dec.More() {
		tok, err := r.next(path)
		if err != nil {
			return err
		}
		key := tok.(string) // in an object, Token returns a key or an error
		line := r.lineAt(r.dec.InputOffset())
		keyPath := keyName(key)
		if path != "" {
			keyPath = path + "." + keyPath
		}
		if first, dup := seen[key]; dup {
			return r.errf(line, keyPath, "duplicate key (first at line %d)", first)
		}
		seen[key] = line
		if err := member(key, keyPath, line); err != nil {
			return err
		}
	}
	_, err := r.next(path) // the '}': More said so, or this is the syntax error
	return err
}

// unknown returns the error of an unknown key.
func (r *reader) unknown(line int, keyPath, keys string) error {
	return r.errf(line, keyPath, "unknown key (keys: %s)", keys)
}

// str reads a string value.
func (r *reader) str(key string, line int, want string) (string, error) {
	tok, err := r.next(key)
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", r.errf(line, key, "want %s, got %s", want, describe(tok))
	}
	return s, nil
}

// number reads a finite number.
func (r *reader) number(key string, line int, want string) (float64, error) {
	tok, err := r.next(key)
	if err != nil {
		return 0, err
	}
	n, ok := tok.(json.Number)
	if !ok {
		return 0, r.errf(line, key, "want %s, got %s", want, describe(tok))
	}
	v, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, r.errf(line, key, "%s is not a finite float64: want %s", string(n), want)
	}
	return v, nil
}

// integer reads a number with an integral value in [lo, hi].
func (r *reader) integer(key string, line int, lo, hi int, what string) (int, error) {
	want := fmt.Sprintf("%s, an integer in [%d, %d]", what, lo, hi)
	v, err := r.number(key, line, want)
	if err != nil {
		return 0, err
	}
	if v != math.Trunc(v) || v < float64(lo) || v > float64(hi) {
		return 0, r.errf(line, key, "%v: want %s", v, want)
	}
	return int(v), nil
}

// expression reads an expression (a string, or a number) to compile at the end.
func (r *reader) expression(key string, line int, cond bool, set func(*Expr)) error {
	tok, err := r.next(key)
	if err != nil {
		return err
	}
	var text string
	switch v := tok.(type) {
	case string:
		text = v
	case json.Number:
		if f, err := strconv.ParseFloat(string(v), 64); err != nil || math.IsInf(f, 0) {
			return r.errf(line, key, "%s is not a finite float64: want a finite number or an expression", string(v))
		}
		text = string(v)
	default:
		return r.errf(line, key, "want an expression (a string such as \"1 + x*y\", or a number), got %s", describe(tok))
	}
	r.pending = append(r.pending, pendingExpr{text: text, line: line, key: key, cond: cond, set: set})
	return nil
}

// The top-level keys, in the order of the documentation.
const topKeys = "mesh, inputs, field, conductivity, source, boundary, qoi, exact"

// file reads the whole file.
func (r *reader) file() (*File, error) {
	const want = `a JSON object {"mesh": …, "boundary": …, "qoi": …}`
	f := &File{Path: r.name}
	tok, err := r.dec.Token()
	if err == io.EOF {
		return nil, r.errf(1, "", "empty file: want %s", want)
	}
	if err != nil {
		return nil, r.tokenError(err, "")
	}
	if tok != json.Delim('{') {
		return nil, r.errf(r.lineAt(r.dec.InputOffset()), "", "want %s, got %s", want, describe(tok))
	}
	top := r.lineAt(r.dec.InputOffset())
	var boundaryLine, qoiLine int
	err = r.members("", func(key, keyPath string, line int) error {
		switch key {
		case "mesh":
			return r.mesh(f, line)
		case "inputs":
			return r.inputs(f, line)
		case "field":
			return r.field(f, line)
		case "conductivity":
			return r.expression(key, line, true, func(e *Expr) { f.Conductivity = e })
		case "source":
			return r.expression(key, line, false, func(e *Expr) { f.Source = e })
		case "exact":
			return r.expression(key, line, false, func(e *Expr) { f.Exact = e })
		case "boundary":
			boundaryLine = line
			return r.boundary(f, line)
		case "qoi":
			qoiLine = line
			return r.qois(f, line)
		}
		return r.unknown(line, keyPath, topKeys)
	})
	if err != nil {
		return nil, err
	}
	end := r.dec.InputOffset()
	if rest := bytes.TrimLeft(r.data[end:], " \t\r\n"); len(rest) > 0 { // JSON's white space
		return nil, r.errf(r.lineAt(int64(len(r.data)-len(rest))), "", "unexpected data after the problem's JSON object")
	}
	switch {
	case f.Mesh.Line == 0:
		return nil, r.errf(top, "mesh", `missing: want {"square": N} or {"mdpa": "FILE"}`)
	case boundaryLine == 0:
		return nil, r.errf(top, "boundary", `missing: want the boundary conditions, e.g. {"boundary": {"dirichlet": "0"}}`)
	case qoiLine == 0:
		return nil, r.errf(top, "qoi", `missing: want the quantities of interest, e.g. {"mean_u": {"average": "domain"}}`)
	}
	if err := r.compile(f); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(f.Boundary, func(bc BC) bool { return bc.Kind == Dirichlet }) {
		return nil, r.errf(boundaryLine, "boundary",
			`no "dirichlet" entry: want at least one part with {"dirichlet": …}, otherwise u is determined only up to a constant (the problem is singular)`)
	}
	return f, nil
}

// mesh reads {"square": N} or {"mdpa": "FILE"}.
func (r *reader) mesh(f *File, line int) error {
	const want = `{"square": N} or {"mdpa": "FILE"}`
	if err := r.open("mesh", line, want); err != nil {
		return err
	}
	err := r.members("mesh", func(key, keyPath string, kline int) error {
		if (key == "square" || key == "mdpa") && (f.Mesh.Square != 0 || f.Mesh.MDPA != "") {
			return r.errf(line, "mesh", `both "square" and "mdpa": want exactly one of %s`, want)
		}
		switch key {
		case "square":
			n, err := r.integer(keyPath, kline, 1, MaxSquare, "the cells per side of the unit square")
			f.Mesh.Square = n
			return err
		case "mdpa":
			s, err := r.str(keyPath, kline, "the path of a .mdpa file")
			if err == nil && s == "" {
				err = r.errf(kline, keyPath, "empty: want the path of a .mdpa file")
			}
			if err != nil {
				return err
			}
			if !filepath.IsAbs(s) {
				s = filepath.Join(r.dir, s)
			}
			f.Mesh.MDPA = s
			return nil
		}
		return r.unknown(kline, keyPath, "square, mdpa")
	})
	if err != nil {
		return err
	}
	if f.Mesh.Square == 0 && f.Mesh.MDPA == "" {
		return r.errf(line, "mesh", "empty: want %s", want)
	}
	f.Mesh.Line = line
	return nil
}

// reserved are the names that inputs may not take, and why.
var reserved = func() map[string]string {
	m := map[string]string{
		"x": "a coordinate", "y": "a coordinate", "conductivity": "the mesh's conductivity", "pi": "the constant pi",
	}
	for _, k := range []string{"not", "and", "or", "in", "matches", "contains", "startsWith", "endsWith", "let", "if", "else", "true", "false", "nil"} {
		m[k] = "a keyword of expressions"
	}
	for _, name := range builtin.Names {
		m[name] = "a builtin function of expr-lang, the expression language"
	}
	for _, f := range functions {
		m[f.name] = "a function of expressions"
	}
	for name, why := range columns {
		m[name] = why
	}
	return m
}()

// columns are the columns of samples.csv besides the inputs and QoIs: neither may take them.
var columns = map[string]string{
	"sample": "a column of samples.csv", "iterations": "a column of samples.csv",
	"residual": "a column of samples.csv", "status": "a column of samples.csv",
}

// checkName returns what is wrong with name as the name of an input or QoI (what), or "".
func checkName(name, what string, reservedNames map[string]string) string {
	switch {
	case !isIdent(name) || len(name) > MaxNameLen:
		return fmt.Sprintf("not a name: want the name of %s: a letter or _, then letters, digits or _ (at most %d characters)", what, MaxNameLen)
	case reservedNames[name] != "":
		return fmt.Sprintf("%q is reserved (%s): want another name", name, reservedNames[name])
	}
	return ""
}

// inputs reads the object of named distributions.
func (r *reader) inputs(f *File, line int) error {
	const wantDist = `a distribution: beta:a,b, uniform:a,b, normal:mu,sigma, lognormal:mu,sigma or list:FILE`
	if err := r.open("inputs", line, `an object of names and distributions, e.g. {"eps": "beta:2,6"}`); err != nil {
		return err
	}
	return r.members("inputs", func(name, keyPath string, kline int) error {
		if len(f.Inputs) == MaxInputs {
			return r.errf(kline, keyPath, "more than %d inputs", MaxInputs)
		}
		if msg := checkName(name, "an input (a variable of the expressions)", reserved); msg != "" {
			return r.errf(kline, keyPath, "%s", msg)
		}
		s, err := r.str(keyPath, kline, wantDist)
		if err != nil {
			return err
		}
		d, err := r.parseDist(s, r.dir)
		if err != nil {
			return r.errf(kline, keyPath, "%v", err)
		}
		if n := d.Len(); n > 0 {
			for _, in := range f.Inputs {
				if m := in.Dist.Len(); m > 0 && m != n {
					return r.errf(kline, keyPath, "%s has %d values and %s (%s, line %d) has %d: list inputs give one value per sample, so they must have the same length",
						quote(s), n, quote(in.Dist.String()), in.Name, in.Line, m)
				}
			}
		}
		f.Inputs = append(f.Inputs, Input{Name: name, Dist: d, Line: kline})
		return nil
	})
}

// field reads the log-normal field's parameters.
func (r *reader) field(f *File, line int) error {
	const want = `{"sigma": S, "lambda": L, "terms": K}`
	if err := r.open("field", line, want); err != nil {
		return err
	}
	p := &field.Params{}
	var sigma, lambda, terms bool
	err := r.members("field", func(key, keyPath string, kline int) error {
		var err error
		switch key {
		case "sigma":
			sigma = true
			w := fmt.Sprintf("the standard deviation of log κ, in (0, %g]", float64(field.MaxSigma))
			if p.Sigma, err = r.number(keyPath, kline, w); err == nil && !(p.Sigma > 0 && p.Sigma <= field.MaxSigma) {
				err = r.errf(kline, keyPath, "%v: want %s", p.Sigma, w)
			}
		case "lambda":
			lambda = true
			w := fmt.Sprintf("the correlation length, in [%g, %g]", float64(field.MinLambda), float64(field.MaxLambda))
			if p.Lambda, err = r.number(keyPath, kline, w); err == nil && !(p.Lambda >= field.MinLambda && p.Lambda <= field.MaxLambda) {
				err = r.errf(kline, keyPath, "%v: want %s", p.Lambda, w)
			}
		case "terms":
			terms = true
			p.Terms, err = r.integer(keyPath, kline, 1, field.MaxTerms, "the number of Karhunen–Loève terms")
		default:
			err = r.unknown(kline, keyPath, "sigma, lambda, terms")
		}
		return err
	})
	if err != nil {
		return err
	}
	var missing []string
	for _, m := range []struct {
		name string
		got  bool
	}{{"sigma", sigma}, {"lambda", lambda}, {"terms", terms}} {
		if !m.got {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		return r.errf(line, "field", "missing %s: want %s", strings.Join(missing, ", "), want)
	}
	if err := p.Validate(); err != nil { // the checks above are field's; this keeps them so
		return r.errf(line, "field", "%v", err)
	}
	f.Field = p
	return nil
}

// checkPart returns what is wrong with a part name, or "".
func checkPart(part string) string {
	switch {
	case part == "":
		return "empty part name: want a part of the mesh"
	case len(part) > MaxPartLen:
		return fmt.Sprintf("part name longer than %d bytes", MaxPartLen)
	case strings.IndexFunc(part, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return "part name with unprintable characters: want a part of the mesh"
	}
	return ""
}

// boundary reads the object of parts and their conditions.
func (r *reader) boundary(f *File, line int) error {
	const want = `{"dirichlet": EXPR} or {"neumann": EXPR}`
	if err := r.open("boundary", line, `an object of parts and conditions, e.g. {"boundary": {"dirichlet": "0"}}`); err != nil {
		return err
	}
	return r.members("boundary", func(part, keyPath string, kline int) error {
		if len(f.Boundary) == MaxBoundary {
			return r.errf(kline, keyPath, "more than %d boundary parts", MaxBoundary)
		}
		if msg := checkPart(part); msg != "" {
			return r.errf(kline, keyPath, "%s", msg)
		}
		if part == Domain {
			return r.errf(kline, keyPath, "domain is the whole mesh, not a part of its boundary: want left, right, bottom, top, boundary or a sub-model-part of the mesh")
		}
		if err := r.open(keyPath, kline, want); err != nil {
			return err
		}
		f.Boundary = append(f.Boundary, BC{Part: part, Line: kline})
		i := len(f.Boundary) - 1
		err := r.members(keyPath, func(kind, kindPath string, l int) error {
			if kind != Dirichlet && kind != Neumann {
				return r.unknown(l, kindPath, "dirichlet, neumann")
			}
			if f.Boundary[i].Kind != "" {
				return r.errf(kline, keyPath, `both "dirichlet" and "neumann": want exactly one of %s`, want)
			}
			f.Boundary[i].Kind = kind
			return r.expression(kindPath, l, false, func(e *Expr) { f.Boundary[i].Value = e })
		})
		if err == nil && f.Boundary[i].Kind == "" {
			err = r.errf(kline, keyPath, "empty: want %s", want)
		}
		return err
	})
}

// The QoI kinds, for messages.
const qoiKinds = "integral, average, point, max, flux"

// qois reads the object of named quantities of interest.
func (r *reader) qois(f *File, line int) error {
	const want = `one of {"integral": PART}, {"average": PART}, {"point": [X, Y]}, {"max": PART}, {"flux": PART}`
	if err := r.open("qoi", line, `an object of names and quantities, e.g. {"mean_u": {"average": "domain"}}`); err != nil {
		return err
	}
	inputs := map[string]string{}
	for name, why := range columns {
		inputs[name] = why
	}
	for _, in := range f.Inputs {
		inputs[in.Name] = "the name of an input, and a column of samples.csv"
	}
	err := r.members("qoi", func(name, keyPath string, kline int) error {
		if len(f.QoIs) == MaxQoIs {
			return r.errf(kline, keyPath, "more than %d quantities of interest", MaxQoIs)
		}
		if msg := checkName(name, "a quantity of interest (a column of samples.csv)", inputs); msg != "" {
			return r.errf(kline, keyPath, "%s", msg)
		}
		if err := r.open(keyPath, kline, want); err != nil {
			return err
		}
		q := QoI{Name: name, Line: kline}
		err := r.members(keyPath, func(kind, kindPath string, l int) error {
			switch kind {
			case QoIIntegral, QoIAverage, QoIMax, QoIFlux, QoIPoint:
			default:
				return r.errf(l, kindPath, "unknown kind of quantity of interest (kinds: %s)", qoiKinds)
			}
			if q.Kind != "" {
				return r.errf(kline, keyPath, "both %q and %q: want exactly %s", q.Kind, kind, want)
			}
			q.Kind = kind
			if kind == QoIPoint {
				p, err := r.point(kindPath, l)
				q.Point = p
				return err
			}
			part, err := r.str(kindPath, l, `the name of a part of the mesh, or "domain"`)
			if err != nil {
				return err
			}
			if msg := checkPart(part); msg != "" {
				return r.errf(l, kindPath, "%s", msg)
			}
			if kind == QoIFlux && part == Domain {
				return r.errf(l, kindPath, `a flux is through a boundary part, not the domain: want left, right, bottom, top, boundary or a sub-model-part`)
			}
			q.Part = part
			return nil
		})
		if err == nil && q.Kind == "" {
			err = r.errf(kline, keyPath, "empty: want %s", want)
		}
		f.QoIs = append(f.QoIs, q)
		return err
	})
	if err == nil && len(f.QoIs) == 0 {
		err = r.errf(line, "qoi", `empty: want at least one quantity of interest, e.g. {"mean_u": {"average": "domain"}}`)
	}
	return err
}

// point reads [x, y], two finite numbers.
func (r *reader) point(key string, line int) ([2]float64, error) {
	const want = "two numbers [x, y]"
	var p [2]float64
	tok, err := r.next(key)
	if err != nil {
		return p, err
	}
	if tok != json.Delim('[') {
		return p, r.errf(line, key, "want %s, got %s", want, describe(tok))
	}
	for i := 0; ; i++ {
		tok, err := r.next(key)
		if err != nil {
			return p, err
		}
		if tok == json.Delim(']') {
			if i < 2 {
				return p, r.errf(line, key, "want %s, got %d", want, i)
			}
			return p, nil
		}
		if i == 2 {
			return p, r.errf(line, key, "want %s, got more", want)
		}
		n, ok := tok.(json.Number)
		if !ok {
			return p, r.errf(line, key, "want %s, got %s", want, describe(tok))
		}
		v, err := strconv.ParseFloat(string(n), 64)
		if err != nil || math.IsInf(v, 0) {
			return p, r.errf(line, key, "%s is not a finite float64: want %s", string(n), want)
		}
		p[i] = v
	}
}

// compile compiles the expressions read, in file order.
func (r *reader) compile(f *File) error {
	var plain, cond *env
	for _, p := range r.pending {
		en := plain
		if p.cond {
			en = cond
		}
		if en == nil {
			en = newEnv(f.Inputs, p.cond)
			if p.cond {
				cond = en
			} else {
				plain = en
			}
		}
		e, xerr := compileExpr(p.text, en, len(f.Inputs))
		if xerr != nil {
			pos := ""
			if xerr.col > 0 {
				pos = fmt.Sprintf(" column %d", xerr.col)
			}
			return r.errf(p.line, p.key, "%s%s: %s", quoteAround(p.text, xerr.col), pos, xerr.msg)
		}
		e.Line, e.Key = p.line, p.key
		if e.constant {
			switch {
			case math.IsNaN(e.value) || math.IsInf(e.value, 0):
				return r.errf(p.line, p.key, "%s is %v: want a finite value", quote(p.text), e.value)
			case p.key == "conductivity" && e.value <= 0:
				return r.errf(p.line, p.key, "%s is %v: want a positive conductivity", quote(p.text), e.value)
			}
		}
		p.set(e)
	}
	return nil
}
