package mc

import "math"

// Round is one round of a campaign: the samples so far and the estimate they give.
type Round struct {
	Samples int     `json:"samples"`
	Mean    float64 `json:"mean"`
	CIHalf  float64 `json:"ci_half_width"`
}

// MaxRounds caps the rounds of a -tol campaign; MaxGrowth caps how much one round may extend
// the samples (a pilot's variance estimate is rough).
const (
	MaxRounds = 30
	MaxGrowth = 16
)

// nextSamples returns the sample count of the round after one that ended with n samples and
// statistics st: n itself when the campaign is done (no -tol, the interval is narrow enough,
// or the round cap is reached). The count that makes the half-width t·s/√N equal Tol is
// n·(half-width/Tol)², asked with a 5% margin.
func (c Config) nextSamples(n int, st Stats, round int) int {
	if c.Tol <= 0 || round+1 >= MaxRounds || !(st.CIHalf > c.Tol) {
		return n
	}
	want := float64(n) * (st.CIHalf / c.Tol) * (st.CIHalf / c.Tol) * 1.05
	next := int(math.Ceil(math.Min(want, float64(n)*MaxGrowth)))
	return min(max(next, n+1), MaxTolSamples)
}

// MaxTolSamples bounds the samples a -tol campaign may reach.
const MaxTolSamples = 1 << 30

// ExactPowerSums are the count, the exact power sums S1…S4 of the values and the exact total
// cost, reduced across ranks as integers (see ExactSum).
type ExactPowerSums struct {
	N    int64
	S    [4]ExactSum
	Cost int64
}

// Add adds one value and its cost.
func (p *ExactPowerSums) Add(x float64, cost int64) {
	p.N++
	p.Cost += cost
	x2 := x * x
	p.S[0].Add(x)
	p.S[1].Add(x2)
	p.S[2].Add(x2 * x)
	p.S[3].Add(x2 * x2)
}

// Slice is the layout of the integer allreduce: N, Cost, then the four sums.
func (p *ExactPowerSums) Slice() []int64 {
	v := []int64{p.N, p.Cost}
	for k := range p.S {
		v = append(v, p.S[k].Slice()...)
	}
	return v
}

// SetSlice takes back a (sum of) Slice.
func (p *ExactPowerSums) SetSlice(v []int64) {
	p.N, p.Cost = v[0], v[1]
	for k := range p.S {
		p.S[k].SetSlice(v[2+k*exactLen : 2+(k+1)*exactLen])
	}
}

// Merge adds q into p.
func (p *ExactPowerSums) Merge(q *ExactPowerSums) {
	a, b := p.Slice(), q.Slice()
	for i := range a {
		a[i] += b[i]
	}
	p.SetSlice(a)
}

// Describe computes the statistics from the sums (rounded once each to float64).
func (p *ExactPowerSums) Describe(confidence float64) Stats {
	ps := PowerSums{N: float64(p.N), S1: p.S[0].Float64(), S2: p.S[1].Float64(), S3: p.S[2].Float64(), S4: p.S[3].Float64()}
	return Describe(&ps, confidence)
}
