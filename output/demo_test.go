package output

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"
)

// TestDemoPNGs renders the sample plots into $MCFEM_OUTPUT_DEMO, for people to look at:
//
//	MCFEM_OUTPUT_DEMO=/tmp/output-demo go test -run DemoPNGs ./output/
//
// the histogram and running mean of 10⁴ values of 6ε, ε ~ Beta(2, 6) (the reference problem's
// QoI, mean 1.5), with the exact density f_Beta(q/6)/6, and the scaling plots of a made-up
// 1–8-rank study. It is skipped without the variable.
func TestDemoPNGs(t *testing.T) {
	dir := os.Getenv("MCFEM_OUTPUT_DEMO")
	if dir == "" {
		t.Skip("MCFEM_OUTPUT_DEMO not set")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	beta := distuv.Beta{Alpha: 2, Beta: 6, Src: rand.New(rand.NewPCG(1, 2))}
	xs := make([]float64, 10000)
	for i := range xs {
		xs[i] = 6 * beta.Rand()
	}
	density := func(q float64) float64 { return beta.Prob(q/6) / 6 }
	require.NoError(t, HistogramPNG(filepath.Join(dir, "histogram.png"), xs, density,
		"QoI = 6ε, ε ~ Beta(2, 6): 10⁴ samples", "QoI"))
	require.NoError(t, RunningMeanPNG(filepath.Join(dir, "running-mean.png"), xs, 0.95, 1.5,
		"Running mean of the QoI"))
	csv := filepath.Join(dir, "scaling.csv")
	require.NoError(t, os.WriteFile(csv, []byte(scalingCSV), 0o644))
	pts, err := ReadScalingCSV(csv)
	require.NoError(t, err)
	require.NoError(t, ScalingPNGs(filepath.Join(dir, "speedup.png"), filepath.Join(dir, "efficiency.png"), pts,
		"Strong scaling, 400 samples, mesh 128"))
}
