package pinggu

import (
	"fmt"
	"strings"
)

// Scoring holds the constants of the satisfaction formulas for one round.
// Every compiled result records the values it used.
type Scoring struct {
	// SatisfiedThreshold is the score from which an answer counts as
	// satisfied (default 60: 基本满意 counts).
	SatisfiedThreshold float64 `json:"satisfiedThreshold"`
	// ScoreMap overrides the questionnaire's option scores by option code,
	// e.g. {"5":100,"4":80,"3":60,"2":40,"1":20}. Empty: the questionnaire's.
	ScoreMap map[string]float64 `json:"scoreMap,omitempty"`
	// Z is the normal quantile of the intervals (default 1.96, 95%).
	Z float64 `json:"z"`
	// Weighting, when set, post-stratifies: w = N_h / n_h per cell.
	Weighting *Weighting `json:"weighting,omitempty"`
}

// Weighting defines post-stratification cells by demographic questions and
// the population share of each cell. A cell key joins the option codes of
// the cell questions with "|" in their order, e.g. "1|3" for D2=1, D3=3.
type Weighting struct {
	Cells  []string           `json:"cells"`
	Shares map[string]float64 `json:"shares"`
}

// WithDefaults fills unset constants.
func (s Scoring) WithDefaults() Scoring {
	if s.SatisfiedThreshold == 0 {
		s.SatisfiedThreshold = 60
	}
	if s.Z == 0 {
		s.Z = 1.96
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
	w := s.Weighting
	if w == nil {
		return
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
	}
}
