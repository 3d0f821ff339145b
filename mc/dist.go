package mc

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"
)

// Dist is the distribution of a sample's scalar random input ε, with its exact moments.
type Dist interface {
	// Rand draws one value from src.
	Rand(src rand.Source) float64
	Mean() float64
	Variance() float64
	Skewness() float64
	// ExKurtosis is the excess kurtosis, μ4/σ⁴ - 3.
	ExKurtosis() float64
	String() string
}

// Beta is the Beta(A, B) distribution on [0, 1]; the seed's input is Beta(2, 6).
type Beta struct{ A, B float64 }

func (d Beta) dist(src rand.Source) distuv.Beta {
	return distuv.Beta{Alpha: d.A, Beta: d.B, Src: src}
}

// Rand draws one value with gonum's distuv.Beta (two gamma variates).
func (d Beta) Rand(src rand.Source) float64 { return d.dist(src).Rand() }

// Mean is A/(A+B).
func (d Beta) Mean() float64 { return d.dist(nil).Mean() }

// Variance is AB/((A+B)²(A+B+1)).
func (d Beta) Variance() float64 { return d.dist(nil).Variance() }

// Skewness is 2(B-A)√(A+B+1) / ((A+B+2)√(AB)).
func (d Beta) Skewness() float64 {
	a, b := d.A, d.B
	return 2 * (b - a) * math.Sqrt(a+b+1) / ((a + b + 2) * math.Sqrt(a*b))
}

// ExKurtosis is 6((A-B)²(A+B+1) - AB(A+B+2)) / (AB(A+B+2)(A+B+3)).
func (d Beta) ExKurtosis() float64 {
	a, b := d.A, d.B
	return 6 * ((a-b)*(a-b)*(a+b+1) - a*b*(a+b+2)) / (a * b * (a + b + 2) * (a + b + 3))
}

func (d Beta) String() string { return fmt.Sprintf("beta:%g,%g", d.A, d.B) }
