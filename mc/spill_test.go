package mc

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpillRoundTrip(t *testing.T) {
	// Records beyond spillMem go to a file that is gone from the directory at once; reads of
	// any range, across the memory/file boundary too, give the records back bit for bit.
	dir := t.TempDir()
	codec := recordCodec{ni: 2, nq: 3}
	n := 3*spillMem/codec.size() + 17
	rng := rand.New(rand.NewPCG(1, 2))
	want := newRecords(n, 2, 3)
	for i := range want {
		r := &want[i]
		r.Index, r.Iterations, r.Status, r.Rank, r.Thread = i, rng.IntN(100), rng.IntN(numStatuses), rng.IntN(4), rng.IntN(3)-1
		r.Residual, r.Seconds, r.Start = rng.Float64(), rng.Float64(), rng.NormFloat64()
		for k := range r.Inputs {
			r.Inputs[k] = rng.NormFloat64()
		}
		for k := range r.QoIs {
			r.QoIs[k] = math.Float64frombits(rng.Uint64()) // any bits, NaNs included
		}
	}
	s := newSpill(codec, dir)
	for i := range want {
		require.NoError(t, s.add(&want[i]))
	}
	require.NotNil(t, s.f, "beyond spillMem the records are in a file")
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, ents, "the spill's file is removed from the directory at once")
	got := newRecords(1, 2, 3)
	sz := codec.size()
	for _, rg := range [][2]int{{0, 1}, {0, 1000}, {n - 5, n}, {n/3 - 2, n/3 + 2}, {0, n}, {int(s.fsize)/sz - 3, int(s.fsize)/sz + 3}} {
		buf := make([]byte, (rg[1]-rg[0])*sz)
		require.NoError(t, s.read(buf, rg[0]))
		for k := range rg[1] - rg[0] {
			codec.decode(buf[k*sz:], &got[0])
			w := want[rg[0]+k]
			require.Equal(t, recordBits(w), recordBits(got[0]), "record %d", rg[0]+k)
		}
	}
	assert.Panics(t, func() { s.read(make([]byte, 2*sz), n-1) })
	require.NoError(t, s.close())

	small := newSpill(codec, dir)
	require.NoError(t, small.add(&want[5]))
	buf := make([]byte, sz)
	require.NoError(t, small.read(buf, 0))
	codec.decode(buf, &got[0])
	assert.Equal(t, recordBits(want[5]), recordBits(got[0]))
	assert.Nil(t, small.f, "a few records stay in memory")
	require.NoError(t, small.close())
}

// recordBits is a record with its floats as bits (NaNs compare equal).
func recordBits(r Record) []uint64 {
	out := []uint64{uint64(r.Index), uint64(r.Iterations), uint64(r.Status), uint64(r.Rank), uint64(r.Thread),
		math.Float64bits(r.Residual), math.Float64bits(r.Seconds), math.Float64bits(r.Start)}
	for _, v := range append(append([]float64{}, r.Inputs...), r.QoIs...) {
		out = append(out, math.Float64bits(v))
	}
	return out
}
