package detmath

import "math"

// This file ports the part of the Cephes Math Library (S. L. Moshier,
// Methods and Programs for Mathematical Functions, Prentice-Hall 1989;
// incbet.c, incbi.c) that Student's t quantile needs, in the operation order
// of gonum's Go translation (mathext/internal/cephes), with every product
// that feeds an addition rounded explicitly. The log-gamma function is
// fdlibm's e_lgamma_r.c (Sun Microsystems, 1993) for positive arguments, in
// the operation order of Go's math.Lgamma.

const (
	machEp = 1.0 / (1 << 53)            // Cephes MACHEP: 2**-53
	maxLog = 1024 * math.Ln2            // Cephes MAXLOG: log(2**1024)
	minLog = -1075 * math.Ln2           // Cephes MINLOG: log(2**-1075)
	maxGam = 171.624376956302725        // Cephes MAXGAM: Gamma overflows beyond
	big    = 4.503599627370496e15       // 2**52, the continued fractions' rescaling bound
	bigInv = 2.22044604925031308085e-16 // 2**-52
)

// fdlibm e_lgamma_r.c coefficients: a (lgamma around the minimum 1.4616),
// t (around tc), u/v (rational near 1 and 2), s/r (rational on [2, 3)) and
// w (Stirling's series for x >= 8).
var (
	lgamA = [12]float64{7.72156649015328655494e-02, 3.22467033424113591611e-01, 6.73523010531292681824e-02, 2.05808084325167332806e-02, 7.38555086081402883957e-03, 2.89051383673415629091e-03, 1.19270763183362067845e-03, 5.10069792153511336608e-04, 2.20862790713908385557e-04, 1.08011567247583939954e-04, 2.52144565451257326939e-05, 4.48640949618915160150e-05}
	lgamT = [15]float64{4.83836122723810047042e-01, -1.47587722994593911752e-01, 6.46249402391333854778e-02, -3.27885410759859649565e-02, 1.79706750811820387126e-02, -1.03142241298341437450e-02, 6.10053870246291332635e-03, -3.68452016781138256760e-03, 2.25964780900612472250e-03, -1.40346469989232843813e-03, 8.81081882437654011382e-04, -5.38595305356740546715e-04, 3.15632070903625950361e-04, -3.12754168375120860518e-04, 3.35529192635519073543e-04}
	lgamU = [6]float64{-7.72156649015328655494e-02, 6.32827064025093366517e-01, 1.45492250137234768737e+00, 9.77717527963372745603e-01, 2.28963728064692451092e-01, 1.33810918536787660377e-02}
	lgamV = [6]float64{1.0, 2.45597793713041134822e+00, 2.12848976379893395361e+00, 7.69285150456672783825e-01, 1.04222645593369134254e-01, 3.21709242282423911810e-03}
	lgamS = [7]float64{-7.72156649015328655494e-02, 2.14982415960608852501e-01, 3.25778796408930981787e-01, 1.46350472652464452805e-01, 2.66422703033638609560e-02, 1.84028451407337715652e-03, 3.19475326584100867617e-05}
	lgamR = [7]float64{1.0, 1.39200533467621045958e+00, 7.21935547567138069525e-01, 1.71933865632803078993e-01, 1.86459191715652901344e-02, 7.77942496381893596434e-04, 7.32668430744625636189e-06}
	lgamW = [7]float64{4.18938533204672725052e-01, 8.33333333333329678849e-02, -2.77777777728775536470e-03, 7.93650558643019558500e-04, -5.95187557450339963135e-04, 8.36339918996282139126e-04, -1.63092934096575273989e-03}
)

