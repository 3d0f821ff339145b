//go:build amd64 && !amd64.v3

// These references are pure Go (math.Sincos, math.Log2, math.Exp2,
// math.Log1p, math.Pow, math/rand/v2's variates, gonum's distributions and
// quantiles), so their own bits change where the compiler fuses
// multiply-adds: under GOAMD64=v3 (or v4, which implies the amd64.v3 tag)
// and on other architectures. They are mcfem's reference only as compiled by
// the default build, so the comparisons run only there. The digest tests
// (digest_test.go) carry the result to every other build.

package detmath

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

func TestSincosMatchesReference(t *testing.T) {
	xs := sincosInputs(3, sweep(10_000_000))
	bad := 0
	for _, x := range xs {
		s, c := Sincos(x)
		s0, c0 := math.Sincos(x)
		if math.Float64bits(s) != math.Float64bits(s0) || math.Float64bits(c) != math.Float64bits(c0) {
			if bad < 5 {
				t.Errorf("Sincos(%v) = %v, %v; reference %v, %v", x, s, c, s0, c0)
			}
			bad++
		}
	}
	require.Zero(t, bad, "Sincos: %d of %d inputs differ from the reference", bad, len(xs))
	t.Logf("Sincos: %d inputs, sin and cos all bit-identical to the reference", len(xs))
}

func TestLog2Exp2MatchReference(t *testing.T) {
	sameBits(t, "Log2", logInputs(4, sweep(4_000_000)), Log2, math.Log2)
	sameBits(t, "Exp2", exp2Inputs(5, sweep(4_000_000)), Exp2, math.Exp2)
}

func TestLog1pMatchesReference(t *testing.T) {
	xs := logInputs(6, sweep(2_000_000))
	r := rand.NewPCG(6, 6)
	for i := 0; i < sweep(2_000_000); i++ { // (-1, 1) and the range Gamma uses
		xs = append(xs, between(unit(r), -1, 1), between(unit(r), 0, 0.1))
	}
	sameBits(t, "log1p", xs, log1p, math.Log1p)
}

func TestPowMatchesReference(t *testing.T) {
	r := rand.NewPCG(7, 7)
	n := sweep(1_000_000)
	for _, c := range []struct {
		name   string
		x0, x1 float64
		y0, y1 float64
	}{
		{"gamma boost", 0, 1, 1, 5}, // Float64()**(1/alpha), alpha in [0.2, 1)
		{"general", 0, 100, -30, 30},
		{"negative base", -4, 0, -6, 6},
	} {
		bad := 0
		for i := 0; i < n; i++ {
			x, y := between(unit(r), c.x0, c.x1), between(unit(r), c.y0, c.y1)
			if i%4 == 0 {
				y = math.Round(y) // integer exponents
			}
			if math.Float64bits(Pow(x, y)) != math.Float64bits(math.Pow(x, y)) {
				if bad < 5 {
					t.Errorf("Pow(%v, %v) = %v, math.Pow %v", x, y, Pow(x, y), math.Pow(x, y))
				}
				bad++
			}
		}
		require.Zero(t, bad, "pow %s", c.name)
	}
	for _, x := range specials {
		for _, y := range append(specials, 3, -3, 0.5, -0.5, 1e300, -1e300) {
			require.Equal(t, math.Float64bits(math.Pow(x, y)), math.Float64bits(Pow(x, y)), "Pow(%v, %v)", x, y)
		}
	}
}

// readGoTable returns the literals of math/rand/v2's table `var name = [...]T{...}`
// from the Go installation's source, or skips the test.
func readGoTable(t *testing.T, file, name string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(build.Default.GOROOT, "src", "math", "rand", "v2", file), nil, 0)
	if err != nil {
		t.Skipf("Go source not available: %v", err)
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, id := range vs.Names {
				if id.Name != name || i >= len(vs.Values) {
					continue
				}
				table, ok := vs.Values[i].(*ast.CompositeLit)
				require.True(t, ok, "%s in %s is not a composite literal", name, file)
				var out []string
				for _, e := range table.Elts {
					lit, ok := e.(*ast.BasicLit)
					require.True(t, ok, "%s in %s: element %d is not a literal", name, file, len(out))
					out = append(out, lit.Value)
				}
				return out
			}
		}
	}
	require.Failf(t, "table not found", "table %s not found in %s", name, file)
	return nil
}

