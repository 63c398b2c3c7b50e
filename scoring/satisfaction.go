// Package scoring is the pure computation of Pinggu's published numbers:
// satisfaction statistics from option counts, post-stratification weights,
// intervals, indicator trees, grades and ranks. It does no I/O, so every
// formula is tested against hand-computed tables.
package scoring

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"

	"pinggu"
)

// Stat is one satisfaction estimate: the mean score Ȳ and the satisfaction
// rate P, each with its interval, from weighted respondents.
type Stat struct {
	N        int     `json:"n"`       // respondents who answered, 不清楚 and the unweighted included
	NScored  int     `json:"nScored"` // respondents who enter the estimate: scored and weighted
	NEff     float64 `json:"nEff"`    // (Σw)² / Σw² over those
	Mean     float64 `json:"mean"`    // Ȳ = Σwy / Σw
	SD       float64 `json:"sd"`      // weighted standard deviation (sample variance when all w = 1)
	SE       float64 `json:"se"`      // SD / √n_eff
	MeanLow  float64 `json:"meanLow"` // t interval, df = n_eff − 1, or the bounded one
	MeanHigh float64 `json:"meanHigh"`
	// Bounded says the mean's interval is the bounded one: the t interval
	// left the scale's range or had no width (n_eff < 2, all answers equal).
	Bounded  bool    `json:"bounded,omitempty"`
	Rate     float64 `json:"rate"`    // P = Σw·1[y ≥ threshold] / Σw
	RateLow  float64 `json:"rateLow"` // Wilson interval with n_eff
	RateHigh float64 `json:"rateHigh"`
	// Insufficient: fewer respondents than the round's minimum sample, or
	// too small an effective sample; published as 样本不足, never scored.
	Insufficient bool `json:"insufficient,omitempty"`
}

// Margin is the achieved margin of error of the mean: half its interval.
func (s Stat) Margin() float64 { return (s.MeanHigh - s.MeanLow) / 2 }

// moments are weighted sums over scored respondents.
type moments struct {
	n, nScored               int
	w, w2, wy, wy2, wSatisfy float64
}

func (m *moments) add(weight, y float64, satisfied bool, times int) {
	c := float64(times)
	m.nScored += times
	m.w += weight * c
	m.w2 += weight * weight * c
	m.wy += weight * y * c
	m.wy2 += weight * y * y * c
	if satisfied {
		m.wSatisfy += weight * c
	}
}

// scaled is a cell's unweighted sums given the cell's weight w. Respondents
// of a cell without weight answered but do not enter the estimate.
func (m moments) scaled(w float64) moments {
	if w == 0 {
		return moments{n: m.n}
	}
	return moments{n: m.n, nScored: m.nScored, w: w * m.w, w2: w * w * m.w2, wy: w * m.wy, wy2: w * m.wy2, wSatisfy: w * m.wSatisfy}
}

func (m *moments) merge(o moments) {
	m.n += o.n
	m.nScored += o.nScored
	m.w += o.w
	m.w2 += o.w2
	m.wy += o.wy
	m.wy2 += o.wy2
	m.wSatisfy += o.wSatisfy
}

// Method is what the intervals and the minimum sample are computed with.
type Method struct {
	Level        float64 // confidence level, 0.95
	Z            float64 // its normal quantile, for Wilson
	Low, High    float64 // the scale's range: the lowest and highest option score
	MinSample    int
	MinEffective float64
}

// stat turns weighted sums into estimates. With no scored respondents
// every estimate is 0, NScored says so, and the stat is insufficient.
func (m moments) stat(me Method) Stat {
	s := Stat{N: m.n, NScored: m.nScored}
	if m.w <= 0 || m.nScored == 0 {
		s.Insufficient = true
		return s
	}
	s.NEff = m.w * m.w / m.w2
	s.Mean = m.wy / m.w
	variance := math.Max(0, m.wy2/m.w-s.Mean*s.Mean)
	if s.NEff > 1 {
		variance *= s.NEff / (s.NEff - 1) // the sample variance when all w = 1
	}
	s.SD = math.Sqrt(variance)
	s.SE = s.SD / math.Sqrt(s.NEff)
	s.MeanLow, s.MeanHigh, s.Bounded = meanInterval(s.Mean, variance, s.NEff, me)
	s.Rate = m.wSatisfy / m.w
	s.RateLow, s.RateHigh = Wilson(s.Rate, s.NEff, me.Z)
	s.Insufficient = s.NScored < me.MinSample || s.NEff < me.MinEffective
	return s
}

