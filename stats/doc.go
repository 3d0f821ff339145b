// Package stats implements the statistics of a campaign's QoIs: power sums and the unbiased
// h- and k-statistics computed from them (mean, variance, skewness, excess kurtosis, their
// standard errors, the confidence interval of the mean with Student's t quantile), both in
// sample order from the values (DescribeOrdered: bit-identical for every rank count) and from
// sums reduced across ranks; and the exact (Kulisch) sums that make the reduction itself
// independent of the order and of the rank count: ExactSum, a fixed-point accumulator of
// every float64 reduced as integers, and ExactPowerSums, the count, the four power sums and a
// cost in that form.
//
// Every product that feeds a sum is rounded explicitly, and the t quantile is detmath's: the
// statistics have the same bits on every build.
package stats
