package mc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"mcfem/dist"
	"mcfem/internal/setting"
	"mcfem/problem"
)

// Variance-based sensitivity: Sobol' indices of every QoI with respect to every scalar random
// input, by Saltelli's design (A. Saltelli et al., "Variance based sensitivity analysis of
// model output. Design and estimator for the total sensitivity index", Comput. Phys. Commun.
// 181 (2010) 259–270). Two independent N × D matrices A and B of points of the unit cube (D:
// the problem's random scalars, problem.Dims), and for each scalar input i the matrix AB_i, A
// with its column i from B: N(d + 2) solves for d inputs. Sample s is row j = ⌊s/(d+2)⌋ of
// A (s mod (d+2) = 0), of B (1) or of AB_i (2 + i). A field's KL coefficients always come from
// A: they are part of "everything else". From f_A, f_B, f_ABi and V the variance of the 2N
// values of f_A and f_B:
//
//	first order (Saltelli 2010, Table 2 (b)):  S_i  = (1/N) Σ_j f_B(j) (f_ABi(j) − f_A(j)) / V
//	total (Jansen 1999; Saltelli 2010 (f)):   S_Ti = (1/2N) Σ_j (f_A(j) − f_ABi(j))² / V
//
// with bootstrap intervals: the rows resampled with replacement SensitivityBootstrap times
// (a stream of the seed's), the percentile interval at the campaign's confidence (Efron and
// Tibshirani 1993, §13.3). Rank 0 holds the values in sample order (the ordered statistics'
// regime: SensitivityMaxValues), so the indices are the same bits for every rank count.

// SensitivityBootstrap is the number of bootstrap resamples of the Sobol' indices' intervals.
const SensitivityBootstrap = 1000

// SobolIndex is the first-order and total Sobol' index of one input for one QoI, with their
// bootstrap intervals.
type SobolIndex struct {
	Input                  string
	First, FirstLo, FirstH float64
	Total, TotalLo, TotalH float64
}

// drawSaltelli sets in to sample i's inputs: row j of A, B or AB_k (see above). u holds D
// coordinates; A's and B's rows are drawn from their own streams of (seed, j).
func (d *design) drawSaltelli(p problem.Problem, src *rand.PCG, i int, in *problem.Inputs, u []float64) {
	parts := d.inputs + 2
	j, m := i/parts, i%parts
	// Row j of A: its own stream, coordinate k the (k+1)-th draw.
	dist.SeedSample(src, d.seed^0x3c6ef372fe94f82b, 1, uint64(j))
	for k := range d.dims {
		u[k] = open01(src)
	}
	// The columns that come from row j of B (its stream, drawn in the same order): every input
	// for B itself, input m−2 for AB_{m−2}.
	lo, hi := 0, 0
	switch {
	case m == 1:
		hi = d.inputs
	case m >= 2:
		lo, hi = m-2, m-1
	}
	if hi > 0 {
		dist.SeedSample(src, d.seed^0x3c6ef372fe94f82b, 2, uint64(j))
		for k := range hi {
			if x := open01(src); k >= lo {
				u[k] = x
			}
		}
	}
	p.FromUniform(u[:d.dims], in)
}

// SensitivityMaxValues bounds the values (solves × QoIs) of a sensitivity campaign: rank 0
// holds them in order (OrderedValues).
func sensitivityMaxValues() int { return orderedValues }

// validateSensitivity checks a sensitivity campaign: plain sampling otherwise, no -tol, no
// skipped samples, rows of d + 2 solves, at most OrderedValues values.
func (c Config) validateSensitivity() error {
	if !c.Sensitivity {
		return nil
	}
	d := len(c.Problem.InputNames())
	nq := len(c.Problem.QoINames())
	switch {
	case c.sampler() != "mc":
		return setting.Invalid("sampler", c.Sampler, "mc with -sensitivity (Saltelli's design is its own)")
	case c.Tol > 0:
		return setting.Invalid("tol", fmt.Sprint(c.Tol), "0 with -sensitivity")
	case c.OnFailure == "skip":
		return setting.Invalid("on-failure", c.OnFailure, "fail or retry with -sensitivity: a skipped solve would leave a row of the design incomplete")
	case c.Samples%(d+2) != 0:
		return setting.Invalid("samples", fmt.Sprint(c.Samples), fmt.Sprintf("rows × %d solves (A, B and one AB per input)", d+2))
	case int64(c.Samples)*int64(nq) > int64(sensitivityMaxValues()):
		return setting.Invalid("samples", fmt.Sprint(c.Samples/(d+2)), fmt.Sprintf("at most %d rows with -sensitivity (%d solves a row, %d QoIs: rank 0 holds every value)", sensitivityMaxValues()/nq/(d+2), d+2, nq))
	}
	return nil
}

// sobolIndices returns the Sobol' indices of one QoI from its values in sample order (vals:
// rows of d + 2), with bootstrap intervals at the confidence level.
func sobolIndices(vals []float64, names []string, seed uint64, confidence float64) []SobolIndex {
	d := len(names)
	parts := d + 2
	n := len(vals) / parts
	rows := make([]int, n)
	for j := range rows {
		rows[j] = j
	}
	first, total := estimate(vals, rows, d)
	out := make([]SobolIndex, d)
	boots := make([][2][]float64, d)
	src := rand.NewPCG(0, 0)
	dist.SeedSample(src, seed^0x9b05688c2b3e6c1f, 0, 0)
	rng := rand.New(src)
	for range SensitivityBootstrap {
		for j := range rows {
			rows[j] = rng.IntN(n)
		}
		f, t := estimate(vals, rows, d)
		for i := range d {
			boots[i][0] = append(boots[i][0], f[i])
			boots[i][1] = append(boots[i][1], t[i])
		}
	}
	lo, hi := (1-confidence)/2, (1+confidence)/2
	pct := func(xs []float64, p float64) float64 {
		slices.Sort(xs)
		k := min(max(int(math.Ceil(float64(p*float64(len(xs)))))-1, 0), len(xs)-1)
		return xs[k]
	}
	for i := range d {
		out[i] = SobolIndex{Input: names[i], First: first[i], Total: total[i],
			FirstLo: pct(boots[i][0], lo), FirstH: pct(boots[i][0], hi),
			TotalLo: pct(boots[i][1], lo), TotalH: pct(boots[i][1], hi)}
	}
	return out
}

// estimate returns the first-order and total indices of the d inputs over the rows (a
// bootstrap resample or all of them), in row order.
func estimate(vals []float64, rows []int, d int) (first, total []float64) {
	parts := d + 2
	n := float64(len(rows))
	var mean float64
	for _, j := range rows {
		mean += vals[j*parts] + vals[j*parts+1]
	}
	mean /= 2 * n
	var v float64
	for _, j := range rows {
		a, b := vals[j*parts]-mean, vals[j*parts+1]-mean
		v += float64(a*a) + float64(b*b)
	}
	v /= 2*n - 1
	first, total = make([]float64, d), make([]float64, d)
	for i := range d {
		var s, t float64
		for _, j := range rows {
			a, b, ab := vals[j*parts], vals[j*parts+1], vals[j*parts+2+i]
			s += float64(b * (ab - a))
			t += float64((a - ab) * (a - ab))
		}
		first[i] = s / n / v
		total[i] = t / (2 * n) / v
	}
	return first, total
}