func TestZigguratTablesMatchGo(t *testing.T) {
	check := func(file, name string, ks []uint32, ws, fs []float32, kn, wn, fnn string) {
		for j, lit := range readGoTable(t, file, kn) {
			v, err := strconv.ParseUint(lit, 0, 32)
			require.NoError(t, err)
			require.Equal(t, uint32(v), ks[j], "%s[%d]", kn, j)
		}
		for tab, vals := range map[string][]float32{wn: ws, fnn: fs} {
			lits := readGoTable(t, file, tab)
			require.Len(t, lits, len(vals))
			for j, lit := range lits {
				v, err := strconv.ParseFloat(lit, 32)
				require.NoError(t, err)
				require.Equal(t, math.Float32bits(float32(v)), math.Float32bits(vals[j]), "%s[%d]", tab, j)
			}
		}
	}
	check("normal.go", "normal", kn[:], wn[:], fn[:], "kn", "wn", "fn")
	check("exp.go", "exp", ke[:], we[:], fe[:], "ke", "we", "fe")
}

// seeds are the PCG seeds of the variate comparisons.
var seeds = [][2]uint64{{1, 2}, {42, 1 << 40}, {0xDEADBEEF, 7}, {2024, 11}}

// sameStream draws n values per seed from got and want, each over its own
// PCG with the same seed, and requires equal bits and, afterwards, the same
// next word of both sources.
func sameStream(t *testing.T, name string, n int, got, want func(rand.Source) float64) {
	t.Helper()
	for _, s := range seeds {
		a, b := rand.NewPCG(s[0], s[1]), rand.NewPCG(s[0], s[1])
		for i := 0; i < n; i++ {
			g, w := got(a), want(b)
			if math.Float64bits(g) != math.Float64bits(w) {
				require.Failf(t, "different draw", "%s seed %v draw %d: %v, reference %v", name, s, i, g, w)
			}
		}
		require.Equal(t, b.Uint64(), a.Uint64(), "%s seed %v: source left in a different state", name, s)
	}
}

func TestVariatesMatchReference(t *testing.T) {
	n := sweep(1_000_000) / len(seeds) // draws per seed; 10**6 per case in all
	sameStream(t, "Float64", n, Float64, func(s rand.Source) float64 { return rand.New(s).Float64() })
	sameStream(t, "NormFloat64", n, NormFloat64, func(s rand.Source) float64 { return rand.New(s).NormFloat64() })
	sameStream(t, "ExpFloat64", n, ExpFloat64, func(s rand.Source) float64 { return rand.New(s).ExpFloat64() })
	sameStream(t, "Uniform", n, func(s rand.Source) float64 { return Uniform(s, -3, 7.5) },
		func(s rand.Source) float64 { return distuv.Uniform{Min: -3, Max: 7.5, Src: s}.Rand() })
	sameStream(t, "Normal", n, func(s rand.Source) float64 { return Normal(s, 1.5, 0.3) },
		func(s rand.Source) float64 { return distuv.Normal{Mu: 1.5, Sigma: 0.3, Src: s}.Rand() })
	sameStream(t, "LogNormal", n, func(s rand.Source) float64 { return LogNormal(s, -0.2, 0.8) },
		func(s rand.Source) float64 { return distuv.LogNormal{Mu: -0.2, Sigma: 0.8, Src: s}.Rand() })
}

func TestGammaMatchesReference(t *testing.T) {
	n := sweep(1_000_000) / len(seeds)
	for _, c := range []struct{ alpha, beta float64 }{
		{0.01, 1}, {0.1, 2}, {0.199, 1}, // Liu, Martin & Syring
		{0.2, 1}, {0.5, 1}, {0.9, 3}, // Marsaglia & Tsang with the U**(1/alpha) boost
		{1, 1}, {1, 0.25}, // exponential
		{1.5, 1}, {2, 1}, {6, 2}, {100, 1}, {1e4, 0.5}, // Marsaglia & Tsang
	} {
		c := c
		sameStream(t, "Gamma", n, func(s rand.Source) float64 { return Gamma(s, c.alpha, c.beta) },
			func(s rand.Source) float64 { return distuv.Gamma{Alpha: c.alpha, Beta: c.beta, Src: s}.Rand() })
	}
}

func TestBetaMatchesReference(t *testing.T) {
	n := sweep(1_000_000) / len(seeds)
	for _, c := range [][2]float64{{2, 6}, {0.5, 0.5}, {1, 3}, {0.1, 0.15}, {30, 0.7}, {1, 1}} {
		c := c
		sameStream(t, "Beta", n, func(s rand.Source) float64 { return Beta(s, c[0], c[1]) },
			func(s rand.Source) float64 { return distuv.Beta{Alpha: c[0], Beta: c[1], Src: s}.Rand() })
	}
}

func TestNormalQuantileMatchesReference(t *testing.T) {
	ps := quantileInputs()
	sameBits(t, "NormalQuantile", ps, NormalQuantile, distuv.Normal{Mu: 0, Sigma: 1}.Quantile)
	assert.True(t, math.IsNaN(NormalQuantile(math.NaN())))
}

