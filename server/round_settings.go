package server

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"pinggu"
)

// The round editor's settings with inputs of their own — scoring, the
// baseline, the assessment, the mid-term evaluation — shown at the values
// in force and read back; the rest travels as JSON.

// scoringFields are the scoring constants' inputs.
type scoringFields struct{ Threshold, Z, MinSample, MinEffective, Replicates, Seed string }

// assessmentFields are the annual assessment's inputs; no indicator
// system means the round is no assessment.
type assessmentFields struct {
	System, BonusCap, DeductionCap, VetoRank, RectifyLoss, RectifyDays string
	AllowGaps                                                          bool
}

// midtermFields are the mid-term evaluation's inputs; no plan means the
// round is no mid-term evaluation.
type midtermFields struct {
	Plans       map[string]bool
	AsOf, Delta string
}

// advancedSettings are the settings without a form of their own, edited
// as JSON: option scores, the overall score, grades, vetoes, workflow
// phases and the mid-term pass rule.
type advancedSettings struct {
	ScoreMap map[string]float64            `json:"scoreMap,omitempty"`
	Overall  *pinggu.OverallScore          `json:"overall,omitempty"`
	Grades   map[string][]pinggu.GradeBand `json:"grades,omitempty"`
	Vetoes   []pinggu.VetoRule             `json:"vetoes,omitempty"`
	Phases   *pinggu.Phases                `json:"phases,omitempty"`
	Pass     *pinggu.PassRule              `json:"pass,omitempty"`
}

// fillSettings shows the scoring constants as they are in force (the
// defaults where none is set), the assessment and mid-term settings, and
// the rest as JSON.
func (f *roundForm) fillSettings() {
	r := &f.Round
	sc := r.Scoring.WithDefaults()
	f.Scoring = scoringFields{Threshold: num(sc.SatisfiedThreshold), Z: num(sc.Z), MinSample: strconv.Itoa(sc.MinSample),
		MinEffective: num(sc.MinEffective), Replicates: strconv.Itoa(sc.Bootstrap.Replicates), Seed: strconv.FormatUint(sc.Bootstrap.Seed, 10)}
	adv := advancedSettings{ScoreMap: r.Scoring.ScoreMap, Overall: r.Scoring.Overall}
	f.Assess = assessmentFields{BonusCap: "0", DeductionCap: "0", VetoRank: pinggu.VetoRankLast,
		RectifyLoss: num(pinggu.DefaultRectifyLoss), RectifyDays: strconv.Itoa(pinggu.DefaultRectifyDays)}
	if a := r.Assessment; a != nil {
		loss, days := a.RectifyRule()
		f.Assess = assessmentFields{System: a.IndicatorSystem, BonusCap: num(a.BonusCap), DeductionCap: num(a.DeductionCap),
			VetoRank: a.VetoRankOrDefault(), RectifyLoss: num(loss), RectifyDays: strconv.Itoa(days), AllowGaps: a.AllowGaps}
		adv.Grades, adv.Vetoes = a.Grades, a.Vetoes
		if a.Phases != (pinggu.Phases{}) {
			adv.Phases = &a.Phases
		}
	}
	f.Mid = midtermFields{Plans: map[string]bool{}, Delta: num(0.1)}
	if m := r.Midterm; m != nil {
		for _, p := range m.Plans {
			f.Mid.Plans[p] = true
		}
		f.Mid.AsOf, f.Mid.Delta, adv.Pass = string(m.AsOf), num(m.DeltaOrDefault()), m.Pass
	}
	if adv.ScoreMap != nil || adv.Overall != nil || adv.Grades != nil || adv.Vetoes != nil || adv.Phases != nil || adv.Pass != nil {
		b, _ := json.MarshalIndent(adv, "", "  ")
		f.Advanced = string(b)
	}
}

