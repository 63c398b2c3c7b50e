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
// rate P, each with its interval, from weighted answers.
type Stat struct {
	N        int     `json:"n"`       // answers, 不清楚 included
	NScored  int     `json:"nScored"` // answers with a score (不清楚 excluded)
	NEff     float64 `json:"nEff"`    // (Σw)² / Σw²
	Mean     float64 `json:"mean"`    // Ȳ = Σwy / Σw
	MeanLow  float64 `json:"meanLow"` // Ȳ − z·s_w/√n_eff
	MeanHigh float64 `json:"meanHigh"`
	Rate     float64 `json:"rate"`    // P = Σw·1[y ≥ threshold] / Σw
	RateLow  float64 `json:"rateLow"` // Wilson interval with n_eff
	RateHigh float64 `json:"rateHigh"`
}

// moments are weighted sums over scored observations.
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

// scaled is a cell's unweighted sums given the cell's weight w.
func (m moments) scaled(w float64) moments {
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

// stat turns weighted sums into estimates. With no scored answers every
// estimate is 0 and NScored says so.
func (m moments) stat(z float64) Stat {
	s := Stat{N: m.n, NScored: m.nScored}
	if m.w <= 0 {
		return s
	}
	s.NEff = m.w * m.w / m.w2
	s.Mean = m.wy / m.w
	variance := math.Max(0, m.wy2/m.w-s.Mean*s.Mean)
	if s.NEff > 1 {
		variance *= s.NEff / (s.NEff - 1) // the sample variance when all w = 1
	}
	half := z * math.Sqrt(variance/s.NEff)
	s.MeanLow, s.MeanHigh = s.Mean-half, s.Mean+half
	s.Rate = m.wSatisfy / m.w
	s.RateLow, s.RateHigh = Wilson(s.Rate, s.NEff, z)
	return s
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
	return math.Max(0, center-half), math.Min(1, center+half)
}

// Overlap reports whether two estimates' mean intervals overlap: their rank
// difference is then not significant.
func Overlap(a, b Stat) bool { return a.MeanLow <= b.MeanHigh && b.MeanLow <= a.MeanHigh }

// Tally accumulates a round's responses into counts per unit and
// post-stratification cell. Its memory grows with units × cells × options,
// never with the number of responses.
type Tally struct {
	q      *pinggu.Questionnaire
	s      pinggu.Scoring
	scores map[string]map[string]float64 // scale question → option → score
	text   map[string]bool               // text questions
	units  map[string]map[string]*cell   // unit → cell key → counts
	ids    [4]uint64                     // Σ sha256(id) mod 2^256
	count  int
}

type cell struct {
	respondents int
	answered    map[string]int            // question → respondents who answered it
	counts      map[string]map[string]int // question → option → answers
	// overall counts respondents by (items scored, score sum): like option
	// counts, a finite table whose totals do not depend on response order.
	overall map[itemSum]int
}

type itemSum struct {
	n   int
	sum float64
}

// unmatched is the cell of respondents who cannot be weighted (a cell
// question unanswered, or a cell without a population share).
const unmatched = "\x00"

// NewTally prepares a tally for one questionnaire version and settings.
func NewTally(q *pinggu.Questionnaire, s pinggu.Scoring) *Tally {
	t := &Tally{q: q, s: s.WithDefaults(), scores: map[string]map[string]float64{},
		units: map[string]map[string]*cell{}, text: map[string]bool{}}
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
		}
		t.scores[qq.Code] = m
	}
	return t
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
		c = &cell{answered: map[string]int{}, counts: map[string]map[string]int{}, overall: map[itemSum]int{}}
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
	sum, n := 0.0, 0
	for _, qq := range t.q.Questions { // questionnaire order keeps the float sum reproducible
		for _, v := range r.Answers[qq.Code] {
			if y, ok := t.scores[qq.Code][v]; ok {
				sum += y
				n++
			}
		}
	}
	if n > 0 {
		c.overall[itemSum{n, sum}]++
	}
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

