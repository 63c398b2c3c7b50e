package jobs_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"pinggu"
	"pinggu/jobs"
	"pinggu/scoring"
	"pinggu/store"
	"pinggu/store/storetest"
)

// publishEnv is a store with two units of one peer group and a
// questionnaire of one scale question Q1 (100/80/60/40/20, 9 不清楚).
func publishEnv(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	st := storetest.New(t)
	ctx := pinggu.WithActor(context.Background(), "admin")
	addUnits(t, st, ctx, "a", "b")
	if err := st.CreateQuestionnaire(ctx, &pinggu.Questionnaire{Code: "q", Title: "t", Questions: []pinggu.Question{
		{Code: "Q1", Type: pinggu.Scale, Text: "政务服务", Dimension: "zwfw", Options: fivePoint()}}}); err != nil {
		t.Fatal(err)
	}
	return st, ctx
}

// addUnits stores counties of one peer group: a 崇川区, b 海门区, c 如东县.
func addUnits(t *testing.T, st *store.Store, ctx context.Context, codes ...string) {
	t.Helper()
	names := map[string]string{"a": "崇川区", "b": "海门区", "c": "如东县"}
	for _, c := range codes {
		if err := st.CreateUnit(ctx, &pinggu.Unit{Code: c, Name: names[c], Type: pinggu.County, PeerGroup: "县市区"}); err != nil {
			t.Fatal(err)
		}
	}
}

// fivePoint is the default 5-point scale with 不清楚.
func fivePoint() []pinggu.Option {
	return []pinggu.Option{{Code: "5", Label: "很满意", Score: score(100)}, {Code: "4", Label: "满意", Score: score(80)},
		{Code: "3", Label: "基本满意", Score: score(60)}, {Code: "2", Label: "不满意", Score: score(40)},
		{Code: "1", Label: "很不满意", Score: score(20)}, {Code: "9", Label: "不清楚"}}
}

func addResponses(t *testing.T, st *store.Store, ctx context.Context, round, unit string, codes ...string) {
	t.Helper()
	for i, c := range codes {
		r := &pinggu.Response{ID: fmt.Sprintf("%s-%s-%04d", round, unit, i), Round: round, Unit: unit, Questionnaire: "q",
			QuestionnaireVersion: 1, Answers: pinggu.Answers{"Q1": {c}}, Channel: pinggu.ChannelWeb, SubmittedAt: time.Now()}
		if _, err := st.InsertResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
}

func repeat(code string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = code
	}
	return out
}

