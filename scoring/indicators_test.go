package scoring_test

import (
	"math"
	"testing"

	"pinggu"
	"pinggu/scoring"
)

func f(v float64) *float64 { return &v }
func n(v int) *int         { return &v }

func system() *pinggu.IndicatorSystem {
	return &pinggu.IndicatorSystem{Code: "fzzf", Version: 1, Name: "法治政府建设考核指标", Indicators: []pinggu.Indicator{
		{Code: "A", Level: 1, Name: "依法履职", Points: 60},
		{Code: "A1", Parent: "A", Level: 2, Name: "权责清单公开", Points: 30, Rubric: pinggu.RubricBinary},
		{Code: "A2", Parent: "A", Level: 2, Name: "行政执法", Points: 30},
		{Code: "A2a", Parent: "A2", Level: 3, Name: "执法案卷不合格", Points: 20, Rubric: pinggu.RubricDeduction, PerInstance: 2, Cap: 10},
		{Code: "A2b", Parent: "A2", Level: 3, Name: "镇街执法全覆盖", Points: 10, Rubric: pinggu.RubricProportional, Target: 100,
			AppliesTo: []pinggu.UnitType{pinggu.County}},
		{Code: "B", Level: 1, Name: "群众满意", Points: 40},
		{Code: "B1", Parent: "B", Level: 2, Name: "政务服务满意度", Points: 20, Rubric: pinggu.RubricSurvey, Dimension: "zwfw"},
		{Code: "B2", Parent: "B", Level: 2, Name: "评审打分", Points: 20, Rubric: pinggu.RubricManual},
	}}
}

func settings() *pinggu.AssessmentSettings {
	return &pinggu.AssessmentSettings{IndicatorSystem: "fzzf", IndicatorVersion: 1, BonusCap: 3, DeductionCap: 5,
		Vetoes: []pinggu.VetoRule{{Code: "aq", Name: "重大安全事故", Effect: "fail"}, {Code: "fy", Name: "行政复议纠错率超标", Effect: "cap", CapGrade: "一般"}}}
}

func TestIndicatorSystemValidate(t *testing.T) {
	t.Parallel()
	if err := system().Validate(); err != nil {
		t.Fatalf("valid system rejected: %v", err)
	}
	tests := []struct {
		name   string
		change func(s *pinggu.IndicatorSystem)
		field  string
	}{
		{"children do not add up", func(s *pinggu.IndicatorSystem) { s.Indicators[1].Points = 25 }, "indicators[0].points"},
		{"leaf without rubric", func(s *pinggu.IndicatorSystem) { s.Indicators[7].Rubric = "" }, "indicators[7].rubric"},
		{"parent with rubric", func(s *pinggu.IndicatorSystem) { s.Indicators[2].Rubric = pinggu.RubricManual }, "indicators[2].rubric"},
		{"unknown parent", func(s *pinggu.IndicatorSystem) { s.Indicators[1].Parent = "Z" }, "indicators[1].parent"},
		{"wrong level", func(s *pinggu.IndicatorSystem) { s.Indicators[3].Level = 2 }, "indicators[3].level"},
		{"duplicate code", func(s *pinggu.IndicatorSystem) { s.Indicators[7].Code = "B1" }, "indicators[7].code"},
		{"deduction without per-instance", func(s *pinggu.IndicatorSystem) { s.Indicators[3].PerInstance = 0 }, "indicators[3].perInstance"},
		{"survey without dimension", func(s *pinggu.IndicatorSystem) { s.Indicators[6].Dimension = "" }, "indicators[6].dimension"},
		{"thresholds not descending", func(s *pinggu.IndicatorSystem) {
			s.Indicators[6].Thresholds = []pinggu.Threshold{{Min: 80, Share: 0.8}, {Min: 90, Share: 1}}
		}, "indicators[6].thresholds[1]"},
	}
	for _, tt := range tests {
		s := system()
		tt.change(s)
		if fe := pinggu.ErrorFields(s.Validate()); fe[tt.field] == "" {
			t.Errorf("%s: field %s not named: %v", tt.name, tt.field, fe)
		}
	}
}

