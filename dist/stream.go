package dist

import "math/rand/v2"

// splitmix64 is the finaliser of the SplitMix64 generator (Steele, Lea and Flood 2014): a
// bijection on uint64 that sends adjacent inputs to unrelated outputs.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// StreamKey returns the two PCG seed words of the random stream for sample i of stream
// (a campaign uses stream 0; a multilevel run uses one stream per level) under seed. The key is
// mixed through SplitMix64 at every step, so adjacent seeds, streams and sample indices give
// unrelated streams; it depends on nothing else (not on the rank or the rank count).
//
//	k1 = sm(sm(sm(seed) ^ stream) ^ i),  k2 = sm(k1 ^ 0x6a09e667f3bcc909)
func StreamKey(seed, stream, i uint64) (k1, k2 uint64) {
	k1 = splitmix64(splitmix64(splitmix64(seed)^stream) ^ i)
	k2 = splitmix64(k1 ^ 0x6a09e667f3bcc909)
	return k1, k2
}

// SeedSample re-seeds src as the stream of sample i; it allocates nothing, so one generator
// per worker serves every sample.
func SeedSample(src *rand.PCG, seed, stream, i uint64) {
	src.Seed(StreamKey(seed, stream, i))
}
