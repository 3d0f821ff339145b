package problemfile

import (
	"fmt"
	"math"
	"strings"

	"github.com/expr-lang/expr"

	"mcfem/detmath"
)

// function is a function that expressions may call. Its arguments are float64s (treeChecker
// checks that they are numbers, lowering makes every literal a float64).
type function struct {
	name             string
	minArgs, maxArgs int // maxArgs < 0: no upper bound
	call             func(args ...any) (any, error)
	// f1 is a function of one argument, f2 of two or the fold of more (for the closures).
	f1 func(float64) float64
	f2 func(float64, float64) float64
}

// arity describes the number of arguments, for messages.
func (f *function) arity() string {
	switch {
	case f.minArgs == 1 && f.maxArgs == 1:
		return "1 argument"
	case f.maxArgs < 0 && f.minArgs == 1:
		return "at least 1 argument"
	case f.maxArgs < 0:
		return fmt.Sprintf("at least %d arguments", f.minArgs)
	case f.minArgs == f.maxArgs:
		return fmt.Sprintf("%d arguments", f.minArgs)
	}
	return fmt.Sprintf("%d to %d arguments", f.minArgs, f.maxArgs)
}

// unary, binary and fold make the calls of functions of one argument, two, or one or more
// (folded left to right with op).
func unary(name string, f func(float64) float64) *function {
	return &function{name: name, minArgs: 1, maxArgs: 1, f1: f, call: func(a ...any) (any, error) { return f(a[0].(float64)), nil }}
}

func binary(name string, f func(float64, float64) float64) *function {
	return &function{name: name, minArgs: 2, maxArgs: 2, f2: f, call: func(a ...any) (any, error) { return f(a[0].(float64), a[1].(float64)), nil }}
}

func fold(name string, op func(float64, float64) float64) *function {
	return &function{name: name, minArgs: 1, maxArgs: -1, f2: op, call: func(a ...any) (any, error) {
		m := a[0].(float64)
		for _, v := range a[1:] {
			m = op(m, v.(float64))
		}
		return m, nil
	}}
}

// functions are the functions of expressions, in the order of the documentation. None of
// them depends on the build: detmath's exp, log and sin/cos, the correctly rounded
// math.Sqrt, the exact math.Abs, math.Min and math.Max, and detmath.Pow.
var functions = []*function{
	unary("sin", func(x float64) float64 { s, _ := detmath.Sincos(x); return s }),
	unary("cos", func(x float64) float64 { _, c := detmath.Sincos(x); return c }),
	unary("tan", func(x float64) float64 { s, c := detmath.Sincos(x); return s / c }),
	unary("exp", detmath.Exp),
	unary("log", detmath.Log),
	unary("sqrt", math.Sqrt),
	unary("abs", math.Abs),
	fold("min", math.Min), // NaN if any argument is NaN
	fold("max", math.Max),
	binary("pow", detmath.Pow),
}

// functionIndex finds a function by name; functionList names them all, for messages.
var (
	functionIndex = map[string]*function{}
	functionList  string
)

// functionOptions register functions with expr-lang under their names, with their types
// (func(float64) float64, func(float64, float64) float64 or func(float64, ...float64)
// float64) so that expr-lang's checker knows the result is a float64.
var functionOptions []expr.Option

func init() {
	names := make([]string, len(functions))
	for i, f := range functions {
		names[i] = f.name
		functionIndex[f.name] = f
		var typ any
		switch {
		case f.minArgs == 1 && f.maxArgs == 1:
			typ = new(func(float64) float64)
		case f.minArgs == 2 && f.maxArgs == 2:
			typ = new(func(float64, float64) float64)
		default:
			typ = new(func(float64, ...float64) float64)
		}
		functionOptions = append(functionOptions, expr.Function(f.name, f.call, typ))
	}
	functionList = strings.Join(names, ", ")
}
