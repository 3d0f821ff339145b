package qmc

import "fmt"

// MaxSobolDims is the number of dimensions of the direction numbers below; SobolBits the bits
// of a coordinate.
const (
	MaxSobolDims = 32
	SobolBits    = 52
)

// joeKuo are dimensions 2..32 of the direction numbers of S. Joe and F. Y. Kuo, "Constructing
// Sobol sequences with better two-dimensional projections", SIAM J. Sci. Comput. 30 (2008)
// 2635–2654, as published in their file new-joe-kuo-6.21201 (columns d, s, a, m_1..m_s: the
// degree s of the primitive polynomial, its inner coefficients a as bits, and the initial
// direction integers m_i). Dimension 1 is van der Corput's: all m_i = 1.
var joeKuo = [][]uint64{
	{2, 1, 0, 1},
	{3, 2, 1, 1, 3},
	{4, 3, 1, 1, 3, 1},
	{5, 3, 2, 1, 1, 1},
	{6, 4, 1, 1, 1, 3, 3},
	{7, 4, 4, 1, 3, 5, 13},
	{8, 5, 2, 1, 1, 5, 5, 17},
	{9, 5, 4, 1, 1, 5, 5, 5},
	{10, 5, 7, 1, 1, 7, 11, 19},
	{11, 5, 11, 1, 1, 5, 1, 1},
	{12, 5, 13, 1, 1, 1, 3, 11},
	{13, 5, 14, 1, 3, 5, 5, 31},
	{14, 6, 1, 1, 3, 3, 9, 7, 49},
	{15, 6, 13, 1, 1, 1, 15, 21, 21},
	{16, 6, 16, 1, 3, 1, 13, 27, 49},
	{17, 6, 19, 1, 1, 1, 15, 7, 5},
	{18, 6, 22, 1, 3, 1, 15, 13, 25},
	{19, 6, 25, 1, 1, 5, 5, 19, 61},
	{20, 7, 1, 1, 3, 7, 11, 23, 15, 103},
	{21, 7, 4, 1, 3, 7, 13, 13, 15, 69},
	{22, 7, 7, 1, 1, 3, 13, 7, 35, 63},
	{23, 7, 8, 1, 3, 5, 9, 1, 25, 53},
	{24, 7, 14, 1, 3, 1, 13, 9, 35, 107},
	{25, 7, 19, 1, 3, 1, 5, 27, 61, 31},
	{26, 7, 21, 1, 1, 5, 11, 19, 41, 61},
	{27, 7, 28, 1, 3, 5, 3, 3, 13, 69},
	{28, 7, 31, 1, 1, 7, 13, 1, 19, 1},
	{29, 7, 32, 1, 3, 7, 5, 13, 19, 59},
	{30, 7, 37, 1, 1, 3, 9, 25, 29, 41},
	{31, 7, 41, 1, 3, 5, 13, 23, 1, 55},
	{32, 7, 42, 1, 3, 7, 3, 13, 59, 17},
}

// Sobol is the Sobol' sequence in up to MaxSobolDims dimensions: its direction numbers
// V_{k,i} = m_{k,i}·2^(SobolBits−i) for i ≤ s_k and, beyond, the recurrence of the degree-s
// primitive polynomial with coefficients a (Bratley and Fox, ACM TOMS 14 (1988) 88–100;
// Joe and Kuo's sobol.cc): V_i = V_{i−s} ⊕ (V_{i−s} ≫ s) ⊕ ⊕_{k=1}^{s−1} a_k V_{i−k}. It is
// immutable, safe for concurrent use.
type Sobol struct {
	dims int
	v    [][SobolBits]uint64 // v[k][i−1] = V_{k,i}
}

// NewSobol returns the sequence in dims dimensions, 1 ≤ dims ≤ MaxSobolDims.
func NewSobol(dims int) (*Sobol, error) {
	if dims < 1 || dims > MaxSobolDims {
		return nil, fmt.Errorf("qmc: Sobol' sequence in %d dimensions: want 1 to %d", dims, MaxSobolDims)
	}
	s := &Sobol{dims: dims, v: make([][SobolBits]uint64, dims)}
	for i := range SobolBits {
		s.v[0][i] = 1 << (SobolBits - 1 - i)
	}
	for k := 1; k < dims; k++ {
		row := joeKuo[k-1]
		deg, a, m := int(row[1]), row[2], row[3:]
		v := &s.v[k]
		for i := 0; i < deg && i < SobolBits; i++ {
			v[i] = m[i] << (SobolBits - 1 - i)
		}
		for i := deg; i < SobolBits; i++ {
			x := v[i-deg] ^ v[i-deg]>>deg
			for j := 1; j < deg; j++ {
				if a>>(deg-1-j)&1 == 1 {
					x ^= v[i-j]
				}
			}
			v[i] = x
		}
	}
	return s, nil
}

// Dims is the sequence's dimension.
func (s *Sobol) Dims() int { return s.dims }

// Point sets dst[k], for k < len(dst) ≤ Dims, to coordinate k of point j (j < 2^SobolBits)
// in Gray-code order, scaled by 2^SobolBits: the XOR of V_{k,b+1} over the set bits b of
// g = j ⊕ (j ≫ 1). The first 2^m points are those of the natural order (the same set), so
// every prefix of 2^m points of each coordinate is a (0, m, 1)-net. It allocates nothing.
func (s *Sobol) Point(j uint64, dst []uint64) {
	g := j ^ j>>1
	for k := range dst {
		var x uint64
		for b, h := 0, g; h != 0; b, h = b+1, h>>1 {
			if h&1 == 1 {
				x ^= s.v[k][b]
			}
		}
		dst[k] = x
	}
}

// Uniform maps a coordinate x (SobolBits bits) and a random digital shift (SobolBits random
// bits) to (0, 1): ((x ⊕ shift) + ½)·2^−SobolBits, never 0 or 1. A digital shift keeps the
// net structure of every prefix of 2^m points and makes each point uniform on the unit cube
// (L'Ecuyer and Lemieux, "Recent advances in randomized quasi-Monte Carlo methods", 2002).
func Uniform(x, shift uint64) float64 {
	return (float64((x^shift)&(1<<SobolBits-1)) + 0.5) * 0x1p-52
}