// overallMoments turns a cell's respondent table into unweighted sums of
// each respondent's mean score, in a fixed order.
func (t *Tally) overallMoments(c *cell) moments {
	keys := make([]itemSum, 0, len(c.overall))
	for k := range c.overall {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].n != keys[b].n {
			return keys[a].n < keys[b].n
		}
		return keys[a].sum < keys[b].sum
	})
	var m moments
	for _, k := range keys {
		y := k.sum / float64(k.n)
		m.n += c.overall[k]
		m.add(1, y, y >= t.s.SatisfiedThreshold, c.overall[k])
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
	if _, ok := w.Shares[key]; !ok {
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

// DimensionResult pools the answers of a dimension's scale questions.
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
	// Overall is respondent-level: each respondent's mean over the scale
	// items they scored, weighted like their answers.
	Overall    Stat              `json:"overall"`
	Dimensions []DimensionResult `json:"dimensions"`
	Questions  []QuestionResult  `json:"questions"`
}

// Results computes every unit's estimates, in the order given; a unit
// without responses gets a result of zeros.
func (t *Tally) Results(units []string) []UnitResult {
	out := make([]UnitResult, len(units))
	for i, u := range units {
		out[i] = t.unit(u)
	}
	return out
}

// weights returns each cell's weight: w_h = N_h / n_h (1 without weighting).
func (t *Tally) weights(cells map[string]*cell) map[string]float64 {
	w := map[string]float64{}
	for key, c := range cells {
		switch {
		case t.s.Weighting == nil:
			w[key] = 1
		case key == unmatched:
			w[key] = 0
		default:
			w[key] = t.s.Weighting.Shares[key] / float64(c.respondents)
		}
	}
	return w
}

func (t *Tally) unit(u string) UnitResult {
	cells := t.units[u]
	weights := t.weights(cells)
	keys := make([]string, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a fixed summation order makes results byte-identical
	res := UnitResult{Unit: u, Dimensions: []DimensionResult{}, Questions: []QuestionResult{}}
	var overall moments
	for _, k := range keys {
		c := cells[k]
		res.Respondents += c.respondents
		if k == unmatched {
			res.Unweighted += c.respondents
		}
		overall.merge(t.overallMoments(c).scaled(weights[k]))
	}
	res.Overall = overall.stat(t.s.Z)
	dims := map[string]*DimensionResult{}
	dimMoments := map[string]*moments{}
	var dimOrder []string
	for _, q := range t.q.Questions {
		qr := QuestionResult{Code: q.Code, Dimension: q.Dimension, Options: []OptionCount{}}
		codes := answerCodes(q) // a fixed order: float sums must not follow map order
		var m moments
		counts := map[string]int{}
		for _, k := range keys {
			qr.Answered += cells[k].answered[q.Code]
			m.n += cells[k].answered[q.Code]
			for _, v := range codes {
				n := cells[k].counts[q.Code][v]
				counts[v] += n
				if y, ok := t.scores[q.Code][v]; ok {
					m.add(weights[k], y, y >= t.s.SatisfiedThreshold, n)
				}
			}
		}
		qr.Options = optionCounts(q, counts, qr.Answered)
		if q.Type == pinggu.Scale {
			st := m.stat(t.s.Z)
			qr.Stat = &st
			if q.Dimension != "" {
				if dims[q.Dimension] == nil {
					dims[q.Dimension] = &DimensionResult{Dimension: q.Dimension}
					dimMoments[q.Dimension] = &moments{}
					dimOrder = append(dimOrder, q.Dimension)
				}
				dims[q.Dimension].Questions = append(dims[q.Dimension].Questions, q.Code)
				dimMoments[q.Dimension].merge(m)
			}
		}
		res.Questions = append(res.Questions, qr)
	}
	for _, d := range dimOrder {
		dims[d].Stat = dimMoments[d].stat(t.s.Z)
		res.Dimensions = append(res.Dimensions, *dims[d])
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
