package dist

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"mcfem/detmath"
	"mcfem/internal/bounded"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// Dist is the distribution of a sample's scalar random input ε, with its exact moments where
// they are known (NaN otherwise).
type Dist interface {
	// Draw returns sample i's value, drawing from src (seeded for sample i) when random.
	Draw(i int, src rand.Source) float64
	Mean() float64
	Variance() float64
	Skewness() float64
	// ExKurtosis is the excess kurtosis, μ4/σ⁴ - 3.
	ExKurtosis() float64
	// PDF is the probability density at x, or nil when there is none.
	PDF() func(x float64) float64
	// Len is the number of values of a list, 0 for a random distribution.
	Len() int
	String() string
	// Key identifies the distribution's values for journals: the parameters, or a digest of
	// a list's values (not its path).
	Key() string
}

// Parse parses the -dist value: beta:a,b, uniform:a,b, normal:mu,sigma, lognormal:mu,sigma
// or list:FILE (one value per line, '#' comments and blank lines allowed; a relative FILE is
// relative to dir).
func Parse(s, dir string) (Dist, error) {
	kind, args, ok := strings.Cut(s, ":")
	if !ok {
		return nil, fmt.Errorf("dist: %q: want kind:parameters, e.g. beta:2,6 (kinds: beta, uniform, normal, lognormal, list)", s)
	}
	if kind == "list" {
		if args == "" {
			return nil, fmt.Errorf("dist: %q: want list:FILE, a file of values one per line", s)
		}
		path := args
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		l, err := ReadList(path)
		if err == nil {
			l.Path = args // as given: the report echoes the configuration, not this machine's paths
		}
		return l, err
	}
	fs := strings.Split(args, ",")
	var a, b float64
	var err1, err2 error
	if len(fs) == 2 {
		a, err1 = strconv.ParseFloat(strings.TrimSpace(fs[0]), 64)
		b, err2 = strconv.ParseFloat(strings.TrimSpace(fs[1]), 64)
	}
	f, known := families[kind]
	switch {
	case !known:
		return nil, fmt.Errorf("dist: %q: unknown kind %q (kinds: beta, uniform, normal, lognormal, list)", s, kind)
	case len(fs) != 2 || err1 != nil || err2 != nil || !finite(a) || !finite(b) || !f.valid(a, b):
		return nil, fmt.Errorf("dist: %q: want %s", s, f.want)
	}
	if p := f.unsafe(a, b); !(p <= MaxUnsafe) {
		return nil, fmt.Errorf("dist: %q: a draw is 0 < |ε| < %g or |ε| > %g with probability %.2g, where a solve's sums of squares underflow or overflow (or the draw is NaN): want at most %g; %s",
			s, MinMagnitude, MaxMagnitude, p, MaxUnsafe, f.safe)
	}
	return Random{Kind: kind, A: a, B: b}, nil
}

// The magnitudes of ε a solve can use: a sample's load (and, in a problem file, its
// conductivity) scales with ε and the solver forms sums of their squares, which overflow
// beyond |ε| ≈ 1e150 and underflow to 0 (a CG breakdown p'Ap = 0) below |ε| ≈ 1e-150 on the
// meshes mcfem solves. A distribution is refused when a draw falls outside
// [MinMagnitude, MaxMagnitude] (or 0) with probability more than MaxUnsafe: a campaign of
// 10⁷ samples then meets one with probability below 10⁻⁷. The same bounds hold for the
// values of a list.
const (
	MinMagnitude = 1e-100
	MaxMagnitude = 1e100
	MaxUnsafe    = 1e-14
)

// usable reports whether a value of ε is 0 or within [MinMagnitude, MaxMagnitude] in magnitude.
func usable(v float64) bool {
	m := math.Abs(v)
	return m == 0 || (m >= MinMagnitude && m <= MaxMagnitude)
}

// normalTail is P(Z > z) for a standard normal Z, accurate far into the tail.
func normalTail(z float64) float64 {
	return float64(0.5 * math.Erfc(z/math.Sqrt2)) // rounded: callers add tails, no fused multiply-add
}

// normalBand is P(lo < mu + sigma·Z < hi).
func normalBand(mu, sigma, lo, hi float64) float64 {
	if bound := (hi - lo) / sigma / math.Sqrt(2*math.Pi); bound <= MaxUnsafe/2 {
		return bound // the density is at most 1/(σ√(2π)): small enough without the difference
	}
	return math.Max(0, normalTail((lo-mu)/sigma)-normalTail((hi-mu)/sigma))
}

