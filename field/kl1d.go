package field

import (
	"math"
	"mcfem/detmath"
)

// The 1D exponential kernel c(s, t) = exp(−|s−t|/λ) on [0, 1].
//
// Its eigenfunctions solve b'' + (2/(λθ) − 1/λ²) b = 0 with the Robin conditions
// b'(0) = b(0)/λ and b'(1) = −b(1)/λ. Writing 2/(λθ) − 1/λ² = w² gives
//
//	θ_n = 2λ / (1 + λ² w_n²),
//	b_n(s) = A_n (sin(w_n s) + λ w_n cos(w_n s)),
//
// where w_1 < w_2 < … are the positive roots of
//
//	f(w) = (λ²w² − 1) sin w − 2λ w cos w = 0      (⇔ tan w = 2λw / (λ²w² − 1)).
//
// Normalisation, in closed form: ∫₀¹ (sin ws + λw cos ws)² ds
// = (1 + λ²w²)/2 + (λ²w² − 1) sin(2w)/(4w) + λ sin² w, and at a root
// (λ²w² − 1) sin(2w)/(4w) = λ cos² w, so
//
//	A_n = (λ + (1 + λ² w_n²)/2)^(−1/2).
//
// Root location. On ((n−1)π, nπ) the equation tan w = 2λw/(λ²w² − 1) has exactly one root:
// tan w increases from 0 to +∞ on the first half of the interval and from −∞ to 0 on the
// second, while the right side is negative and decreasing for w < 1/λ and positive and
// decreasing for w > 1/λ (it has a pole at λw = 1). So the root lies in the second half while
// nπ ≤ 1/λ, in the first half once (n−1)π ≥ 1/λ, and in the interval that contains 1/λ on the
// side of the pole where the signs agree. The tangent form is therefore unsafe near λw = 1 and
// at the poles of tan; the root finder uses instead the smooth form
//
//	h(w) = f(w)/w = (λw − 1)(λw + 1) sin(w)/w − 2λ cos w,
//
// which has no poles, no trivial root at w = 0 (h(0⁺) = −1 − 2λ), and the exact end values
// h(nπ) = −2λ(−1)ⁿ: a sign change on every interval ((n−1)π, nπ), with a single root inside.

// rootTol is the absolute tolerance of the 1D root finder (Brent's method also stops at a
// relative 4ε|w|, the spacing of float64 near large roots).
const rootTol = 1e-14

// charEq returns h(w) = (λ²w² − 1) sin(w)/w − 2λ cos w for w > 0, with λ²w² − 1 factored as
// (λw − 1)(λw + 1) to keep its relative accuracy near λw = 1.
func charEq(lambda, w float64) float64 {
	lw := float64(lambda * w)
	s, c := detmath.Sincos(w)
	return float64((lw-1)*(lw+1)*s/w) - float64(2*lambda*c)
}

// roots1D returns the first n positive roots w_1 < … < w_n of (λ²w² − 1) sin w = 2λw cos w,
// one in each interval ((j−1)π, jπ), each found with Brent's method to rootTol from the exact
// end values of h (see above), then polished to the nearer float.
func roots1D(lambda float64, n int) []float64 {
	w := make([]float64, n)
	h := func(x float64) float64 { return charEq(lambda, x) }
	for j := range w {
		a, b := float64(j)*math.Pi, float64(j+1)*math.Pi
		sa := -1.0 // h(jπ) = −2λ(−1)^j
		if j%2 == 1 {
			sa = 1
		}
		fa := sa * 2 * lambda
		if j == 0 {
			fa = -1 - 2*lambda // h(0⁺)
		}
		w[j] = polish(h, brent(h, a, b, fa, -sa*2*lambda, rootTol), sa)
	}
	return w
}

