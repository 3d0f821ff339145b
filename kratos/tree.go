package kratos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// maxDepth bounds the nesting of a project file: Kratos' own go five or six levels deep.
const maxDepth = 64

// value is a JSON value with the line it starts on.
type value struct {
	line    int
	obj     []member // an object's members, in file order (nil for other kinds)
	isObj   bool
	arr     []*value // an array's elements
	isArr   bool
	str     string // a string
	isStr   bool
	num     json.Number // a number, as written
	isNum   bool
	boolean bool
	isBool  bool
	// null: none of the is* set
}

// member is one key of an object.
type member struct {
	key  string
	line int
	val  *value
}

// get returns the member called key, or nil.
func (v *value) get(key string) *member {
	for i := range v.obj {
		if v.obj[i].key == key {
			return &v.obj[i]
		}
	}
	return nil
}

// kind names the value's JSON type, for messages.
func (v *value) kind() string {
	switch {
	case v.isObj:
		return "an object"
	case v.isArr:
		return "an array"
	case v.isStr:
		return "a string " + strconv.Quote(v.str)
	case v.isNum:
		return "the number " + v.num.String()
	case v.isBool:
		return "the boolean " + strconv.FormatBool(v.boolean)
	}
	return "null"
}

// decoder builds a tree of values from JSON, with lines.
type decoder struct {
	data []byte
	dec  *json.Decoder
	name string
	// lineOff and lineNo: the line of the last offset asked, counted on from there (offsets
	// grow), so that lines cost O(size) in all, not O(size) per token.
	lineOff int64
	lineNo  int
}

// parseTree parses the JSON data (named name in errors) into a tree.
func parseTree(data []byte, name string) (*value, error) {
	d := &decoder{data: data, name: name, dec: json.NewDecoder(bytes.NewReader(data)), lineNo: 1}
	d.dec.UseNumber()
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s:%d: text after the project's object", name, d.line(d.dec.InputOffset()))
	}
	return v, nil
}

// line is the line of byte offset off.
func (d *decoder) line(off int64) int {
	off = max(0, min(off, int64(len(d.data))))
	if off < d.lineOff {
		d.lineOff, d.lineNo = 0, 1
	}
	d.lineNo += bytes.Count(d.data[d.lineOff:off], []byte("\n"))
	d.lineOff = off
	return d.lineNo
}

func (d *decoder) token() (json.Token, int, error) {
	tok, err := d.dec.Token()
	line := d.line(d.dec.InputOffset())
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, d.line(se.Offset), fmt.Errorf("%s:%d: not valid JSON: %v", d.name, d.line(se.Offset), se)
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, line, fmt.Errorf("%s:%d: not valid JSON: %v", d.name, line, err)
	}
	return tok, line, nil
}

func (d *decoder) value(depth int) (*value, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%s:%d: nested deeper than %d levels", d.name, d.line(d.dec.InputOffset()), maxDepth)
	}
	tok, line, err := d.token()
	if err != nil {
		return nil, err
	}
	v := &value{line: line}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			v.isObj = true
			return v, d.object(v, depth)
		}
		v.isArr = true
		for d.dec.More() {
			e, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			v.arr = append(v.arr, e)
		}
		_, _, err = d.token() // ]
		return v, err
	case string:
		v.str, v.isStr = t, true
	case json.Number:
		v.num, v.isNum = t, true
	case bool:
		v.boolean, v.isBool = t, true
	}
	return v, nil
}

func (d *decoder) object(v *value, depth int) error {
	for d.dec.More() {
		tok, line, err := d.token()
		if err != nil {
			return err
		}
		key := tok.(string) // the decoder checks that object keys are strings
		if v.get(key) != nil {
			return fmt.Errorf("%s:%d: %s: the key appears twice", d.name, line, key)
		}
		val, err := d.value(depth + 1)
		if err != nil {
			return err
		}
		v.obj = append(v.obj, member{key: key, line: line, val: val})
	}
	_, _, err := d.token() // }
	return err
}
