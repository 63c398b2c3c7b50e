package pinggu

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Scoring holds the constants of the satisfaction formulas for one round.
// Every compiled result records the values it used (the method file).
type Scoring struct {
	// SatisfiedThreshold is the score from which an answer counts as
	// satisfied (default 60: 基本满意 counts).
	SatisfiedThreshold float64 `json:"satisfiedThreshold" bson:"satisfiedthreshold"`
	// ScoreMap overrides the questionnaire's option scores by option code,
	// e.g. {"5":100,"4":80,"3":60,"2":40,"1":20}. Empty: the questionnaire's.
	ScoreMap map[string]float64 `json:"scoreMap,omitempty" bson:"scoremap"`
	// Z is the normal quantile of the intervals (default 1.96, 95%); the
	// mean's t quantile is taken at the same confidence level.
	Z float64 `json:"z" bson:"z"`
	// MinSample is the fewest respondents a unit's estimate may rest on
	// (default 30); below it the unit is 样本不足: no score, grade or rank.
	MinSample int `json:"minSample,omitempty" bson:"minsample"`
	// MinEffective is the smallest effective sample n_eff (the weighted
	// base) an estimate may rest on (default 10, or the minimum sample if
	// that is smaller).
	MinEffective float64 `json:"minEffective,omitempty" bson:"mineffective"`
	// Overall defines a respondent's overall score (default: the mean of
	// all their scored scale answers).
	Overall *OverallScore `json:"overall,omitempty" bson:"overall"`
	// Weighting, when set, weights respondents: post-stratification
	// (w = N_h / n_h per cell) or raking on margins.
	Weighting *Weighting `json:"weighting,omitempty" bson:"weighting"`
	// Bootstrap sets the resampling behind rank intervals.
	Bootstrap Bootstrap `json:"bootstrap,omitzero" bson:"bootstrap"`
}

// Overall-score definitions.
const (
	OverallItems      = "items"      // mean of the respondent's scored scale answers
	OverallDimensions = "dimensions" // weighted mean of the respondent's dimension scores
	OverallQuestion   = "question"   // the score of one overall question
)

// OverallScore defines a respondent's overall satisfaction score.
type OverallScore struct {
	Method string `json:"method" bson:"method"`
	// Question is the overall question (method "question").
	Question string `json:"question,omitempty" bson:"question"`
	// Weights weight the dimensions (method "dimensions"; default 1 each).
	Weights map[string]float64 `json:"weights,omitempty" bson:"weights"`
}

// Bootstrap is the resampling of respondents behind rank intervals.
type Bootstrap struct {
	Replicates int    `json:"replicates" bson:"replicates"` // default 1000
	Seed       uint64 `json:"seed" bson:"seed"`             // default 20240601; recorded so anyone can rerun it
}

// Weighting methods.
const (
	WeightCells  = "cells"  // post-stratification on the full cross-classification
	WeightRaking = "raking" // iterative proportional fitting on marginal shares
)

// Weighting defines how respondents are weighted. Cells names the
// demographic questions (1–3); a cell key joins their option codes with "|"
// in that order, e.g. "1|3" for D2=1, D3=3. Post-stratification takes
// Shares of every cell; raking takes Margins, the population share of each
// option of each question, and fits weights to all margins at once.
type Weighting struct {
	Method  string                        `json:"method,omitempty" bson:"method"`
	Cells   []string                      `json:"cells" bson:"cells"`
	Shares  map[string]float64            `json:"shares,omitempty" bson:"shares"`
	Margins map[string]map[string]float64 `json:"margins,omitempty" bson:"margins"`
	// Trim bounds each weight relative to the unit's mean weight (raking
	// only; default 0.3–3); trimmed weights are raked again.
	Trim *Trim `json:"trim,omitempty" bson:"trim"`
}

// Trim bounds weights relative to their mean.
type Trim struct {
	Min float64 `json:"min" bson:"min"`
	Max float64 `json:"max" bson:"max"`
}

// Raking reports whether the weighting rakes on margins.
func (w *Weighting) Raking() bool { return w != nil && w.Method == WeightRaking }

// TrimOrDefault is the trimming in force for raking.
func (w *Weighting) TrimOrDefault() Trim {
	if w.Trim != nil {
		return *w.Trim
	}
	return Trim{Min: 0.3, Max: 3}
}

// Known reports whether a cell key can be weighted: post-stratification
// needs its share; raking needs each part in its question's margins.
func (w *Weighting) Known(key string) bool {
	if !w.Raking() {
		_, ok := w.Shares[key]
		return ok
	}
	parts := strings.Split(key, "|")
	if len(parts) != len(w.Cells) {
		return false
	}
	for i, p := range parts {
		if _, ok := w.Margins[w.Cells[i]][p]; !ok {
			return false
		}
	}
	return true
}

// WithDefaults fills unset constants.
func (s Scoring) WithDefaults() Scoring {
	if s.SatisfiedThreshold == 0 {
		s.SatisfiedThreshold = 60
	}
	if s.Z == 0 {
		s.Z = 1.96
	}
	if s.MinSample == 0 {
		s.MinSample = 30
	}
	if s.MinEffective == 0 {
		s.MinEffective = math.Min(10, float64(s.MinSample))
	}
	if s.Bootstrap.Replicates == 0 {
		s.Bootstrap.Replicates = 1000
	}
	if s.Bootstrap.Seed == 0 {
		s.Bootstrap.Seed = 20240601
	}
	return s
}