func cellValue(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestTooLittleDataIsSaidNotScored: with the default minimum of 30, a unit
// of 12 respondents is 样本不足 — no score, rank or significance — and 说明
// lists it; the unit of 40 is ranked alone.
func TestTooLittleDataIsSaidNotScored(t *testing.T) {
	t.Parallel()
	st, ctx := publishEnv(t)
	now := time.Now()
	if err := st.CreateRound(ctx, &pinggu.Round{Code: "r", Title: "测评", Kind: pinggu.Satisfaction, Questionnaire: "q",
		QuestionnaireVersion: 1, Units: []string{"a", "b"}, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour),
		Timezone: pinggu.DefaultTimezone, Status: pinggu.StatusOpen, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	addResponses(t, st, ctx, "r", "a", append(repeat("5", 20), repeat("4", 20)...)...)
	addResponses(t, st, ctx, "r", "b", repeat("5", 12)...)
	rep, err := jobs.NewCompiler(st, time.Now).Compile(ctx, "r", false, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := openReport(t, st, rep.ID)
	defer f.Close()
	// 总表: A 序号, B 单位, C 类别, D 排名, E 答卷数, F 有效样本, G 得分 … P 显著性.
	if got := [4]string{cellValue(t, f, "总表", "D4"), cellValue(t, f, "总表", "F4"), cellValue(t, f, "总表", "G4"), cellValue(t, f, "总表", "K4")}; got != [4]string{"样本不足", "12", "样本不足", ""} {
		t.Errorf("海门区 row = %v", got)
	}
	if d, p := cellValue(t, f, "总表", "D3"), cellValue(t, f, "总表", "P3"); d != "1" || p != "与组内其他单位差异均不显著" {
		t.Errorf("崇川区 rank %q significance %q", d, p)
	}
	rows, _ := f.GetRows("说明")
	if !strings.Contains(fmt.Sprint(rows), "海门区（答卷12份，计入估计12人") {
		t.Errorf("说明 does not list the insufficient unit: %v", rows)
	}
	for _, s := range rep.Scores {
		if s.Unit == "b" && (!s.Insufficient || s.Rank != 0) || s.Unit == "a" && (s.Rank != 1 || s.RankLow != 1 || s.RankHigh != 1) {
			t.Errorf("report score %+v", s)
		}
	}
}

// assessmentRound stores an assessment round over two manual leaves, with
// both entries for a and only A1 for b.
func assessmentRound(t *testing.T, st *store.Store, ctx context.Context, allowGaps bool) {
	t.Helper()
	if err := st.AddIndicatorSystem(ctx, &pinggu.IndicatorSystem{Code: "s", Version: 1, Name: "指标", Indicators: []pinggu.Indicator{
		{Code: "A", Level: 1, Name: "依法决策", Points: 100},
		{Code: "A1", Parent: "A", Level: 2, Name: "决策程序", Points: 60, Rubric: pinggu.RubricManual},
		{Code: "A2", Parent: "A", Level: 2, Name: "合法性审查", Points: 40, Rubric: pinggu.RubricManual},
	}}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := st.CreateRound(ctx, &pinggu.Round{Code: "k", Title: "考核", Kind: pinggu.Assessment, Questionnaire: "q",
		QuestionnaireVersion: 1, Units: []string{"a", "b"}, OpensAt: now.Add(-2 * time.Hour), ClosesAt: now.Add(-time.Hour),
		Timezone: pinggu.DefaultTimezone, Status: pinggu.StatusClosed, CreatedAt: now,
		Assessment: &pinggu.AssessmentSettings{IndicatorSystem: "s", IndicatorVersion: 1, AllowGaps: allowGaps}}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []pinggu.Input{
		{Round: "k", Unit: "a", Indicator: "A1", InputValue: pinggu.InputValue{Score: score(50)}},
		{Round: "k", Unit: "a", Indicator: "A2", InputValue: pinggu.InputValue{Score: score(40)}},
		{Round: "k", Unit: "b", Indicator: "A1", InputValue: pinggu.InputValue{Score: score(60)}},
	} {
		in.At = now
		if err := st.SetInput(ctx, &in, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFinalCompileRefusesGaps: a missing entry is never a silent 0 in a
// final ranking: the compile is refused (409) naming the unit and leaf.
func TestFinalCompileRefusesGaps(t *testing.T) {
	t.Parallel()
	st, ctx := publishEnv(t)
	assessmentRound(t, st, ctx, false)
	_, err := jobs.NewCompiler(st, time.Now).Compile(ctx, "k", true, 0, nil)
	if pinggu.ErrorCode(err) != pinggu.Conflict || !strings.Contains(pinggu.ErrorFields(err)["inputs.b"], "A2") {
		t.Fatalf("final compile with a gap = %v (fields %v)", err, pinggu.ErrorFields(err))
	}
	if _, ok := pinggu.ErrorFields(err)["inputs.a"]; ok {
		t.Errorf("a complete unit is listed: %v", pinggu.ErrorFields(err))
	}
	reps, _ := st.Reports(ctx, "k")
	if len(reps) != 0 {
		t.Errorf("a refused compile stored %d reports", len(reps))
	}
	// A provisional compile goes ahead and marks the unit.
	rep, err := jobs.NewCompiler(st, time.Now).Compile(ctx, "k", false, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := openReport(t, st, rep.ID)
	defer f.Close()
	// 总表: D 总分, E 等次, F 考核组内排名.
	if a, b := cellValue(t, f, "总表", "F3"), cellValue(t, f, "总表", "F4"); a != "1" || b != "数据不完整" {
		t.Errorf("ranks a %q b %q", a, b)
	}
	if got := cellValue(t, f, "考核排名-县市区", "I4"); got != "A2" {
		t.Errorf("缺项 of b = %q", got)
	}
	if got := cellValue(t, f, "考核排名-县市区", "J3"); got != "0.9" { // 得分率 of 依法决策: 90/100
		t.Errorf("得分率 of a = %q", got)
	}
}

// TestFinalCompileWithAllowedGaps: the round allows gaps, so the final
// compile goes ahead with the unit marked and unranked.
func TestFinalCompileWithAllowedGaps(t *testing.T) {
	t.Parallel()
	st, ctx := publishEnv(t)
	assessmentRound(t, st, ctx, true)
	rep, err := jobs.NewCompiler(st, time.Now).Compile(ctx, "k", true, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := openReport(t, st, rep.ID)
	defer f.Close()
	if b := cellValue(t, f, "总表", "F4"); b != "数据不完整" {
		t.Errorf("b's rank %q", b)
	}
	rows, _ := f.GetRows("说明")
	if !strings.Contains(fmt.Sprint(rows), "本轮允许带缺项定稿") {
		t.Error("说明 does not state the gap rule")
	}
}

// TestBaselineComparison: a round names last year's; the scorecard shows
// each unit's change with Welch's interval and significance, the rate's
// Newcombe interval and the change of rank, and the dashboard's figures
// carry it. By hand: 崇川区 went from 20×100 + 20×60 (80) to 30×100 +
// 10×60 (90); 海门区 from 80/40 alternating (60) to forty 100s.
func TestBaselineComparison(t *testing.T) {
	t.Parallel()
	st, ctx := publishEnv(t)
	now := time.Now()
	for _, code := range []string{"b23", "r24"} {
		r := &pinggu.Round{Code: code, Title: map[string]string{"b23": "2023年测评", "r24": "2024年测评"}[code], Kind: pinggu.Satisfaction,
			Questionnaire: "q", QuestionnaireVersion: 1, Units: []string{"a", "b"}, OpensAt: now.Add(-2 * time.Hour), ClosesAt: now.Add(-time.Hour),
			Timezone: pinggu.DefaultTimezone, Status: pinggu.StatusClosed, CreatedAt: now}
		if code == "r24" {
			r.Baseline = "b23"
		}
		if err := st.CreateRound(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	addResponses(t, st, ctx, "b23", "a", append(repeat("5", 20), repeat("3", 20)...)...)
	var alt []string
	for i := 0; i < 40; i++ {
		alt = append(alt, []string{"4", "2"}[i%2])
	}
	addResponses(t, st, ctx, "b23", "b", alt...)
	addResponses(t, st, ctx, "r24", "a", append(repeat("5", 30), repeat("3", 10)...)...)
	addResponses(t, st, ctx, "r24", "b", repeat("5", 40)...)
	c := jobs.NewCompiler(st, time.Now)
	if _, err := c.Compile(ctx, "b23", true, 0, nil); err != nil {
		t.Fatal(err)
	}
	rep, err := c.Compile(ctx, "r24", true, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := openReport(t, st, rep.ID)
	defer f.Close()
	// 崇川区: v = (12000/39)/40, v₀ = (16000/39)/40, df = (v+v₀)²/((v²+v₀²)/39).
	v, v0 := 12000.0/39/40, 16000.0/39/40
	df := (v + v0) * (v + v0) / ((v*v + v0*v0) / 39)
	half := scoring.TQuantile(0.975, df) * math.Sqrt(v+v0)
	row := findRowIn(t, f, "同比变化", "崇川区")
	for ref, want := range map[string]float64{"C": 90, "D": 80, "E": 10, "F": 10 - half, "G": 10 + half, "P": 2, "Q": 1, "R": -1} {
		if got := parse(t, cellValue(t, f, "同比变化", fmt.Sprintf("%s%d", ref, row))); math.Abs(got-want) > 1e-9 {
			t.Errorf("崇川区 同比变化!%s = %v, want %v", ref, got, want)
		}
	}
	if got := cellValue(t, f, "同比变化", fmt.Sprintf("I%d", row)); got != "显著" {
		t.Errorf("崇川区's change of 10 points is %s", got)
	}
	// 海门区's rate: 0.5 → 1 on 40 each; Newcombe from the two Wilson intervals.
	l1, _ := scoring.Wilson(1, 40, 1.96)
	l0, u0 := scoring.Wilson(0.5, 40, 1.96)
	brow := findRowIn(t, f, "同比变化", "海门区")
	for ref, want := range map[string]float64{"L": 0.5, "M": 0.5 - math.Hypot(1-l1, u0-0.5), "N": 0.5 + math.Hypot(0, 0.5-l0), "R": 1} {
		if got := parse(t, cellValue(t, f, "同比变化", fmt.Sprintf("%s%d", ref, brow))); math.Abs(got-want) > 1e-9 {
			t.Errorf("海门区 同比变化!%s = %v, want %v", ref, got, want)
		}
	}
	for _, s := range rep.Scores {
		if s.Change == nil || s.Unit == "a" && (s.Change.Diff != 10 || s.Change.RankChange != -1) || s.Unit == "b" && s.Change.RankChange != 1 {
			t.Errorf("stored change %+v", s.Change)
		}
	}
}

// TestUnitSheetShowsSelfReviewAndConfirmation: beside each leaf's score a
// unit's sheet shows its self-assessment (and the score it would earn),
// the reviewer's entry, the confirmation and why they differ, the
// evidence and the return, by hand:
//
//	A1 (60): self 55, entered 45, confirmed changed to 50 → score 50;
//	A2 (40): self 40, entered 40, confirmed as is → 40; A: 90/100 = 0.9.
func TestUnitSheetShowsSelfReviewAndConfirmation(t *testing.T) {
	t.Parallel()
	st, ctx := publishEnv(t)
	assessmentRound(t, st, ctx, true)
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, e := range []pinggu.SelfEntry{
		{Round: "k", Unit: "a", Indicator: "A1", InputValue: pinggu.InputValue{Score: score(55)}, Explanation: "决策均经集体讨论",
			Evidence: []pinggu.Evidence{{ID: "e1", Name: "决策台账.pdf"}, {ID: "e2", Name: "会议纪要.docx"}},
			Return:   &pinggu.Note{Text: "请补充听证记录", By: "li", At: now}, State: pinggu.EntrySubmitted},
		{Round: "k", Unit: "a", Indicator: "A2", InputValue: pinggu.InputValue{Score: score(40)}, State: pinggu.EntrySubmitted},
	} {
		if err := st.SaveSelfEntry(ctx, &e, 0); err != nil {
			t.Fatal(err)
		}
	}
	ins, _ := st.Inputs(ctx, "k", "a")
	for _, in := range ins {
		in.By = "li"
		switch in.Indicator {
		case "A1":
			in.Score, in.Comment = score(50), "缺重大决策听证"
			in.Confirmed = &pinggu.Confirmation{By: "wang", At: now, Reason: "听证记录部分缺失", Was: &pinggu.InputValue{Score: score(45)}}
		case "A2":
			in.Confirmed = &pinggu.Confirmation{By: "wang", At: now}
		}
		if err := st.SetInput(ctx, &in, in.Version); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := jobs.NewCompiler(st, time.Now).Compile(ctx, "k", false, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := openReport(t, st, rep.ID)
	defer f.Close()
	rows, _ := f.GetRows("崇川区")
	line := func(code string) int {
		for i, r := range rows {
			if len(r) > 0 && r[0] == code {
				return i + 1
			}
		}
		t.Fatalf("no row %s", code)
		return 0
	}
	// E 得分, F 得分率, H 自评, I 自评得分, J 初审, K 复核, L 差异说明, M 佐证材料, N 退回补充.
	for ref, want := range map[string]string{
		fmt.Sprintf("E%d", line("A")): "90", fmt.Sprintf("F%d", line("A")): "0.9",
		fmt.Sprintf("E%d", line("A1")): "50", fmt.Sprintf("H%d", line("A1")): "55分", fmt.Sprintf("I%d", line("A1")): "55",
		fmt.Sprintf("J%d", line("A1")): "45分", fmt.Sprintf("K%d", line("A1")): "改为50分",
		fmt.Sprintf("L%d", line("A1")): "自评55分，核定50分；复核：听证记录部分缺失",
		fmt.Sprintf("M%d", line("A1")): "决策台账.pdf、会议纪要.docx", fmt.Sprintf("N%d", line("A1")): "请补充听证记录",
		fmt.Sprintf("I%d", line("A2")): "40", fmt.Sprintf("K%d", line("A2")): "确认", fmt.Sprintf("L%d", line("A2")): "",
	} {
		if got := cellValue(t, f, "崇川区", ref); got != want {
			t.Errorf("崇川区!%s = %q, want %q", ref, got, want)
		}
	}
}

// TestFinalResultMakesRectificationItems: a leaf that lost more than the
// round's share of its points becomes an item at the final result, due the
// round's days after the close; a rerun adds nothing twice. By hand, with
// a share of 0.1: 崇川区 A1 50/60 lost 10 > 6 → an item; A2 40/40 none.
func TestFinalResultMakesRectificationItems(t *testing.T) {
	t.Parallel()
	st, ctx := publishEnv(t)
	assessmentRound(t, st, ctx, true)
	r, err := st.Round(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	r.Assessment.RectifyLoss, r.Assessment.RectifyDays = 0.1, 30
	if err := st.UpdateRound(ctx, r, r.UpdatedAt); err != nil {
		t.Fatal(err)
	}
	c := jobs.NewCompiler(st, time.Now)
	if _, err := c.Compile(ctx, "k", false, 0, nil); err != nil {
		t.Fatal(err)
	}
	if items, _ := st.Rectifications(ctx, "k", ""); len(items) != 0 {
		t.Fatalf("a provisional result made items: %+v", items)
	}
	for range 2 {
		if _, err := c.Compile(ctx, "k", true, 0, nil); err != nil {
			t.Fatal(err)
		}
	}
	items, err := st.Rectifications(ctx, "k", "")
	if err != nil || len(items) != 1 {
		t.Fatalf("items %+v %v", items, err)
	}
	due := pinggu.Date(r.ClosesAt.In(r.Location()).AddDate(0, 0, 30).Format(pinggu.DateLayout))
	if it := items[0]; it.Unit != "a" || it.Indicator != "A1" || it.Deadline != due || it.Status != pinggu.RectOpen ||
		it.Finding != "A1「决策程序」得分50（满分60），失分10：评审打分" {
		t.Fatalf("item %+v, due %s", it, due)
	}
}

// TestLedger: the 整改台账 lists every item with its status and days
// overdue on the day it is written, overdue first within each unit, and
// sums them per unit. By hand, on 2025-03-10 (Beijing): 崇川区's finding
// due 2025-03-01 and still open is 9 days overdue, its item due
// 2025-03-31 is not due; 海门区's closed item due 2025-02-01 is not overdue.
func TestLedger(t *testing.T) {
	t.Parallel()
	st, ctx := publishEnv(t)
	assessmentRound(t, st, ctx, true)
	now := time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC) // 10:00 in Beijing
	if _, err := st.AddRectifications(ctx, []pinggu.Rectification{
		{ID: "r1", Round: "k", Unit: "a", Source: pinggu.RectLostPoints, Indicator: "A1", Finding: "A1失分", Deadline: "2025-03-31", Status: pinggu.RectOpen},
		{ID: "r2", Round: "k", Unit: "a", Source: pinggu.RectFinding, Finding: "督察：决策未听证", Deadline: "2025-03-01", Status: pinggu.RectReported,
			Reports: []pinggu.RectReport{{Text: "已补开听证会", At: now.Add(-48 * time.Hour)}}},
		{ID: "r3", Round: "k", Unit: "b", Source: pinggu.RectFinding, Finding: "审计：合同未审查", Deadline: "2025-02-01", Status: pinggu.RectClosed,
			Review: &pinggu.Note{Text: "整改到位"}},
	}); err != nil {
		t.Fatal(err)
	}
	c := jobs.NewCompiler(st, func() time.Time { return now })
	rep, err := c.Ledger(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Ledger(ctx, "k")
	if err != nil || again.ID != rep.ID {
		t.Fatalf("the same day's ledger again: %v %v", again, err)
	}
	f := openReport(t, st, rep.ID)
	defer f.Close()
	for _, sheet := range f.GetSheetList() { // each printable: A4 one page wide, titled, headed
		pl, _ := f.GetPageLayout(sheet)
		hf, _ := f.GetHeaderFooter(sheet)
		a1, _ := f.GetCellValue(sheet, "A1")
		if pl.Size == nil || *pl.Size != 9 || pl.FitToWidth == nil || *pl.FitToWidth != 1 || !strings.Contains(hf.OddHeader, "整改台账") ||
			!strings.Contains(hf.OddFooter, "&P") || !strings.Contains(a1, "整改") && sheet != "说明" {
			t.Errorf("%s: layout %+v, header %q, footer %q, A1 %q", sheet, pl, hf.OddHeader, hf.OddFooter, a1)
		}
	}
	// 整改台账 (title, header, then items): A 单位, B 来源, D 问题, E 期限, F 状态, G 逾期天数, H 报送次数, I 最近报送, K 审核意见.
	for ref, want := range map[string]string{
		"A3": "崇川区", "D3": "督察：决策未听证", "F3": "已报送", "G3": "9", "H3": "1", "I3": "已补开听证会",
		"A4": "崇川区", "B4": "考核失分", "G4": "0",
		"A5": "海门区", "F5": "已销号", "G5": "0", "K5": "整改到位",
	} {
		if got := cellValue(t, f, "整改台账", ref); got != want {
			t.Errorf("整改台账!%s = %q, want %q", ref, got, want)
		}
	}
	for ref, want := range map[string]string{"B3": "2", "C3": "0", "D3": "2", "E3": "1", "B4": "1", "C4": "1", "E4": "0"} {
		if got := cellValue(t, f, "汇总", ref); got != want {
			t.Errorf("汇总!%s = %q, want %q", ref, got, want)
		}
	}
}