// meanInterval is the mean's interval: Ȳ ± t·s/√n_eff with t at n_eff − 1
// degrees of freedom when that lies inside the scale's range and has a
// width; otherwise the bounded interval: the mean rescaled to [0, 1],
// m = (Ȳ − a)/(b − a), gets Wilson's interval with the t quantile and
// n* = n_eff·m(1 − m)/s²ₘ (the effective size at which a proportion has the
// observed variance; n* = n_eff when s² = 0), rescaled back. It never
// leaves [a, b] and never has zero width.
func meanInterval(mean, variance, nEff float64, me Method) (low, high float64, bounded bool) {
	q := 1 - (1-me.Level)/2
	if nEff >= 2 && variance > 0 {
		half := TQuantile(q, nEff-1) * math.Sqrt(variance/nEff)
		if mean-half >= me.Low && mean+half <= me.High {
			return mean - half, mean + half, false
		}
	}
	span := me.High - me.Low
	if span <= 0 {
		return mean, mean, true
	}
	m := clamp((mean-me.Low)/span, 0, 1)
	v := variance / (span * span)
	nStar := nEff
	if v > 0 && m*(1-m) > 0 {
		nStar = nEff * m * (1 - m) / v
	}
	l, h := Wilson(m, nStar, TQuantile(q, math.Max(1, nEff-1)))
	return me.Low + l*span, me.Low + h*span, true
}

// Wilson is the Wilson score interval of a proportion p observed on n
// (effective) cases. Rates near 95% make the normal interval wrong there.
func Wilson(p, n, z float64) (low, high float64) {
	if n <= 0 {
		return 0, 0
	}
	z2 := z * z
	den := 1 + z2/n
	center := (p + z2/(2*n)) / den
	half := z / den * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	low, high = math.Max(0, center-half), math.Min(1, center+half)
	// At p = 0 or 1 the interval reaches the bound exactly, float noise aside.
	if p == 0 {
		low = 0
	}
	if p == 1 {
		high = 1
	}
	return low, high
}

// Tally accumulates a round's responses into counts per unit and
// weighting cell. Its memory grows with units × cells × distinct values,
// never with the number of responses.
type Tally struct {
	q      *pinggu.Questionnaire
	s      pinggu.Scoring
	me     Method
	scores map[string]map[string]float64 // scale question → option → score
	text   map[string]bool               // text questions
	dims   []string                      // dimensions in questionnaire order
	qDim   []int                         // per question (questionnaire order), its dimension's index or -1
	units  map[string]map[string]*cell   // unit → cell key → counts
	rel    map[string]*reliability       // dimension → item covariances (round-wide)
	ids    [4]uint64                     // Σ sha256(id) mod 2^256
	count  int
	// noInstrument: no reliability or importance sums (WithoutInstrument).
	noInstrument bool
}

type cell struct {
	respondents int
	answered    map[string]int            // question → respondents who answered it
	counts      map[string]map[string]int // question → option → answers
	// overall and dims count respondents by their score (the respondent is
	// the unit of analysis): like option counts, finite tables whose totals
	// do not depend on response order.
	overall map[float64]int
	dims    map[string]map[float64]int
}

// unmatched is the cell of respondents who cannot be weighted (a cell
// question unanswered, or a cell without a population share).
const unmatched = "\x00"

// NewTally prepares a tally for one questionnaire version and settings.
func NewTally(q *pinggu.Questionnaire, s pinggu.Scoring) *Tally {
	s = s.WithDefaults()
	t := &Tally{q: q, s: s, scores: map[string]map[string]float64{},
		units: map[string]map[string]*cell{}, text: map[string]bool{}, rel: map[string]*reliability{}}
	t.me = Method{Level: ConfidenceLevel(s.Z), Z: s.Z, Low: math.Inf(1), High: math.Inf(-1),
		MinSample: s.MinSample, MinEffective: s.MinEffective}
	seen := map[string]bool{}
	for _, qq := range q.Questions {
		t.text[qq.Code] = qq.Type == pinggu.Text
		if qq.Type != pinggu.Scale {
			continue
		}
		m := map[string]float64{}
		for _, o := range qq.Options {
			if v, ok := t.s.ScoreMap[o.Code]; ok && o.Score != nil {
				m[o.Code] = v
			} else if o.Score != nil {
				m[o.Code] = *o.Score
			}
			if v, ok := m[o.Code]; ok {
				t.me.Low, t.me.High = math.Min(t.me.Low, v), math.Max(t.me.High, v)
			}
		}
		t.scores[qq.Code] = m
		if qq.Dimension != "" && !seen[qq.Dimension] {
			seen[qq.Dimension] = true
			t.dims = append(t.dims, qq.Dimension)
		}
	}
	index := map[string]int{}
	for i, d := range t.dims {
		index[d] = i
	}
	t.qDim = make([]int, len(q.Questions))
	for i, qq := range q.Questions {
		t.qDim[i] = -1
		if j, ok := index[qq.Dimension]; ok && qq.Type == pinggu.Scale {
			t.qDim[i] = j
		}
	}
	if math.IsInf(t.me.Low, 1) {
		t.me.Low, t.me.High = 0, 100
	}
	return t
}

