package pinggu_test

import (
	"strings"
	"testing"
	"time"

	"pinggu"
)

func score(v float64) *float64 { return &v }

func scaleOptions() []pinggu.Option {
	return []pinggu.Option{{Code: "5", Label: "很满意", Score: score(100)}, {Code: "4", Label: "满意", Score: score(80)},
		{Code: "3", Label: "基本满意", Score: score(60)}, {Code: "9", Label: "不清楚"}}
}

// testQuestionnaire has one question of every type and a showIf.
func testQuestionnaire() *pinggu.Questionnaire {
	return &pinggu.Questionnaire{Code: "fz", Title: "测评", Questions: []pinggu.Question{
		{Code: "Q1", Type: pinggu.Scale, Text: "满意吗", Required: true, Dimension: "zt", Options: scaleOptions()},
		{Code: "D1", Type: pinggu.Single, Text: "职业", Required: true, Options: []pinggu.Option{{Code: "1", Label: "职工"}, {Code: "2", Label: "企业主"}, {Code: "3", Label: "其他"}}},
		{Code: "Q2", Type: pinggu.Scale, Text: "涉企检查", Required: true, Options: scaleOptions(), ShowIf: &pinggu.ShowIf{Question: "D1", In: []string{"2"}}},
		{Code: "Q3", Type: pinggu.Multi, Text: "改进", MaxPicks: 2, Options: []pinggu.Option{{Code: "a", Label: "甲"}, {Code: "b", Label: "乙"}, {Code: "c", Label: "丙"}}},
		{Code: "Q4", Type: pinggu.Rating, Text: "打分"},
		{Code: "Q5", Type: pinggu.Text, Text: "建议", MaxLength: 10},
	}}
}

