package report

import (
	"fmt"

	"pinggu"
	"pinggu/scoring"
)

// Baseline is the round a scorecard compares with: its final scorecard's
// headline figures per unit.
type Baseline struct {
	Round       string                      `json:"round"`
	Title       string                      `json:"title"`
	Report      string                      `json:"report"`
	Fingerprint string                      `json:"fingerprint"`
	Scores      map[string]pinggu.UnitScore `json:"scores"`
}

// UnitScores are the headline figures of every unit, kept with the report
// for the dashboard and for a later round's comparison; computed once.
func (sc *Scorecard) UnitScores() []pinggu.UnitScore {
	if sc.scores != nil {
		return sc.scores
	}
	rk := sc.Rank()
	out := make([]pinggu.UnitScore, len(sc.Results))
	for i, res := range sc.Results {
		o, pl := res.Overall, rk.ByUnit[res.Unit]
		us := pinggu.UnitScore{Unit: res.Unit, Respondents: res.Respondents,
			Mean: o.Mean, MeanLow: o.MeanLow, MeanHigh: o.MeanHigh, Rate: o.Rate, RateLow: o.RateLow, RateHigh: o.RateHigh,
			Insufficient: o.Insufficient, Margin: o.Margin(), Rank: pl.Rank, RankLow: pl.RankLow, RankHigh: pl.RankHigh,
			SE: o.SE, NEff: o.NEff}
		for _, d := range res.Dimensions {
			s := d.Stat
			us.Dimensions = append(us.Dimensions, pinggu.DimensionScore{Dimension: d.Dimension, Mean: s.Mean, SE: s.SE, NEff: s.NEff,
				Rate: s.Rate, RateLow: s.RateLow, RateHigh: s.RateHigh, Insufficient: s.Insufficient})
		}
		us.Change = sc.change(us)
		if i < len(sc.Assessments) {
			a := sc.Assessments[i]
			us.Assessment = &pinggu.AssessedScore{Total: a.Total, Grade: a.Grade, Rank: a.Rank, Incomplete: a.Incomplete(), Vetoed: len(a.Vetoes) > 0}
		}
		out[i] = us
	}
	sc.scores = out
	return out
}

// change compares a unit's figures with the baseline's; nil when either
// side has too little data or the baseline lacks the unit.
func (sc *Scorecard) change(us pinggu.UnitScore) *pinggu.Change {
	if sc.Baseline == nil || us.Insufficient {
		return nil
	}
	base, ok := sc.Baseline.Scores[us.Unit]
	if !ok || base.Insufficient || base.Respondents == 0 {
		return nil
	}
	c := meanChange(us.Mean, us.SE, us.NEff, base.Mean, base.SE, base.NEff, sc.Method.Level)
	d, l, u := scoring.RateChange(us.Rate, us.RateLow, us.RateHigh, base.Rate, base.RateLow, base.RateHigh)
	c.Rate = &pinggu.Change{Base: base.Rate, Diff: d, Low: l, High: u, Significant: l > 0 || u < 0}
	if base.Rank > 0 && us.Rank > 0 {
		c.BaseRank, c.RankChange = base.Rank, base.Rank-us.Rank
	}
	return c
}

func meanChange(mean, se, nEff, base, baseSE, baseNEff, level float64) *pinggu.Change {
	d, l, u, p := scoring.MeanChange(mean, se, nEff, base, baseSE, baseNEff, level)
	return &pinggu.Change{Base: base, Diff: d, Low: l, High: u, P: p, Significant: p < 1-level}
}

// dimensionChange compares one dimension of a unit with the baseline's.
func (sc *Scorecard) dimensionChange(unit string, d scoring.DimensionResult) *pinggu.Change {
	if sc.Baseline == nil || d.Stat.Insufficient {
		return nil
	}
	for _, b := range sc.Baseline.Scores[unit].Dimensions {
		if b.Dimension == d.Dimension && !b.Insufficient && b.NEff > 0 {
			return meanChange(d.Stat.Mean, d.Stat.SE, d.Stat.NEff, b.Mean, b.SE, b.NEff, sc.Method.Level)
		}
	}
	return nil
}

func verdict(c *pinggu.Change) string {
	if c.Significant {
		return "显著"
	}
	return "不显著"
}

// changes is 同比变化: every unit's overall score, rate and rank against
// the baseline round, then each dimension's score.
func (b *book) changes(sc *Scorecard) {
	if sc.Baseline == nil {
		return
	}
	sheet := b.titled("同比变化", fmt.Sprintf("与%s最终结果的比较", sc.Baseline.Title))
	b.header(sheet, 2, []string{"单位", "项目", "本轮得分", "上轮得分", "得分变化", "变化下限(95%)", "变化上限(95%)", "p值", "得分变化是否显著",
		"本轮满意率", "上轮满意率", "满意率变化", "变化下限(95%)", "变化上限(95%)", "满意率变化是否显著", "本轮排名", "上轮排名", "名次变化"}, []int{16, 24})
	row := 3
	scores := sc.UnitScores()
	for i, u := range sc.Units {
		c := scores[i].Change
		if c == nil {
			b.row(sheet, row, []any{u.Name, "综合满意度", "本轮或上轮样本不足，或上轮无此单位，不作比较"}, nil)
			row++
			continue
		}
		vals := []any{u.Name, "综合满意度", scores[i].Mean, c.Base, c.Diff, c.Low, c.High, c.P, verdict(c),
			scores[i].Rate, c.Rate.Base, c.Rate.Diff, c.Rate.Low, c.Rate.High, verdict(c.Rate)}
		if c.BaseRank > 0 {
			vals = append(vals, scores[i].Rank, c.BaseRank, c.RankChange)
		}
		b.row(sheet, row, vals, []int{0, 0, b.st.score, b.st.score, b.st.score, b.st.score, b.st.score, b.st.pvalue, 0,
			b.st.rate, b.st.rate, b.st.rate, b.st.rate, b.st.rate})
		row++
		for _, d := range sc.Results[i].Dimensions {
			if dc := sc.dimensionChange(u.Code, d); dc != nil {
				b.row(sheet, row, []any{u.Name, "维度 " + sc.Questionnaire.DimensionName(d.Dimension), d.Stat.Mean, dc.Base, dc.Diff, dc.Low, dc.High, dc.P, verdict(dc)},
					[]int{0, 0, b.st.score, b.st.score, b.st.score, b.st.score, b.st.score, b.st.pvalue})
				row++
			}
		}
	}
	b.note(sheet, row+1, 9, "得分变化：两样本Welch t检验（各自加权标准误），区间为差值 ± t·SE；满意率变化：Newcombe混合得分区间（由两轮的Wilson区间合成），不含0为显著。"+
		"各单位分别检验，未作多重比较校正；名次变化 = 上轮名次 − 本轮名次（正数为上升）。")
}