// Method is the interval method and constants in use.
func (t *Tally) Method() Method { return t.me }

// ScoreOf is the score of one answer to a scale question, if it has one.
func (t *Tally) ScoreOf(question, option string) (float64, bool) {
	y, ok := t.scores[question][option]
	return y, ok
}

// Add counts one response. The order of responses changes nothing: every
// sum is taken over count tables in a fixed order, and the id hash is a sum.
func (t *Tally) Add(r *pinggu.Response) {
	t.count++
	t.addID(r.ID)
	cells := t.units[r.Unit]
	if cells == nil {
		cells = map[string]*cell{}
		t.units[r.Unit] = cells
	}
	key := t.cellOf(r.Answers)
	c := cells[key]
	if c == nil {
		c = &cell{answered: map[string]int{}, counts: map[string]map[string]int{}, overall: map[float64]int{}, dims: map[string]map[float64]int{}}
		cells[key] = c
	}
	c.respondents++
	for code, vals := range r.Answers {
		c.answered[code]++
		qc := c.counts[code]
		if qc == nil {
			qc = map[string]int{}
			c.counts[code] = qc
		}
		for _, v := range vals {
			if t.text[code] {
				v = "*" // counted as answered, never by content
			}
			qc[v]++
		}
	}
	rs := t.Respondent(r.Answers)
	if rs.HasOverall {
		c.overall[rs.Overall]++
	}
	for i, d := range t.dims {
		y, ok := rs.At(i)
		if !ok {
			continue
		}
		if c.dims[d] == nil {
			c.dims[d] = map[float64]int{}
		}
		c.dims[d][y]++
	}
	if !t.noInstrument {
		t.addReliability(r.Answers, rs)
	}
}

// WithoutInstrument skips the round-wide reliability and importance sums:
// for tallies that only break results down (by channel), not the instrument.
func (t *Tally) WithoutInstrument() *Tally {
	t.noInstrument = true
	return t
}

// RespondentScores are one respondent's scores: per dimension (in the
// order of Tally.Dimensions) the mean of their scored answers in it, and
// the overall score as the round defines it.
type RespondentScores struct {
	Overall    float64
	HasOverall bool
	// per dimension: the sum and count of scored answers; and over all
	// items, for the rest scores of the importance chart
	dimSum []float64
	dimN   []int
	sum    float64
	n      int
}

// At is the respondent's score on the i-th dimension, if they have one.
func (r RespondentScores) At(i int) (float64, bool) {
	if r.dimN[i] == 0 {
		return 0, false
	}
	return r.dimSum[i] / float64(r.dimN[i]), true
}

// Dimensions lists the questionnaire's dimensions in order.
func (t *Tally) Dimensions() []string { return t.dims }

// Respondent scores one respondent's answers. Sums run in questionnaire
// order, so the same answers always give the same bits.
func (t *Tally) Respondent(a pinggu.Answers) RespondentScores {
	out := RespondentScores{dimSum: make([]float64, len(t.dims)), dimN: make([]int, len(t.dims))}
	o := t.s.Overall
	for i, qq := range t.q.Questions {
		for _, v := range a[qq.Code] {
			y, ok := t.scores[qq.Code][v]
			if !ok {
				continue
			}
			out.sum += y
			out.n++
			if j := t.qDim[i]; j >= 0 {
				out.dimSum[j] += y
				out.dimN[j]++
			}
			if o != nil && o.Method == pinggu.OverallQuestion && o.Question == qq.Code {
				out.Overall, out.HasOverall = y, true
			}
		}
	}
	switch {
	case o == nil || o.Method == pinggu.OverallItems:
		if out.n > 0 {
			out.Overall, out.HasOverall = out.sum/float64(out.n), true
		}
	case o.Method == pinggu.OverallDimensions:
		out.Overall, out.HasOverall = t.dimensionsMean(out, -1)
	}
	return out
}

