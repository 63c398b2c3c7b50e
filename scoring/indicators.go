package scoring

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"pinggu"
)

// NodeScore is one indicator's result for one unit.
type NodeScore struct {
	Code    string  `json:"code"`
	Parent  string  `json:"parent,omitempty"`
	Level   int     `json:"level"`
	Name    string  `json:"name"`
	Max     float64 `json:"max"`
	Score   float64 `json:"score"`
	Input   string  `json:"input,omitempty"` // what the score came from, in words
	Missing bool    `json:"missing,omitempty"`
}

// UnitAssessment is one unit's score in an assessment round.
type UnitAssessment struct {
	Unit      string      `json:"unit"`
	PeerGroup string      `json:"peerGroup"`
	Nodes     []NodeScore `json:"nodes"`   // applicable indicators, in tree order
	BaseRaw   float64     `json:"baseRaw"` // Σ scores of applicable leaves
	BaseMax   float64     `json:"baseMax"` // Σ points of applicable leaves
	Base      float64     `json:"base"`    // rescaled to the full scale
	BonusRaw  float64     `json:"bonusRaw"`
	Bonus     float64     `json:"bonus"` // min(cap, Σ bonus)
	DeductRaw float64     `json:"deductionRaw"`
	Deduct    float64     `json:"deduction"`
	Total     float64     `json:"total"`
	Vetoes    []string    `json:"vetoes,omitempty"`
	Grade     string      `json:"grade"`
	// Rank within the peer group; 0: not ranked (incomplete, or vetoed
	// under the "unranked" rule).
	Rank int `json:"rank"`
	// Missing lists the applicable leaves without an entry (or, for a
	// survey leaf, without a sufficient sample): the unit is incomplete.
	Missing []string `json:"missing,omitempty"`
}

// Gaps lists, for each unit of units with any, the applicable leaves
// that have no reviewer's entry (a field "inputs.<unit>" naming them), from
// the units' assessments (same order).
func Gaps(sys *pinggu.IndicatorSystem, units []pinggu.Unit, as []UnitAssessment) pinggu.FieldErrors {
	fe := pinggu.FieldErrors{}
	for i, u := range units {
		if codes := as[i].MissingEntries(sys); len(codes) > 0 {
			fe.Add("inputs."+u.Code, fmt.Sprintf("%s有%d项指标未录入：%s", u.Name, len(codes), strings.Join(codes, "、")))
		}
	}
	return fe
}

// Incomplete reports whether a leaf of the unit had nothing to score.
func (u UnitAssessment) Incomplete() bool { return len(u.Missing) > 0 }

// MissingEntries lists the leaves without a reviewer's entry (survey
// leaves come from the sample and are not entries).
func (u UnitAssessment) MissingEntries(sys *pinggu.IndicatorSystem) []string {
	var out []string
	for _, code := range u.Missing {
		if in := sys.Indicator(code); in != nil && in.Rubric != pinggu.RubricSurvey {
			out = append(out, code)
		}
	}
	return out
}

