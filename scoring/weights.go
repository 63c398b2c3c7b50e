package scoring

import (
	"math"
	"sort"
	"strings"

	"pinggu"
)

// cellWeights are a unit's weight per respondent in each cell, whether
// trimming moved any, and the population cells (or margin categories) the
// unit has no respondent in.
type cellWeights struct {
	w       map[string]float64
	trimmed bool
	empty   []string
}

// weights returns each cell's weight: 1 without weighting; w_h = N_h / n_h
// for post-stratification; raked (and trimmed) weights for raking. The
// unmatched cell weighs 0.
func (t *Tally) weights(cells map[string]*cell) cellWeights {
	out := cellWeights{w: map[string]float64{}}
	wt := t.s.Weighting
	counts := map[string]float64{}
	for key, c := range cells {
		switch {
		case wt == nil:
			out.w[key] = 1
		case key == unmatched:
			out.w[key] = 0
		default:
			counts[key] = float64(c.respondents)
		}
	}
	if wt == nil {
		return out
	}
	if wt.Raking() {
		raked, trimmed, empty := Rake(counts, wt.Cells, wt.Margins, wt.TrimOrDefault())
		for k, v := range raked {
			out.w[k] = v
		}
		out.trimmed, out.empty = trimmed, empty
		return out
	}
	for key, n := range counts {
		out.w[key] = wt.Shares[key] / n
	}
	for key := range wt.Shares {
		if counts[key] == 0 {
			out.empty = append(out.empty, key)
		}
	}
	sort.Strings(out.empty)
	return out
}

// rakeIterations bounds iterative proportional fitting; rakeTolerance is
// the largest gap to a target margin at which it stops.
const (
	rakeIterations = 1000
	rakeTolerance  = 1e-10
	trimRounds     = 50
)

// Rake fits cell weights to marginal population shares by iterative
// proportional fitting (Deming & Stephan 1940): cells are keyed by their
// option codes joined with "|" in the order of vars, counts are the
// respondents per cell, margins the target share of each option of each
// variable. Each pass scales the cells of every option so its weighted
// share meets the target. Then weights outside [trim.Min, trim.Max] times
// the mean weight are held at the bound and the rest raked again, until no
// weight leaves the bounds, for up to 50 rounds (should they run out, the
// last raking stands: margins met, bounds nearly). Categories without
// respondents cannot be fitted: their targets are dropped, the remaining
// ones scaled to sum to 1, and they are returned as "question=code".
// The result is each cell's weight per respondent, summing over
// respondents to 1.
func Rake(counts map[string]float64, vars []string, margins map[string]map[string]float64, trim pinggu.Trim) (weights map[string]float64, trimmed bool, empty []string) {
	keys := make([]string, 0, len(counts))
	parts := map[string][]string{}
	n := 0.0
	for k, c := range counts {
		if c > 0 {
			keys = append(keys, k)
			parts[k] = strings.Split(k, "|")
			n += c
		}
	}
	sort.Strings(keys)
	weights = map[string]float64{}
	if len(keys) == 0 {
		return weights, false, nil
	}
	// Targets over the categories present; the missing ones are reported.
	targets := make([]map[string]float64, len(vars))
	for v, q := range vars {
		present := map[string]bool{}
		for _, k := range keys {
			present[parts[k][v]] = true
		}
		targets[v] = map[string]float64{}
		sum := 0.0
		codes := make([]string, 0, len(margins[q]))
		for code := range margins[q] {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			if present[code] {
				targets[v][code] = margins[q][code]
				sum += margins[q][code]
			} else {
				empty = append(empty, q+"="+code)
			}
		}
		for code := range targets[v] {
			targets[v][code] /= sum
		}
	}
	// total[k] is the cell's weighted share; a respondent's weight is total/count.
	total := map[string]float64{}
	for _, k := range keys {
		total[k] = counts[k] / n
	}
	fixed := map[string]bool{} // trimmed cells: per-respondent weight held at the bound
	rake := func() {
		for it := 0; it < rakeIterations; it++ {
			worst := 0.0
			for v := range vars {
				share := map[string]float64{}
				free := map[string]float64{}
				for _, k := range keys {
					share[parts[k][v]] += total[k]
					if !fixed[k] {
						free[parts[k][v]] += total[k]
					}
				}
				for _, k := range keys {
					if fixed[k] {
						continue
					}
					code := parts[k][v]
					gap := targets[v][code] - share[code]
					worst = math.Max(worst, math.Abs(gap))
					if free[code] > 0 {
						total[k] *= 1 + gap/free[code]
					}
				}
			}
			if worst < rakeTolerance {
				return
			}
		}
	}
	bound := func() (moved bool) {
		mean := 1 / n // weights sum to 1 over n respondents
		for _, k := range keys {
			w := total[k] / counts[k]
			lo, hi := trim.Min*mean, trim.Max*mean
			if w < lo*(1-1e-12) || w > hi*(1+1e-12) {
				w = clamp(w, lo, hi)
				fixed[k] = true
				total[k] = w * counts[k]
				moved = true
			}
		}
		return moved
	}
	rake()
	for round := 0; round < trimRounds && bound(); round++ {
		trimmed = true
		rake()
	}
	sum := 0.0
	for _, k := range keys {
		sum += total[k]
	}
	for _, k := range keys {
		weights[k] = total[k] / sum / counts[k]
	}
	return weights, trimmed, empty
}

// CellOf is the weighting cell a respondent falls in: "" without
// weighting, and also when the respondent cannot be weighted.
func (t *Tally) CellOf(a pinggu.Answers) string {
	if k := t.cellOf(a); k != unmatched {
		return k
	}
	return ""
}

// WeightOf is the weight a respondent with these answers carries in its
// unit's result (0 when it cannot be weighted): what the raw export
// publishes per row.
func (t *Tally) WeightOf(res UnitResult, a pinggu.Answers) float64 {
	if t.s.Weighting == nil {
		return 1
	}
	k := t.cellOf(a)
	if k == unmatched {
		return 0
	}
	return res.Weights[k]
}
