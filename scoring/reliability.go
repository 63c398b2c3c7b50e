package scoring

import (
	"math"
	"sort"

	"pinggu"
)

// reliability holds, for one dimension, the tables behind Cronbach's α and
// the importance–performance correlation, over the whole round and
// unweighted (they describe the instrument, not a unit). They are count
// tables of score pairs, summed in a fixed order at the end, so no order of
// streaming changes a bit of the result; their size is items² × options²,
// never respondents.
type reliability struct {
	items []string
	// n respondents scored every item; pair[i][j] counts their (yᵢ, yⱼ).
	n    int
	pair [][]map[[2]float64]int
	// ipa counts (dimension score, overall criterion) of respondents with both.
	ipa map[[2]float64]int
}

// pairSums are Σx, Σy, Σx², Σy², Σxy and n of a pair table, in key order.
func pairSums(tab map[[2]float64]int) (n, sx, sy, sxx, syy, sxy float64) {
	keys := make([][2]float64, 0, len(tab))
	for k := range tab {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a][0] != keys[b][0] {
			return keys[a][0] < keys[b][0]
		}
		return keys[a][1] < keys[b][1]
	})
	for _, k := range keys {
		c := float64(tab[k])
		n += c
		sx, sy = sx+c*k[0], sy+c*k[1]
		sxx, syy, sxy = sxx+c*k[0]*k[0], syy+c*k[1]*k[1], sxy+c*k[0]*k[1]
	}
	return
}

// AllItems is the reliability entry of all scale questions together
// (those always shown: a conditional question would leave few complete
// cases), the instrument's α when each dimension has a single item.
const AllItems = "全部量表题"

func (t *Tally) newReliability(in func(q pinggu.Question) bool) *reliability {
	r := &reliability{ipa: map[[2]float64]int{}}
	for _, qq := range t.q.Questions {
		if qq.Type == pinggu.Scale && in(qq) {
			r.items = append(r.items, qq.Code)
		}
	}
	r.pair = make([][]map[[2]float64]int, len(r.items))
	for i := range r.pair {
		r.pair[i] = make([]map[[2]float64]int, len(r.items))
		for j := range r.pair[i] {
			r.pair[i][j] = map[[2]float64]int{}
		}
	}
	return r
}

// addItems counts a respondent who scored every item of r.
func (t *Tally) addItems(r *reliability, a pinggu.Answers) {
	ys := make([]float64, len(r.items))
	for i, q := range r.items {
		y, ok := t.answerScore(a, q)
		if !ok {
			return
		}
		ys[i] = y
	}
	r.n++
	for i := range ys {
		for j := i; j < len(ys); j++ {
			r.pair[i][j][[2]float64{ys[i], ys[j]}]++
		}
	}
}

// addReliability counts a respondent into each dimension's sums and into
// the all-items entry.
func (t *Tally) addReliability(a pinggu.Answers, rs RespondentScores) {
	if t.rel[AllItems] == nil {
		t.rel[AllItems] = t.newReliability(func(q pinggu.Question) bool { return q.ShowIf == nil })
	}
	t.addItems(t.rel[AllItems], a)
	for i, d := range t.dims {
		r := t.rel[d]
		if r == nil {
			r = t.newReliability(func(q pinggu.Question) bool { return q.Dimension == d })
			t.rel[d] = r
		}
		t.addItems(r, a)
		x, ok := rs.At(i)
		y, okRest := t.restScore(a, rs, i)
		if ok && okRest {
			r.ipa[[2]float64{x, y}]++
		}
	}
}

func (t *Tally) answerScore(a pinggu.Answers, q string) (float64, bool) {
	if v := a[q]; len(v) == 1 {
		y, ok := t.scores[q][v[0]]
		return y, ok
	}
	return 0, false
}

// restScore is the criterion a dimension's importance is measured
// against: the overall question when the round names one, otherwise the
// respondent's overall score computed without the dimension (so the
// correlation is not inflated by the dimension's share of it).
func (t *Tally) restScore(a pinggu.Answers, rs RespondentScores, dim int) (float64, bool) {
	o := t.s.Overall
	if o != nil && o.Method == pinggu.OverallQuestion {
		return t.answerScore(a, o.Question)
	}
	if o != nil && o.Method == pinggu.OverallDimensions {
		return t.dimensionsMean(rs, dim)
	}
	// The mean of the scored answers outside the dimension.
	n := rs.n - rs.dimN[dim]
	return (rs.sum - rs.dimSum[dim]) / float64(n), n > 0
}

