package server_test

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"pinggu"
)

// TestFinalCompileWithGapsIsRefused: compiling a closed assessment round
// whose leaves lack entries answers 409 with every unit's missing leaves
// and queues nothing (the jobs tests cover a round that allows gaps).
func TestFinalCompileWithGapsIsRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	ctx := context.Background()
	if err := h.store.AddIndicatorSystem(ctx, &pinggu.IndicatorSystem{Code: "s", Version: 1, Name: "指标", Indicators: []pinggu.Indicator{
		{Code: "A", Level: 1, Name: "依法决策", Points: 100},
		{Code: "A1", Parent: "A", Level: 2, Name: "决策程序", Points: 100, Rubric: pinggu.RubricManual},
	}}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	round := &pinggu.Round{Code: "k", Title: "考核", Kind: pinggu.Assessment, Questionnaire: "fz2024", QuestionnaireVersion: 1,
		Units: []string{"chongchuan", "haimen"}, OpensAt: now.Add(-2 * time.Hour), ClosesAt: now.Add(-time.Hour),
		Timezone: pinggu.DefaultTimezone, Status: pinggu.StatusClosed, CreatedAt: now,
		Assessment: &pinggu.AssessmentSettings{IndicatorSystem: "s", IndicatorVersion: 1}}
	if err := h.store.CreateRound(ctx, round); err != nil {
		t.Fatal(err)
	}
	if err := h.store.SetInput(ctx, &pinggu.Input{Round: "k", Unit: "chongchuan", Indicator: "A1",
		InputValue: pinggu.InputValue{Score: ptrTo(90.0)}, At: now}, 0); err != nil {
		t.Fatal(err)
	}
	r := h.api("POST", "/api/v1/rounds/k/compile", nil)
	fields := r.errorFields(t)
	if r.status != http.StatusConflict || !strings.Contains(fields["inputs.haimen"].(string), "A1") || fields["inputs.chongchuan"] != nil {
		t.Fatalf("compile with a gap = %d %s", r.status, r.body)
	}
	if jobs := h.mustAPI("GET", "/api/v1/jobs?round=k", nil, 200).json(t)["jobs"].([]any); len(jobs) != 0 {
		t.Errorf("a refused compile queued %v", jobs)
	}
}

func ptrTo[T any](v T) *T { return &v }

// TestSamplePlanning: the progress API and the round editor give each
// unit's margin of error of a rate near 50%: z·√(0.25/n) for its quota
// (100: ±9.8 points) and for what it has received so far (4: ±49.0).
func TestSamplePlanning(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	for i := 0; i < 4; i++ {
		form := h.openForm("/s/r2024/chongchuan")
		h.clock.Advance(time.Minute)
		form.Set("Q1", "5")
		form.Set("D1", "1")
		if r := h.postForm("/s/r2024/chongchuan", form); r.status != 303 {
			t.Fatalf("submit = %d", r.status)
		}
	}
	units := h.mustAPI("GET", "/api/v1/rounds/r2024/progress", nil, 200).json(t)["units"].([]any)
	cc := units[0].(map[string]any)
	if math.Abs(cc["plannedMargin"].(float64)-1.96*0.05) > 1e-12 || math.Abs(cc["margin"].(float64)-1.96*0.25) > 1e-12 {
		t.Errorf("progress = %v", cc)
	}
	h.admin()
	mustContain(t, "round editor", h.get("/admin/rounds/r2024/edit"), 200, "配额可达 ±9.8个百分点；已收4份，目前 ±49.0个百分点", "配额可达 ±13.9个百分点")
}

// TestDashboardShowsPublishedFigures: the round page shows what the latest
// scorecard says of each unit: 样本不足 instead of a score, the margin,
// the rank with its interval, and the change against the baseline.
func TestDashboardShowsPublishedFigures(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	ctx := context.Background()
	rep := &pinggu.Report{ID: "r2024-scorecard-prov-0000000000000000", Round: "r2024", Kind: pinggu.ReportScorecard,
		FileName: "x.xlsx", ContentType: "application/octet-stream", Fingerprint: strings.Repeat("0", 64), Responses: 45, CreatedAt: time.Now(),
		Scores: []pinggu.UnitScore{
			{Unit: "chongchuan", Respondents: 40, Mean: 86.04, MeanLow: 82.1, MeanHigh: 90, Margin: 3.95, Rate: 0.9, RateLow: 0.8, RateHigh: 0.95,
				Rank: 1, RankLow: 1, RankHigh: 2, Change: &pinggu.Change{Base: 80, Diff: 6.04, Significant: true, BaseRank: 2, RankChange: 1,
					Rate: &pinggu.Change{Base: 0.93, Diff: -0.03, Low: -0.1, High: 0.04}}},
			{Unit: "haimen", Respondents: 5, Mean: 70, Insufficient: true},
		}}
	if err := h.store.SaveReport(ctx, rep, strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	method := &pinggu.Report{ID: "r2024-method-prov-0000000000000000", Round: "r2024", Kind: pinggu.ReportMethod, FileName: "x.json",
		ContentType: "application/json", Size: 2, Fingerprint: strings.Repeat("0", 64), Responses: 45, CreatedAt: time.Now()}
	if err := h.store.SaveReport(ctx, method, strings.NewReader("{}")); err != nil {
		t.Fatal(err)
	}
	h.admin()
	mustContain(t, "reports", h.get("/admin/reports"), 200, "方法说明（据此与原始数据可重算结果表）", "/admin/reports/r2024-method-prov-0000000000000000.json")
	if r := h.get("/admin/reports/r2024-method-prov-0000000000000000.json"); r.status != 200 || string(r.body) != "{}" {
		t.Errorf("method file download = %d %q", r.status, r.body)
	}
	mustContain(t, "dashboard", h.get("/admin/rounds/r2024"), 200,
		"均值 86.0（82.1–90.0，±4.0）", "组内第1名（95%区间 第1–2名）", "较上轮 +6.0分（显著），满意率-3.0个百分点（不显著），名次上升1位", "样本不足<br><span class=\"muted\">n=5，不评分、不排名")
}
