package scoring_test

import (
	"testing"
	"time"

	"pinggu"
	"pinggu/scoring"
)

func day(s string) time.Time { return pinggu.Date(s).Time() }

// A five-year plan with four tasks, evaluated by hand at three dates.
func midtermFixture() (*pinggu.Plan, []pinggu.PlanTask, map[string]*pinggu.ProgressReport) {
	plan := &pinggu.Plan{Code: "fzzf", Name: "法治政府建设实施方案", Kind: pinggu.KindScheme, Start: "2021-01-01", End: "2025-12-31"}
	tasks := []pinggu.PlanTask{
		{No: "1", Chapter: "一、依法履职", Text: "编制权责清单", Lead: "a", Due: "2022-12-31", Class: pinggu.Binding, Weight: 2},
		{No: "2", Chapter: "一、依法履职", Text: "推进数字政府", Lead: "b", Due: "2025-12-31", Class: pinggu.Expected, Weight: 1},
		{No: "3", Chapter: "二、执法", Text: "执法规范化", Lead: "a", Ongoing: true, Class: pinggu.Expected, Weight: 1,
			Milestones: map[string]float64{"2021": 0.2, "2022": 0.4, "2023": 0.6, "2024": 0.8, "2025": 1}},
		{No: "4", Chapter: "二、执法", Text: "行政复议体制改革", Lead: "b", Due: "2023-12-31", Class: pinggu.Binding, Weight: 1},
	}
	latest := map[string]*pinggu.ProgressReport{
		"1": {Progress: 100, Status: pinggu.ReportAccepted},
		"2": {Progress: 55, Status: pinggu.ReportAccepted},
		"3": {Progress: 30, Status: pinggu.ReportAccepted, DelayReason: "编制未到位"},
	}
	return plan, tasks, latest
}

func TestMidtermBeforeStart(t *testing.T) {
	t.Parallel()
	plan, tasks, _ := midtermFixture()
	r := scoring.EvaluatePlan(plan, tasks, nil, day("2020-06-30"), 0.1, (&pinggu.MidtermSettings{}).PassOrDefault())
	if r.Elapsed != 0 || r.Overall.Completion != 0 || r.Pass || r.Overall.Counts[scoring.NotDue] != 4 {
		t.Fatalf("before start: τ %v C %v pass %v counts %v", r.Elapsed, r.Overall.Completion, r.Pass, r.Overall.Counts)
	}
}

func TestMidtermMidway(t *testing.T) {
	t.Parallel()
	plan, tasks, latest := midtermFixture()
	r := scoring.EvaluatePlan(plan, tasks, latest, day("2023-07-03"), 0.1, (&pinggu.MidtermSettings{}).PassOrDefault())
	// τ = 913 / 1825 days.
	near4(t, "τ", r.Elapsed, 913.0/1825)
	near4(t, "required", r.Required, 913.0/1825)
	// C = (2·1 + 1·0.55 + 1·0.30 + 1·0) / 5 = 0.57 ≥ max(50%, τ): passes.
	near4(t, "C", r.Overall.Completion, 0.57)
	if !r.Pass {
		t.Error("should meet 时间过半、完成过半")
	}
	want := []struct {
		status   scoring.TaskStatus
		expected float64
	}{
		{scoring.Done, 1},                      // past its due date, 100%
		{scoring.OnTrack, 913.0 / 1825},        // 0.55 within 0.1 of 0.5003
		{scoring.Lagging, 0.4 + 0.2*183.0/365}, // ongoing: 0.4 at 2023-01-01 → 0.6 at 2024-01-01
		{scoring.NotStarted, 913.0 / 1094},     // no report; 2021-01-01 to 2023-12-31 is 1094 days
	}
	for i, w := range want {
		if r.Tasks[i].Status != w.status {
			t.Errorf("task %d status %s, want %s", i+1, r.Tasks[i].Status, w.status)
		}
		near4(t, "π of task "+tasks[i].No, r.Tasks[i].Expected, w.expected)
	}
	lag := r.Overall.Lagging
	if len(lag) != 2 || lag[0].Task.No != "4" || lag[1].Task.No != "3" {
		t.Errorf("lagging = %v, want binding task 4 first, then 3", lag)
	}
	if len(r.Chapters) != 2 || r.Chapters[0].Key != "一、依法履职" || r.Chapters[0].Counts[scoring.Done] != 1 || r.Chapters[0].Counts[scoring.OnTrack] != 1 {
		t.Errorf("chapters = %+v", r.Chapters)
	}
	near4(t, "chapter 1 C", r.Chapters[0].Completion, 2.55/3)
	if len(r.Leads) != 2 || r.Leads[1].Key != "b" || r.Leads[1].Counts[scoring.NotStarted] != 1 || len(r.Leads[1].Lagging) != 1 {
		t.Errorf("leads = %+v", r.Leads)
	}
	near4(t, "lead b C", r.Leads[1].Completion, 0.275)
}

func TestMidtermAfterEnd(t *testing.T) {
	t.Parallel()
	plan, tasks, latest := midtermFixture()
	r := scoring.EvaluatePlan(plan, tasks, latest, day("2026-03-01"), 0.1, (&pinggu.MidtermSettings{}).PassOrDefault())
	if r.Elapsed != 1 || r.Pass {
		t.Fatalf("after end: τ %v pass %v", r.Elapsed, r.Pass)
	}
	for i, want := range []scoring.TaskStatus{scoring.Done, scoring.Lagging, scoring.Lagging, scoring.Lagging} {
		if r.Tasks[i].Status != want {
			t.Errorf("task %d = %s, want %s", i+1, r.Tasks[i].Status, want)
		}
	}
	if r.Tasks[2].Expected != 1 {
		t.Errorf("ongoing π after its last milestone = %v", r.Tasks[2].Expected)
	}
}

func TestMidtermAheadAndOngoingWithoutMilestones(t *testing.T) {
	t.Parallel()
	plan, _, _ := midtermFixture()
	task := pinggu.PlanTask{No: "9", Due: "2025-12-31", Weight: 1}
	r := scoring.Status(&task, plan, &pinggu.ProgressReport{Progress: 70}, day("2023-07-03"), 0.1)
	if r.Status != scoring.Ahead {
		t.Errorf("70%% against π 0.50 = %s, want 超前", r.Status)
	}
	ongoing := pinggu.PlanTask{No: "10", Ongoing: true, Weight: 1}
	near4(t, "ongoing without milestones follows τ", scoring.Expected(&ongoing, plan, day("2023-07-03")), 913.0/1825)
}
