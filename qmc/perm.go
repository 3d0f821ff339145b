package qmc

import "math/bits"

// Perm returns π(j) for a pseudo-random bijection π of [0, n) determined by key (n ≥ 1,
// j < n): a balanced Feistel network of four rounds (Luby and Rackoff 1988) on the smallest
// domain of 2^(2h) ≥ n values, its round function SplitMix64's finaliser of the key, the
// round and the half, cycle-walking (Black and Rogaway 2002) until the value falls below n.
// Its memory is O(1): every rank computes the permutation's values it needs.
func Perm(key, n, j uint64) uint64 {
	if n <= 1 {
		return 0
	}
	h := (bits.Len64(n-1) + 1) / 2 // half width in bits
	mask := uint64(1)<<h - 1
	x := j
	for {
		l, r := x>>h, x&mask
		for round := range uint64(4) {
			l, r = r, l^(mix(key^round<<56^r)&mask)
		}
		x = l<<h | r
		if x < n {
			return x
		}
	}
}

// mix is SplitMix64's finaliser (Steele, Lea and Flood 2014).
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