// ScoreUnit scores a unit on the indicator tree: leaf s = clamp(rubric, 0,
// max); parent = Σ children; the base is rescaled to the full scale when the
// unit is scored on a subset; total = base + min(bonusCap, Σ bonus) −
// min(deductionCap, Σ deductions), clamped to [0, full + bonusCap]; the
// grade is the first band of the peer group the total reaches, then vetoes.
// dims holds the unit's satisfaction by dimension, for survey leaves.
func ScoreUnit(sys *pinggu.IndicatorSystem, a *pinggu.AssessmentSettings, unit pinggu.Unit,
	inputs map[string]pinggu.InputValue, dims map[string]Stat, adj []pinggu.Adjustment) UnitAssessment {
	res := UnitAssessment{Unit: unit.Code, PeerGroup: unit.PeerGroup, Nodes: []NodeScore{}}
	children := sys.Children()
	var walk func(code string) (score, max float64, applies bool)
	walk = func(code string) (float64, float64, bool) {
		i := indexOf(sys, code)
		in := &sys.Indicators[i]
		if !in.Applies(unit.Type) {
			return 0, 0, false
		}
		pos := len(res.Nodes)
		res.Nodes = append(res.Nodes, NodeScore{Code: in.Code, Parent: in.Parent, Level: in.Level, Name: in.Name, Max: in.Points})
		if kids := children[in.Code]; len(kids) > 0 {
			sum, max, any := 0.0, 0.0, false
			for _, k := range kids {
				s, m, ok := walk(sys.Indicators[k].Code)
				if ok {
					sum, max, any = sum+s, max+m, true
				}
			}
			if !any {
				res.Nodes = res.Nodes[:pos]
				return 0, 0, false
			}
			res.Nodes[pos].Score, res.Nodes[pos].Max = RoundScore(sum), max
			return sum, max, true
		}
		s, desc, missing := leafScore(in, inputs[in.Code], dims)
		s = RoundScore(s)
		if missing {
			res.Missing = append(res.Missing, in.Code)
		}
		res.Nodes[pos].Score, res.Nodes[pos].Input, res.Nodes[pos].Missing = s, desc, missing
		res.BaseRaw += s
		res.BaseMax += in.Points
		return s, in.Points, true
	}
	for _, k := range children[""] {
		walk(sys.Indicators[k].Code)
	}
	full := sys.FullScale()
	if res.BaseMax > 0 {
		res.Base = RoundScore(res.BaseRaw / res.BaseMax * full)
	}
	res.BaseRaw = RoundScore(res.BaseRaw)
	var vetoes []*pinggu.VetoRule
	for _, x := range adj {
		switch x.Kind {
		case pinggu.Bonus:
			res.BonusRaw += x.Points
		case pinggu.DeductionEvent:
			res.DeductRaw += x.Points
		case pinggu.Veto:
			if v := a.Veto(x.Rule); v != nil {
				vetoes = append(vetoes, v)
				res.Vetoes = append(res.Vetoes, v.Name)
			}
		}
	}
	// Every figure is rounded to its published precision before it is
	// added, graded or ranked: the unit shown as 90.00 is 90.00.
	res.BonusRaw, res.DeductRaw = RoundScore(res.BonusRaw), RoundScore(res.DeductRaw)
	res.Bonus = math.Min(a.BonusCap, res.BonusRaw)
	res.Deduct = math.Min(a.DeductionCap, res.DeductRaw)
	res.Total = RoundScore(clamp(res.Base+res.Bonus-res.Deduct, 0, full+a.BonusCap))
	res.Grade = grade(a.GradesFor(unit.PeerGroup), res.Total, vetoes)
	return res
}

