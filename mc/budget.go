package mc

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The budgets of a campaign: how many samples an accuracy may ask for (Config.MaxSamples,
// -max-samples) and how many failed samples -on-failure skip may leave out of the statistics
// before the verdict is INVALID (Config.MaxFailures, -max-failures).
const (
	// MaxSampleCount bounds -samples and -max-samples: sample indices stay far inside int32
	// journal fields, and the memory estimate (cli) refuses what does not fit long before.
	MaxSampleCount = 1 << 30
	// DefaultMaxSamples is -max-samples' default: the records of that many samples (about
	// 600 bytes each on rank 0) take 600 MB, which fits the machines mcfem runs on; a larger
	// budget is checked against the memory as -samples is.
	DefaultMaxSamples = 1_000_000
)

// MaxFailures is the number of failed samples a campaign under -on-failure skip may leave out
// of its statistics while its verdict stays VALID: a count, or a fraction of the samples
// (rounded down). As a flag value: an integer is a count ("5", "0"), a number with a point a
// fraction in [0, 1] ("0.01"), and a percentage a fraction ("1%").
type MaxFailures struct {
	Count    int     // when IsCount
	Fraction float64 // in [0, 1], when not IsCount
	IsCount  bool
}

// DefaultMaxFailures is -max-failures' default: 1% of the samples.
var DefaultMaxFailures = MaxFailures{Fraction: 0.01}

// Allowed is the number of failed samples allowed among n.
func (m MaxFailures) Allowed(n int) int {
	if m.IsCount {
		return m.Count
	}
	// The fraction of n, rounded down; the 1e-9 keeps 1% of 300 at 3 against 0.01·300 = 2.9999….
	return int(math.Floor(float64(m.Fraction*float64(n)) + 1e-9)) // the product rounded: no fused multiply-add
}

// String writes m as -max-failures takes it.
func (m *MaxFailures) String() string {
	if m.IsCount {
		return strconv.Itoa(m.Count)
	}
	pc := strconv.FormatFloat(100*m.Fraction, 'g', -1, 64)
	if x, err := strconv.ParseFloat(pc, 64); err == nil && x/100 == m.Fraction {
		return pc + "%"
	}
	return strconv.FormatFloat(m.Fraction, 'g', -1, 64) // 0.07, whose 100× is 7.000000000000001
}

// Set parses a -max-failures value.
func (m *MaxFailures) Set(s string) error {
	bad := fmt.Errorf("want a count of samples (an integer ≥ 0, e.g. 5), or a fraction of them in [0, 1] (e.g. 0.01 or 1%%)")
	t := strings.TrimSpace(s)
	if n, err := strconv.Atoi(t); err == nil {
		if n < 0 {
			return bad
		}
		*m = MaxFailures{Count: n, IsCount: true}
		return nil
	}
	scale := 1.0
	if p, ok := strings.CutSuffix(t, "%"); ok {
		t, scale = strings.TrimSpace(p), 100
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || !(f >= 0 && f <= scale) {
		return bad
	}
	*m = MaxFailures{Fraction: f / scale}
	return nil
}

// budgetNote says why a -tol campaign stopped before its tolerance: "" when it was met (or
// there is no -tol). n is the final sample count, rounds the rounds run, half the final
// half-width.
func (c Config) budgetNote(n, rounds int, half float64) string {
	switch {
	case c.Tol <= 0 || half <= c.Tol:
		return ""
	case n >= c.MaxSamples:
		return fmt.Sprintf("-max-samples %d reached", c.MaxSamples)
	case rounds >= MaxRounds:
		return fmt.Sprintf("the cap of %d rounds reached", MaxRounds)
	}
	return "the statistics ask for no more samples" // a NaN half-width: too few usable samples
}
