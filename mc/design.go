package mc

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"

	"mcfem/detmath"
	"mcfem/dist"
	"mcfem/internal/setting"
	"mcfem/problem"
	"mcfem/qmc"
	"mcfem/stats"
)

// Samplers are the values of Config.Sampler: plain Monte Carlo, a randomized Sobol' sequence
// (quasi-Monte Carlo) and Latin hypercube sampling.
var Samplers = []string{"mc", "sobol", "lhs"}

// DefaultReplicates is the default of Config.Replicates.
const DefaultReplicates = 16

// MaxReplicates bounds Config.Replicates (and -tol's growth of LHS replicates).
const MaxReplicates = 1 << 16

// A design gives a campaign's samples their inputs. Plain Monte Carlo draws sample i from the
// random stream of (seed, stream, i). The other two are R independently randomized replicates
// of an n-point design in the unit cube of the problem's random scalars (problem.Dims), each
// point mapped by the inputs' quantiles (problem.FromUniform); the replicates' means give the
// standard error (replicated). Point j of replicate r depends on (seed, r, j) only, never on
// the rank, the thread or the batch, so the results are the same for every rank count.
//
//   - sobol: sample i is point j = ⌊i/R⌋ of replicate r = i mod R: the Sobol' sequence of
//     Joe and Kuo's direction numbers (qmc) in its first qmc.MaxSobolDims coordinates, each
//     replicate randomized by a random digital shift (each coordinate's 52 bits XORed with
//     the replicate's own random bits: L'Ecuyer and Lemieux, "Recent advances in randomized
//     quasi-Monte Carlo methods", 2002, §3), coordinates beyond it padded with independent
//     uniforms (Owen's padding: they are plain Monte Carlo). Doubling n appends the samples
//     [N, 2N): -tol's rounds double it, and every replicate keeps its first points.
//   - lhs: sample i is point j = i mod n of replicate r = ⌊i/n⌋: coordinate k of point j is
//     (π_{r,k}(j) + U)/n, π_{r,k} a permutation of [0, n) keyed by (seed, r, k) (qmc.Perm) and
//     U uniform from the sample's stream (McKay, Beckman and Conover 1979). A round of -tol
//     appends replicates.
type design struct {
	kind   string
	reps   int // R (lhs: grows with -tol's rounds)
	points int // n, points per replicate (sobol: the current power of two)
	dims   int // the problem's random scalars
	qd     int // sobol's coordinates: min(dims, qmc.MaxSobolDims)
	sob    *qmc.Sobol
	shifts []uint64 // sobol: R × qd digital shifts
	seed   uint64
	stream uint64
	inputs int // saltelli: the scalar inputs (the columns it swaps)
}

// newDesign returns cfg's design for the problem p and the random stream (0 for a campaign):
// nil for plain Monte Carlo.
func newDesign(cfg Config, p problem.Problem, stream uint64) (*design, error) {
	if cfg.Sensitivity {
		dims, err := p.Dims()
		if err != nil {
			return nil, fmt.Errorf("-sensitivity: %w", err)
		}
		return &design{kind: "saltelli", dims: dims, inputs: len(p.InputNames()), seed: cfg.Seed, stream: stream}, nil
	}
	if cfg.sampler() == "mc" {
		return nil, nil
	}
	dims, err := p.Dims()
	if err != nil {
		return nil, fmt.Errorf("-sampler %s: %w", cfg.Sampler, err)
	}
	d := &design{kind: cfg.Sampler, reps: cfg.Replicates, points: cfg.Samples / cfg.Replicates, dims: dims, seed: cfg.Seed, stream: stream}
	if d.kind == "sobol" {
		d.qd = min(dims, qmc.MaxSobolDims)
		if d.sob, err = qmc.NewSobol(d.qd); err != nil {
			return nil, err
		}
		d.shifts = make([]uint64, d.reps*d.qd)
		for r := range d.reps {
			for k := range d.qd {
				d.shifts[r*d.qd+k] = d.key(r, k) >> (64 - 52)
			}
		}
	}
	return d, nil
}