func TestCleanAnswers(t *testing.T) {
	q := testQuestionnaire()
	if err := q.Validate(); err != nil {
		t.Fatalf("test questionnaire invalid: %v", err)
	}
	base := func() pinggu.Answers { return pinggu.Answers{"Q1": {"5"}, "D1": {"1"}} }
	with := func(k string, v ...string) pinggu.Answers { a := base(); a[k] = v; return a }
	tests := []struct {
		name  string
		in    pinggu.Answers
		field string // the field that must be named; "" means valid
		want  string // for valid input: the cleaned value of check, joined by ","
		check string
	}{
		{"minimal valid", base(), "", "5", "Q1"},
		{"不清楚 is a valid scale answer", with("Q1", "9"), "", "9", "Q1"},
		{"required missing", pinggu.Answers{"D1": {"1"}}, "Q1", "", ""},
		{"required blank", with("Q1", ""), "Q1", "", ""},
		{"unknown option", with("Q1", "7"), "Q1", "", ""},
		{"two values on a scale", with("Q1", "5", "4"), "Q1", "", ""},
		{"single unknown option", with("D1", "x"), "D1", "", ""},
		{"unknown question", with("Q99", "1"), "Q99", "", ""},
		{"multi valid", with("Q3", "a", "c"), "", "a,c", "Q3"},
		{"multi too many picks", with("Q3", "a", "b", "c"), "Q3", "", ""},
		{"multi repeated pick", with("Q3", "a", "a"), "Q3", "", ""},
		{"multi unknown pick", with("Q3", "a", "z"), "Q3", "", ""},
		{"rating valid 0", with("Q4", "0"), "", "0", "Q4"},
		{"rating valid 10", with("Q4", "10"), "", "10", "Q4"},
		{"rating 11", with("Q4", "11"), "Q4", "", ""},
		{"rating negative", with("Q4", "-1"), "Q4", "", ""},
		{"rating not a number", with("Q4", "七"), "Q4", "", ""},
		{"rating fraction", with("Q4", "7.5"), "Q4", "", ""},
		{"text trimmed", with("Q5", "  很好  "), "", "很好", "Q5"},
		{"text at limit", with("Q5", strings.Repeat("字", 10)), "", strings.Repeat("字", 10), "Q5"},
		{"text over limit", with("Q5", strings.Repeat("字", 11)), "Q5", "", ""},
		{"text control chars stripped", with("Q5", "好\x00\x07的"), "", "好的", "Q5"},
		{"text invalid utf8", with("Q5", "\xff\xfe"), "Q5", "", ""},
		{"text two values", with("Q5", "a", "b"), "Q5", "", ""},
		{"hidden question answer dropped", with("Q2", "5"), "", "", "Q2"},
		{"shown question required", with("D1", "2"), "Q2", "", ""},
		{"shown question answered", func() pinggu.Answers { a := with("D1", "2"); a["Q2"] = []string{"4"}; return a }(), "", "4", "Q2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := q.CleanAnswers(tt.in)
			if tt.field != "" {
				if pinggu.ErrorCode(err) != pinggu.Invalid {
					t.Fatalf("err = %v, want invalid", err)
				}
				if msg := pinggu.ErrorFields(err)[tt.field]; msg == "" {
					t.Fatalf("field %s not named: %v", tt.field, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if g := strings.Join(got[tt.check], ","); g != tt.want {
				t.Fatalf("%s = %q, want %q", tt.check, g, tt.want)
			}
		})
	}
}

func TestQuestionnaireValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(q *pinggu.Questionnaire)
		field  string
	}{
		{"valid", func(q *pinggu.Questionnaire) {}, ""},
		{"bad code", func(q *pinggu.Questionnaire) { q.Code = "FZ 2024" }, "code"},
		{"no title", func(q *pinggu.Questionnaire) { q.Title = " " }, "title"},
		{"no questions", func(q *pinggu.Questionnaire) { q.Questions = nil }, "questions"},
		{"duplicate code", func(q *pinggu.Questionnaire) { q.Questions[3].Code = "Q1" }, "questions[3].code"},
		{"reserved code", func(q *pinggu.Questionnaire) { q.Questions[0].Code = "sid" }, "questions[0].code"},
		{"code with dot", func(q *pinggu.Questionnaire) { q.Questions[0].Code = "Q.1" }, "questions[0].code"},
		{"unknown type", func(q *pinggu.Questionnaire) { q.Questions[0].Type = "matrix" }, "questions[0].type"},
		{"no text", func(q *pinggu.Questionnaire) { q.Questions[1].Text = "" }, "questions[1].text"},
		{"one option", func(q *pinggu.Questionnaire) { q.Questions[1].Options = q.Questions[1].Options[:1] }, "questions[1].options"},
		{"duplicate option", func(q *pinggu.Questionnaire) { q.Questions[1].Options[1].Code = "1" }, "questions[1].options[1].code"},
		{"option code with colon", func(q *pinggu.Questionnaire) { q.Questions[1].Options[1].Code = "a:b" }, "questions[1].options[1].code"},
		{"empty label", func(q *pinggu.Questionnaire) { q.Questions[1].Options[0].Label = "" }, "questions[1].options[0].label"},
		{"score on single", func(q *pinggu.Questionnaire) { q.Questions[1].Options[0].Score = score(5) }, "questions[1].options[0].score"},
		{"score over 100", func(q *pinggu.Questionnaire) { q.Questions[0].Options[0].Score = score(120) }, "questions[0].options[0].score"},
		{"scale without scores", func(q *pinggu.Questionnaire) {
			for i := range q.Questions[0].Options {
				q.Questions[0].Options[i].Score = nil
			}
		}, "questions[0].options"},
		{"maxPicks over options", func(q *pinggu.Questionnaire) { q.Questions[3].MaxPicks = 4 }, "questions[3].maxPicks"},
		{"maxPicks on single", func(q *pinggu.Questionnaire) { q.Questions[1].MaxPicks = 1 }, "questions[1].maxPicks"},
		{"options on rating", func(q *pinggu.Questionnaire) { q.Questions[4].Options = scaleOptions() }, "questions[4].options"},
		{"maxLength too big", func(q *pinggu.Questionnaire) { q.Questions[5].MaxLength = 100000 }, "questions[5].maxLength"},
		{"dimension on single", func(q *pinggu.Questionnaire) { q.Questions[1].Dimension = "x" }, "questions[1].dimension"},
		{"showIf to later question", func(q *pinggu.Questionnaire) { q.Questions[2].ShowIf.Question = "Q3" }, "questions[2].showIf.question"},
		{"showIf to itself", func(q *pinggu.Questionnaire) { q.Questions[2].ShowIf.Question = "Q2" }, "questions[2].showIf.question"},
		{"showIf to multi", func(q *pinggu.Questionnaire) {
			q.Questions[4].ShowIf = &pinggu.ShowIf{Question: "Q3", In: []string{"a"}}
		}, "questions[4].showIf.question"},
		{"showIf unknown option", func(q *pinggu.Questionnaire) { q.Questions[2].ShowIf.In = []string{"7"} }, "questions[2].showIf.in"},
		{"showIf empty in", func(q *pinggu.Questionnaire) { q.Questions[2].ShowIf.In = nil }, "questions[2].showIf.in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := testQuestionnaire()
			tt.change(q)
			err := q.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if pinggu.ErrorCode(err) != pinggu.Invalid || pinggu.ErrorFields(err)[tt.field] == "" {
				t.Fatalf("err = %v, want field %s named", err, tt.field)
			}
		})
	}
}

