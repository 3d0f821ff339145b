package problemfile

import (
	"math"

	"github.com/expr-lang/expr/ast"

	"mcfem/detmath"
)

// num and cond are a checked expression compiled to Go closures: one closure per node of
// its syntax tree, evaluated in expr-lang's order (left operand first, a conditional's
// condition first, and/or short-circuited). Each closure rounds its result to float64
// (explicitly, and its caller only sees it through a call), so no product fuses with a sum:
// every operation is the IEEE operation expr-lang's virtual machine performs on the same
// float64s, and Eval gives the machine's bits (TestClosuresAreTheVM, FuzzParse) at a tenth of
// its cost and without allocating.
type (
	num  func(v *Vars) float64
	cond func(v *Vars) bool
)

// compileNum compiles the number node n of a tree that treeChecker accepted, for en.
func compileNum(n ast.Node, en *env) num {
	switch n := n.(type) {
	case *ast.IntegerNode:
		c := float64(n.Value)
		return func(*Vars) float64 { return c }
	case *ast.FloatNode:
		c := n.Value
		return func(*Vars) float64 { return c }
	case *ast.IdentifierNode:
		if n.Value == "pi" {
			return func(*Vars) float64 { return math.Pi }
		}
		s := en.slots[n.Value]
		switch s.src {
		case srcX:
			return func(v *Vars) float64 { return v.X }
		case srcY:
			return func(v *Vars) float64 { return v.Y }
		case srcConductivity:
			return func(v *Vars) float64 { return v.Conductivity }
		}
		k := s.src
		return func(v *Vars) float64 { return v.Inputs[k] }
	case *ast.UnaryNode:
		a := compileNum(n.Node, en)
		if n.Operator == "-" {
			return func(v *Vars) float64 { return -a(v) }
		}
		return a
	case *ast.BinaryNode:
		a, b := compileNum(n.Left, en), compileNum(n.Right, en)
		switch n.Operator {
		case "+":
			return func(v *Vars) float64 { return float64(a(v) + b(v)) }
		case "-":
			return func(v *Vars) float64 { return float64(a(v) - b(v)) }
		case "*":
			return func(v *Vars) float64 { return float64(a(v) * b(v)) }
		case "/":
			return func(v *Vars) float64 { return float64(a(v) / b(v)) }
		}
		return func(v *Vars) float64 { x := a(v); return detmath.Pow(x, b(v)) } // ^ and **
	case *ast.ConditionalNode:
		c, a, b := compileCond(n.Cond, en), compileNum(n.Exp1, en), compileNum(n.Exp2, en)
		return func(v *Vars) float64 {
			if c(v) {
				return a(v)
			}
			return b(v)
		}
	case *ast.CallNode:
		f := functionIndex[n.Callee.(*ast.IdentifierNode).Value]
		args := make([]num, len(n.Arguments))
		for i, a := range n.Arguments {
			args[i] = compileNum(a, en)
		}
		switch {
		case f.f1 != nil:
			a := args[0]
			return func(v *Vars) float64 { return f.f1(a(v)) }
		case f.minArgs == 2 && f.maxArgs == 2:
			a, b := args[0], args[1]
			return func(v *Vars) float64 { x := a(v); return f.f2(x, b(v)) }
		}
		return func(v *Vars) float64 { // min, max: folded left to right
			m := args[0](v)
			for _, a := range args[1:] {
				m = f.f2(m, a(v))
			}
			return m
		}
	}
	panic("problemfile: compileNum: " + describeNode(n)) // treeChecker accepts nothing else
}

// compileCond compiles the condition node n.
func compileCond(n ast.Node, en *env) cond {
	switch n := n.(type) {
	case *ast.BoolNode:
		c := n.Value
		return func(*Vars) bool { return c }
	case *ast.UnaryNode: // not, !
		a := compileCond(n.Node, en)
		return func(v *Vars) bool { return !a(v) }
	case *ast.BinaryNode:
		switch n.Operator {
		case "and", "&&", "or", "||":
			a, b := compileCond(n.Left, en), compileCond(n.Right, en)
			if n.Operator == "and" || n.Operator == "&&" {
				return func(v *Vars) bool { return a(v) && b(v) }
			}
			return func(v *Vars) bool { return a(v) || b(v) }
		}
		a, b := compileNum(n.Left, en), compileNum(n.Right, en)
		switch n.Operator {
		case "<":
			return func(v *Vars) bool { x := a(v); return x < b(v) }
		case "<=":
			return func(v *Vars) bool { x := a(v); return x <= b(v) }
		case ">":
			return func(v *Vars) bool { x := a(v); return x > b(v) }
		case ">=":
			return func(v *Vars) bool { x := a(v); return x >= b(v) }
		case "==":
			return func(v *Vars) bool { x := a(v); return x == b(v) }
		}
		return func(v *Vars) bool { x := a(v); return x != b(v) } // !=
	}
	panic("problemfile: compileCond: " + describeNode(n))
}
