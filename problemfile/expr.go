package problemfile

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// MaxExprLen bounds the length of an expression in bytes.
const MaxExprLen = 4096

// errVarsInputs is the panic of Eval when Vars.Inputs does not match the file's inputs.
const errVarsInputs = "problemfile: Eval needs len(Vars.Inputs) == len(File.Inputs)"

// Vars are the values of an expression's variables at one point.
type Vars struct {
	X, Y float64
	// Inputs are the values of File.Inputs, in their order (the same length).
	Inputs []float64
	// Conductivity is the mesh's conductivity of the element (read only by File.Conductivity).
	Conductivity float64
}

// Expr is a compiled expression of a problem file: a scalar function of the point (x, y),
// the inputs and, in the conductivity, the mesh's own conductivity.
//
// Eval is safe for concurrent use. It evaluates with expr-lang's virtual machine one
// operation at a time, each result rounded to float64, so the same Vars give the same bits on
// every build and machine (see the package documentation).
type Expr struct {
	Text string // as written in the file (a JSON number's literal for a number)
	Line int    // the line of its key
	Key  string // its key path, e.g. "boundary.right.neumann"

	prog     *vm.Program
	fn       num    // the closures Eval runs (the same bits as prog)
	slots    []slot // the variables it uses, in the order of the environment
	nInputs  int    // len(File.Inputs)
	constant bool   // uses no variable: value is the result
	value    float64
	pool     sync.Pool // of *evalState
}

// slot is a variable an expression uses and where Eval takes its value from.
type slot struct {
	name string
	src  int // srcX, srcY, srcConductivity, or the index of an input
}

const (
	srcX            = -1
	srcY            = -2
	srcConductivity = -3
)

// get returns the slot's value in v.
func (s slot) get(v *Vars) float64 {
	switch s.src {
	case srcX:
		return v.X
	case srcY:
		return v.Y
	case srcConductivity:
		return v.Conductivity
	}
	return v.Inputs[s.src]
}

// evalState is one evaluation's virtual machine and environment, reused through Expr.pool.
type evalState struct {
	vm  vm.VM
	env map[string]any
}

// Uses reports whether the expression uses the variable name ("x", "y", an input's name or
// "conductivity").
func (e *Expr) Uses(name string) bool {
	return slices.ContainsFunc(e.slots, func(s slot) bool { return s.name == name })
}

// Vars returns the names of the variables the expression uses, in the order x, y, the inputs
// in file order, conductivity. An expression that uses none is a constant.
func (e *Expr) Vars() []string {
	names := make([]string, len(e.slots))
	for i, s := range e.slots {
		names[i] = s.name
	}
	return names
}

// String returns the expression as written.
func (e *Expr) String() string { return e.Text }

// Eval returns the expression's value at v. The result may be NaN or ±Inf (sqrt(-1), 1/x at
// x = 0): the caller checks what it needs. Eval panics if len(v.Inputs) is not the number of
// the file's inputs. It allocates nothing: it runs the expression compiled to closures, which
// give the bits of expr-lang's virtual machine (evalVM).
func (e *Expr) Eval(v *Vars) float64 {
	if len(v.Inputs) != e.nInputs {
		panic(errVarsInputs)
	}
	if e.constant {
		return e.value
	}
	return e.fn(v)
}

// evalVM is Eval by expr-lang's virtual machine: the reference the closures are tested
// against.
func (e *Expr) evalVM(v *Vars) float64 {
	if len(v.Inputs) != e.nInputs {
		panic(errVarsInputs)
	}
	if e.constant {
		return e.value
	}
	st, _ := e.pool.Get().(*evalState)
	if st == nil {
		st = &evalState{env: make(map[string]any, len(e.slots))}
	}
	for _, s := range e.slots {
		st.env[s.name] = s.get(v)
	}
	out, err := st.vm.Run(e.prog, st.env)
	e.pool.Put(st)
	if err != nil {
		// Compile has checked every operation's operands: no run can fail.
		panic(fmt.Sprintf("problemfile: %s: %q: %v", e.Key, e.Text, err))
	}
	return out.(float64) // expr.AsFloat64: the program ends with a conversion to float64
}

// env is the set of variables an expression may use: x, y, the inputs and, for the
// conductivity, conductivity.
type env struct {
	slots map[string]slot
	names []string // in order, for messages
	opts  []expr.Option
	cfg   *conf.Config // for the parse that compileExpr checks before compiling
}