func TestRoundValidateAndPhase(t *testing.T) {
	opens := time.Date(2024, 10, 1, 1, 0, 0, 0, time.UTC)
	valid := func() *pinggu.Round {
		return &pinggu.Round{Code: "r2024", Title: "测评", Kind: pinggu.Satisfaction, Questionnaire: "fz",
			Units: []string{"a", "b"}, Quotas: map[string]int{"a": 100}, OpensAt: opens, ClosesAt: opens.Add(48 * time.Hour),
			Timezone: pinggu.DefaultTimezone}
	}
	tests := []struct {
		name   string
		change func(r *pinggu.Round)
		field  string
	}{
		{"valid", func(r *pinggu.Round) {}, ""},
		{"bad kind", func(r *pinggu.Round) { r.Kind = "annual" }, "kind"},
		{"no units", func(r *pinggu.Round) { r.Units = nil; r.Quotas = nil }, "units"},
		{"duplicate unit", func(r *pinggu.Round) { r.Units = []string{"a", "a"} }, "units"},
		{"quota outside scope", func(r *pinggu.Round) { r.Quotas["z"] = 5 }, "quotas.z"},
		{"negative quota", func(r *pinggu.Round) { r.Quotas["a"] = -1 }, "quotas.a"},
		{"closes before opens", func(r *pinggu.Round) { r.ClosesAt = opens.Add(-time.Hour) }, "closesAt"},
		{"no opensAt", func(r *pinggu.Round) { r.OpensAt = time.Time{} }, "opensAt"},
		{"bad time zone", func(r *pinggu.Round) { r.Timezone = "Mars/Base" }, "timezone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := valid()
			tt.change(r)
			err := r.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if pinggu.ErrorFields(err)[tt.field] == "" {
				t.Fatalf("err = %v, want field %s", err, tt.field)
			}
		})
	}
	r := valid()
	if r.Status = pinggu.StatusDraft; r.PhaseAt(opens.Add(time.Hour)) != pinggu.Upcoming {
		t.Error("a draft round is open")
	}
	if r.Status = pinggu.StatusClosed; r.PhaseAt(opens.Add(time.Hour)) != pinggu.Over {
		t.Error("a closed round is open inside its window")
	}
	r.Status = pinggu.StatusOpen
	for _, c := range []struct {
		at   time.Time
		want pinggu.Phase
	}{{opens.Add(-time.Second), pinggu.Upcoming}, {opens, pinggu.Open}, {r.ClosesAt.Add(-time.Millisecond), pinggu.Open}, {r.ClosesAt, pinggu.Over}} {
		if got := r.PhaseAt(c.at); got != c.want {
			t.Errorf("PhaseAt(%v) = %v, want %v", c.at, got, c.want)
		}
	}
}

func TestUnitValidate(t *testing.T) {
	u := pinggu.Unit{Code: "chongchuan", Name: "崇川区", Type: pinggu.County, PeerGroup: "县市区"}
	if err := u.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := u
	bad.Type, bad.Parent, bad.Name = "city", "chongchuan", ""
	fields := pinggu.ErrorFields(bad.Validate())
	for _, f := range []string{"type", "parent", "name"} {
		if fields[f] == "" {
			t.Errorf("field %s not named: %v", f, fields)
		}
	}
}

func TestMedianDuration(t *testing.T) {
	for _, tc := range []struct {
		hist map[string]int
		ms   int64
		n    int
	}{
		{map[string]int{}, 0, 0},
		{map[string]int{"d12": 3}, 62500, 3},
		{map[string]int{"d1": 1, "d12": 1, "d30": 1}, 62500, 3},
		{map[string]int{"d1": 2, "d12": 2}, 7500, 4}, // the lower middle
		{map[string]int{"d120": 5, "bad": 9}, 602500, 5},
	} {
		if ms, n := pinggu.MedianDuration(tc.hist); ms != tc.ms || n != tc.n {
			t.Errorf("MedianDuration(%v) = %d, %d; want %d, %d", tc.hist, ms, n, tc.ms, tc.n)
		}
	}
	for ms, want := range map[int64]string{0: "d0", 4999: "d0", 5000: "d1", 62000: "d12", 3_600_000: "d120"} {
		if got := pinggu.DurationBucket(ms); got != want {
			t.Errorf("DurationBucket(%d) = %s, want %s", ms, got, want)
		}
	}
}

