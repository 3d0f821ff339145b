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
	return &function{name: name, minArgs: 1, maxArgs: 1, call: func(a ...any) (any, error) { return f(a[0].(float64)), nil }}
}

func binary(name string, f func(float64, float64) float64) *function {
	return &function{name: name, minArgs: 2, maxArgs: 2, call: func(a ...any) (any, error) { return f(a[0].(float64), a[1].(float64)), nil }}
}

func fold(name string, op func(float64, float64) float64) *function {
	return &function{name: name, minArgs: 1, maxArgs: -1, call: func(a ...any) (any, error) {
		m := a[0].(float64)
		for _, v := range a[1:] {
			m = op(m, v.(float64))
		}
		return m, nil
	}}
}

// functions are the functions of expressions, in the order of the documentation. None of
// them depends on the build: detmath's exp, log and sin/cos, the correctly rounded
// math.Sqrt, the exact math.Abs, math.Min and math.Max, and pow below.
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
	binary("pow", pow),
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

// pow returns x**y as detmath computes it (its unexported pow, which detmath's tests prove
// equal to math.Pow of the default linux/amd64 build): binary powering of the integer part
// of y, then Exp(yf*Log(x)) with detmath's Exp and Log for the fractional part yf. It has no
// addition of a product, so it gives the same bits on every build; math.Pow does not (its
// Exp and Log are the build's).
func pow(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case y == 1:
		return x
	case x != x || y != y:
		return math.NaN()
	case x == 0:
		switch {
		case y < 0:
			if math.Signbit(x) && isOddInt(y) {
				return math.Inf(-1)
			}
			return math.Inf(1)
		case y > 0:
			if math.Signbit(x) && isOddInt(y) {
				return x
			}
			return 0
		}
	case math.IsInf(y, 0):
		switch {
		case x == -1:
			return 1
		case (math.Abs(x) < 1) == math.IsInf(y, 1):
			return 0
		default:
			return math.Inf(1)
		}
	case math.IsInf(x, 0):
		if math.IsInf(x, -1) {
			return pow(1/x, -y) // pow(-0, -y)
		}
		switch {
		case y < 0:
			return 0
		case y > 0:
			return math.Inf(1)
		}
	case y == 0.5:
		return math.Sqrt(x)
	case y == -0.5:
		return 1 / math.Sqrt(x)
	}
	yi, yf := math.Modf(math.Abs(y))
	if yf != 0 && x < 0 {
		return math.NaN()
	}
	if yi >= 1<<63 {
		switch {
		case x == -1:
			return 1
		case (math.Abs(x) < 1) == (y > 0):
			return 0
		default:
			return math.Inf(1)
		}
	}
	a1 := 1.0
	ae := 0
	if yf != 0 {
		if yf > 0.5 {
			yf--
			yi++
		}
		a1 = detmath.Exp(yf * detmath.Log(x))
	}
	x1, xe := math.Frexp(x)
	for i := int64(yi); i != 0; i >>= 1 {
		if xe < -1<<12 || 1<<12 < xe {
			ae += xe
			break
		}
		if i&1 == 1 {
			a1 *= x1
			ae += xe
		}
		x1 = float64(x1 * x1) // rounded: x1 + x1 below must not fuse with it
		xe <<= 1
		if x1 < .5 {
			x1 += x1
			xe--
		}
	}
	if y < 0 {
		a1 = 1 / a1
		ae = -ae
	}
	return math.Ldexp(a1, ae)
}

// isOddInt reports whether x is an odd integer.
func isOddInt(x float64) bool {
	if math.Abs(x) >= 1<<53 {
		return false // every float64 this large is even
	}
	xi, xf := math.Modf(x)
	return xf == 0 && int64(xi)&1 == 1
}
