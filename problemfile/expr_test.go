package problemfile

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/detmath"
)

// compile compiles text with the inputs named (and conductivity when cond), or fails t.
func compile(t testing.TB, text string, cond bool, inputs ...string) *Expr {
	t.Helper()
	ins := make([]Input, len(inputs))
	for i, name := range inputs {
		ins[i] = Input{Name: name}
	}
	e, xerr := compileExpr(text, newEnv(ins, cond), len(ins))
	require.Nil(t, xerr, "%s: %+v", text, xerr)
	return e
}

// points returns n deterministic points: most in the unit square (where the tutorial's
// quadrature points lie), some far outside it, and inputs for each.
func points(n, inputs int) []Vars {
	r := rand.New(rand.NewPCG(1, 2))
	vs := make([]Vars, n)
	for i := range vs {
		scale := 1.0
		if i%10 == 9 {
			scale = 1e3
		}
		v := Vars{X: scale * r.Float64(), Y: scale * (2*r.Float64() - 1), Conductivity: 0.5 + r.Float64(), Inputs: make([]float64, inputs)}
		for j := range v.Inputs {
			v.Inputs[j] = r.NormFloat64()
		}
		vs[i] = v
	}
	return vs
}

func TestEvalBitsAreGo(t *testing.T) {
	// Each expression against the Go expression that rounds every product before it is
	// summed (what the project's no-FMA rule writes): the same bits at every point, on every
	// build (this test also runs under GOAMD64=v3 and -tags purego).
	for _, tc := range []struct {
		text string
		cond bool
		ref  func(x, y, eps, a, k float64) float64
	}{
		{"-432 * (x*x + y*y - x - y)", false, func(x, y, eps, a, k float64) float64 {
			return -432 * (float64(x*x) + float64(y*y) - x - y)
		}},
		{"eps * -432 * (x*x + y*y - x - y)", false, func(x, y, eps, a, k float64) float64 {
			return eps * -432 * (float64(x*x) + float64(y*y) - x - y)
		}},
		{"216*eps*x*(1-x)*y*(1-y)", false, func(x, y, eps, a, k float64) float64 { return 216 * eps * x * (1 - x) * y * (1 - y) }},
		{"1 + a*x", true, func(x, y, eps, a, k float64) float64 { return 1 + float64(a*x) }},
		{"conductivity * (1 + 0.5*eps) - a/3", true, func(x, y, eps, a, k float64) float64 {
			return k*(1+float64(0.5*eps)) - a/3
		}},
		{"x^2 - y**2 + pow(a, 2)", false, func(x, y, eps, a, k float64) float64 {
			return float64(x*x) - float64(y*y) + float64(a*a)
		}},
		{"sin(pi*x) * cos(pi*y) + tan(a)", false, func(x, y, eps, a, k float64) float64 {
			s, _ := detmath.Sincos(math.Pi * x)
			_, c := detmath.Sincos(math.Pi * y)
			sa, ca := detmath.Sincos(a)
			return float64(s*c) + sa/ca
		}},
		{"exp(-x*y) / sqrt(1 + x) + log(abs(eps) + 1)", false, func(x, y, eps, a, k float64) float64 {
			return detmath.Exp(-x*y)/math.Sqrt(1+x) + detmath.Log(math.Abs(eps)+1)
		}},
		{"x < 0.5 && y >= 0 ? 1 + x : min(eps, a, 2) * max(y, -1)", false, func(x, y, eps, a, k float64) float64 {
			if x < 0.5 && y >= 0 {
				return 1 + x
			}
			return math.Min(math.Min(eps, a), 2) * math.Max(y, -1)
		}},
		{"1/2 + 3/4*x", false, func(x, y, eps, a, k float64) float64 { return 0.5 + float64(0.75*x) }},
	} {
		t.Run(tc.text, func(t *testing.T) {
			e := compile(t, tc.text, tc.cond, "eps", "a")
			bad := 0
			for _, v := range points(20000, 2) {
				got, want := e.Eval(&v), tc.ref(v.X, v.Y, v.Inputs[0], v.Inputs[1], v.Conductivity)
				if math.Float64bits(got) != math.Float64bits(want) {
					if bad < 3 {
						t.Errorf("at %+v: %v (%#x), Go %v (%#x)", v, got, math.Float64bits(got), want, math.Float64bits(want))
					}
					bad++
				}
			}
			assert.Zero(t, bad)
		})
	}
}

func TestFunctions(t *testing.T) {
	v := &Vars{X: 0.3, Y: -2}
	for _, tc := range []struct {
		text string
		want float64
	}{
		{"abs(y)", 2},
		{"sqrt(16)", 4},
		{"min(3, x, 7)", 0.3},
		{"max(y)", -2},
		{"max(x, y, 1)", 1},
		{"pow(2, 10)", 1024},
		{"2^3^2", 512},
		{"-x^2", -0.3 * 0.3},
		{"(-2)^2", 4},
		{"exp(0) + log(1)", 1},
		{"sin(0) + cos(0) + tan(0)", 1},
		{"pi", math.Pi},
		{"0x10 + 1_000 + .5 + 5.", 1021.5},
		{"if x < 1 { 2 } else { 3 }", 2},
		{"not (x < 1) || x == 0.3 ? 7 : 8", 7},
		{"+x - -y", 0.3 - 2},
	} {
		got := compile(t, tc.text, false).Eval(v)
		assert.Equal(t, tc.want, got, tc.text)
	}
	// NaN and infinities are values, for the caller to check.
	assert.True(t, math.IsNaN(compile(t, "sqrt(y)", false).Eval(v)))
	assert.True(t, math.IsInf(compile(t, "1/(x - 0.3)", false).Eval(v), 1))
	assert.True(t, math.IsNaN(compile(t, "max(x, sqrt(y))", false).Eval(v)))
}

