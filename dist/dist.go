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
	two := func(want string) (a, b float64, err error) {
		fs := strings.Split(args, ",")
		if len(fs) == 2 {
			a, err1 := strconv.ParseFloat(strings.TrimSpace(fs[0]), 64)
			b, err2 := strconv.ParseFloat(strings.TrimSpace(fs[1]), 64)
			if err1 == nil && err2 == nil && !math.IsNaN(a) && !math.IsNaN(b) && !math.IsInf(a, 0) && !math.IsInf(b, 0) {
				return a, b, nil
			}
		}
		return 0, 0, fmt.Errorf("dist: %q: want %s", s, want)
	}
	switch kind {
	case "beta":
		a, b, err := two("beta:a,b with a, b > 0")
		if err == nil && !(a > 0 && b > 0) {
			err = fmt.Errorf("dist: %q: want beta:a,b with a, b > 0", s)
		}
		return Beta{a, b}, err
	case "uniform":
		a, b, err := two("uniform:a,b with a < b")
		if err == nil && !(a < b) {
			err = fmt.Errorf("dist: %q: want uniform:a,b with a < b", s)
		}
		return Uniform{a, b}, err
	case "normal":
		m, sd, err := two("normal:mu,sigma with sigma > 0")
		if err == nil && !(sd > 0) {
			err = fmt.Errorf("dist: %q: want normal:mu,sigma with sigma > 0", s)
		}
		return Normal{m, sd}, err
	case "lognormal":
		m, sd, err := two("lognormal:mu,sigma with sigma > 0 (the parameters of log ε)")
		if err == nil && !(sd > 0 && sd < 20) {
			err = fmt.Errorf("dist: %q: want lognormal:mu,sigma with 0 < sigma < 20", s)
		}
		return LogNormal{m, sd}, err
	}
	return nil, fmt.Errorf("dist: %q: unknown kind %q (kinds: beta, uniform, normal, lognormal, list)", s, kind)
}

// Beta is the Beta(A, B) distribution on [0, 1]; the seed's input is Beta(2, 6).
type Beta struct{ A, B float64 }

func (d Beta) dist(src rand.Source) distuv.Beta { return distuv.Beta{Alpha: d.A, Beta: d.B, Src: src} }

// Draw draws two gamma variates (Marsaglia & Tsang 2000), as gonum's distuv.Beta does, with
// detmath's build-independent arithmetic.
func (d Beta) Draw(_ int, src rand.Source) float64 { return detmath.Beta(src, d.A, d.B) }

// Mean is A/(A+B).
func (d Beta) Mean() float64 { return d.dist(nil).Mean() }

// Variance is AB/((A+B)²(A+B+1)).
func (d Beta) Variance() float64 { return d.dist(nil).Variance() }

// Skewness is 2(B-A)√(A+B+1) / ((A+B+2)√(AB)).
func (d Beta) Skewness() float64 {
	a, b := d.A, d.B
	return 2 * (b - a) * math.Sqrt(a+b+1) / ((a + b + 2) * math.Sqrt(a*b))
}

// ExKurtosis is 6((A-B)²(A+B+1) - AB(A+B+2)) / (AB(A+B+2)(A+B+3)): gonum's formula, with its
// products rounded before the difference (gonum's own is compiled with the build's fused
// multiply-adds, so its last bit depends on the build).
func (d Beta) ExKurtosis() float64 {
	a, b := d.A, d.B
	return 6 * (float64((a-b)*(a-b)*(a+b+1)) - float64(a*b*(a+b+2))) / (a * b * (a + b + 2) * (a + b + 3))
}

// PDF is gonum's Beta density.
func (d Beta) PDF() func(float64) float64 { return d.dist(nil).Prob }

// Len is 0: Beta is random.
func (Beta) Len() int { return 0 }

// Key is String: the parameters determine the draws.
func (d Beta) Key() string { return d.String() }

func (d Beta) String() string { return fmt.Sprintf("beta:%g,%g", d.A, d.B) }

// Uniform is the uniform distribution on [A, B].
type Uniform struct{ A, B float64 }

func (d Uniform) dist(src rand.Source) distuv.Uniform {
	return distuv.Uniform{Min: d.A, Max: d.B, Src: src}
}

// Draw draws as gonum's distuv.Uniform does, with detmath's build-independent arithmetic.
func (d Uniform) Draw(_ int, src rand.Source) float64 { return detmath.Uniform(src, d.A, d.B) }

// Mean is (A+B)/2.
func (d Uniform) Mean() float64 { return (d.A + d.B) / 2 }

// Variance is (B-A)²/12.
func (d Uniform) Variance() float64 { return (d.B - d.A) * (d.B - d.A) / 12 }

// Skewness is 0.
func (Uniform) Skewness() float64 { return 0 }

// ExKurtosis is -6/5.
func (Uniform) ExKurtosis() float64 { return -1.2 }

// PDF is 1/(B-A) on [A, B].
func (d Uniform) PDF() func(float64) float64 { return d.dist(nil).Prob }