// lgamma returns log(Gamma(x)) for finite x > 0 (fdlibm e_lgamma_r.c, the
// branches of Go's math.Lgamma for positive arguments).
func lgamma(x float64) float64 {
	const (
		ymin  = 1.461632144968362245        // argument of Gamma's minimum
		two58 = 1 << 58                     // 2**58
		tiny  = 1.0 / (1 << 70)             // 2**-70
		tc    = 1.46163214496836224576e+00  // 0x3FF762D86356BE3F
		tf    = -1.21486290535849611461e-01 // 0xBFBF19B9BCC38A42, lgamma(tc)
		tt    = -3.63867699703950536541e-18 // 0xBC50C7CAA48A971F, tf's correction
	)
	if !(x > 0) || math.IsInf(x, 1) {
		panic("detmath: internal: lgamma of a non-positive or non-finite argument")
	}
	switch {
	case x < tiny:
		return -Log(x)
	case x == 1 || x == 2:
		return 0
	case x < 2:
		var lg, y float64
		var i int
		if x <= 0.9 {
			lg = -Log(x) // lgamma(x) = lgamma(x+1) - log(x)
			switch {
			case x >= ymin-1+0.27:
				y, i = 1-x, 0
			case x >= ymin-1-0.27:
				y, i = x-(tc-1), 1
			default:
				y, i = x, 2
			}
		} else {
			switch {
			case x >= ymin+0.27:
				y, i = 2-x, 0
			case x >= ymin-0.27:
				y, i = x-tc, 1
			default:
				y, i = x-1, 2
			}
		}
		switch i {
		case 0:
			a := &lgamA
			z := y * y
			p1 := madd(z, madd(z, madd(z, madd(z, madd(z, a[10], a[8]), a[6]), a[4]), a[2]), a[0])
			p2 := float64(z * madd(z, madd(z, madd(z, madd(z, madd(z, a[11], a[9]), a[7]), a[5]), a[3]), a[1]))
			p := float64(y*p1) + p2
			lg += p - float64(0.5*y)
		case 1:
			t := &lgamT
			z := y * y
			w := z * y
			p1 := madd(w, madd(w, madd(w, madd(w, t[12], t[9]), t[6]), t[3]), t[0])
			p2 := madd(w, madd(w, madd(w, madd(w, t[13], t[10]), t[7]), t[4]), t[1])
			p3 := madd(w, madd(w, madd(w, madd(w, t[14], t[11]), t[8]), t[5]), t[2])
			p := float64(z*p1) - (tt - float64(w*(p2+float64(y*p3))))
			lg += tf + p
		default:
			u, v := &lgamU, &lgamV
			p1 := float64(y * madd(y, madd(y, madd(y, madd(y, madd(y, u[5], u[4]), u[3]), u[2]), u[1]), u[0]))
			p2 := 1 + float64(y*madd(y, madd(y, madd(y, madd(y, v[5], v[4]), v[3]), v[2]), v[1]))
			lg += float64(-0.5*y) + p1/p2
		}
		return lg
	case x < 8:
		s, r := &lgamS, &lgamR
		i := int(x)
		y := x - float64(i)
		p := float64(y * madd(y, madd(y, madd(y, madd(y, madd(y, madd(y, s[6], s[5]), s[4]), s[3]), s[2]), s[1]), s[0]))
		q := 1 + float64(y*madd(y, madd(y, madd(y, madd(y, madd(y, r[6], r[5]), r[4]), r[3]), r[2]), r[1]))
		lg := float64(0.5*y) + p/q
		z := 1.0 // lgamma(1+s) = log(s) + lgamma(s)
		switch i {
		case 7:
			z *= y + 6
			fallthrough
		case 6:
			z *= y + 5
			fallthrough
		case 5:
			z *= y + 4
			fallthrough
		case 4:
			z *= y + 3
			fallthrough
		case 3:
			z *= y + 2
			lg += Log(z)
		}
		return lg
	case x < two58:
		w := &lgamW
		t := Log(x)
		z := 1 / x
		y := z * z
		s := madd(z, madd(y, madd(y, madd(y, madd(y, madd(y, w[6], w[5]), w[4]), w[3]), w[2]), w[1]), w[0])
		return float64((x-0.5)*(t-1)) + s
	default:
		return float64(x * (Log(x) - 1)) // rounded: callers add it
	}
}

// lbeta returns log(B(a, b)) = lgamma(a) + lgamma(b) - lgamma(a+b) for
// a, b > 0, as gonum's mathext/internal/gonum.Lbeta does.
func lbeta(a, b float64) float64 {
	return lgamma(a) + lgamma(b) - lgamma(a+b)
}

// incbet returns the regularized incomplete beta integral I_x(a, b) for
// a, b > 0 and 0 <= x <= 1 (Cephes incbet.c: a power series when b*x <= 1,
// else one of two continued fractions, with the symmetry
// I_x(a, b) = 1 - I_{1-x}(b, a)).
func incbet(aa, bb, xx float64) float64 {
	if xx <= 0 || xx >= 1 {
		if xx == 0 {
			return 0
		}
		if xx == 1 {
			return 1
		}
		panic("detmath: internal: incbet argument out of [0, 1]")
	}
	return flipT(incbetSide(aa, bb, xx))
}