// newEnv returns the environment of expressions in x, y and the inputs, plus the mesh's
// conductivity when cond is true.
func newEnv(inputs []Input, cond bool) *env {
	en := &env{slots: map[string]slot{"x": {"x", srcX}, "y": {"y", srcY}}, names: []string{"x", "y"}}
	for i, in := range inputs {
		en.slots[in.Name] = slot{in.Name, i}
		en.names = append(en.names, in.Name)
	}
	if cond {
		en.slots["conductivity"] = slot{"conductivity", srcConductivity}
		en.names = append(en.names, "conductivity")
	}
	decl := make(map[string]any, len(en.names))
	for _, name := range en.names {
		decl[name] = 0.0 // every variable is a float64
	}
	en.opts = append([]expr.Option{expr.Env(decl), expr.AsFloat64(), expr.DisableAllBuiltins(), expr.MaxNodes(MaxExprLen)},
		functionOptions...)
	en.cfg = conf.CreateNew()
	for _, op := range en.opts {
		op(en.cfg)
	}
	for name := range en.cfg.Disabled {
		delete(en.cfg.Builtins, name) // as expr.Compile does
	}
	return en
}

// exprError is an error at a position of an expression: col is the 1-based character
// (rune) position in the expression's text.
type exprError struct {
	col int
	msg string
}

// compileExpr compiles text for the environment en. Before expr-lang compiles it, its syntax
// tree is checked against the grammar of problem files (treeChecker): only numbers, the
// variables of en, pi, arithmetic, comparisons, logic, conditionals and the functions of
// this package; then integer literals become float64 ones, pi its value and x^y a call of
// pow (lowering), so that every operation is one of float64s.
func compileExpr(text string, en *env, nInputs int) (*Expr, *exprError) {
	switch {
	case strings.TrimSpace(text) == "":
		return nil, &exprError{msg: "empty expression: want a formula, e.g. \"1 + x*y\""}
	case len(text) > MaxExprLen:
		return nil, &exprError{msg: fmt.Sprintf("%d bytes: want at most %d", len(text), MaxExprLen)}
	}
	tree, err := parser.ParseWithConfig(text, en.cfg)
	if err != nil {
		xerr := fromExprLang(err)
		if xerr.msg == "unexpected token EOF" {
			xerr.col, xerr.msg = utf8.RuneCountInString(text)+1, "unexpected end of the expression"
		}
		return nil, xerr
	}
	c := &treeChecker{env: en, used: map[string]bool{}}
	k, xerr := c.check(tree.Node)
	if xerr == nil && k != kindNumber {
		xerr = &exprError{msg: "is a condition (true or false): want a number (cond ? a : b gives a piecewise value)"}
	}
	if xerr != nil {
		return nil, xerr
	}
	prog, err := expr.Compile(text, append(slices.Clip(en.opts), expr.Patch(lowering{}))...)
	if err != nil {
		return nil, fromExprLang(err)
	}
	e := &Expr{Text: text, prog: prog, fn: compileNum(tree.Node, en), nInputs: nInputs}
	for _, name := range en.names {
		if c.used[name] {
			e.slots = append(e.slots, en.slots[name])
		}
	}
	if len(e.slots) == 0 {
		out, err := expr.Run(prog, map[string]any{})
		if err != nil {
			return nil, fromExprLang(err)
		}
		e.constant, e.value = true, out.(float64)
	}
	return e, nil
}

// fromExprLang turns an error of expr-lang into an exprError at its position.
func fromExprLang(err error) *exprError {
	var fe *file.Error
	if errors.As(err, &fe) {
		return &exprError{col: fe.From + 1, msg: fe.Message}
	}
	return &exprError{msg: err.Error()}
}

// kind is the type of a subexpression: a number or a condition.
type kind int

const (
	kindNumber kind = iota
	kindBool
)

// treeChecker checks a parsed expression against the grammar of problem files and collects
// the variables it uses.
type treeChecker struct {
	env  *env
	used map[string]bool
}

// allowed says, for messages, what an expression may contain.
func allowed() string {
	return "numbers, the variables, pi, + - * / ^, comparisons, and/or/not, ?: and the functions " + functionList
}

// at returns an exprError at n's position.
func at(n ast.Node, format string, args ...any) *exprError {
	return &exprError{col: n.Location().From + 1, msg: fmt.Sprintf(format, args...)}
}