func TestExprUsesAndVars(t *testing.T) {
	e := compile(t, "b*y + conductivity + a*b + pi", true, "a", "b", "c")
	assert.Equal(t, []string{"y", "a", "b", "conductivity"}, e.Vars())
	for name, used := range map[string]bool{"x": false, "y": true, "a": true, "b": true, "c": false, "conductivity": true, "pi": false} {
		assert.Equal(t, used, e.Uses(name), name)
	}
	c := compile(t, "2*pi", false)
	assert.Empty(t, c.Vars())
	assert.Equal(t, 2*math.Pi, c.Eval(&Vars{}))
	assert.Equal(t, "2*pi", c.String())
}

func TestEvalChecksInputs(t *testing.T) {
	e := compile(t, "a", false, "a")
	assert.PanicsWithValue(t, errVarsInputs, func() { e.Eval(&Vars{}) })
	c := compile(t, "1", false, "a")
	assert.PanicsWithValue(t, errVarsInputs, func() { c.Eval(&Vars{Inputs: []float64{1, 2}}) })
}

func TestEvalConcurrent(t *testing.T) {
	// Eval is safe for concurrent use: workers evaluating one Expr get the serial results.
	e := compile(t, "eps * -432 * (x*x + y*y - x - y) + sin(a*x)", false, "eps", "a")
	vs := points(2000, 2)
	want := make([]float64, len(vs))
	for i := range vs {
		want[i] = e.Eval(&vs[i])
	}
	var wg sync.WaitGroup
	got := make([][]float64, 4)
	for w := range got {
		got[w] = make([]float64, len(vs))
		wg.Go(func() {
			for i := range vs {
				got[w][i] = e.Eval(&vs[i])
			}
		})
	}
	wg.Wait()
	for w := range got {
		assert.Equal(t, want, got[w], "worker %d", w)
	}
}

func BenchmarkEval(b *testing.B) {
	for _, bc := range []struct{ name, text string }{
		{"constant", "0"},
		{"conductivity", "1 + a*x"},
		{"source", "eps * -432 * (x*x + y*y - x - y)"},
		{"exact", "216*eps*x*(1-x)*y*(1-y)"},
		{"functions", "sin(pi*x) * sin(pi*y) * exp(-a*x^2)"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := compile(b, bc.text, false, "eps", "a")
			v := &Vars{X: 0.3, Y: 0.7, Inputs: []float64{0.25, 1.1}}
			b.ReportAllocs()
			var sum float64
			for b.Loop() {
				sum += e.Eval(v)
			}
			if math.IsNaN(sum) {
				b.Fatal("NaN")
			}
		})
	}
}

func TestClosuresAreTheVM(t *testing.T) {
	// Eval's closures against expr-lang's virtual machine, bit for bit (the sign of zero
	// included; a NaN is a NaN, whatever its payload: no data may be NaN), on tricky
	// expressions and at points with zeros of both signs, infinities and NaN among the values.
	special := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, math.Inf(1), math.Inf(-1), math.NaN(), 1e308, -1e-308}
	vs := points(5000, 2)
	for i, x := range special {
		for j, y := range special {
			vs = append(vs, Vars{X: x, Y: y, Conductivity: special[(i+j)%len(special)], Inputs: []float64{special[(i+2*j)%len(special)], y}})
		}
	}
	for _, text := range []string{
		"-432 * (x*x + y*y - x - y)", "eps * -432 * (x*x + y*y - x - y)", "-x", "+x", "-0 * x", "0 - x", "x - -1",
		"x^2^3", "-x^2", "x**0.5", "pow(x, y) + pow(-x, 0.5)", "2^-1074 * x", "1/x + 1/(y - 0.25)", "x/0", "0/0 + x",
		"min(x)", "min(x, y, eps, 1)", "max(x, y, a)", "max(min(x, 1), -1)",
		"sqrt(x) + abs(y) + exp(-x) + log(y)", "sin(x) * cos(y) + tan(a)", "sin(1e300 * x)",
		"x < 0.5 ? 1 : 10", "x < y and (y > x) ? a : eps", "not (x <= y) || a != eps ? x : y",
		"!(x >= 0) && true or false ? 1 : 2", "if x > 0 { x } else { -x }", "x == x ? 1 : 0",
		"conductivity * (1 + a*x) - 2/3*y", "1/2 + 3/4*x", "2*3*x + x*2*3", "pi * x + 1e-3 * y", "1_000 * x + 0x10",
		"(((((x + 1) * 2) - 3) / 4) ^ 2)", "216*eps*x*(1-x)*y*(1-y)",
	} {
		t.Run(text, func(t *testing.T) {
			e := compile(t, text, true, "eps", "a")
			for _, v := range vs {
				got, want := e.Eval(&v), e.evalVM(&v)
				if math.IsNaN(got) && math.IsNaN(want) {
					continue
				}
				require.Equal(t, math.Float64bits(want), math.Float64bits(got), "at %+v: closures %v, VM %v", v, got, want)
			}
		})
	}
}

func TestEvalAllocatesNothing(t *testing.T) {
	e := compile(t, "x < 0.5 ? sin(pi*x) * eps^2 : max(a, y, 1) / 3", false, "eps", "a")
	v := &Vars{X: 0.3, Y: 0.7, Inputs: []float64{0.25, 1.1}}
	assert.Zero(t, testing.AllocsPerRun(100, func() { e.Eval(v) }))
}