// overlap is the length of [a, b] ∩ [lo, hi].
func overlap(a, b, lo, hi float64) float64 { return math.Max(0, math.Min(b, hi)-math.Max(a, lo)) }

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Random is a parametric distribution, as -dist writes it: Kind:A,B with Kind one of
//
//	beta       Beta(A, B) on [0, 1], A, B > 0 (the seed's input is Beta(2, 6))
//	uniform    uniform on [A, B], A < B
//	normal     N(A, B²): mean A, standard deviation B > 0
//	lognormal  exp(X), X ~ N(A, B²), 0 < B < 20
//
// Its draws are gonum's distuv algorithms computed by detmath (the same bits on every build).
// Its exact moments are gonum's where gonum's code has no product feeding a sum (Beta's mean
// and variance); elsewhere gonum's formulas with their products rounded before they are
// summed and detmath's exp, whose bits depend neither on the build nor on the CPU (gonum's own
// are compiled with the build's fused multiply-adds and call math.Exp).
type Random struct {
	Kind string
	A, B float64
}

// Beta returns the Beta(a, b) distribution.
func Beta(a, b float64) Random { return Random{Kind: "beta", A: a, B: b} }

// family is a Kind of Random: the range of its parameters and its formulas, as functions of
// the parameters a = A and b = B.
type family struct {
	want  string // the parameters' range, for Parse's error
	valid func(a, b float64) bool
	// unsafe is the probability that a draw is not usable (0 < |ε| < MinMagnitude or
	// |ε| > MaxMagnitude, or NaN), from the distribution's tails; safe says which parameters
	// keep it below MaxUnsafe, for Parse's error.
	unsafe                               func(a, b float64) float64
	safe                                 string
	draw                                 func(src rand.Source, a, b float64) float64
	mean, variance, skewness, exKurtosis func(a, b float64) float64
	pdf                                  func(a, b float64) func(x float64) float64
	// quantile is the inverse distribution function, by detmath (the same bits on every
	// build); cdf the distribution function, gonum's (plots only).
	quantile func(a, b, p float64) float64
	cdf      func(a, b float64) func(x float64) float64
}

