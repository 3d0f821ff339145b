package stats

import (
	"math"
	"mcfem/detmath"
)

// PowerSums holds the count and the power sums of values shifted by Shift,
//
//	N = Σ 1,  S_k = Σ (x_i - Shift)^k,  k = 1…4,
//
// from which the h- and k-statistics follow. They add across ranks with one allreduce of
// Slice(); a shift close to the mean avoids cancellation, and every statistic but the mean is
// independent of it.
type PowerSums struct {
	Shift          float64
	N              float64
	S1, S2, S3, S4 float64
}

// PowerSumsLen is the length of PowerSums.Slice: the count and S1…S4.
const PowerSumsLen = 5

// Add accumulates one value.
func (p *PowerSums) Add(x float64) {
	d := x - p.Shift
	d2 := float64(d * d)
	p.N++
	p.S1 += d
	p.S2 += d2
	p.S3 += float64(d2 * d)
	p.S4 += float64(d2 * d2)
}

// Slice returns [N, S1, S2, S3, S4], the layout reduced across ranks.
func (p *PowerSums) Slice() []float64 {
	return []float64{p.N, p.S1, p.S2, p.S3, p.S4}
}

// SetSlice sets the sums from the layout of Slice, keeping Shift.
func (p *PowerSums) SetSlice(s []float64) {
	if len(s) != PowerSumsLen {
		panic("stats: power sums slice must have length 5")
	}
	p.N, p.S1, p.S2, p.S3, p.S4 = s[0], s[1], s[2], s[3], s[4]
}

// Moments holds the unbiased estimators computed from power sums: h2, h3, h4 estimate the
// central moments μ2, μ3, μ4 without bias, and k4 the fourth cumulant κ4 = μ4 - 3μ2² (k2 = h2
// and k3 = h3). Undefined entries (too few values) are NaN.
type Moments struct {
	N, Mean        float64
	H2, H3, H4, K4 float64
}

// Moments returns the h-statistics (Halmos 1946; the formulas as in Rose & Smith,
// "Mathematical Statistics with Mathematica", §7.2):
//
//	h2 = (n S2 - S1²) / (n(n-1))
//	h3 = (2S1³ - 3n S1 S2 + n² S3) / (n(n-1)(n-2))
//	h4 = (-3S1⁴ + 6n S1² S2 + (9-6n) S2² + (-4n²+8n-12) S1 S3 + (n³-2n²+3n) S4) / (n(n-1)(n-2)(n-3))
//	k4 = (-6S1⁴ + 12n S1² S2 - 3n(n-1) S2² - 4n(n+1) S1 S3 + n²(n+1) S4) / (n(n-1)(n-2)(n-3))
func (p *PowerSums) Moments() Moments {
	n := p.N
	s1, s2, s3, s4 := p.S1, p.S2, p.S3, p.S4
	m := Moments{N: n, Mean: math.NaN(), H2: math.NaN(), H3: math.NaN(), H4: math.NaN(), K4: math.NaN()}
	if n >= 1 {
		m.Mean = p.Shift + s1/n
	}
	if n >= 2 {
		m.H2 = (float64(n*s2) - float64(s1*s1)) / (n * (n - 1))
	}
	if n >= 3 {
		m.H3 = (float64(2*s1*s1*s1) - float64(3*n*s1*s2) + float64(n*n*s3)) / (n * (n - 1) * (n - 2))
	}
	if n >= 4 {
		d := n * (n - 1) * (n - 2) * (n - 3)
		s11 := s1 * s1
		c3 := 9 - float64(6*n)
		c4 := float64(-4*n*n) + float64(8*n) - 12
		c5 := float64(n*n*n) - float64(2*n*n) + float64(3*n)
		m.H4 = (float64(-3*s11*s11) + float64(6*n*s11*s2) + float64(c3*s2*s2) + float64(c4*s1*s3) + float64(c5*s4)) / d
		m.K4 = (float64(-6*s11*s11) + float64(12*n*s11*s2) - float64(3*n*(n-1)*s2*s2) - float64(4*n*(n+1)*s1*s3) +
			float64(n*n*(n+1)*s4)) / d
	}
	return m
}

// Stats are the statistics of a sample of values, as reported.
type Stats struct {
	N          int64
	Mean       float64
	Variance   float64 // unbiased, h2
	StdDev     float64
	StdErr     float64 // of the mean, √(h2/n)
	VarStdErr  float64 // of the variance, √((h4 - h2²(n-3)/(n-1))/n)
	Skewness   float64 // k3/k2^{3/2} (adjusted Fisher–Pearson G1, as gonum's stat.Skew)
	ExKurtosis float64 // k4/k2² (G2, as gonum's stat.ExKurtosis)
	Confidence float64 // level of the interval
	CIHalf     float64 // half-width of the confidence interval of the mean: t_{n-1,(1+c)/2}·StdErr
}

// CILow is the lower end of the confidence interval of the mean.
func (s Stats) CILow() float64 { return s.Mean - s.CIHalf }

// CIHigh is the upper end of the confidence interval of the mean.
func (s Stats) CIHigh() float64 { return s.Mean + s.CIHalf }

// Describe computes the statistics of p; the confidence interval of the mean at level
// confidence uses Student's t quantile with n-1 degrees of freedom (detmath.StudentsTQuantile: gonum's
// distuv.StudentsT quantile, computed the same way on every build).
func Describe(p *PowerSums, confidence float64) Stats {
	m := p.Moments()
	n := m.N
	s := Stats{N: int64(n), Mean: m.Mean, Variance: m.H2, Confidence: confidence}
	s.StdDev = math.Sqrt(m.H2)
	s.StdErr = math.Sqrt(m.H2 / n)
	s.VarStdErr = math.Sqrt((m.H4 - m.H2*m.H2*(n-3)/(n-1)) / n)
	s.Skewness = m.H3 / (m.H2 * s.StdDev)
	s.ExKurtosis = m.K4 / (m.H2 * m.H2)
	s.CIHalf = math.NaN()
	if n >= 2 {
		s.CIHalf = detmath.StudentsTQuantile(n-1, 0.5+float64(confidence/2)) * s.StdErr
	}
	return s
}

// DescribeOrdered computes the statistics of xs in their order, two-pass: the mean first, then
// the power sums about it. The result depends only on the values and their order, so rank 0
// reports bit-identical statistics for every rank count.
func DescribeOrdered(xs []float64, confidence float64) Stats {
	var mean float64
	for _, x := range xs {
		mean += x
	}
	p := PowerSums{Shift: mean / float64(len(xs))}
	for _, x := range xs {
		p.Add(x)
	}
	return Describe(&p, confidence)
}
