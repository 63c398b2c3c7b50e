package demo

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/xuri/excelize/v2"

	"pinggu"
	"pinggu/assessment"
	"pinggu/catalog"
	"pinggu/midterm"
	"pinggu/rounds"
	"pinggu/survey"
)

// The rest of the product, so a first look sees every part at work: last
// year's satisfaction round, closed, compiled and published (the current
// round compares with it); an annual assessment round with an indicator
// system and every unit's entries; a 2021–2025 scheme with tasks, progress
// reports and a mid-term round.
const (
	PreviousRound   = "fz2023-myd"
	AssessmentRound = "kh2024"
	MidtermRound    = "zq2023"
	systemCode      = "fzkh2024"
	planCode        = "fzzf2021"
)

// Deps are the services the rest of the demo is loaded through.
type Deps struct {
	Catalog    *catalog.Service
	Rounds     *rounds.Service
	Survey     *survey.Service
	Assessment *assessment.Service
	Midterm    *midterm.Service
}

// LoadPrevious creates last year's round over the same units and
// questionnaire, a little less satisfied, and stores its responses (once).
// It leaves the round to be closed and compiled (Finish).
func LoadPrevious(ctx context.Context, d Deps, now time.Time, responses int) error {
	if err := loadCatalog(ctx, d.Catalog); err != nil {
		return err
	}
	opens := now.AddDate(-1, 0, -7).Truncate(time.Hour)
	r := &pinggu.Round{Code: PreviousRound, Title: "2023年度法治政府建设群众满意度测评", Kind: pinggu.Satisfaction,
		Questionnaire: "fz2024", Quotas: map[string]int{}, OpensAt: opens, ClosesAt: opens.Add(35 * 24 * time.Hour)}
	for _, u := range Units {
		r.Units = append(r.Units, u.Code)
	}
	if err := ignoreConflict(d.Rounds.Create(ctx, r)); err != nil {
		return fmt.Errorf("round %s: %w", PreviousRound, err)
	}
	r, err := d.Catalog.Round(ctx, PreviousRound)
	if err != nil {
		return err
	}
	if r.Status == pinggu.StatusDraft {
		if _, err := d.Rounds.Schedule(ctx, PreviousRound); err != nil {
			return err
		}
	}
	if r.Status.Finished() {
		return nil
	}
	rng := rand.New(rand.NewPCG(2023, 11))
	total := 0.0
	for _, u := range Units {
		total += u.Weight
	}
	span := r.ClosesAt.Sub(r.OpensAt)
	for i := 0; i < responses; i++ {
		u := pick(rng, total)
		at := r.OpensAt.Add(time.Duration(float64(span) * (float64(i) + rng.Float64()) / float64(responses)))
		sid := fmt.Sprintf("demo-%s-%05d", PreviousRound, i)
		// A year ago every unit was a little less well thought of.
		_, err := d.Survey.Submit(ctx, survey.Submission{SID: sid, Round: PreviousRound, Unit: Units[u].Code,
			Answers: answers(rng, Units[u].Mood-0.08), Channel: channel(rng), Device: fmt.Sprintf("demo-2023-%05d", i),
			IP: fmt.Sprintf("10.%d.%d.%d", u, rng.IntN(250), rng.IntN(250)), At: at})
		if err != nil {
			return fmt.Errorf("response %s: %w", sid, err)
		}
	}
	return nil
}

// indicators is the assessment's indicator system, after the city's
// 法治政府建设考核 scheme: four areas, eight leaves, 100 points.
func indicators() *pinggu.IndicatorSystem {
	leaf := func(code, parent, name string, points float64, r pinggu.Rubric) pinggu.Indicator {
		in := pinggu.Indicator{Code: code, Parent: parent, Level: 2, Name: name, Points: points, Rubric: r}
		if r == pinggu.RubricDeduction {
			in.PerInstance = points / 4
		}
		if r == pinggu.RubricProportional {
			in.Target = 0.95
		}
		return in
	}
	return &pinggu.IndicatorSystem{Code: systemCode, Name: "2024年度法治政府建设考核指标", Indicators: []pinggu.Indicator{
		{Code: "A", Level: 1, Name: "依法全面履行政府职能", Points: 25},
		leaf("A1", "A", "权责清单动态调整并向社会公开", 10, pinggu.RubricBinary),
		leaf("A2", "A", "政务服务事项网上可办率", 15, pinggu.RubricProportional),
		{Code: "B", Level: 1, Name: "依法科学民主决策", Points: 25},
		leaf("B1", "B", "重大行政决策法定程序执行情况", 15, pinggu.RubricManual),
		leaf("B2", "B", "规范性文件合法性审查", 10, pinggu.RubricDeduction),
		{Code: "C", Level: 1, Name: "严格规范公正文明执法", Points: 30},
		leaf("C1", "C", "行政执法“三项制度”落实", 18, pinggu.RubricManual),
		leaf("C2", "C", "行政复议纠错和行政诉讼败诉", 12, pinggu.RubricDeduction),
		{Code: "D", Level: 1, Name: "法治宣传和矛盾纠纷化解", Points: 20},
		leaf("D1", "D", "“谁执法谁普法”责任制落实", 10, pinggu.RubricManual),
		leaf("D2", "D", "信访事项依法及时就地解决", 10, pinggu.RubricProportional),
	}}
}