// families are the Kinds of Random. Their draws are detmath's; their densities gonum's.
var families = map[string]family{
	"beta": {
		want:  "beta:a,b with a, b > 0",
		valid: func(a, b float64) bool { return a > 0 && b > 0 },
		// P(X < t) ≈ t^a / (a B(a, b)) for small t, in logarithms; shapes beyond 1e100 make the
		// gamma variates' sum overflow (Inf/Inf = NaN).
		unsafe: func(a, b float64) float64 {
			if a > MaxMagnitude || b > MaxMagnitude {
				return 1
			}
			la, _ := math.Lgamma(a)
			lb, _ := math.Lgamma(b)
			lab, _ := math.Lgamma(a + b)
			return math.Min(1, math.Exp(float64(a*math.Log(MinMagnitude))-math.Log(a)-(la+lb-lab))) // rounded product: no FMA
		},
		safe: "shapes a, b in [0.15, 1e100] are safe (a smaller a puts mass near 0, where both gamma variates of a draw also underflow to 0/0 = NaN)",
		draw: detmath.Beta,
		// A/(A+B) and AB/((A+B)²(A+B+1)), by gonum.
		mean:     func(a, b float64) float64 { return distuv.Beta{Alpha: a, Beta: b}.Mean() },
		variance: func(a, b float64) float64 { return distuv.Beta{Alpha: a, Beta: b}.Variance() },
		// 2(B−A)√(A+B+1) / ((A+B+2)√(AB))
		skewness: func(a, b float64) float64 { return 2 * (b - a) * math.Sqrt(a+b+1) / ((a + b + 2) * math.Sqrt(a*b)) },
		// 6((A−B)²(A+B+1) − AB(A+B+2)) / (AB(A+B+2)(A+B+3))
		exKurtosis: func(a, b float64) float64 {
			return 6 * (float64((a-b)*(a-b)*(a+b+1)) - float64(a*b*(a+b+2))) / (a * b * (a + b + 2) * (a + b + 3))
		},
		pdf:      func(a, b float64) func(float64) float64 { return distuv.Beta{Alpha: a, Beta: b}.Prob },
		quantile: detmath.BetaQuantile,
		cdf:      func(a, b float64) func(float64) float64 { return distuv.Beta{Alpha: a, Beta: b}.CDF },
	},
	"uniform": {
		want:  "uniform:a,b with a < b",
		valid: func(a, b float64) bool { return a < b },
		unsafe: func(a, b float64) float64 {
			w := b - a
			if math.IsInf(w, 0) {
				return 1 // the draw U·(b−a) + a overflows
			}
			bad := overlap(a, b, math.Inf(-1), -MaxMagnitude) + overlap(a, b, MaxMagnitude, math.Inf(1)) +
				overlap(a, b, -MinMagnitude, MinMagnitude)
			return bad / w
		},
		safe:       "bounds within ±1e100 whose range reaches beyond 1e-100 are safe",
		draw:       detmath.Uniform,
		mean:       func(a, b float64) float64 { return (a + b) / 2 },
		variance:   func(a, b float64) float64 { return (b - a) * (b - a) / 12 },
		skewness:   func(a, b float64) float64 { return 0 },
		exKurtosis: func(a, b float64) float64 { return -1.2 },
		pdf:        func(a, b float64) func(float64) float64 { return distuv.Uniform{Min: a, Max: b}.Prob },
		quantile:   func(a, b, p float64) float64 { return a + float64((b-a)*p) },
		cdf:        func(a, b float64) func(float64) float64 { return distuv.Uniform{Min: a, Max: b}.CDF },
	},
	"normal": {
		want:  "normal:mu,sigma with sigma > 0",
		valid: func(a, b float64) bool { return b > 0 },
		unsafe: func(a, b float64) float64 {
			return normalTail((MaxMagnitude-a)/b) + normalTail((MaxMagnitude+a)/b) + normalBand(a, b, -MinMagnitude, MinMagnitude)
		},
		safe:       "|mu| + 8 sigma ≤ 1e100 with max(|mu|, sigma) ≥ 1e-85 is safe",
		draw:       detmath.Normal,
		mean:       func(a, b float64) float64 { return a },
		variance:   func(a, b float64) float64 { return b * b },
		skewness:   func(a, b float64) float64 { return 0 },
		exKurtosis: func(a, b float64) float64 { return 0 },
		pdf:        func(a, b float64) func(float64) float64 { return distuv.Normal{Mu: a, Sigma: b}.Prob },
		quantile:   func(a, b, p float64) float64 { return a + float64(b*detmath.NormalQuantile(p)) },
		cdf:        func(a, b float64) func(float64) float64 { return distuv.Normal{Mu: a, Sigma: b}.CDF },
	},
	"lognormal": {
		want:  "lognormal:mu,sigma with 0 < sigma < 20 (the parameters of log ε)",
		valid: func(a, b float64) bool { return b > 0 && b < 20 },
		// log ε ~ N(a, b²) must stay within ±log 1e100 ≈ ±230.
		unsafe: func(a, b float64) float64 {
			return normalTail((math.Log(MaxMagnitude)-a)/b) + normalTail((a-math.Log(MinMagnitude))/b)
		},
		safe: "|mu| + 8 sigma ≤ 230 is safe",
		draw: detmath.LogNormal,
		// exp(A + B²/2) and (exp(B²) − 1) exp(2A + B²)
		mean: func(a, b float64) float64 { return detmath.Exp(a + float64(0.5*b*b)) },
		variance: func(a, b float64) float64 {
			s2 := float64(b * b)
			return (detmath.Exp(s2) - 1) * detmath.Exp(float64(2*a)+s2)
		},
		// (exp(B²) + 2) √(exp(B²) − 1) and exp(4B²) + 2exp(3B²) + 3exp(2B²) − 6
		skewness: func(a, b float64) float64 {
			e := detmath.Exp(float64(b * b))
			return (e + 2) * math.Sqrt(e-1)
		},
		exKurtosis: func(a, b float64) float64 {
			s2 := float64(b * b)
			return detmath.Exp(float64(4*s2)) + float64(2*detmath.Exp(float64(3*s2))) + float64(3*detmath.Exp(float64(2*s2))) - 6
		},
		pdf:      func(a, b float64) func(float64) float64 { return distuv.LogNormal{Mu: a, Sigma: b}.Prob },
		quantile: func(a, b, p float64) float64 { return detmath.Exp(a + float64(b*detmath.NormalQuantile(p))) },
		cdf:      func(a, b float64) func(float64) float64 { return distuv.LogNormal{Mu: a, Sigma: b}.CDF },
	},
}

