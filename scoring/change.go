package scoring

import "math"

// MeanChange compares a mean with its baseline: d = Ȳ − Ȳ₀ with Welch's
// SE = √(SE² + SE₀²) and Welch–Satterthwaite degrees of freedom; the
// interval is d ± t·SE and p is two-sided.
func MeanChange(mean, se, nEff, base, baseSE, baseNEff, level float64) (d, low, high, p float64) {
	d = mean - base
	s, df, p := welchTest(d, se, nEff, baseSE, baseNEff)
	if s == 0 {
		return d, d, d, p
	}
	half := TQuantile(1-(1-level)/2, df) * s
	return d, d - half, d + half, p
}

// RateChange compares a rate with its baseline by Newcombe's hybrid score
// interval (method 10, 1998) from each rate's Wilson interval:
// [d − √((p − l)² + (u₀ − p₀)²), d + √((u − p)² + (p₀ − l₀)²)]. The change
// is significant when the interval leaves out 0.
func RateChange(p, low, high, p0, low0, high0 float64) (d, l, u float64) {
	d = p - p0
	return d, d - math.Hypot(p-low, high0-p0), d + math.Hypot(high-p, p0-low0)
}

// PlannedMargin is the margin of error of a rate near 50% from n simple
// random respondents, z·√(0.25/n): the planning figure behind a quota.
func PlannedMargin(n int, z float64) float64 {
	if n <= 0 {
		return 0
	}
	return z * math.Sqrt(0.25/float64(n))
}