// readSettings takes the scoring, baseline, assessment and mid-term forms
// and the JSON of the rest into the round; settings of the assessment not
// on the page (the frozen indicator version) are kept.
func (f *roundForm) readSettings(c echo.Context, fe pinggu.FieldErrors, adv advancedSettings) {
	r := &f.Round
	real := func(field, text string) float64 {
		x, _ := formNumber(fe, field, text)
		return x
	}
	whole := func(field, text string) int { return int(real(field, text)) }
	f.Scoring = scoringFields{Threshold: c.FormValue("threshold"), Z: c.FormValue("z"), MinSample: c.FormValue("minSample"),
		MinEffective: c.FormValue("minEffective"), Replicates: c.FormValue("replicates"), Seed: c.FormValue("seed")}
	seed, err := strconv.ParseUint(strings.TrimSpace(f.Scoring.Seed), 10, 64)
	if err != nil && strings.TrimSpace(f.Scoring.Seed) != "" {
		fe.Add("scoring.bootstrap.seed", "须为正整数")
	}
	r.Scoring = pinggu.Scoring{SatisfiedThreshold: real("scoring.satisfiedThreshold", f.Scoring.Threshold), Z: real("scoring.z", f.Scoring.Z),
		MinSample: whole("scoring.minSample", f.Scoring.MinSample), MinEffective: real("scoring.minEffective", f.Scoring.MinEffective),
		Bootstrap: pinggu.Bootstrap{Replicates: whole("scoring.bootstrap.replicates", f.Scoring.Replicates), Seed: seed},
		ScoreMap:  adv.ScoreMap, Overall: adv.Overall}
	r.Baseline = c.FormValue("baseline")

	f.Assess = assessmentFields{System: c.FormValue("system"), BonusCap: c.FormValue("bonusCap"), DeductionCap: c.FormValue("deductionCap"),
		VetoRank: c.FormValue("vetoRank"), RectifyLoss: c.FormValue("rectifyLoss"), RectifyDays: c.FormValue("rectifyDays"),
		AllowGaps: c.FormValue("allowGaps") == "1"}
	if f.Assess.System == "" {
		r.Assessment = nil
	} else {
		a := &pinggu.AssessmentSettings{}
		if r.Assessment != nil && r.Assessment.IndicatorSystem == f.Assess.System {
			a.IndicatorVersion = r.Assessment.IndicatorVersion
		}
		a.IndicatorSystem, a.AllowGaps, a.VetoRank = f.Assess.System, f.Assess.AllowGaps, f.Assess.VetoRank
		a.BonusCap, a.DeductionCap = real("assessment.bonusCap", f.Assess.BonusCap), real("assessment.deductionCap", f.Assess.DeductionCap)
		a.RectifyLoss, a.RectifyDays = real("assessment.rectifyLoss", f.Assess.RectifyLoss), whole("assessment.rectifyDays", f.Assess.RectifyDays)
		a.Grades, a.Vetoes = adv.Grades, adv.Vetoes
		if adv.Phases != nil {
			a.Phases = *adv.Phases
		}
		r.Assessment = a
	}

	form, _ := c.FormParams()
	f.Mid = midtermFields{Plans: map[string]bool{}, AsOf: c.FormValue("asOf"), Delta: c.FormValue("delta")}
	for _, p := range form["plans"] {
		f.Mid.Plans[p] = true
	}
	if len(form["plans"]) == 0 {
		r.Midterm = nil
	} else {
		r.Midterm = &pinggu.MidtermSettings{Plans: form["plans"], AsOf: pinggu.Date(strings.TrimSpace(f.Mid.AsOf)),
			Delta: real("midterm.delta", f.Mid.Delta), Pass: adv.Pass}
	}
}

// formNumber reads a number typed into the round editor: false when the
// input is blank, and also when it holds no number, which is named under
// field.
func formNumber(fe pinggu.FieldErrors, field, text string) (float64, bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, false
	}
	x, err := strconv.ParseFloat(text, 64)
	if err != nil {
		fe.Add(field, "须为数字")
		return 0, false
	}
	return x, true
}

// roundFieldNames name a round's settings in the words of the form.
var roundFieldNames = map[string]string{"code": "编码", "title": "标题", "kind": "类型", "questionnaire": "问卷", "timezone": "时区",
	"opensAt": "开始时间", "closesAt": "结束时间", "compileAt": "最终汇总时间", "units": "被评估单位", "quotas": "配额",
	"quotaMode": "配额模式", "quotaModes": "本单位配额模式", "integrity.minSeconds": "最短合理作答时间",
	"integrity.burstLimit": "同一网络答卷上限", "integrity.speederShare": "过快判定比例", "integrity": "一人一答与质量控制",
	"scoring.satisfiedThreshold": "满意阈值", "scoring.z": "置信系数", "scoring.minSample": "最低样本量",
	"scoring.minEffective": "最低有效样本量", "scoring.bootstrap": "排名区间的重抽样", "scoring.scoreMap": "选项分值",
	"scoring.overall": "综合得分", "scoring.weighting": "加权", "scoring": "计分方法", "strata": "分层配额", "baseline": "同比对比轮次",
	"assessment.indicatorSystem": "指标体系", "assessment.bonusCap": "加分上限", "assessment.deductionCap": "扣分上限",
	"assessment.grades": "等次", "assessment.vetoes": "一票否决", "assessment.phases": "考核阶段", "assessment.rectifyLoss": "整改标准",
	"assessment.rectifyDays": "整改期限", "assessment": "年度考核", "midterm.plans": "评估的规划", "midterm.asOf": "评估截至日期",
	"midterm.delta": "进度容差", "midterm.pass": "达标规则", "midterm": "中期评估", "advanced": "高级设置"}

// ErrorWords lists the form's errors by the name of the setting, in the
// order of the form's keys.
func (f *roundForm) ErrorWords() []string {
	var out []string
	for _, e := range sortedFields(f.Errors) {
		name, best := "", 0
		for k, v := range roundFieldNames {
			if (e.Code == k || strings.HasPrefix(e.Code, k+".") || strings.HasPrefix(e.Code, k+"[")) && len(k) > best {
				name, best = v, len(k)
			}
		}
		if name == "" {
			out = append(out, e.Message)
			continue
		}
		out = append(out, name+"："+e.Message)
	}
	return out
}

// zoneOptions are the time zones a round may be scheduled in, in words;
// a zone set otherwise (through the API) is kept as it is.
func zoneOptions(current string) []option {
	zones := []option{{pinggu.DefaultTimezone, "北京时间（东八区）"}, {"Asia/Urumqi", "乌鲁木齐时间（东六区）"},
		{"Asia/Hong_Kong", "香港时间（东八区）"}, {"Asia/Macau", "澳门时间（东八区）"}}
	for _, z := range zones {
		if z.Value == current || current == "" {
			return zones
		}
	}
	return append(zones, option{current, "其他时区：" + current})
}