// LoadAssessment creates the indicator system and the assessment round,
// and enters every leaf for every unit as reviewers would (once).
func LoadAssessment(ctx context.Context, d Deps, now time.Time) error {
	if err := ignoreConflict(d.Assessment.CreateIndicatorSystem(ctx, indicators())); err != nil {
		return fmt.Errorf("indicator system: %w", err)
	}
	r := &pinggu.Round{Code: AssessmentRound, Title: "2024年度法治政府建设考核", Kind: pinggu.Assessment, Questionnaire: "fz2024",
		OpensAt: now.Add(-14 * 24 * time.Hour).Truncate(time.Hour), ClosesAt: now.Add(21 * 24 * time.Hour).Truncate(time.Hour),
		Assessment: &pinggu.AssessmentSettings{IndicatorSystem: systemCode, BonusCap: 3, DeductionCap: 5}}
	for _, u := range Units {
		r.Units = append(r.Units, u.Code)
	}
	if err := ignoreConflict(d.Rounds.Create(ctx, r)); err != nil {
		return fmt.Errorf("round %s: %w", AssessmentRound, err)
	}
	if r, err := d.Catalog.Round(ctx, AssessmentRound); err != nil {
		return err
	} else if r.Status == pinggu.StatusDraft {
		if _, err := d.Rounds.Schedule(ctx, AssessmentRound); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(2024, 12))
	sys := indicators()
	for k, u := range Units {
		// A unit's reviewer entries come last: a unit that has them was
		// loaded whole before (a load cut short starts again at the next).
		if inputs, _, err := d.Assessment.Inputs(ctx, AssessmentRound, u.Code); err != nil {
			return err
		} else if len(inputs) > 0 {
			continue
		}
		// Most units have filed their self-assessment (a little kinder to
		// themselves than the reviewers); two are still at it; one was
		// asked for more on a leaf.
		if k < 12 {
			for _, in := range sys.Indicators {
				if in.Level != 2 {
					continue
				}
				v := entry(rng, in, u.Mood+0.1)
				e := pinggu.SelfEntry{InputValue: v, Explanation: "对照考核细则逐项自查，台账齐全"}
				if _, err := d.Assessment.SaveSelf(ctx, AssessmentRound, u.Code, in.Code, e, nil); ignoreConflict(err) != nil {
					return fmt.Errorf("self-assessment %s %s: %w", u.Code, in.Code, err)
				}
			}
			if k < 10 {
				if _, err := d.Assessment.SubmitSelf(ctx, AssessmentRound, u.Code); ignoreConflict(err) != nil {
					return fmt.Errorf("submit self-assessment %s: %w", u.Code, err)
				}
			}
		}
		for _, in := range sys.Indicators {
			if in.Level != 2 {
				continue
			}
			v := entry(rng, in, u.Mood)
			if _, err := d.Assessment.SetInput(ctx, AssessmentRound, u.Code, in.Code, v); err != nil {
				return fmt.Errorf("entry %s %s: %w", u.Code, in.Code, err)
			}
		}
	}
	_, adjustments, err := d.Assessment.Inputs(ctx, AssessmentRound, "chongchuan")
	if err != nil || len(adjustments) > 0 {
		return err // loaded before
	}
	if _, err := d.Assessment.ReturnSelf(ctx, AssessmentRound, Units[3].Code, "B1", "请补充重大行政决策目录和听证记录"); ignoreConflict(err) != nil {
		return fmt.Errorf("return: %w", err)
	}
	for _, a := range []pinggu.Adjustment{
		{Unit: "chongchuan", Kind: pinggu.Bonus, Points: 2, Basis: "获评省级法治政府建设示范项目"},
		{Unit: "rugao", Kind: pinggu.DeductionEvent, Points: 2, Basis: "行政诉讼案件负责人出庭应诉率未达要求"},
	} {
		if err := d.Assessment.AddAdjustment(ctx, AssessmentRound, a.Unit, &a); err != nil {
			return fmt.Errorf("adjustment %s: %w", a.Unit, err)
		}
	}
	return nil
}

// entry is one reviewer's entry for a leaf, better the higher the unit's mood.
func entry(rng *rand.Rand, in pinggu.Indicator, mood float64) pinggu.InputValue {
	share := min(1, max(0, mood+0.25+(rng.Float64()-0.5)*0.2))
	switch in.Rubric {
	case pinggu.RubricBinary:
		v := 1.0
		if rng.Float64() > share+0.1 {
			v = 0
		}
		return pinggu.InputValue{Value: &v, Comment: "查阅门户网站"}
	case pinggu.RubricProportional:
		v := float64(int(share*1000)) / 1000
		return pinggu.InputValue{Value: &v}
	case pinggu.RubricDeduction:
		n := int((1 - share) * 4)
		return pinggu.InputValue{Count: &n, Comment: "据案件台账"}
	}
	s := float64(int(in.Points*share*2)) / 2
	return pinggu.InputValue{Score: &s, Comment: "实地核查"}
}