func indexOf(sys *pinggu.IndicatorSystem, code string) int {
	for i := range sys.Indicators {
		if sys.Indicators[i].Code == code {
			return i
		}
	}
	return -1
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// leafScore applies a leaf's rubric; a leaf without its input scores 0 and
// is marked missing, so a gap is visible rather than silently full marks.
// LostPoints are a unit's leaves that lost more than the share loss of
// their points (leaves without data are not judged), in tree order: the
// rectification items of a final result.
func LostPoints(sys *pinggu.IndicatorSystem, a UnitAssessment, loss float64) []NodeScore {
	children := sys.Children()
	var out []NodeScore
	for _, n := range a.Nodes {
		if len(children[n.Code]) == 0 && !n.Missing && n.Max > 0 && n.Max-n.Score > loss*n.Max+1e-9 {
			out = append(out, n)
		}
	}
	return out
}

// LeafScore is what a value earns on a leaf by its rubric, rounded as
// published (a survey leaf earns nothing from a value); missing when the
// value is not of the rubric's kind.
func LeafScore(in *pinggu.Indicator, v pinggu.InputValue) (score float64, missing bool) {
	s, _, missing := leafScore(in, v, nil)
	return RoundScore(s), missing
}

func leafScore(in *pinggu.Indicator, v pinggu.InputValue, dims map[string]Stat) (score float64, desc string, missing bool) {
	max := in.Points
	switch in.Rubric {
	case pinggu.RubricBinary:
		if v.Value == nil {
			return 0, "未录入", true
		}
		if *v.Value >= 1 {
			return max, "达标", false
		}
		return 0, "未达标", false
	case pinggu.RubricProportional:
		if v.Value == nil {
			return 0, "未录入", true
		}
		ratio := *v.Value
		if in.Target > 0 {
			ratio = *v.Value / in.Target
		}
		return max * clamp(ratio, 0, 1), fmt.Sprintf("完成值%g（目标%g）", *v.Value, in.Target), false
	case pinggu.RubricDeduction:
		if v.Count == nil {
			return 0, "未录入", true
		}
		cap := in.Cap
		if cap == 0 {
			cap = max
		}
		return clamp(max-math.Min(cap, float64(*v.Count)*in.PerInstance), 0, max),
			fmt.Sprintf("%d次×%g分（上限%g）", *v.Count, in.PerInstance, cap), false
	case pinggu.RubricManual:
		if v.Score == nil {
			return 0, "未录入", true
		}
		return clamp(*v.Score, 0, max), "评审打分", false
	case pinggu.RubricSurvey:
		st, ok := dims[in.Dimension]
		if !ok || st.NScored == 0 {
			return 0, "维度" + in.Dimension + "无有效样本", true
		}
		if st.Insufficient {
			return 0, fmt.Sprintf("维度%s样本不足（%d人）", in.Dimension, st.NScored), true
		}
		desc := fmt.Sprintf("维度%s得分%.2f", in.Dimension, st.Mean)
		if len(in.Thresholds) == 0 {
			return clamp(max*st.Mean/100, 0, max), desc, false
		}
		for _, t := range in.Thresholds {
			if st.Mean >= t.Min {
				return max * t.Share, desc, false
			}
		}
		return 0, desc, false
	}
	return 0, "未知评分方法", true
}

// grade finds the first band the total reaches, then applies vetoes:
// "fail" forces the lowest band, "cap" lowers to the capped band if higher.
func grade(bands []pinggu.GradeBand, total float64, vetoes []*pinggu.VetoRule) string {
	idx := len(bands) - 1
	for i, b := range bands {
		if total >= b.Min {
			idx = i
			break
		}
	}
	for _, v := range vetoes {
		switch v.Effect {
		case "fail":
			idx = len(bands) - 1
		case "cap":
			capName := v.CapGrade
			if capName == "" {
				capName = "一般"
			}
			for i, b := range bands {
				if b.Name == capName && i > idx {
					idx = i
				}
			}
		}
	}
	return bands[idx].Name
}

// RankAssessments ranks units by total within each peer group; ties share
// a rank. Incomplete units are not ranked. Vetoed units follow the round's
// rule: "last" ranks them after every other unit of the group (among
// themselves by total), "unranked" leaves them without a rank, "keep"
// ranks them by total like the rest.
func RankAssessments(us []UnitAssessment, vetoRank string) {
	groups := map[string][]int{}
	var order []string
	for i, u := range us {
		if _, ok := groups[u.PeerGroup]; !ok {
			order = append(order, u.PeerGroup)
		}
		groups[u.PeerGroup] = append(groups[u.PeerGroup], i)
	}
	sort.Strings(order)
	for _, g := range order {
		var clean, vetoed []int
		for _, i := range groups[g] {
			us[i].Rank = 0
			switch {
			case us[i].Incomplete():
			case len(us[i].Vetoes) > 0 && vetoRank != pinggu.VetoRankKeep:
				if vetoRank == pinggu.VetoRankLast {
					vetoed = append(vetoed, i)
				}
			default:
				clean = append(clean, i)
			}
		}
		rankAmong(us, clean, 0)
		rankAmong(us, vetoed, len(clean))
	}
}

// rankAmong ranks the units idx by total, starting after offset places.
func rankAmong(us []UnitAssessment, idx []int, offset int) {
	totals := make([]float64, len(idx))
	for k, i := range idx {
		totals[k] = us[i].Total
	}
	for k, r := range RankDesc(totals) {
		us[idx[k]].Rank = offset + r
	}
}
