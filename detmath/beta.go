package detmath

import "math"

// BetaQuantile returns the p-quantile of the beta distribution with shapes a
// and b: the x in [0, 1] at which the regularized incomplete beta function
// I_x(a, b) (Cephes' incbet, as gonum's mathext.RegIncBeta) reaches p.
//
// It solves the equation in the tail that holds the smaller probability,
//
//	I_x(a, b) = p                 for p <= 1/2,
//	1 - I_x(a, b) = 1 - p         for p > 1/2 (1 - p is exact there),
//
// with each side of I computed directly rather than as 1 minus the other, so
// that a quantile near either end is as accurate as a central one. The
// iteration is a safeguarded Newton method on a bracket that starts as
// [0, 1]: a Newton step that would leave the bracket or that fails to halve
// the previous step is replaced by a bisection of the bracket's float64 bit
// patterns (a geometric bisection near 0, which pins any quantile to one ulp
// in at most 63 steps). It stops when a Newton step is at most one ulp, or
// when the bracket is one ulp wide (then returning the end whose residual is
// smaller). The start is the Cornish–Fisher-type approximation of
// Abramowitz and Stegun 26.5.22 through the normal quantile when a, b > 1,
// else the power-law tail approximation x**a / (a B(a, b)) of the lower
// tail or (1-x)**b / (b B(a, b)) of the upper one, whichever tail holds p
// (the start of Press et al., Numerical Recipes, 3rd ed., §6.14.2).
//
// gonum's distuv.Beta.Quantile (Cephes' incbi) gives the same values to
// about 1e-14 where it converges, but it loses the upper tail: for p within
// about 1e-10 of 1 and a small a or a large b its result can be wrong in the
// first digit (Beta(0.5, 80) at p = 1 - 1e-10: gonum 0.9999999997, the
// quantile 0.2306). Every operation here is exact, correctly rounded, or one
// of this package's functions, with every product rounded before it is
// summed, so the bits are the same on every build.
//
// BetaQuantile(a, b, 0) = 0, BetaQuantile(a, b, 1) = 1 and
// BetaQuantile(a, b, NaN) = NaN. It panics if p < 0 or p > 1, or unless
// a > 0, b > 0 and a + b is finite.
func BetaQuantile(a, b, p float64) float64 {
	if p < 0 || p > 1 {
		panic("detmath: BetaQuantile probability out of [0, 1]")
	}
	if !(a > 0) || !(b > 0) || math.IsInf(a+b, 1) {
		panic("detmath: BetaQuantile needs a, b > 0 with a + b finite")
	}
	switch {
	case p != p:
		return p
	case p == 0:
		return 0
	case p == 1:
		return 1
	}
	return betaQuantile(a, b, p)
}

// betaQuantileMaxIter bounds BetaQuantile's iterations: bisection alone
// brackets any quantile to one ulp in at most 63 steps, and every Newton
// step that does not halve the previous one is followed by a bisection.
const betaQuantileMaxIter = 200

// betaQuantile is BetaQuantile for 0 < p < 1.
func betaQuantile(a, b, p float64) float64 {
	x, _ := betaQuantileIter(a, b, p)
	return x
}

// betaQuantileIter is betaQuantile that also returns the number of
// residuals it computed (for tests).
func betaQuantileIter(a, b, p float64) (float64, int) {
	upper := p > 0.5
	q := 1 - p // exact for p >= 1/2 (Sterbenz); only a start's input below
	s := p     // the target: the smaller tail probability
	if upper {
		s = q
	}
	lbab := lbeta(a, b)
	lo, hi := 0.0, 1.0
	rlo, rhi := -p, q // the residuals at 0 and 1
	x := betaQuantileStart(a, b, p, q, lbab)
	switch {
	case x >= 1: // the start rounds to 1: the largest float64 below
		x = 1 - 0x1p-53
	case x <= 0: // the start underflows
		x = math.SmallestNonzeroFloat64
	case !(x > 0): // NaN
		x = bitMid(lo, hi)
	}
	step := 1.0        // the previous step's size: the bracket's width to begin with
	polish := false    // whether x came from a Newton step near the root
	xp, rp := 0.0, 0.0 // that step's origin and its |residual|
	n := 0
	for n < betaQuantileMaxIter {
		t, r := betaTail(a, b, x, s, upper)
		n++
		if polish && !(math.Abs(r) < float64(0.5*rp)) {
			// Newton's method near the root at least halves the residual,
			// unless the residual is down to the resolution of incbet
			// (Cephes' incbet resolves I to about 1e-14 relative in places,
			// and 1 - x near 1 only to its ulp): the better of the two.
			if math.Abs(r) < rp {
				return x, n
			}
			return xp, n
		}
		switch {
		case r == 0:
			return x, n
		case r < 0:
			lo, rlo = x, r
		default:
			hi, rhi = x, r
		}
		if math.Float64bits(hi)-math.Float64bits(lo) <= 1 {
			break
		}
		next, d, near, ok := betaNewton(a, b, x, t, r, s, lbab, upper)
		if ok && (math.Abs(d) <= ulp(x) || near && math.Abs(d) <= float64(64*ulp(x))) {
			// Converged: the Newton step is within an ulp, or within 64
			// ulps where t is within 1e-6 of s (the linearization's error
			// is then far below an ulp): x corrected by that step.
			if x1 := x - d; x1 >= lo && x1 <= hi {
				return x1, n
			}
			return x, n
		}
		polish = ok && near
		if !ok || !(next > lo && next < hi) || math.Abs(next-x) > float64(0.5*step) {
			next = bitMid(lo, hi)
			polish = false
		}
		xp, rp = x, math.Abs(r)
		step = math.Abs(next - x)
		x = next
	}
	if -rlo <= rhi {
		return lo, n
	}
	return hi, n
}