// LoadMidterm creates the 2021–2025 scheme with its tasks, the units'
// progress reports (accepted), and the mid-term round (once).
func LoadMidterm(ctx context.Context, d Deps, now time.Time) error {
	if _, err := d.Catalog.Round(ctx, MidtermRound); err == nil {
		return nil // the round comes last: loaded before
	}
	err := d.Midterm.CreatePlan(ctx, &pinggu.Plan{Code: planCode, Name: "法治政府建设实施方案（2021—2025年）", Kind: pinggu.KindScheme,
		Start: "2021-01-01", End: "2025-12-31"})
	if ignoreConflict(err) != nil {
		return fmt.Errorf("plan: %w", err)
	}
	if tasks, err := d.Midterm.Tasks(ctx, planCode, ""); err != nil {
		return err
	} else if len(tasks) == 0 {
		if err := importTasks(ctx, d); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(2021, 25))
	for i := 0; i < 30; i++ {
		if i%6 == 5 {
			continue // a task nobody reported on
		}
		lead := Units[10+i%5]
		p := float64(10 * (3 + rng.IntN(8)))
		if h, err := d.Midterm.History(ctx, planCode, fmt.Sprint(i+1), lead.Code); err != nil {
			return err
		} else if len(h) > 0 {
			continue
		}
		if i%4 == 0 {
			p = 100 // due 2022: done
		}
		rep := &pinggu.ProgressReport{AsOf: "2023-06-30", Progress: p, Narrative: "已按方案分解落实，定期调度推进"}
		if p < 100 {
			rep.DelayReason = "涉及多部门协同，配套制度尚在制定"
		}
		if err := d.Midterm.FileProgress(ctx, planCode, fmt.Sprint(i+1), lead.Code, rep, nil); err != nil {
			return fmt.Errorf("progress %d: %w", i+1, err)
		}
		if _, err := d.Midterm.Review(ctx, rep.ID, true, ""); err != nil {
			return fmt.Errorf("review %d: %w", i+1, err)
		}
	}
	r := &pinggu.Round{Code: MidtermRound, Title: "法治政府建设实施方案中期评估", Kind: pinggu.Midterm,
		OpensAt: now.Add(-3 * 24 * time.Hour).Truncate(time.Hour), ClosesAt: now.Add(27 * 24 * time.Hour).Truncate(time.Hour),
		Midterm: &pinggu.MidtermSettings{Plans: []string{planCode}, AsOf: "2023-06-30"}}
	if err := ignoreConflict(d.Rounds.Create(ctx, r)); err != nil {
		return fmt.Errorf("round %s: %w", MidtermRound, err)
	}
	_, err = d.Rounds.Schedule(ctx, MidtermRound)
	return err
}

// importTasks imports the scheme's 30 tasks from a sheet as offices keep them.
func importTasks(ctx context.Context, d Deps) error {
	chapters := []string{"一、依法全面履行政府职能", "二、健全依法行政制度体系", "三、严格规范公正文明执法", "四、加强行政权力制约和监督"}
	tasks := []string{"编制并公开权责清单", "推进“一网通办”", "优化法治化营商环境", "完善重大行政决策程序", "开展规范性文件清理",
		"推行行政执法“三项制度”", "开展行政执法案卷评查", "落实行政复议体制改革", "加强政务公开", "完善行政争议化解机制"}
	f := excelize.NewFile()
	defer f.Close()
	head := []any{"序号", "章节/重点任务", "具体任务", "牵头单位", "配合单位", "完成时限", "任务类别"}
	if err := f.SetSheetRow("Sheet1", "A1", &head); err != nil {
		return err
	}
	for i := 0; i < 30; i++ {
		chapter := ""
		if i%8 == 0 {
			chapter = chapters[i/8]
		}
		lead, co := Units[10+i%5], Units[i%10]
		due := []string{"2022年底前", "2023年底前", "2025年底前", "持续推进"}[i%4]
		class := "预期性"
		if i%3 == 0 {
			class = "约束性"
		}
		row := []any{i + 1, chapter, tasks[i%len(tasks)] + fmt.Sprintf("（第%d项）", i/len(tasks)+1), lead.Name, co.Name, due, class}
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &row); err != nil {
			return err
		}
	}
	var sheet bytes.Buffer
	if _, err := f.WriteTo(&sheet); err != nil {
		return err
	}
	if _, err := d.Midterm.ImportTasks(ctx, planCode, &sheet, false); err != nil {
		return fmt.Errorf("tasks: %w", err)
	}
	return nil
}