// dimensionsMean is the weighted mean of a respondent's dimension scores
// (weights from the overall definition, 1 where unnamed), leaving out the
// dimension numbered skip (-1: none).
func (t *Tally) dimensionsMean(rs RespondentScores, skip int) (float64, bool) {
	ws, wy := 0.0, 0.0
	for i, d := range t.dims {
		y, ok := rs.At(i)
		if !ok || i == skip {
			continue
		}
		w := 1.0
		if v, ok := t.s.Overall.Weights[d]; ok {
			w = v
		}
		ws, wy = ws+w, wy+w*y
	}
	if ws == 0 {
		return 0, false
	}
	return wy / ws, true
}

// addID adds sha256(id) to a 256-bit sum: a hash of the set of ids that no
// order of streaming changes.
func (t *Tally) addID(id string) {
	h := sha256.Sum256([]byte(id))
	var carry uint64
	for i := 3; i >= 0; i-- {
		v := binary.BigEndian.Uint64(h[i*8:])
		t.ids[i], carry = bits.Add64(t.ids[i], v, carry)
	}
}

// sortedValues lists a score table's values in ascending order.
func sortedValues(tab map[float64]int) []float64 {
	keys := make([]float64, 0, len(tab))
	for k := range tab {
		keys = append(keys, k)
	}
	sort.Float64s(keys)
	return keys
}

// tableMoments turns a table of respondents by score into unweighted sums,
// in a fixed order.
func (t *Tally) tableMoments(tab map[float64]int) moments {
	var m moments
	for _, y := range sortedValues(tab) {
		m.n += tab[y]
		m.add(1, y, y >= t.s.SatisfiedThreshold, tab[y])
	}
	return m
}

func (t *Tally) cellOf(a pinggu.Answers) string {
	w := t.s.Weighting
	if w == nil {
		return ""
	}
	parts := make([]string, len(w.Cells))
	for i, q := range w.Cells {
		if len(a[q]) != 1 {
			return unmatched
		}
		parts[i] = a[q][0]
	}
	key := strings.Join(parts, "|")
	if !w.Known(key) {
		return unmatched
	}
	return key
}

// Count is the number of responses added.
func (t *Tally) Count() int { return t.count }

// IDsHash identifies the set of responses added: the sum modulo 2^256 of
// the SHA-256 of each id, in hex.
func (t *Tally) IDsHash() string {
	var b [32]byte
	for i, v := range t.ids {
		binary.BigEndian.PutUint64(b[i*8:], v)
	}
	return hex.EncodeToString(b[:])
}

// OptionCount is how often one option was chosen, and its share of the
// question's answers.
type OptionCount struct {
	Code  string  `json:"code"`
	Label string  `json:"label"`
	Count int     `json:"count"`
	Share float64 `json:"share"`
}

// QuestionResult is one question's counts and, for a scale, its estimate.
type QuestionResult struct {
	Code      string        `json:"code"`
	Dimension string        `json:"dimension,omitempty"`
	Answered  int           `json:"answered"`
	Options   []OptionCount `json:"options"`
	Stat      *Stat         `json:"stat,omitempty"`
}

// DimensionResult is a dimension's estimate over respondents' dimension
// scores (each the mean of their scored answers in it).
type DimensionResult struct {
	Dimension string   `json:"dimension"`
	Questions []string `json:"questions"`
	Stat      Stat     `json:"stat"`
}

// UnitResult is everything the satisfaction survey says about one unit.
type UnitResult struct {
	Unit        string `json:"unit"`
	Respondents int    `json:"respondents"`
	// Unweighted respondents could not be put in a weighting cell and are
	// left out of every weighted estimate (always 0 without weighting).
	Unweighted int `json:"unweighted"`
	// DesignEffect is Kish's n / n_eff of the overall score (1 unweighted).
	DesignEffect float64 `json:"designEffect"`
	// Overall is respondent-level, as the round's overall score defines it.
	Overall    Stat              `json:"overall"`
	Dimensions []DimensionResult `json:"dimensions"`
	Questions  []QuestionResult  `json:"questions"`
	// Weights are the weight of a respondent in each cell; Trimmed says
	// that weight trimming moved at least one of them.
	Weights map[string]float64 `json:"weights,omitempty"`
	Trimmed bool               `json:"trimmed,omitempty"`
	// EmptyCells have a population share but no respondent in this unit.
	EmptyCells []string `json:"emptyCells,omitempty"`
	// Sample is the distribution the bootstrap resamples.
	Sample Sample `json:"-"`
}

// Sample is a unit's respondents by weighting cell and overall score.
type Sample struct {
	Cells []CellSample
}