// betaTail returns, at x in (0, 1), the tail of Beta(a, b) on the side
// BetaQuantile solves on, t = I_x(a, b) or, when upper, 1 - I_x(a, b), each
// computed directly, and the residual r, t - s or s - t, increasing in x.
func betaTail(a, b, x, s float64, upper bool) (t, r float64) {
	t, flip := incbetSide(a, b, x)
	if upper {
		if !flip {
			t = 1 - t
		}
		return t, s - t
	}
	if flip {
		t = 1 - t
	}
	return t, t - s
}

// betaNewton returns the next iterate from x, where the tail is t and the
// residual r, the Newton step d = r/density for r in x, whether x is near
// the root (t/s within 1 ± 2**-20), or false if the density underflows or
// overflows. Near the root the next iterate is x - d; farther, it is a
// Newton step for log(t/s) in log x (lower tail) or in log(1-x) (upper
// tail), which is exact for the power-law tails near 0 and 1 and for an
// exponential upper tail, where steps in x crawl.
func betaNewton(a, b, x, t, r, s, lbab float64, upper bool) (next, d float64, near, ok bool) {
	dens := Exp(float64((a-1)*Log(x)) + float64((b-1)*log1p(-x)) - lbab)
	if !(dens > 0 && dens <= math.MaxFloat64) {
		return 0, 0, false, false
	}
	d = r / dens
	if !(math.Abs(d) <= math.MaxFloat64) {
		return 0, 0, false, false
	}
	if k := Log(t / s); math.Abs(k) > 0x1p-20 {
		if upper {
			y := 1 - x
			return 1 - float64(y*Exp(-(k*t)/float64(y*dens))), d, false, true
		}
		return float64(x * Exp(-(k*t)/float64(x*dens))), d, false, true
	}
	return x - d, d, true, true
}

// betaQuantileStart returns a first approximation to the p-quantile of
// Beta(a, b), q = 1 - p, lbab = log B(a, b); it may fall outside (0, 1).
func betaQuantileStart(a, b, p, q, lbab float64) float64 {
	if a > 1 && b > 1 {
		// Abramowitz and Stegun 26.5.22 in the tail that holds the smaller
		// probability s: x = a'/(a' + b' exp(2w)) for (a', b') = (a, b), or
		// 1 - x for (b, a), with y the normal quantile of 1 - s.
		aa, bb, s := a, b, p
		if p > 0.5 {
			aa, bb, s = b, a, q
		}
		y := -NormalQuantile(s)
		lam := (float64(y*y) - 3) / 6
		ia, ib := 1/(float64(2*aa)-1), 1/(float64(2*bb)-1)
		h := 2 / (ia + ib)
		w := float64(y*math.Sqrt(h+lam))/h - float64((ib-ia)*(lam+5.0/6-2/float64(3*h)))
		x := aa / (aa + float64(bb*Exp(float64(2*w))))
		if p > 0.5 {
			return 1 - x
		}
		return x
	}
	// The power laws I_x(a, b) ~ x**a / (a B) near 0 and
	// 1 - I_x(a, b) ~ (1-x)**b / (b B) near 1, inverted; the first is tried
	// first when the lower tail's share of the two laws' masses at the mean
	// a/(a+b) exceeds p (Numerical Recipes' choice), the other if it fails.
	xl := Exp((Log(float64(a*p)) + lbab) / a)
	xu := 1 - Exp((Log(float64(b*q))+lbab)/b)
	tl := Exp(float64(a*Log(a/(a+b)))) / a
	tu := Exp(float64(b*Log(b/(a+b)))) / b
	if p < tl/(tl+tu) && xl > 0 && xl < 1 || !(xu > 0 && xu < 1) {
		return xl
	}
	return xu
}

// bitMid returns the float64 whose bit pattern is halfway between those of
// lo and hi (0 <= lo <= hi): the arithmetic midpoint within one binade, a
// geometric one across binades.
func bitMid(lo, hi float64) float64 {
	return math.Float64frombits((math.Float64bits(lo) + math.Float64bits(hi)) / 2)
}

// ulp returns the gap from x >= 0 to the next larger float64.
func ulp(x float64) float64 {
	return math.Float64frombits(math.Float64bits(x)+1) - x
}
