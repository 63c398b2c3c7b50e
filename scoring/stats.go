package scoring

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Published precision: scores are shown with two decimals, rates as
// percentages with one (three decimals of the fraction). Grades, ranks and
// ties follow the published figure, never the float behind it.
const (
	ScorePlaces = 2
	RatePlaces  = 3
)

// Round rounds x half away from zero at places decimals, in decimal: the
// float is first written with 9 decimals (far below any published digit,
// far above float noise), so 89.99999999999999 is 90 and 1.005 is 1.01 as a
// reader of the decimal figure expects.
func Round(x float64, places int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', 9, 64)
	dot := strings.IndexByte(s, '.')
	digits := []byte(s[:dot] + s[dot+1:dot+1+places])
	if s[dot+1+places] >= '5' {
		for i := len(digits) - 1; i >= 0; i-- {
			if digits[i] < '9' {
				digits[i]++
				break
			}
			digits[i] = '0'
			if i == 0 {
				digits = append([]byte{'1'}, digits...)
			}
		}
	}
	v, _ := strconv.ParseFloat(string(digits), 64)
	v /= math.Pow10(places)
	if x < 0 {
		v = -v
	}
	return v
}

// RoundScore rounds to the published precision of scores.
func RoundScore(x float64) float64 { return Round(x, ScorePlaces) }

// lbeta is log B(a, b).
func lbeta(a, b float64) float64 {
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	return la + lb - lab
}

// betaCF is the continued fraction of the regularized incomplete beta
// function (modified Lentz), as in Numerical Recipes §6.4.
func betaCF(a, b, x float64) float64 {
	const eps, tiny = 1e-15, 1e-300
	qab, qap, qam := a+b, a+1, a-1
	c, d := 1.0, 1-qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	// One Lentz step with the next coefficient aa: the factor h grows by.
	step := func(aa float64) float64 {
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		return d * c
	}
	for m := 1; m <= 300; m++ {
		fm := float64(m)
		m2 := 2 * fm
		h *= step(fm * (b - fm) * x / ((qam + m2) * (a + m2)))
		del := step(-(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2)))
		h *= del
		if math.Abs(del-1) < eps {
			break
		}
	}
	return h
}

// regIncBeta is I_x(a, b).
func regIncBeta(a, b, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	front := math.Exp(a*math.Log(x) + b*math.Log1p(-x) - lbeta(a, b))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(a, b, x) / a
	}
	return 1 - front*betaCF(b, a, 1-x)/b
}

// TCDF is P(T ≤ t) for Student's t with df degrees of freedom (df may be
// fractional, as n_eff − 1 and Welch's df are). df = +Inf is the normal.
func TCDF(t, df float64) float64 {
	if math.IsInf(df, 1) || df > 1e7 {
		return 0.5 * math.Erfc(-t/math.Sqrt2)
	}
	x := df / (df + t*t)
	tail := 0.5 * regIncBeta(df/2, 0.5, x)
	if t > 0 {
		return 1 - tail
	}
	return tail
}

// TQuantile is the t with P(T ≤ t) = p, for 0 < p < 1, by bisection on
// TCDF (monotone; 200 halvings reach float precision).
func TQuantile(p, df float64) float64 {
	if p == 0.5 {
		return 0
	}
	if p < 0.5 {
		return -TQuantile(1-p, df)
	}
	lo, hi := 0.0, 1.0
	for TCDF(hi, df) < p {
		hi *= 2
		if hi > 1e12 {
			return hi
		}
	}
	for i := 0; i < 200 && hi-lo > 1e-13*hi; i++ {
		mid := (lo + hi) / 2
		if TCDF(mid, df) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// ConfidenceLevel turns the round's z (the two-sided normal quantile, 1.96
// by default) into its confidence level, 0.95, so that the t quantiles and
// the Wilson interval answer to the same level.
// Quantiles are quoted to two decimals, so the level is read to four:
// z = 1.96 is 95%, not 95.0004%.
func ConfidenceLevel(z float64) float64 { return Round(2*TCDF(z, math.Inf(1))-1, 4) }

// Holm adjusts p-values for multiple comparisons (Holm 1979, step-down):
// sort ascending, p_(i)·(m − i + 1), running maximum, capped at 1; returned
// in the input's order.
func Holm(ps []float64) []float64 {
	m := len(ps)
	idx := make([]int, m)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ps[idx[a]] < ps[idx[b]] })
	out := make([]float64, m)
	running := 0.0
	for k, i := range idx {
		v := math.Min(1, ps[i]*float64(m-k))
		running = math.Max(running, v)
		out[i] = running
	}
	return out
}