// Len is 0: Uniform is random.
func (Uniform) Len() int { return 0 }

// Key is String: the parameters determine the draws.
func (d Uniform) Key() string { return d.String() }

func (d Uniform) String() string { return fmt.Sprintf("uniform:%g,%g", d.A, d.B) }

// Normal is the normal distribution N(Mu, Sigma²).
type Normal struct{ Mu, Sigma float64 }

func (d Normal) dist(src rand.Source) distuv.Normal {
	return distuv.Normal{Mu: d.Mu, Sigma: d.Sigma, Src: src}
}

// Draw draws as gonum's distuv.Normal does (the ziggurat of math/rand/v2), with detmath's
// build-independent arithmetic.
func (d Normal) Draw(_ int, src rand.Source) float64 { return detmath.Normal(src, d.Mu, d.Sigma) }

// Mean is Mu.
func (d Normal) Mean() float64 { return d.Mu }

// Variance is Sigma².
func (d Normal) Variance() float64 { return d.Sigma * d.Sigma }

// Skewness is 0.
func (Normal) Skewness() float64 { return 0 }

// ExKurtosis is 0.
func (Normal) ExKurtosis() float64 { return 0 }

// PDF is gonum's normal density.
func (d Normal) PDF() func(float64) float64 { return d.dist(nil).Prob }

// Len is 0: Normal is random.
func (Normal) Len() int { return 0 }

// Key is String: the parameters determine the draws.
func (d Normal) Key() string { return d.String() }

func (d Normal) String() string { return fmt.Sprintf("normal:%g,%g", d.Mu, d.Sigma) }

// LogNormal is the distribution of ε = exp(X), X ~ N(Mu, Sigma²).
type LogNormal struct{ Mu, Sigma float64 }

func (d LogNormal) dist(src rand.Source) distuv.LogNormal {
	return distuv.LogNormal{Mu: d.Mu, Sigma: d.Sigma, Src: src}
}

// Draw draws as gonum's distuv.LogNormal does, with detmath's build-independent arithmetic.
func (d LogNormal) Draw(_ int, src rand.Source) float64 { return detmath.LogNormal(src, d.Mu, d.Sigma) }

// The log-normal moments are gonum's distuv.LogNormal formulas with detmath's exp and their
// products rounded before they are summed: gonum's own use math.Exp, whose bits depend on the
// CPU, and are compiled with the build's fused multiply-adds.

// Mean is exp(Mu + Sigma²/2).
func (d LogNormal) Mean() float64 { return detmath.Exp(d.Mu + float64(0.5*d.Sigma*d.Sigma)) }

// Variance is (exp(Sigma²) - 1) exp(2Mu + Sigma²).
func (d LogNormal) Variance() float64 {
	s2 := float64(d.Sigma * d.Sigma)
	return (detmath.Exp(s2) - 1) * detmath.Exp(float64(2*d.Mu)+s2)
}

// Skewness is (exp(Sigma²) + 2) √(exp(Sigma²) - 1).
func (d LogNormal) Skewness() float64 {
	e := detmath.Exp(float64(d.Sigma * d.Sigma))
	return (e + 2) * math.Sqrt(e-1)
}

// ExKurtosis is exp(4Sigma²) + 2exp(3Sigma²) + 3exp(2Sigma²) - 6.
func (d LogNormal) ExKurtosis() float64 {
	s2 := float64(d.Sigma * d.Sigma)
	return detmath.Exp(float64(4*s2)) + float64(2*detmath.Exp(float64(3*s2))) + float64(3*detmath.Exp(float64(2*s2))) - 6
}

// PDF is gonum's log-normal density.
func (d LogNormal) PDF() func(float64) float64 { return d.dist(nil).Prob }

// Len is 0: LogNormal is random.
func (LogNormal) Len() int { return 0 }

// Key is String: the parameters determine the draws.
func (d LogNormal) Key() string { return d.String() }

func (d LogNormal) String() string { return fmt.Sprintf("lognormal:%g,%g", d.Mu, d.Sigma) }

// List is a given list of values (the seed's heat_flux_list): sample i uses value i. Its
// moments are unknown a priori (NaN): the statistics are those of the list.
type List struct {
	Path   string
	Values []float64
}

// maxListValues bounds a list file's length (one float64 per value in memory).
const maxListValues = 1 << 28

// ReadList reads a list file: one value per line; blank lines and text after '#' are ignored.
// Errors name the file and line.
func ReadList(path string) (*List, error) {
	f, err := os.Open(path)
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
		if len(l.Values) == maxListValues {
			return nil, fmt.Errorf("%s:%d: dist: list: more than %d values", path, line, maxListValues)
		}
		l.Values = append(l.Values, v)
	}
	if err := sc.Err(); err != nil {
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
	var b [8]byte
	for _, v := range l.Values {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		h.Write(b[:])
	}
	return fmt.Sprintf("list of %d values, sha256:%s", len(l.Values), hex.EncodeToString(h.Sum(nil))[:16])
}