// key is the 64-bit key of replicate r's coordinate k: SplitMix64-mixed from the seed, the
// stream, r and k, like dist.StreamKey, with a salt of its own so that no key equals a
// sample's stream key.
func (d *design) key(r, k int) uint64 {
	k1, _ := dist.StreamKey(d.seed^0x5851f42d4c957f2d, d.stream, uint64(r)<<32|uint64(k))
	return k1
}

// replicate returns sample i's replicate.
func (d *design) replicate(i int) int {
	if d.kind == "sobol" {
		return i % d.reps
	}
	return i / d.points
}

// draw sets in to sample i's inputs; src is re-keyed as sample i's stream (the padding and the
// jitter of lhs draw from it). u and x are the worker's scratch, d.dims long.
func (d *design) draw(p problem.Problem, src *rand.PCG, i int, in *problem.Inputs, u []float64, x []uint64) {
	if d.kind == "saltelli" {
		d.drawSaltelli(p, src, i, in, u)
		return
	}
	dist.SeedSample(src, d.seed, d.stream, uint64(i))
	if d.kind == "sobol" {
		r, j := i%d.reps, i/d.reps
		d.sob.Point(uint64(j), x[:d.qd])
		for k := range d.qd {
			u[k] = qmc.Uniform(x[k], d.shifts[r*d.qd+k])
		}
		for k := d.qd; k < d.dims; k++ {
			u[k] = open01(src)
		}
	} else {
		r, j, n := i/d.points, i%d.points, d.points
		for k := range d.dims {
			u[k] = (float64(qmc.Perm(d.key(r, k), uint64(n), uint64(j))) + open01(src)) / float64(n)
		}
	}
	p.FromUniform(u[:d.dims], in)
}

// open01 is a uniform in (0, 1): 53 random bits and a half, scaled.
func open01(src *rand.PCG) float64 {
	return (float64(src.Uint64()>>11) + 0.5) * 0x1p-53
}

// sampler is Config.Sampler with "" read as mc.
func (c Config) sampler() string {
	if c.Sampler == "" {
		return "mc"
	}
	return c.Sampler
}

// validateDesign checks the sampler's settings: R ≥ 2 replicates, N a multiple of R (sobol:
// R times a power of two), no skipped samples (a missing point unbalances the design).
func (c Config) validateDesign() error {
	s := c.sampler()
	switch {
	case !slices.Contains(Samplers, s):
		return setting.Invalid("sampler", c.Sampler, "one of "+strings.Join(Samplers, ", "))
	case s == "mc":
		return nil
	case c.Replicates < 2 || c.Replicates > MaxReplicates:
		return setting.Invalid("replicates", fmt.Sprint(c.Replicates), fmt.Sprintf("an integer in [2, %d]: the replicates' means give the standard error", MaxReplicates))
	case c.Samples%c.Replicates != 0:
		return setting.Invalid("samples", fmt.Sprint(c.Samples), fmt.Sprintf("a multiple of -replicates %d with -sampler %s (RoundSamples: %d)", c.Replicates, s, c.RoundSamples(c.Samples)))
	case s == "sobol" && bits.OnesCount(uint(c.Samples/c.Replicates)) != 1:
		return setting.Invalid("samples", fmt.Sprint(c.Samples), fmt.Sprintf("-replicates %d times a power of two with -sampler sobol (e.g. %d)", c.Replicates, c.RoundSamples(c.Samples)))
	case c.OnFailure == "skip":
		return setting.Invalid("on-failure", c.OnFailure, fmt.Sprintf("fail or retry with -sampler %s: a skipped point would unbalance the design", s))
	}
	return nil
}

// RoundSamples returns the least sample count ≥ n that the sampler takes: any for mc, a
// multiple of the replicates for lhs, the replicates times a power of two for sobol.
func (c Config) RoundSamples(n int) int {
	r := max(c.Replicates, 1)
	switch c.sampler() {
	case "lhs":
		return (n + r - 1) / r * r
	case "sobol":
		per := max((n+r-1)/r, 1)
		return r << bits.Len(uint(per-1))
	}
	return n
}

