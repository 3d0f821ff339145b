package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"mcfem/mc"
)

// quantilesFlag is -quantiles: levels as fractions (0.05) or percentages (5%).
type quantilesFlag struct{ levels *[]float64 }

func (f quantilesFlag) String() string {
	if f.levels == nil {
		return ""
	}
	var s []string
	for _, p := range *f.levels {
		s = append(s, percent(p))
	}
	return strings.Join(s, ",")
}

// percent writes the fraction p as a percentage ("5%") when that reads back as p exactly, else
// as the fraction itself (0.07, whose 100·p is 7.000000000000001).
func percent(p float64) string {
	pc := strconv.FormatFloat(100*p, 'g', -1, 64)
	if x, err := strconv.ParseFloat(pc, 64); err == nil && x/100 == p {
		return pc + "%"
	}
	return strconv.FormatFloat(p, 'g', -1, 64)
}

func (f quantilesFlag) Set(v string) error {
	var levels []float64
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		scale := 1.0
		if t, ok := strings.CutSuffix(s, "%"); ok {
			s, scale = t, 100
		}
		p, err := strconv.ParseFloat(s, 64)
		if err != nil || !(p/scale > 0 && p/scale < 1) {
			return fmt.Errorf("%q: want levels in (0, 1) or (0%%, 100%%), comma-separated", v)
		}
		levels = append(levels, p/scale)
	}
	*f.levels = levels
	return nil
}

// thresholdFlag is -threshold, repeatable: [QOI:]value,value….
type thresholdFlag struct{ th *[]mc.Threshold }

func (f thresholdFlag) String() string { return strings.Join(f.values(), " ") }

// values returns the thresholds as -threshold takes them, one QOI:value each.
func (f thresholdFlag) values() []string {
	if f.th == nil {
		return nil
	}
	var s []string
	for _, t := range *f.th {
		s = append(s, t.QoI+":"+strconv.FormatFloat(t.Value, 'g', -1, 64))
	}
	return s
}

func (f thresholdFlag) Set(v string) error {
	name, vals := "", v
	if i := strings.LastIndex(v, ":"); i >= 0 {
		name, vals = v[:i], v[i+1:]
	}
	for _, s := range strings.Split(vals, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%q: want [QOI:]value,value… (finite numbers)", v)
		}
		*f.th = append(*f.th, mc.Threshold{QoI: name, Value: x})
	}
	return nil
}

// distributionFlags defines -quantiles, -threshold and -cvar on fs.
func distributionFlags(fs flagSet, cfg *mc.Config) {
	cfg.Quantiles = append([]float64(nil), mc.DefaultQuantiles...)
	fs.Var(quantilesFlag{&cfg.Quantiles}, "quantiles", "levels of every QoI's quantiles, each reported with a distribution-free interval from order statistics (fractions or percentages, comma-separated)")
	fs.Var(thresholdFlag{&cfg.Thresholds}, "threshold", "estimate P(QoI > value) with its Wilson interval: `[QOI:]value,value…` (default QOI: the first; repeat the flag for several QoIs)")
	fs.Float64Var(&cfg.CVaRLevel, "cvar", mc.DefaultCVaRLevel, "level α of the conditional value at risk: the mean of every QoI's values at or above its α-quantile, in (0, 1)")
}