// reference is the set of reference implementations of the digests.
var reference = impls{
	log: math.Log, exp: math.Exp, log2: math.Log2, exp2: math.Exp2, log1p: math.Log1p,
	normalQuantile: distuv.Normal{Mu: 0, Sigma: 1}.Quantile,
	sincos:         math.Sincos,
	studentsTQuantile: func(nu, p float64) float64 {
		return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: nu}.Quantile(p)
	},
	float64:     func(s rand.Source) float64 { return rand.New(s).Float64() },
	normFloat64: func(s rand.Source) float64 { return rand.New(s).NormFloat64() },
	expFloat64:  func(s rand.Source) float64 { return rand.New(s).ExpFloat64() },
	uniform:     func(s rand.Source, a, b float64) float64 { return distuv.Uniform{Min: a, Max: b, Src: s}.Rand() },
	normal:      func(s rand.Source, a, b float64) float64 { return distuv.Normal{Mu: a, Sigma: b, Src: s}.Rand() },
	logNormal:   func(s rand.Source, a, b float64) float64 { return distuv.LogNormal{Mu: a, Sigma: b, Src: s}.Rand() },
	gamma:       func(s rand.Source, a, b float64) float64 { return distuv.Gamma{Alpha: a, Beta: b, Src: s}.Rand() },
	beta:        func(s rand.Source, a, b float64) float64 { return distuv.Beta{Alpha: a, Beta: b, Src: s}.Rand() },
}

// TestReferenceDigests recomputes the constants of digestCases from the
// references (on a CPU without FMA math.Exp is not the reference: skipped).
func TestReferenceDigests(t *testing.T) {
	if !refExpTakesFMAPath(t) {
		t.Skip("math.Exp takes its non-FMA path on this CPU")
	}
	for _, c := range digestCases {
		got := c.f(reference)
		t.Logf("%s: %#x", c.name, got)
		assert.Equal(t, c.want, got, "%s: reference digest %#x, recorded %#x", c.name, got, c.want)
	}
}

func TestStudentsTQuantileMatchesReference(t *testing.T) {
	nus, ps := studentsTGrid(), studentsTProbs()
	bad, n := 0, 0
	for _, nu := range nus {
		ref := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: nu}
		for _, p := range ps {
			got, want := StudentsTQuantile(nu, p), ref.Quantile(p)
			n++
			if math.Float64bits(got) != math.Float64bits(want) {
				if bad < 10 {
					t.Errorf("StudentsTQuantile(%v, %v) = %v, reference %v", nu, p, got, want)
				}
				bad++
			}
		}
	}
	require.Zero(t, bad, "StudentsTQuantile: %d of %d differ", bad, n)
	t.Logf("StudentsTQuantile: %d (nu, p) pairs (%d nu), all bit-identical to the reference", n, len(nus))
}

func TestLgammaMatchesReference(t *testing.T) {
	r := rand.NewPCG(12, 12)
	var xs []float64
	for i := 0; i < sweep(1_000_000); i++ {
		xs = append(xs, between(unit(r), 0, 10), math.Ldexp(unit(r)+0.5, int(r.Uint64()%140)-75))
	}
	xs = append(xs, 1, 2, 3, 7.999999, 8, 0x1p58, 1e300, math.SmallestNonzeroFloat64, 0.9, 1.4616321449683622)
	sameBits(t, "lgamma", xs, lgamma, func(x float64) float64 { v, _ := math.Lgamma(x); return v })
}

func TestIncbetIncbiMatchReference(t *testing.T) {
	r := rand.NewPCG(13, 13)
	n := sweep(100_000)
	bad := 0
	for i := 0; i < n; i++ {
		a := math.Ldexp(unit(r)+0.5, int(r.Uint64()%30)-8) // about 2**-9 to 2**22
		b := 0.5
		if i%2 == 1 {
			b = math.Ldexp(unit(r)+0.5, int(r.Uint64()%12)-8)
		}
		x := unit(r)
		if g, w := incbet(a, b, x), mathext.RegIncBeta(a, b, x); math.Float64bits(g) != math.Float64bits(w) {
			if bad < 5 {
				t.Errorf("incbet(%v, %v, %v) = %v, reference %v", a, b, x, g, w)
			}
			bad++
		}
		if b > 1 && a > 1 {
			continue // the starting point incbi does not port
		}
		if i%7 < 2 { // incbi is slower; both b = 1/2 and other b
			if g, w := incbi(a, b, x), mathext.InvRegIncBeta(a, b, x); math.Float64bits(g) != math.Float64bits(w) {
				if bad < 5 {
					t.Errorf("incbi(%v, %v, %v) = %v, reference %v", a, b, x, g, w)
				}
				bad++
			}
		}
	}
	require.Zero(t, bad)
}