// incbetSide is incbet for 0 < x < 1 before its last step: it returns
// t = I_x(a, b) with flip false, or t = I_{1-x}(b, a) = 1 - I_x(a, b) with
// flip true, each computed directly, so that a small t has its full relative
// accuracy (incbet returns flipT(t, flip)).
func incbetSide(aa, bb, xx float64) (t float64, flip bool) {
	if bb*xx <= 1 && xx <= 0.95 {
		return pseries(aa, bb, xx), false
	}
	w := 1 - xx
	var a, b, xc, x float64
	if xx > aa/(aa+bb) { // reverse a and b if x is greater than the mean
		flip = true
		a, b, xc, x = bb, aa, xx, w
	} else {
		a, b, xc, x = aa, bb, w, xx
	}
	if flip && b*x <= 1.0 && x <= 0.95 {
		return pseries(a, b, x), flip
	}
	// Choose the expansion for better convergence.
	if float64(x*(a+b-2.0))-(a-1.0) < 0.0 {
		w = incbcf(a, b, x)
	} else {
		w = incbd(a, b, x) / xc
	}
	// Multiply w by x**a (1-x)**b Gamma(a+b) / (a Gamma(a) Gamma(b)).
	y := float64(a * Log(x))
	t = float64(b * Log(xc))
	if a+b < maxGam && math.Abs(y) < maxLog && math.Abs(t) < maxLog {
		t = Pow(xc, b)
		t *= Pow(x, a)
		t /= a
		t *= w
		t = float64(t * (1.0 / Exp(lbeta(a, b)))) // rounded: flipT's 1 - t must not fuse with it
		return t, flip
	}
	// Resort to logarithms.
	y += t - lbeta(a, b)
	y += Log(w / a)
	if y < minLog {
		t = 0.0
	} else {
		t = Exp(y)
	}
	return t, flip
}

// flipT undoes incbet's exchange of a and b.
func flipT(t float64, flip bool) float64 {
	if flip {
		if t <= machEp {
			return 1.0 - machEp
		}
		return 1.0 - t
	}
	return t
}

// incbcf evaluates Cephes' continued fraction expansion #1 for the
// incomplete beta integral.
func incbcf(a, b, x float64) float64 {
	return betaCF(x, a, a+b, b-1.0, 1.0)
}

// incbd evaluates Cephes' continued fraction expansion #2 for the
// incomplete beta integral.
func incbd(a, b, x float64) float64 {
	return betaCF(x/(1.0-x), a, b-1.0, a+b, -1.0)
}

// betaCF evaluates the continued fraction of incbcf and incbd at z: both
// have the coefficients
//
//	d(2n+1) = -(z k1 k2) / (k3 k4),   d(2n+2) = (z k5 k6) / (k7 k8)
//
// starting from k1 = k3 = a, k4 = k7 = a+1, k5 = 1, k8 = a+2 and the given
// k2 and k6; each term k1, k5 grow by 1, k3, k4, k7, k8 by 2, k2 by s and
// k6 by -s (s = 1 for #1, -1 for #2).
func betaCF(z, a, k2, k6, s float64) float64 {
	k1, k3, k4 := a, a, a+1.0
	k5, k7, k8 := 1.0, a+1.0, a+2.0
	pkm2, qkm2, pkm1, qkm1 := 0.0, 1.0, 1.0, 1.0
	ans, r := 1.0, 1.0
	const thresh = 3.0 * machEp
	for n := 0; n <= 300; n++ {
		xk := -(z * k1 * k2) / (k3 * k4)
		pk := pkm1 + float64(pkm2*xk)
		qk := qkm1 + float64(qkm2*xk)
		pkm2, pkm1, qkm2, qkm1 = pkm1, pk, qkm1, qk

		xk = (z * k5 * k6) / (k7 * k8)
		pk = pkm1 + float64(pkm2*xk)
		qk = qkm1 + float64(qkm2*xk)
		pkm2, pkm1, qkm2, qkm1 = pkm1, pk, qkm1, qk

		if qk != 0 {
			r = pk / qk
		}
		var t float64
		if r != 0 {
			t = math.Abs((ans - r) / r)
			ans = r
		} else {
			t = 1.0
		}
		if t < thresh {
			return ans
		}
		k1 += 1.0
		k2 += s
		k3 += 2.0
		k4 += 2.0
		k5 += 1.0
		k6 -= s
		k7 += 2.0
		k8 += 2.0
		pkm2, pkm1, qkm2, qkm1 = rescale(pk, qk, pkm2, pkm1, qkm2, qkm1)
	}
	return ans
}

