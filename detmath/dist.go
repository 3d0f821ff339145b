package detmath

import (
	"math"
	"math/rand/v2"
)

// Uniform returns a variate uniform on [min, max) drawn from src, equal to
// gonum's distuv.Uniform{Min: min, Max: max, Src: src}.Rand():
// Float64(src)*(max-min) + min with the product rounded. It consumes one
// word of src.
func Uniform(src rand.Source, min, max float64) float64 {
	return float64(Float64(src)*(max-min)) + min
}

// Normal returns a normal variate with mean mu and standard deviation sigma
// drawn from src, equal to gonum's distuv.Normal{Mu: mu, Sigma: sigma,
// Src: src}.Rand(): NormFloat64(src)*sigma + mu with the product rounded.
func Normal(src rand.Source, mu, sigma float64) float64 {
	return float64(NormFloat64(src)*sigma) + mu
}

// LogNormal returns a log-normal variate (the exponential of a normal one
// with mean mu and standard deviation sigma) drawn from src, equal to
// gonum's distuv.LogNormal{Mu: mu, Sigma: sigma, Src: src}.Rand():
// Exp(NormFloat64(src)*sigma + mu) with the product rounded.
func LogNormal(src rand.Source, mu, sigma float64) float64 {
	return Exp(float64(NormFloat64(src)*sigma) + mu)
}

// Gamma returns a gamma variate with shape alpha and rate beta (mean
// alpha/beta) drawn from src, equal to gonum's distuv.Gamma{Alpha: alpha,
// Beta: beta, Src: src}.Rand(), consuming the same words of src:
//
//   - alpha == 1: ExpFloat64(src)/beta.
//   - alpha < 0.2: the rejection sampler of Liu, Martin & Syring (2017),
//     "Simulating from a gamma distribution with small shape parameter",
//     Comput. Stat. 32, in gonum's log-space form.
//   - alpha >= 0.2: Marsaglia & Tsang (2000), "A simple method for
//     generating gamma variables", ACM TOMS 26(3), boosted by U**(1/alpha)
//     when alpha < 1.
//
// It panics unless alpha > 0 and beta > 0 (gonum panics likewise, but lets
// a NaN beta through).
func Gamma(src rand.Source, alpha, beta float64) float64 {
	checkSource(src)
	if !(beta > 0) {
		panic("detmath: Gamma rate beta must be > 0")
	}
	if !(alpha > 0) {
		panic("detmath: Gamma shape alpha must be > 0")
	}
	return gamma(src, alpha, beta)
}

// gamma is Gamma without the argument checks.
func gamma(src rand.Source, a, b float64) float64 {
	// Threshold from Liu, Martin & Syring's reference code (rgamss.R).
	const smallAlphaThresh = 0.2
	switch {
	case a == 1:
		return ExpFloat64(src) / b
	case a < smallAlphaThresh:
		lambda := 1/a - 1
		lr := -log1p(1 / lambda / math.E)
		for {
			e := ExpFloat64(src)
			var z float64
			if e >= -lr {
				z = e + lr
			} else {
				z = -ExpFloat64(src) / lambda
			}
			eza := Exp(-z / a)
			lh := -z - eza
			var lEta float64
			if z >= 0 {
				lEta = -z
			} else {
				lEta = -1 + float64(lambda*z)
			}
			if lh-lEta > -ExpFloat64(src) {
				return eza / b
			}
		}
	default:
		d := a - 1.0/3
		m := 1.0
		if a < 1 {
			d += 1.0
			m = Pow(Float64(src), 1/a)
		}
		c := 1 / (3 * math.Sqrt(d))
		for {
			x := NormFloat64(src)
			v := 1 + float64(x*c)
			if v <= 0.0 {
				continue
			}
			v = float64(v * v * v) // rounded: 1 - v below
			u := Float64(src)
			if u < 1.0-float64(0.0331*(x*x)*(x*x)) {
				return m * d * v / b
			}
			if Log(u) < float64(0.5*x*x)+float64(d*(1-v+Log(v))) {
				return m * d * v / b
			}
		}
	}
}

// Beta returns a beta variate with shape parameters a and b drawn from src,
// equal to gonum's distuv.Beta{Alpha: a, Beta: b, Src: src}.Rand(): two
// gamma variates, x = Gamma(a, 1) then y = Gamma(b, 1), and x/(x+y). It
// panics unless a > 0 and b > 0.
func Beta(src rand.Source, a, b float64) float64 {
	checkSource(src)
	if !(a > 0) || !(b > 0) {
		panic("detmath: Beta shape parameters must be > 0")
	}
	ga := gamma(src, a, 1)
	gb := gamma(src, b, 1)
	return ga / (ga + gb)
}