// Draw draws from src (sample i's stream; i is not used).
func (d Random) Draw(_ int, src rand.Source) float64 { return families[d.Kind].draw(src, d.A, d.B) }

// Mean is the exact mean.
func (d Random) Mean() float64 { return families[d.Kind].mean(d.A, d.B) }

// Variance is the exact variance.
func (d Random) Variance() float64 { return families[d.Kind].variance(d.A, d.B) }

// Skewness is the exact skewness.
func (d Random) Skewness() float64 { return families[d.Kind].skewness(d.A, d.B) }

// ExKurtosis is the exact excess kurtosis μ4/σ⁴ − 3.
func (d Random) ExKurtosis() float64 { return families[d.Kind].exKurtosis(d.A, d.B) }

// PDF is gonum's density of the distribution (for plots).
func (d Random) PDF() func(float64) float64 { return families[d.Kind].pdf(d.A, d.B) }

// Len is 0: the distribution is random.
func (Random) Len() int { return 0 }

// Key is String: the parameters determine the draws.
func (d Random) Key() string { return d.String() }

// String returns the distribution as -dist writes it, e.g. "beta:2,6".
func (d Random) String() string { return fmt.Sprintf("%s:%g,%g", d.Kind, d.A, d.B) }

// List is a given list of values (the seed's heat_flux_list): sample i uses value i. Its
// moments are unknown a priori (NaN): the statistics are those of the list.
type List struct {
	Path   string
	Values []float64
}

// ReadList reads a list file: one value per line; blank lines and text after '#' are ignored.
// A file over bounded.List (64 MiB) is refused before it is read. Every value must be finite
// and usable (0, or a magnitude in [MinMagnitude, MaxMagnitude]). Errors name the file and,
// for its content, the line.
func ReadList(path string) (*List, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("dist: list: %s is a directory, not a file of values", path)
	}
	f, err := bounded.Open(path, bounded.List, "a list file")
	if err != nil {
		return nil, fmt.Errorf("dist: list: %w", err)
	}
	defer f.Close()
	l := &List{Path: path}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text, _, _ := strings.Cut(sc.Text(), "#")
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		v, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s:%d: dist: list: %q is not a finite number", path, line, text)
		}
		if !usable(v) {
			return nil, fmt.Errorf("%s:%d: dist: list: %s: want 0 or a magnitude in [%g, %g] (a solve's sums of squares of ε underflow or overflow beyond)", path, line, text, MinMagnitude, MaxMagnitude)
		}
		l.Values = append(l.Values, v)
	}
	if err := sc.Err(); err != nil {
		if bounded.IsTooLarge(err) {
			return nil, fmt.Errorf("dist: list: %w", err)
		}
		return nil, fmt.Errorf("%s:%d: dist: list: %w", path, line+1, err)
	}
	if len(l.Values) == 0 {
		return nil, fmt.Errorf("%s: dist: list: no values", path)
	}
	return l, nil
}

// Draw returns value i.
func (l *List) Draw(i int, _ rand.Source) float64 { return l.Values[i] }

// Mean is NaN: a list has no exact moments.
func (l *List) Mean() float64 { return math.NaN() }

// Variance is NaN.
func (l *List) Variance() float64 { return math.NaN() }

// Skewness is NaN.
func (l *List) Skewness() float64 { return math.NaN() }

// ExKurtosis is NaN.
func (l *List) ExKurtosis() float64 { return math.NaN() }

// PDF is nil.
func (l *List) PDF() func(float64) float64 { return nil }

// Len is the number of values.
func (l *List) Len() int { return len(l.Values) }

func (l *List) String() string { return "list:" + l.Path }

// Key is a digest of the values (SHA-256 of their bits), not of the path.
func (l *List) Key() string {
	h := sha256.New()
	binary.Write(h, binary.LittleEndian, l.Values) // the IEEE bits; writing to a hash never fails
	return fmt.Sprintf("list of %d values, sha256:%s", len(l.Values), hex.EncodeToString(h.Sum(nil))[:16])
}
