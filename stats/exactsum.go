package stats

import (
	"math"
	"math/big"
)

// ExactSum accumulates float64 values exactly: the sum is kept as a fixed-point integer wide
// enough for every finite double (a Kulisch accumulator, 2^-1074 … 2^1024, in 32-bit digits
// held in int64 words). Integer addition is associative, so the exact sum of a set of values
// is the same bits whatever their order or grouping: rank-local sums reduced with an integer
// allreduce give every rank, for every rank count, the same result, and Float64 rounds it once,
// to nearest. NaN and infinities are counted apart and give the IEEE result.
type ExactSum struct {
	digits [exactDigits]int64
	adds   int64 // additions since the last normalisation
	// Counts of NaN, +Inf and -Inf added.
	nan, pinf, ninf int64
}

const (
	exactBase   = 1074                    // bit 0 of the accumulator has weight 2^-1074
	exactDigits = (exactBase+1024)/32 + 3 // 2098 bits of range in 32-bit digits, plus carry room
	exactLen    = exactDigits + 3         // Slice: the digits, then the NaN, +Inf, -Inf counts
	exactFlush  = 1 << 29                 // additions of < 2^33 each before an int64 could overflow
	mask32      = int64(1)<<32 - 1
)

// Add adds x exactly.
func (s *ExactSum) Add(x float64) {
	switch {
	case x == 0:
		return
	case math.IsNaN(x):
		s.nan++
		return
	case math.IsInf(x, 1):
		s.pinf++
		return
	case math.IsInf(x, -1):
		s.ninf++
		return
	}
	bits := math.Float64bits(x)
	exp := int((bits >> 52) & 0x7ff)
	m := bits & (1<<52 - 1)
	e := -1074
	if exp != 0 {
		m |= 1 << 52
		e = exp - 1075
	}
	pos := e + exactBase // ≥ 0
	d, off := pos/32, uint(pos%32)
	lo, hi := (m&0xffffffff)<<off, (m>>32)<<off // lo < 2^64, hi < 2^53
	c0 := int64(lo & 0xffffffff)
	c1 := int64(lo>>32) + int64(hi&0xffffffff)
	c2 := int64(hi >> 32)
	if bits>>63 != 0 {
		c0, c1, c2 = -c0, -c1, -c2
	}
	s.digits[d] += c0
	s.digits[d+1] += c1
	s.digits[d+2] += c2
	if s.adds++; s.adds >= exactFlush {
		s.normalize()
	}
}

// normalize propagates carries so that every digit but the last is in [0, 2^32).
func (s *ExactSum) normalize() {
	for i := 0; i < exactDigits-1; i++ {
		c := s.digits[i] >> 32 // floor division by 2^32
		s.digits[i] -= c << 32
		s.digits[i+1] += c
	}
	s.adds = 0
}

// Slice returns the accumulator as integers (normalised digits, then the NaN, +Inf and -Inf
// counts) for an integer Sum allreduce; SetSlice takes a sum of such slices back. Up to 2^31
// ranks can be summed without overflow.
func (s *ExactSum) Slice() []int64 {
	s.normalize()
	out := make([]int64, 0, exactLen)
	out = append(out, s.digits[:]...)
	return append(out, s.nan, s.pinf, s.ninf)
}

// SetSlice sets the accumulator from a (sum of) Slice.
func (s *ExactSum) SetSlice(v []int64) {
	if len(v) != exactLen {
		panic("stats: ExactSum slice has the wrong length")
	}
	copy(s.digits[:], v[:exactDigits])
	s.nan, s.pinf, s.ninf = v[exactDigits], v[exactDigits+1], v[exactDigits+2]
	s.normalize()
}

// Float64 returns the exact sum rounded to the nearest float64 (ties to even); NaN if a NaN or
// both infinities were added, ±Inf if one infinity was.
func (s *ExactSum) Float64() float64 {
	switch {
	case s.nan > 0 || (s.pinf > 0 && s.ninf > 0):
		return math.NaN()
	case s.pinf > 0:
		return math.Inf(1)
	case s.ninf > 0:
		return math.Inf(-1)
	}
	s.normalize()
	v := new(big.Int)
	for i := exactDigits - 1; i >= 0; i-- {
		v.Lsh(v, 32)
		v.Add(v, big.NewInt(s.digits[i]))
	}
	f := new(big.Float).SetPrec(uint(v.BitLen()) + 64).SetInt(v)
	f.SetMantExp(f, -exactBase)
	x, _ := f.Float64()
	return x
}

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