// Validate checks the settings against the questionnaire they apply to.
func (s Scoring) Validate(q *Questionnaire, fe FieldErrors) {
	if s.SatisfiedThreshold < 0 || s.SatisfiedThreshold > 100 {
		fe.Add("scoring.satisfiedThreshold", "满意阈值须在0–100之间")
	}
	if s.Z < 0 || s.Z > 5 {
		fe.Add("scoring.z", "置信系数须在0–5之间")
	}
	for code, v := range s.ScoreMap {
		if v < 0 || v > 100 {
			fe.Add("scoring.scoreMap."+code, "分值须在0–100之间")
		}
	}
	if s.MinSample < 0 || s.MinSample > 100000 {
		fe.Add("scoring.minSample", "最低样本量须在1–100000之间（0表示默认30）")
	}
	if s.MinEffective < 0 {
		fe.Add("scoring.minEffective", "最低有效样本量不能为负数")
	}
	if b := s.Bootstrap; b.Replicates < 0 || b.Replicates > 100000 {
		fe.Add("scoring.bootstrap.replicates", "自助抽样次数须在1–100000之间（0表示默认1000）")
	}
	if o := s.Overall; o != nil {
		o.validate(q, fe)
	}
	w := s.Weighting
	if w == nil {
		return
	}
	if w.Raking() {
		w.validateRaking(q, fe)
		return
	}
	if w.Method != "" && w.Method != WeightCells {
		fe.Add("scoring.weighting.method", "加权方法须为cells（事后分层）或raking（边际迭代加权）")
	}
	if w.Trim != nil {
		fe.Add("scoring.weighting.trim", "权重截尾只用于raking（边际迭代加权）")
	}
	if len(w.Cells) == 0 {
		fe.Add("scoring.weighting.cells", "至少指定一个分层题目")
	}
	for _, c := range w.Cells {
		if qq := q.Question(c); q != nil && (qq == nil || qq.Type != Single) {
			fe.Add("scoring.weighting.cells", fmt.Sprintf("分层题目%s须是问卷中的单选题", c))
		}
	}
	total := 0.0
	for k, v := range w.Shares {
		if v <= 0 {
			fe.Add("scoring.weighting.shares."+k, "人口占比须为正数")
		}
		if len(strings.Split(k, "|")) != len(w.Cells) {
			fe.Add("scoring.weighting.shares."+k, fmt.Sprintf("分层键须由%d个选项编码以|连接", len(w.Cells)))
		}
		total += v
	}
	if len(w.Shares) == 0 {
		fe.Add("scoring.weighting.shares", "须给出各分层的人口占比")
	} else if math.Abs(total-1) > ShareTolerance {
		fe.Add("scoring.weighting.shares", fmt.Sprintf("各分层人口占比之和须为1（±%g），现为%.6g", ShareTolerance, total))
	}
}

// ShareTolerance is how far population shares may sum from 1.
const ShareTolerance = 0.001

func (o *OverallScore) validate(q *Questionnaire, fe FieldErrors) {
	switch o.Method {
	case OverallItems, "":
	case OverallQuestion:
		if qq := q.Question(o.Question); q != nil && (qq == nil || qq.Type != Scale) {
			fe.Add("scoring.overall.question", "综合满意度题目须是问卷中的量表题")
		}
	case OverallDimensions:
		for d, w := range o.Weights {
			if w < 0 {
				fe.Add("scoring.overall.weights."+d, "维度权重不能为负数")
			}
			if q != nil && !q.HasDimension(d) {
				fe.Add("scoring.overall.weights."+d, "问卷中没有这个测评维度")
			}
		}
	default:
		fe.Add("scoring.overall.method", "综合得分定义须为items（各量表题平均）、dimensions（各维度加权平均）或question（综合满意度题）")
	}
}

func (w *Weighting) validateRaking(q *Questionnaire, fe FieldErrors) {
	if len(w.Cells) == 0 || len(w.Cells) > 3 {
		fe.Add("scoring.weighting.cells", "边际迭代加权须指定1–3个分层题目")
	}
	for _, c := range w.Cells {
		if qq := q.Question(c); q != nil && (qq == nil || qq.Type != Single) {
			fe.Add("scoring.weighting.cells", fmt.Sprintf("分层题目%s须是问卷中的单选题", c))
		}
		m := w.Margins[c]
		if len(m) == 0 {
			fe.Add("scoring.weighting.margins."+c, "须给出该题各选项的人口占比")
			continue
		}
		total := 0.0
		for code, v := range m {
			if v <= 0 {
				fe.Add("scoring.weighting.margins."+c+"."+code, "人口占比须为正数")
			}
			total += v
		}
		if math.Abs(total-1) > ShareTolerance {
			fe.Add("scoring.weighting.margins."+c, fmt.Sprintf("各选项人口占比之和须为1（±%g），现为%.6g", ShareTolerance, total))
		}
	}
	for c := range w.Margins {
		if !slices.Contains(w.Cells, c) {
			fe.Add("scoring.weighting.margins."+c, "该题不在分层题目之列")
		}
	}
	if len(w.Shares) > 0 {
		fe.Add("scoring.weighting.shares", "边际迭代加权只需各题的边际占比（margins），不用分层占比")
	}
	if t := w.TrimOrDefault(); t.Min <= 0 || t.Min >= 1 || t.Max <= 1 || t.Max > 100 {
		fe.Add("scoring.weighting.trim", "截尾界限须满足 0 < min < 1 < max ≤ 100（相对平均权重）")
	}
}
