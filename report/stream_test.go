package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"mcfem/mc"
	"mcfem/spmd"
)

// forceExact is a sink that passes the records to a Streamed as if the campaign were above
// mc.OrderedValues (the plots' fixed-bin histogram) when exact is set.
type forceExact struct {
	*Streamed
	exact bool
}

func (f forceExact) Begin(info mc.PassInfo) error {
	if f.exact {
		info.Ordered = false
	}
	return f.Streamed.Begin(info)
}

// streamedFiles runs cfg on p in-process ranks with the outputs of x written into a new
// directory, which it returns.
func streamedFiles(t *testing.T, p int, cfg mc.Config, x Extras, exact bool) string {
	t.Helper()
	dir := t.TempDir()
	st := NewStreamed(dir, cfg.Problem.InputNames(), cfg.Problem.QoINames(), x)
	var res *mc.Result
	require.NoError(t, spmd.RunLocal(p, func(c spmd.Comm) error {
		opt := mc.Options{Stream: true, SpillDir: dir}
		if c.Rank() == 0 {
			opt.Sink = forceExact{st, exact}
		}
		r, err := mc.Run(c, cfg, opt)
		if c.Rank() == 0 {
			res = r
		}
		return err
	}))
	require.NoError(t, WriteFiles(dir, res, st, Env{}, x))
	return dir
}

func TestPlotsIdenticalForEveryRankCount(t *testing.T) {
	// The plots come from bounded summaries of the records as they pass — with the values at
	// hand (Freedman–Diaconis bins) or not (fixed bins over the values' range): the same
	// pixels for every rank count either way.
	cfg := mc.DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 3000, 4
	for _, exact := range []bool{false, true} {
		ref := map[string][]byte{}
		for _, p := range []int{1, 2, 3, 4} {
			dir := streamedFiles(t, p, cfg, Extras{Plots: true}, exact)
			for _, name := range []string{"qoi-histogram.png", "running-mean.png", "samples.csv"} {
				b, err := os.ReadFile(filepath.Join(dir, name))
				require.NoError(t, err)
				if p == 1 {
					ref[name] = b
				} else {
					assert.Equal(t, ref[name], b, "%s, P=%d, fixed bins %v", name, p, exact)
				}
			}
		}
	}
}

func TestTraceKeepsBoundedSampleSpans(t *testing.T) {
	// Each rank's first ⌈2¹⁶/P⌉ samples have spans; its combine span says how many it left out.
	if testing.Short() {
		t.Skip("a campaign of 70 000 samples")
	}
	cfg := mc.DefaultConfig()
	cfg.Samples, cfg.Problem.Cells = 70000, 2
	dir := streamedFiles(t, 3, cfg, Extras{Trace: true}, false)
	var trace struct {
		TraceEvents []struct {
			Name string         `json:"name"`
			Cat  string         `json:"cat"`
			Pid  int            `json:"pid"`
			Args map[string]any `json:"args"`
		} `json:"traceEvents"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "trace.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &trace))
	per := (1<<16 + 2) / 3
	samples := map[int]int{}
	for _, e := range trace.TraceEvents {
		switch {
		case e.Cat == "sample":
			samples[e.Pid]++
		case e.Name == "combine":
			lo, hi := spmd.Block(70000, 3, e.Pid)
			left := hi - lo - per
			require.NotNil(t, e.Args, "rank %d", e.Pid)
			assert.Equal(t, float64(left), e.Args["sample spans left out"], "rank %d", e.Pid)
		}
	}
	assert.Equal(t, map[int]int{0: per, 1: per, 2: per}, samples, "⌈2¹⁶/3⌉ per rank")
}