// rescale keeps the continued fractions' convergents in range, scaling by
// powers of two (exact, and rounded so that nothing fuses with them).
func rescale(pk, qk, pkm2, pkm1, qkm2, qkm1 float64) (float64, float64, float64, float64) {
	if math.Abs(qk)+math.Abs(pk) > big {
		pkm2, pkm1 = float64(pkm2*bigInv), float64(pkm1*bigInv)
		qkm2, qkm1 = float64(qkm2*bigInv), float64(qkm1*bigInv)
	}
	if math.Abs(qk) < bigInv || math.Abs(pk) < bigInv {
		pkm2, pkm1 = float64(pkm2*big), float64(pkm1*big)
		qkm2, qkm1 = float64(qkm2*big), float64(qkm1*big)
	}
	return pkm2, pkm1, qkm2, qkm1
}

// pseries evaluates the power series for the incomplete beta integral, for
// b*x small and x not too close to 1.
func pseries(a, b, x float64) float64 {
	ai := 1.0 / a
	u := (1.0 - b) * x
	v := u / (a + 1.0)
	t1 := v
	t := u
	n := 2.0
	s := 0.0
	z := machEp * ai
	for math.Abs(v) > z {
		u = (n - b) * x / n
		t *= u
		v = t / (a + n)
		s += v
		n += 1.0
	}
	s += t1
	s += ai
	u = float64(a * Log(x))
	if a+b < maxGam && math.Abs(u) < maxLog {
		t = 1.0 / Exp(lbeta(a, b))
		return float64(s * t * Pow(x, a)) // rounded: flipT's 1 - t must not fuse with it
	}
	t = -lbeta(a, b) + u + Log(s)
	if t < minLog {
		return 0.0
	}
	return Exp(t)
}