// TestWeightingChecksItself: shares must add up to 1 (± 0.001), raking
// margins too, per question; every mistake names its field.
func TestWeightingChecksItself(t *testing.T) {
	q := testQuestionnaire()
	for _, c := range []struct {
		name  string
		s     pinggu.Scoring
		field string // "" means valid
	}{
		{"shares sum to 1", pinggu.Scoring{Weighting: &pinggu.Weighting{Cells: []string{"D1"}, Shares: map[string]float64{"1": 0.5, "2": 0.3, "3": 0.2}}}, ""},
		{"shares within the tolerance", pinggu.Scoring{Weighting: &pinggu.Weighting{Cells: []string{"D1"}, Shares: map[string]float64{"1": 0.5, "2": 0.3, "3": 0.2009}}}, ""},
		{"shares sum to 0.84", pinggu.Scoring{Weighting: &pinggu.Weighting{Cells: []string{"D1"}, Shares: map[string]float64{"1": 0.5, "2": 0.34}}}, "scoring.weighting.shares"},
		{"raking", pinggu.Scoring{Weighting: &pinggu.Weighting{Method: pinggu.WeightRaking, Cells: []string{"D1"},
			Margins: map[string]map[string]float64{"D1": {"1": 0.6, "2": 0.3, "3": 0.1}}}}, ""},
		{"raking margin sums to 0.9", pinggu.Scoring{Weighting: &pinggu.Weighting{Method: pinggu.WeightRaking, Cells: []string{"D1"},
			Margins: map[string]map[string]float64{"D1": {"1": 0.6, "2": 0.3}}}}, "scoring.weighting.margins.D1"},
		{"raking a margin of no cell", pinggu.Scoring{Weighting: &pinggu.Weighting{Method: pinggu.WeightRaking, Cells: []string{"D1"},
			Margins: map[string]map[string]float64{"D1": {"1": 1}, "Q4": {"1": 1}}}}, "scoring.weighting.margins.Q4"},
		{"raking with a bad trim", pinggu.Scoring{Weighting: &pinggu.Weighting{Method: pinggu.WeightRaking, Cells: []string{"D1"},
			Margins: map[string]map[string]float64{"D1": {"1": 1}}, Trim: &pinggu.Trim{Min: 2, Max: 3}}}, "scoring.weighting.trim"},
		{"unknown method", pinggu.Scoring{Weighting: &pinggu.Weighting{Method: "magic", Cells: []string{"D1"}, Shares: map[string]float64{"1": 1}}}, "scoring.weighting.method"},
		{"overall on a text question", pinggu.Scoring{Overall: &pinggu.OverallScore{Method: pinggu.OverallQuestion, Question: "Q5"}}, "scoring.overall.question"},
		{"overall weights an unknown dimension", pinggu.Scoring{Overall: &pinggu.OverallScore{Method: pinggu.OverallDimensions, Weights: map[string]float64{"xx": 1}}}, "scoring.overall.weights.xx"},
		{"negative minimum sample", pinggu.Scoring{MinSample: -1}, "scoring.minSample"},
	} {
		fe := pinggu.FieldErrors{}
		c.s.Validate(q, fe)
		switch {
		case c.field == "" && len(fe) > 0:
			t.Errorf("%s: unexpected errors %v", c.name, fe)
		case c.field != "" && fe[c.field] == "":
			t.Errorf("%s: no error on %s (got %v)", c.name, c.field, fe)
		}
	}
	fe := pinggu.FieldErrors{}
	pinggu.Scoring{Weighting: &pinggu.Weighting{Cells: []string{"D1"}, Shares: map[string]float64{"1": 0.5, "2": 0.34}}}.Validate(q, fe)
	if !strings.Contains(fe["scoring.weighting.shares"], "0.84") {
		t.Errorf("the message should say the sum: %q", fe["scoring.weighting.shares"])
	}
}