// Reliability is a dimension's internal consistency over the round.
type Reliability struct {
	Dimension string   `json:"dimension"`
	Items     []string `json:"items"`
	N         int      `json:"n"` // respondents who scored every item
	// Alpha is Cronbach's α = k/(k−1)·(1 − Σ s²ᵢ / s²_T); NaN with one item
	// or no variance.
	Alpha float64 `json:"alpha"`
	// ItemRest is each item's correlation with the sum of the other items.
	ItemRest []float64 `json:"itemRest"`
}

// Importance is a dimension's place in the importance–performance chart.
type Importance struct {
	Dimension   string  `json:"dimension"`
	Mean        float64 `json:"mean"`        // round-wide unweighted mean of respondents' dimension scores
	Correlation float64 `json:"correlation"` // Pearson r with the overall criterion
	N           int     `json:"n"`
	Quadrant    string  `json:"quadrant"`
}

// Reliabilities computes α and item–rest correlations per dimension, then
// for all items together (Dimension AllItems) when there are two or more.
func (t *Tally) Reliabilities() []Reliability {
	var out []Reliability
	for _, d := range append(append([]string(nil), t.dims...), AllItems) {
		r := t.rel[d]
		if r == nil {
			continue
		}
		if d == AllItems && len(r.items) < 2 {
			continue
		}
		res := Reliability{Dimension: d, Items: r.items, N: r.n, Alpha: math.NaN(), ItemRest: make([]float64, len(r.items))}
		k := len(r.items)
		cov := func(i, j int) float64 {
			if i > j {
				i, j = j, i
			}
			n, sx, sy, _, _, sxy := pairSums(r.pair[i][j])
			if n < 2 {
				return 0
			}
			return (sxy - sx*sy/n) / (n - 1)
		}
		total, items := 0.0, 0.0
		for i := 0; i < k; i++ {
			items += cov(i, i)
			for j := 0; j < k; j++ {
				total += cov(i, j)
			}
		}
		if k >= 2 && total > 0 {
			res.Alpha = float64(k) / float64(k-1) * (1 - items/total)
		}
		for i := 0; i < k; i++ {
			row := 0.0
			for j := 0; j < k; j++ {
				row += cov(i, j)
			}
			covRest := row - cov(i, i)
			varRest := total - 2*row + cov(i, i)
			res.ItemRest[i] = math.NaN()
			if k >= 2 && cov(i, i) > 0 && varRest > 0 {
				res.ItemRest[i] = covRest / math.Sqrt(cov(i, i)*varRest)
			}
		}
		out = append(out, res)
	}
	return out
}

// Quadrants of the importance–performance chart, split at the means of
// the dimensions' performance and importance.
const (
	QuadrantStrength    = "优势区" // high importance, high performance: keep it up
	QuadrantMaintain    = "维持区" // low importance, high performance
	QuadrantImprove     = "改进区" // high importance, low performance: improve first
	QuadrantOpportunity = "机会区" // low importance, low performance
)

// Importances places each dimension by its mean (performance) and its
// correlation with the overall criterion (importance); the quadrant lines
// are the averages over the dimensions.
func (t *Tally) Importances() []Importance {
	var out []Importance
	for _, d := range t.dims {
		r := t.rel[d]
		if r == nil {
			continue
		}
		n, sx, sy, sxx, syy, sxy := pairSums(r.ipa)
		if n < 2 {
			continue
		}
		im := Importance{Dimension: d, N: int(n), Mean: sx / n, Correlation: math.NaN()}
		vx, vy := sxx-sx*sx/n, syy-sy*sy/n
		if vx > 0 && vy > 0 {
			im.Correlation = (sxy - sx*sy/n) / math.Sqrt(vx*vy)
		}
		out = append(out, im)
	}
	var mMean, mCorr float64
	n := 0
	for _, im := range out {
		if !math.IsNaN(im.Correlation) {
			mMean, mCorr, n = mMean+im.Mean, mCorr+im.Correlation, n+1
		}
	}
	if n == 0 {
		return out
	}
	mMean, mCorr = mMean/float64(n), mCorr/float64(n)
	for i := range out {
		im := &out[i]
		if math.IsNaN(im.Correlation) {
			continue
		}
		hiImp, hiPerf := im.Correlation >= mCorr, im.Mean >= mMean
		switch {
		case hiImp && hiPerf:
			im.Quadrant = QuadrantStrength
		case !hiImp && hiPerf:
			im.Quadrant = QuadrantMaintain
		case hiImp:
			im.Quadrant = QuadrantImprove
		default:
			im.Quadrant = QuadrantOpportunity
		}
	}
	return out
}