func near4(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

// TestScoreUnitByHand: every rubric, caps, a subset rescaled, vetoes.
func TestScoreUnitByHand(t *testing.T) {
	t.Parallel()
	sys, a := system(), settings()
	county := pinggu.Unit{Code: "u1", Type: pinggu.County, PeerGroup: "县市区"}
	in := map[string]pinggu.InputValue{
		"A1": {Value: f(1)}, "A2a": {Count: n(7)}, "A2b": {Value: f(85)}, "B2": {Score: f(18)},
	}
	adj := []pinggu.Adjustment{{Kind: pinggu.Bonus, Points: 2}, {Kind: pinggu.Bonus, Points: 3}, {Kind: pinggu.DeductionEvent, Points: 1.5}}
	u := scoring.ScoreUnit(sys, a, county, in, map[string]scoring.Stat{"zwfw": {NScored: 50, Mean: 85}}, adj)
	// A1 30 + A2a 20−min(10, 7×2)=10 + A2b 10×0.85=8.5 + B1 20×0.85=17 + B2 18 = 83.5
	near4(t, "base", u.Base, 83.5)
	near4(t, "bonus", u.Bonus, 3)     // 5 capped at 3
	near4(t, "deduct", u.Deduct, 1.5) // under the cap of 5
	near4(t, "total", u.Total, 85)
	if u.Grade != "良好" {
		t.Errorf("grade = %s", u.Grade)
	}
	scores := map[string]float64{}
	for _, nd := range u.Nodes {
		scores[nd.Code] = nd.Score
	}
	for code, want := range map[string]float64{"A": 48.5, "A2": 18.5, "A2a": 10, "A2b": 8.5, "B": 35, "B1": 17} {
		near4(t, "node "+code, scores[code], want)
	}

	// A department: A2b does not apply, A1 is missing; 59 of 90 → 65.56 of 100.
	dept := pinggu.Unit{Code: "u2", Type: pinggu.Department, PeerGroup: "市级部门"}
	u2 := scoring.ScoreUnit(sys, a, dept, map[string]pinggu.InputValue{"A2a": {Count: n(0)}, "B2": {Score: f(20)}},
		map[string]scoring.Stat{"zwfw": {NScored: 10, Mean: 95}}, nil)
	near4(t, "subset base", u2.Base, 65.56) // published at two decimals
	if len(u2.Missing) != 1 || u2.Missing[0] != "A1" || u2.Rank != 0 {
		t.Errorf("missing = %v", u2.Missing)
	}
	if len(u2.Nodes) != 7 || !u2.Nodes[1].Missing || u2.Nodes[1].Code != "A1" {
		t.Errorf("nodes = %+v", u2.Nodes)
	}
	if u2.Grade != "较差" {
		t.Errorf("grade = %s", u2.Grade)
	}

	// Vetoes: 30 + 18 + 10 + 12 + 20 = 90 points would be 优秀; "cap" makes it 一般, "fail" 较差.
	top := map[string]pinggu.InputValue{"A1": {Value: f(1)}, "A2a": {Count: n(1)}, "A2b": {Value: f(100)}, "B2": {Score: f(20)}}
	dims := map[string]scoring.Stat{"zwfw": {NScored: 10, Mean: 60}}
	if u := scoring.ScoreUnit(sys, a, county, top, dims, nil); u.Total != 90 || u.Grade != "优秀" {
		t.Fatalf("no veto: %v %s", u.Total, u.Grade)
	}
	if u := scoring.ScoreUnit(sys, a, county, top, dims, []pinggu.Adjustment{{Kind: pinggu.Veto, Rule: "fy"}}); u.Grade != "一般" {
		t.Errorf("cap veto grade = %s", u.Grade)
	}
	if u := scoring.ScoreUnit(sys, a, county, top, dims, []pinggu.Adjustment{{Kind: pinggu.Veto, Rule: "aq"}}); u.Grade != "较差" || u.Vetoes[0] != "重大安全事故" {
		t.Errorf("fail veto = %s %v", u.Grade, u.Vetoes)
	}
	// A survey leaf by threshold table: 85 falls in the 80 row → 0.8 × 20.
	sys.Indicators[6].Thresholds = []pinggu.Threshold{{Min: 90, Share: 1}, {Min: 80, Share: 0.8}, {Min: 0, Share: 0.5}}
	u = scoring.ScoreUnit(sys, a, county, in, map[string]scoring.Stat{"zwfw": {NScored: 50, Mean: 85}}, nil)
	near4(t, "threshold base", u.Base, 82.5)
	// Per peer group bands: a stricter band set for 市级部门.
	a.Grades = map[string][]pinggu.GradeBand{"市级部门": {{Name: "好", Min: 60}, {Name: "差", Min: 0}}}
	if g := scoring.ScoreUnit(sys, a, dept, nil, nil, nil).Grade; g != "差" {
		t.Errorf("peer-group band = %s", g)
	}
}

func TestRankAssessmentsWithinPeerGroups(t *testing.T) {
	t.Parallel()
	us := []scoring.UnitAssessment{{PeerGroup: "A", Total: 85}, {PeerGroup: "B", Total: 60}, {PeerGroup: "A", Total: 85},
		{PeerGroup: "A", Total: 70}, {PeerGroup: "B", Total: 90}}
	scoring.RankAssessments(us, pinggu.VetoRankLast)
	for i, want := range []int{1, 2, 1, 3, 1} {
		if us[i].Rank != want {
			t.Errorf("unit %d rank %d, want %d", i, us[i].Rank, want)
		}
	}
}