// nextDesignSamples is nextSamples for sobol and lhs: sobol doubles the points per replicate
// (at least; by the ratio of the half-width to Tol, as if the error fell as 1/n, at most
// MaxGrowth times), lhs appends replicates (by the squared ratio, the error of a mean of
// replicates falling as 1/√R); never beyond MaxSamples (rounded down to the design's step).
func (c Config) nextDesignSamples(n int, hw float64) int {
	ratio := hw / c.Tol
	switch c.sampler() {
	case "sobol":
		grow := 2
		for float64(grow) < math.Min(float64(ratio*1.05), MaxGrowth) {
			grow *= 2
		}
		next := n * grow
		for next > c.MaxSamples && next > n {
			next /= 2
		}
		return next
	default: // lhs
		pts := n / c.Replicates // the points per replicate, fixed by the pilot
		reps := n / pts
		want := math.Ceil(math.Min(float64(float64(reps)*ratio*ratio)*1.05, float64(reps)*MaxGrowth))
		next := min(max(int(want), reps+1), MaxReplicates) * pts
		for next > c.MaxSamples && next > n {
			next -= pts
		}
		return next
	}
}

// replicated returns st with its standard error and confidence interval taken from the
// replicates' means (sums: one QoI's exact sums, per replicate): with R replicate means m_r,
// SE = s_R/√R, s_R² = Σ(m_r − m̄)²/(R−1), and the half-width t_{R−1,(1+c)/2}·SE (the
// randomized-QMC interval of L'Ecuyer and Lemieux 2002; for LHS, replicated Latin hypercubes,
// Iman 1981). The mean stays the mean of all the samples (the replicates have equal sizes, so
// it is the mean of the m_r). Every rank computes the same bits: the sums are exact and the
// loops run in replicate order.
func replicated(st stats.Stats, sums []stats.ExactPowerSums, confidence float64) stats.Stats {
	r := len(sums)
	means := make([]float64, r)
	var m float64
	for k := range sums {
		means[k] = sums[k].Describe(confidence).Mean
		m += means[k]
	}
	m /= float64(r)
	var ss float64
	for _, x := range means {
		ss += float64((x - m) * (x - m))
	}
	st.StdErr = math.Sqrt(ss / float64(r-1) / float64(r))
	st.CIHalf = float64(detmath.StudentsTQuantile(float64(r-1), 0.5+float64(confidence/2)) * st.StdErr)
	return st
}

// newReplicateSums returns zeroed sums of each QoI for each replicate of a round that ends
// with n samples: nil for plain Monte Carlo.
func (cp *campaign) newReplicateSums(n int) [][]stats.ExactPowerSums {
	if cp.des == nil || cp.des.kind == "saltelli" {
		return nil
	}
	r := cp.des.reps
	if cp.des.kind == "lhs" {
		r = n / cp.des.points // -tol's rounds append replicates
	}
	rs := make([][]stats.ExactPowerSums, len(cp.prob.QoINames()))
	for q := range rs {
		rs[q] = make([]stats.ExactPowerSums, r)
	}
	return rs
}

// addReplicate adds the QoIs of rec, if it counts, to its replicate's sums.
func (cp *campaign) addReplicate(rs [][]stats.ExactPowerSums, rec *Record) {
	if rs == nil || !ok(rec.Status) {
		return
	}
	r := cp.des.replicate(rec.Index)
	for q := range rs {
		rs[q][r].Add(rec.QoIs[q], 0)
	}
}

// mergeReplicates adds a round's allreduced replicate sums to the campaign's.
func (cp *campaign) mergeReplicates(rs [][]stats.ExactPowerSums) {
	if rs == nil {
		return
	}
	if cp.reps == nil {
		cp.reps = make([][]stats.ExactPowerSums, len(rs))
	}
	for q := range rs {
		for len(cp.reps[q]) < len(rs[q]) {
			cp.reps[q] = append(cp.reps[q], stats.ExactPowerSums{})
		}
		for r := range rs[q] {
			cp.reps[q][r].Merge(&rs[q][r])
		}
	}
	cp.des.reps = len(cp.reps[0])
}

// describe returns the statistics of QoI q from its allreduced sums g, with the replicates'
// standard error and interval under a design.
func (cp *campaign) describe(g stats.ExactPowerSums, q int) stats.Stats {
	st := g.Describe(cp.cfg.Confidence)
	if cp.des != nil && cp.des.kind != "saltelli" {
		st = replicated(st, cp.reps[q], cp.cfg.Confidence)
	}
	return st
}