// incbi returns x such that incbet(aa, bb, x) = yy0, for bb <= 1 or aa <= 1
// (Cephes incbi.c: interval halving from x = a/(a+b), then Newton steps
// with the derivative x**(a-1) (1-x)**(b-1) / B(a, b)). Cephes' other
// starting point, from the normal quantile when a > 1 and b > 1, is not
// needed by Student's t (b = 1/2) and not ported.
func incbi(aa, bb, yy0 float64) float64 {
	if yy0 <= 0 {
		return 0.0
	}
	if yy0 >= 1.0 {
		return 1.0
	}
	if aa > 1 && bb > 1 {
		panic("detmath: internal: incbi needs a <= 1 or b <= 1")
	}
	x0, yl, x1, yh := 0.0, 0.0, 1.0, 1.0
	nflg := false
	dithresh := 1.0e-6
	rflg := false
	a, b, y0 := aa, bb, yy0
	x := a / (a + b)
	y := incbet(a, b, x)
	var d, yp, di, xt float64
	var dir int

ihalve:
	dir = 0
	di = 0.5
	for i := 0; i < 100; i++ {
		if i != 0 {
			x = x0 + float64(di*(x1-x0))
			if x == 1.0 {
				x = 1.0 - machEp
			}
			if x == 0.0 {
				di = 0.5
				x = x0 + float64(di*(x1-x0))
				if x == 0.0 {
					goto done
				}
			}
			y = incbet(a, b, x)
			yp = (x1 - x0) / (x1 + x0)
			if math.Abs(yp) < dithresh {
				goto newt
			}
			yp = (y - y0) / y0
			if math.Abs(yp) < dithresh {
				goto newt
			}
		}
		if y < y0 {
			x0 = x
			yl = y
			switch {
			case dir < 0:
				dir = 0
				di = 0.5
			case dir > 3:
				di = 1.0 - float64((1.0-di)*(1.0-di))
			case dir > 1:
				di = float64(0.5*di) + 0.5
			default:
				di = (y0 - y) / (yh - yl)
			}
			dir++
			if x0 > 0.75 {
				if rflg {
					rflg = false
					a, b, y0 = aa, bb, yy0
				} else {
					rflg = true
					a, b, y0 = bb, aa, 1.0-yy0
				}
				x = 1.0 - x
				y = incbet(a, b, x)
				x0, yl, x1, yh = 0.0, 0.0, 1.0, 1.0
				goto ihalve
			}
		} else {
			x1 = x
			if rflg && x1 < machEp {
				x = 0.0
				goto done
			}
			yh = y
			switch {
			case dir > 0:
				dir = 0
				di = 0.5
			case dir < -3:
				di = float64(di * di)
			case dir < -1:
				di = float64(0.5 * di)
			default:
				di = (y - y0) / (yh - yl)
			}
			dir--
		}
	}
	if x0 >= 1.0 {
		x = 1.0 - machEp
		goto done
	}
	if x <= 0.0 {
		x = 0.0
		goto done
	}

newt:
	if nflg {
		goto done
	}
	nflg = true
	{
		lgm := lgamma(a+b) - lgamma(a) - lgamma(b)
		for i := 0; i < 8; i++ {
			if i != 0 {
				y = incbet(a, b, x)
			}
			switch {
			case y < yl:
				x, y = x0, yl
			case y > yh:
				x, y = x1, yh
			case y < y0:
				x0, yl = x, y
			default:
				x1, yh = x, y
			}
			if x == 1.0 || x == 0.0 {
				break
			}
			// The derivative of the function at this point.
			d = float64((a-1.0)*Log(x)) + float64((b-1.0)*Log(1.0-x)) + lgm
			if d < minLog {
				goto done
			}
			if d > maxLog {
				break
			}
			d = Exp(d)
			d = (y - y0) / d // the Newton step
			xt = x - d
			if xt <= x0 {
				y = (x - x0) / (x1 - x0)
				xt = x0 + float64(0.5*y*(x-x0))
				if xt <= 0.0 {
					break
				}
			}
			if xt >= x1 {
				y = (x1 - x) / (x1 - x0)
				xt = x1 - float64(0.5*y*(x1-x))
				if xt >= 1.0 {
					break
				}
			}
			x = xt
			if math.Abs(d/x) < 128.0*machEp {
				goto done
			}
		}
	}
	// Did not converge.
	dithresh = 256.0 * machEp
	goto ihalve

done:
	if rflg {
		if x <= machEp {
			x = 1.0 - machEp
		} else {
			x = 1.0 - x
		}
	}
	return x
}

// StudentsTQuantile returns the p-quantile of Student's t distribution with
// nu degrees of freedom (location 0, scale 1), equal to gonum's
// distuv.StudentsT{Mu: 0, Sigma: 1, Nu: nu}.Quantile(p) of the default
// linux/amd64 build, on every build. Like gonum it inverts the regularized
// incomplete beta function, t = I⁻¹(nu/2, 1/2; 2 min(p, 1-p)), and returns
// ±sqrt(nu (1-t)/t), with Cephes' incbi and incbet (S. L. Moshier, Methods
// and Programs for Mathematical Functions, 1989) ported without fused
// multiply-add.
//
// StudentsTQuantile(nu, 0.5) = 0, StudentsTQuantile(nu, 0) = -Inf,
// StudentsTQuantile(nu, 1) = +Inf and StudentsTQuantile(nu, NaN) = NaN. It
// panics if p < 0 or p > 1, or unless 0 < nu < +Inf.
func StudentsTQuantile(nu, p float64) float64 {
	if p < 0 || p > 1 {
		panic("detmath: StudentsTQuantile probability out of [0, 1]")
	}
	if !(nu > 0) || math.IsInf(nu, 1) {
		panic("detmath: StudentsTQuantile needs 0 < nu < +Inf")
	}
	switch {
	case p != p:
		return p
	case p == 0.5:
		return 0
	case p > 0.5:
		t := incbi(nu/2, 0.5, 2*(1-p))
		return math.Sqrt(nu*(1-t)/t) + 0 // + 0: gonum's y*Sigma + Mu
	default:
		t := incbi(nu/2, 0.5, 2*p)
		return -math.Sqrt(nu*(1-t)/t) + 0
	}
}