// check returns the kind of n, or the first error in it.
func (c *treeChecker) check(n ast.Node) (kind, *exprError) {
	switch n := n.(type) {
	case *ast.IntegerNode, *ast.FloatNode:
		return kindNumber, nil
	case *ast.BoolNode:
		return kindBool, nil
	case *ast.IdentifierNode:
		if n.Value == "pi" {
			return kindNumber, nil
		}
		if _, ok := c.env.slots[n.Value]; ok {
			c.used[n.Value] = true
			return kindNumber, nil
		}
		if n.Value == "conductivity" {
			return 0, at(n, "the variable conductivity (the mesh's value) is allowed only in the key conductivity (variables here: %s)",
				strings.Join(c.env.names, ", "))
		}
		if _, ok := functionIndex[n.Value]; ok {
			return 0, at(n, "%s is a function: call it, e.g. %s(x)", n.Value, n.Value)
		}
		return 0, at(n, "unknown variable %s (variables: %s)", n.Value, strings.Join(c.env.names, ", "))
	case *ast.UnaryNode:
		k, err := c.check(n.Node)
		if err != nil {
			return 0, err
		}
		switch n.Operator {
		case "-", "+":
			return kindNumber, c.want(n.Node, k, kindNumber, "for the operator "+n.Operator)
		case "not", "!":
			return kindBool, c.want(n.Node, k, kindBool, "for the operator "+n.Operator)
		}
		return 0, at(n, "the operator %s is not allowed (allowed: %s)", n.Operator, allowed())
	case *ast.BinaryNode:
		var operand, result kind
		switch n.Operator {
		case "+", "-", "*", "/", "^", "**":
			operand, result = kindNumber, kindNumber
		case "<", "<=", ">", ">=", "==", "!=":
			operand, result = kindNumber, kindBool
		case "and", "or", "&&", "||":
			operand, result = kindBool, kindBool
		default:
			return 0, at(n, "the operator %s is not allowed (allowed: %s)", n.Operator, allowed())
		}
		for _, side := range []ast.Node{n.Left, n.Right} {
			k, err := c.check(side)
			if err == nil {
				err = c.want(side, k, operand, "for the operator "+n.Operator)
			}
			if err != nil {
				return 0, err
			}
		}
		return result, nil
	case *ast.ConditionalNode:
		k, err := c.check(n.Cond)
		if err == nil {
			err = c.want(n.Cond, k, kindBool, "before ?")
		}
		for _, branch := range []ast.Node{n.Exp1, n.Exp2} {
			if err != nil {
				break
			}
			k, err = c.check(branch)
			if err == nil {
				err = c.want(branch, k, kindNumber, "in a branch of a conditional")
			}
		}
		return kindNumber, err
	case *ast.CallNode:
		id, ok := n.Callee.(*ast.IdentifierNode)
		if !ok {
			return 0, at(n, "only the functions %s can be called", functionList)
		}
		f, ok := functionIndex[id.Value]
		if !ok {
			return 0, at(id, "unknown function %s (functions: %s)", id.Value, functionList)
		}
		if got := len(n.Arguments); got < f.minArgs || (f.maxArgs >= 0 && got > f.maxArgs) {
			return 0, at(id, "%s takes %s, got %d", f.name, f.arity(), got)
		}
		for _, a := range n.Arguments {
			k, err := c.check(a)
			if err == nil {
				err = c.want(a, k, kindNumber, "as an argument of "+f.name)
			}
			if err != nil {
				return 0, err
			}
		}
		return kindNumber, nil
	case *ast.BuiltinNode:
		return 0, at(n, "unknown function %s (functions: %s)", n.Name, functionList)
	}
	return 0, at(n, "%s is not allowed (allowed: %s)", describeNode(n), allowed())
}

// want returns an error at n if its kind k is not w; where says where n stands.
func (c *treeChecker) want(n ast.Node, k, w kind, where string) *exprError {
	switch {
	case k == w:
		return nil
	case w == kindNumber:
		return at(n, "want a number %s, got a condition", where)
	default:
		return at(n, "want a condition (a comparison such as x < 0.5) %s, got a number", where)
	}
}

// describeNode names a construct that problem files do not allow.
func describeNode(n ast.Node) string {
	switch n := n.(type) {
	case *ast.StringNode, *ast.BytesNode:
		return "a string"
	case *ast.NilNode:
		return "nil"
	case *ast.ArrayNode:
		return "an array"
	case *ast.MapNode, *ast.PairNode:
		return "a map"
	case *ast.MemberNode, *ast.ChainNode:
		return "member access (.)"
	case *ast.SliceNode:
		return "slicing"
	case *ast.PredicateNode, *ast.PointerNode:
		return "a closure (#)"
	case *ast.VariableDeclaratorNode:
		return "let"
	case *ast.SequenceNode:
		return "a sequence (;)"
	default:
		return fmt.Sprintf("%T", n)
	}
}

// lowering is the expr-lang patch applied to a checked tree: integer literals become float64
// literals (every number of a problem file is a float64, as in JSON), pi becomes math.Pi, and
// x^y and x**y become pow(x, y) (expr-lang's own ^ calls math.Pow, whose bits depend on the
// build).
type lowering struct{}

// Visit implements ast.Visitor.
func (lowering) Visit(n *ast.Node) {
	switch v := (*n).(type) {
	case *ast.IntegerNode:
		ast.Patch(n, &ast.FloatNode{Value: float64(v.Value)})
	case *ast.IdentifierNode:
		if v.Value == "pi" {
			ast.Patch(n, &ast.FloatNode{Value: math.Pi})
		}
	case *ast.BinaryNode:
		if v.Operator == "^" || v.Operator == "**" {
			ast.Patch(n, &ast.CallNode{Callee: &ast.IdentifierNode{Value: "pow"}, Arguments: []ast.Node{v.Left, v.Right}})
		}
	}
}
