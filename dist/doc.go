// Package dist implements the random inputs of a campaign: the distributions of a scalar
// input as -dist writes them (beta, uniform, normal, lognormal with their exact moments and
// density, or a list of values read from a file), and the random stream of every sample.
//
// Sample i of stream s under seed k draws from a PCG generator keyed by (k, s, i) alone
// (StreamKey, SeedSample), so its inputs depend neither on the rank nor on the thread that
// draws them; the draws themselves are detmath's, so they depend neither on the build nor on
// the CPU.
package dist
