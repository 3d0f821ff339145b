package mc

import (
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTallyIndexSums(t *testing.T) {
	// The closed forms modulo 2⁶⁴ against big integers, also where the products wrap.
	mod := new(big.Int).Lsh(big.NewInt(1), 64)
	for _, n := range []uint64{0, 1, 2, 3, 4, 5, 6, 7, 1000, 1<<32 + 5, 3<<40 + 1, 1<<62 + 3, math.MaxInt64} {
		bn := new(big.Int).SetUint64(n)
		// n(n−1)/2 and (n−1)n(2n−1)/6
		s := new(big.Int).Mul(bn, new(big.Int).Sub(bn, big.NewInt(1)))
		s.Rsh(s, 1)
		q := new(big.Int).Mul(new(big.Int).Sub(bn, big.NewInt(1)), bn)
		q.Mul(q, new(big.Int).Sub(new(big.Int).Lsh(bn, 1), big.NewInt(1)))
		q.Quo(q, big.NewInt(6))
		if n == 0 {
			s.SetInt64(0)
			q.SetInt64(0)
		}
		assert.Equal(t, s.Mod(s, mod).Uint64(), sumTo(n), "Σi, n=%d", n)
		assert.Equal(t, q.Mod(q, mod).Uint64(), sumSquaresTo(n), "Σi², n=%d", n)
	}
}

func TestTallyIndicesExact(t *testing.T) {
	recs := func(idx ...int) *tally {
		tl := newTally(1, 1e-8)
		r := newRecords(1, 0, 1)
		for _, i := range idx {
			r[0].Index = i
			tl.add(&r[0])
		}
		return tl
	}
	assert.True(t, recs(0, 1, 2, 3, 4).indicesExact(5))
	assert.True(t, recs(4, 2, 0, 3, 1).indicesExact(5), "order does not matter")
	assert.True(t, recs().indicesExact(0))
	assert.False(t, recs(0, 1, 2, 3).indicesExact(5), "one missing")
	assert.False(t, recs(0, 1, 2, 3, 3).indicesExact(5), "one twice, one missing")
	assert.False(t, recs(0, 0, 2, 4, 4).indicesExact(5), "two twice, two missing: Σi equal, Σi² not")
	assert.False(t, recs(0, 1, 2, 3, 4, 5).indicesExact(5), "one too many")
	assert.False(t, recs(-1, 1, 2, 3, 4).indicesExact(5), "negative")
	assert.False(t, recs(0, 1, 2, 3, 5).indicesExact(5), "out of range")
}

// oldIterations and oldChecks are the summaries as they were computed from every record in
// sample order before the tallies: the reference the tallies must reproduce bit for bit.
func oldIterations(r *tested) IterationStats {
	s := IterationStats{Min: math.MaxInt}
	var sum float64
	for _, rec := range r.Records {
		if !ok(rec.Status) {
			continue
		}
		s.Min = min(s.Min, rec.Iterations)
		s.Max = max(s.Max, rec.Iterations)
		s.MaxResidual = math.Max(s.MaxResidual, rec.Residual)
		sum += float64(rec.Iterations)
	}
	s.Mean = sum / float64(r.Stats[0].N)
	return s
}

func oldStatusCounts(r *tested) []int64 {
	failed := make([]int64, len(StatusNames))
	for _, rec := range r.Records {
		failed[rec.Status]++
	}
	return failed
}

func TestTallyAgreesWithTheRecords(t *testing.T) {
	// A campaign with failures (skip): the tallies, reduced over P ranks, give the iteration
	// summary and the status counts that the records in sample order give, bit for bit, for
	// every P; every check reads the same for every P.
	cfg := DefaultConfig()
	cfg.Problem.Cells, cfg.Samples, cfg.OnFailure = 4, 60, "skip"
	cfg.MaxFailures = MaxFailures{Fraction: 0.5}
	// Sample 7 fails on whichever rank owns it.
	opt := func(rank int) Options { return Options{Hook: &Fault{Rank: rank, Sample: 7, Kind: "nan", Repeat: 1}} }
	var ref *tested
	for _, p := range []int{1, 2, 3, 4} {
		res := runLocalOptRank(t, p, cfg, opt)
		require.True(t, res.Valid(), "%+v", res.Checks)
		assert.Equal(t, oldIterations(res), res.Iterations(), "P=%d", p)
		assert.Equal(t, oldStatusCounts(res), res.tally.status[:], "P=%d", p)
		assert.Equal(t, int64(1), res.tally.status[StatusNonFinite], "P=%d", p)
		assert.Equal(t, 60, len(res.Records))
		if ref == nil {
			ref = res
			continue
		}
		assert.Equal(t, ref.Checks, res.Checks, "P=%d", p)
		assert.Equal(t, ref.tally.qMin, res.tally.qMin, "P=%d", p)
		assert.Equal(t, ref.tally.qMax, res.tally.qMax, "P=%d", p)
	}
}

func TestStatisticsFromExactSumsAboveOrderedValues(t *testing.T) {
	// Above OrderedValues the statistics are the allreduced exact sums': the same bits for
	// every P, the checks valid, and the allreduce check says what it compared.
	defer func(v int) { orderedValues = v }(orderedValues)
	orderedValues = 99 // 100 samples of 1 QoI are above it
	cfg := DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 100, 4
	var ref *tested
	for _, p := range []int{1, 2, 3, 4} {
		res := runLocal(t, p, cfg)
		require.True(t, res.Valid(), "%+v", res.Checks)
		assert.False(t, res.Ordered)
		assert.Equal(t, statsBits(res.Global[0]), statsBits(res.Stats[0]), "P=%d", p)
		assert.Contains(t, checkNamed(t, res.Result, "allreduce").Detail, "exact sums")
		if ref == nil {
			ref = res
			continue
		}
		assert.Equal(t, statsBits(ref.Stats[0]), statsBits(res.Stats[0]), "P=%d", p)
		assert.Equal(t, ref.Checks, res.Checks, "P=%d", p)
	}
	orderedValues = OrderedValues
	ord := runLocal(t, 2, cfg)
	require.True(t, ord.Ordered)
	// Not the same bits, but the same values to rounding (1e-12 relative: both are within a
	// few ulps of the exact values for 100 samples of a QoI whose mean is about its std).
	assert.InEpsilon(t, ord.Stats[0].Mean, ref.Stats[0].Mean, 1e-12, "the two statistics agree to rounding")
	assert.InEpsilon(t, ord.Stats[0].Variance, ref.Stats[0].Variance, 1e-12)
}