// polish returns, of the two adjacent floats around the root of h near w, the one with the
// smaller |h|. Brent's method stops within 2·(2ε|w| + rootTol/2) of the root, a few ulps of
// w (up to ~25 for small w); polish walks ulp by ulp (at most 64 steps) towards the root:
// left is the sign of h on the left of the root, so the root lies right of w when h(w) has
// that sign, and left of it otherwise. So the root is
// resolved to half an ulp of w: the residual |h|, scaled by the size of its terms, is then
// ≈ |w − w*| ≤ ½ulp(w) ≤ 4.6e-13 for w < 8192 (n ≤ 2607).
func polish(h func(float64) float64, w, left float64) float64 {
	fw := h(w)
	if fw == 0 {
		return w
	}
	dir := math.Inf(-1)
	if (fw > 0) == (left > 0) {
		dir = math.Inf(1)
	}
	x, fx := w, fw
	for range 64 {
		y := math.Nextafter(x, dir)
		fy := h(y)
		if fy == 0 || (fy > 0) != (fx > 0) {
			if math.Abs(fy) < math.Abs(fx) {
				return y
			}
			return x
		}
		x, fx = y, fy
	}
	return w
}

// theta1D returns θ = 2λ / (1 + λ²w²), the 1D eigenvalue of root w.
func theta1D(lambda, w float64) float64 {
	lw := float64(lambda * w)
	return 2 * lambda / (1 + float64(lw*lw))
}

// norm1D returns A = (λ + (1 + λ²w²)/2)^(−1/2), the factor that gives b unit L²(0, 1) norm at
// a root w.
func norm1D(lambda, w float64) float64 {
	lw := float64(lambda * w)
	return 1 / math.Sqrt(lambda+float64((1+float64(lw*lw))/2))
}

// eigfun1D returns b(s) = A (sin(ws) + λw cos(ws)).
func eigfun1D(lambda, w, a, s float64) float64 {
	sn, cs := detmath.Sincos(w * s)
	return a * (sn + float64(lambda*w*cs))
}

// brent returns a root of f in [a, b] given fa = f(a) and fb = f(b) of opposite signs, by
// Brent's method (inverse quadratic interpolation and secant steps safeguarded by bisection;
// R. P. Brent, Algorithms for Minimization without Derivatives, 1973, ch. 4, procedure zero).
// It stops when the bracket is shorter than 2·(2ε|w| + tol/2) or f vanishes; the bracket
// halves at least every few steps, so the iteration cap is never reached in practice.
func brent(f func(float64) float64, a, b, fa, fb, tol float64) float64 {
	const eps = 0x1p-52
	c, fc := a, fa
	d := b - a
	e := d
	for range 1000 {
		if (fb > 0) == (fc > 0) {
			c, fc = a, fa
			d = b - a
			e = d
		}
		if math.Abs(fc) < math.Abs(fb) {
			a, b, c = b, c, b
			fa, fb, fc = fb, fc, fb
		}
		tol1 := float64(2*eps*math.Abs(b)) + float64(0.5*tol)
		xm := float64(0.5 * (c - b))
		if math.Abs(xm) <= tol1 || fb == 0 {
			return b
		}
		if math.Abs(e) >= tol1 && math.Abs(fa) > math.Abs(fb) {
			s := fb / fa
			var p, q float64
			if a == c { // secant
				p = 2 * xm * s
				q = 1 - s
			} else { // inverse quadratic interpolation
				q = fa / fc
				r := fb / fc
				p = s * (float64(2*xm*q*(q-r)) - float64((b-a)*(r-1)))
				q = (q - 1) * (r - 1) * (s - 1)
			}
			if p > 0 {
				q = -q
			} else {
				p = -p
			}
			if 2*p < math.Min(float64(3*xm*q)-math.Abs(tol1*q), math.Abs(e*q)) {
				e = d
				d = p / q
			} else { // interpolation rejected: bisect
				d = xm
				e = d
			}
		} else {
			d = xm
			e = d
		}
		a, fa = b, fb
		if math.Abs(d) > tol1 {
			b += d
		} else {
			b += math.Copysign(tol1, xm)
		}
		fb = f(b)
	}
	return b
}