// CellSample is one weighting cell: each respondent's weight, and the
// distinct overall scores with how many respondents have each.
type CellSample struct {
	Weight float64
	Values []float64
	Counts []int
}

// Results computes every unit's estimates, in the order given; a unit
// without responses gets a result of zeros, marked insufficient.
func (t *Tally) Results(units []string) []UnitResult {
	out := make([]UnitResult, len(units))
	for i, u := range units {
		out[i] = t.unit(u)
	}
	return out
}

func (t *Tally) unit(u string) UnitResult {
	cells := t.units[u]
	ws := t.weights(cells)
	keys := make([]string, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a fixed summation order makes results byte-identical
	res := UnitResult{Unit: u, Dimensions: []DimensionResult{}, Questions: []QuestionResult{}, Trimmed: ws.trimmed, EmptyCells: ws.empty}
	if t.s.Weighting != nil {
		res.Weights = map[string]float64{}
	}
	var overall moments
	for _, k := range keys {
		c := cells[k]
		res.Respondents += c.respondents
		w := ws.w[k]
		if k == unmatched {
			res.Unweighted += c.respondents
		} else if res.Weights != nil {
			res.Weights[k] = w
		}
		overall.merge(t.tableMoments(c.overall).scaled(w))
		if w > 0 && len(c.overall) > 0 {
			cs := CellSample{Weight: w}
			for _, y := range sortedValues(c.overall) {
				cs.Values = append(cs.Values, y)
				cs.Counts = append(cs.Counts, c.overall[y])
			}
			res.Sample.Cells = append(res.Sample.Cells, cs)
		}
	}
	res.Overall = overall.stat(t.me)
	if res.Overall.NEff > 0 {
		res.DesignEffect = float64(res.Overall.NScored) / res.Overall.NEff
	}
	dimQuestions := map[string][]string{}
	for _, q := range t.q.Questions {
		qr := QuestionResult{Code: q.Code, Dimension: q.Dimension, Options: []OptionCount{}}
		codes := answerCodes(q) // a fixed order: float sums must not follow map order
		var m moments
		counts := map[string]int{}
		for _, k := range keys {
			qr.Answered += cells[k].answered[q.Code]
			var cm moments
			cm.n = cells[k].answered[q.Code]
			for _, v := range codes {
				n := cells[k].counts[q.Code][v]
				counts[v] += n
				if y, ok := t.scores[q.Code][v]; ok {
					cm.add(1, y, y >= t.s.SatisfiedThreshold, n)
				}
			}
			m.merge(cm.scaled(ws.w[k]))
		}
		qr.Options = optionCounts(q, counts, qr.Answered)
		if q.Type == pinggu.Scale {
			st := m.stat(t.me)
			qr.Stat = &st
			if q.Dimension != "" {
				dimQuestions[q.Dimension] = append(dimQuestions[q.Dimension], q.Code)
			}
		}
		res.Questions = append(res.Questions, qr)
	}
	for _, d := range t.dims {
		var m moments
		for _, k := range keys {
			m.merge(t.tableMoments(cells[k].dims[d]).scaled(ws.w[k]))
		}
		res.Dimensions = append(res.Dimensions, DimensionResult{Dimension: d, Questions: dimQuestions[d], Stat: m.stat(t.me)})
	}
	return res
}

// answerCodes lists the values a question's answers can take, in order:
// its options, the ratings 0–10, or "*" for an answered text question.
func answerCodes(q pinggu.Question) []string {
	switch q.Type {
	case pinggu.Text:
		return []string{"*"}
	case pinggu.Rating:
		out := make([]string, 0, pinggu.RatingMax-pinggu.RatingMin+1)
		for i := pinggu.RatingMin; i <= pinggu.RatingMax; i++ {
			out = append(out, strconv.Itoa(i))
		}
		return out
	}
	out := make([]string, len(q.Options))
	for i, o := range q.Options {
		out[i] = o.Code
	}
	return out
}

// optionCounts lists a question's answer values with their counts and their
// share of the respondents who answered it (for multi the shares add to more than 1).
func optionCounts(q pinggu.Question, counts map[string]int, answered int) []OptionCount {
	codes := answerCodes(q)
	out := make([]OptionCount, len(codes))
	for i, c := range codes {
		label := c
		if o := q.Option(c); o != nil {
			label = o.Label
		} else if c == "*" {
			label = "已填写"
		}
		out[i] = OptionCount{Code: c, Label: label, Count: counts[c]}
		if answered > 0 {
			out[i].Share = float64(counts[c]) / float64(answered)
		}
	}
	return out
}
