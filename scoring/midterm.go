package scoring

import (
	"math"
	"sort"
	"strconv"
	"time"

	"pinggu"
)

// TaskStatus is a task's state at the evaluation date.
type TaskStatus string

// Task statuses, in the order reports list them.
const (
	Done       TaskStatus = "已完成"
	Ahead      TaskStatus = "超前"
	OnTrack    TaskStatus = "正常推进"
	Lagging    TaskStatus = "滞后"
	NotStarted TaskStatus = "未启动"
	NotDue     TaskStatus = "未到期"
)

// Statuses lists every status in report order.
var Statuses = []TaskStatus{Done, Ahead, OnTrack, Lagging, NotStarted, NotDue}

// TaskResult is one task at the evaluation date.
type TaskResult struct {
	Task     pinggu.PlanTask        `json:"task"`
	Expected float64                `json:"expected"` // π
	Progress float64                `json:"progress"` // p, 0–1, from the latest accepted report
	Status   TaskStatus             `json:"status"`
	Report   *pinggu.ProgressReport `json:"report,omitempty"` // the latest accepted one
}

// Overdue reports whether the task is past its due date unfinished.
func (r TaskResult) Overdue(asOf time.Time) bool {
	return !r.Task.Ongoing && asOf.After(r.Task.Due.Time()) && r.Status != Done
}

// Behind reports whether the task belongs on the lagging list.
func (r TaskResult) Behind() bool {
	return r.Status == Lagging || r.Status == NotStarted && r.Expected > 0
}

// Elapsed is τ = (asOf − start) / (end − start), clamped to [0, 1].
func Elapsed(start, end, asOf time.Time) float64 {
	total := end.Sub(start)
	if total <= 0 {
		return 1
	}
	return clamp(float64(asOf.Sub(start))/float64(total), 0, 1)
}

// Expected is a task's expected progress π at asOf: linear from the plan's
// start to the task's due date; an ongoing task follows its yearly
// milestones (linear within each year), or the plan's time elapsed when it
// has none.
func Expected(t *pinggu.PlanTask, plan *pinggu.Plan, asOf time.Time) float64 {
	start := plan.Start.Time()
	if !t.Ongoing {
		return Elapsed(start, t.Due.Time(), asOf)
	}
	if len(t.Milestones) == 0 {
		return Elapsed(start, plan.End.Time(), asOf)
	}
	// Milestones are cumulative shares at each year's end; between two, the
	// expectation grows linearly from the previous one (0 at the start).
	years := make([]int, 0, len(t.Milestones))
	for y := range t.Milestones {
		if n, err := strconv.Atoi(y); err == nil {
			years = append(years, n)
		}
	}
	sort.Ints(years)
	prevT, prevV := start, 0.0
	for _, y := range years {
		endT := time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)
		v := t.Milestones[strconv.Itoa(y)]
		if asOf.Before(endT) {
			if !endT.After(prevT) {
				return v
			}
			return clamp(prevV+(v-prevV)*Elapsed(prevT, endT, asOf), 0, 1)
		}
		prevT, prevV = endT, v
	}
	return clamp(prevV, 0, 1)
}

// Status classifies a task at asOf with tolerance delta:
// 未到期 before the plan starts; 已完成 at 100% accepted; 滞后 past due
// unfinished; 未启动 at 0%; 超前 when p ≥ π + δ; 正常推进 when |p − π| < δ;
// 滞后 when p ≤ π − δ.
func Status(t *pinggu.PlanTask, plan *pinggu.Plan, latest *pinggu.ProgressReport, asOf time.Time, delta float64) TaskResult {
	res := TaskResult{Task: *t, Expected: Expected(t, plan, asOf), Report: latest}
	if latest != nil {
		res.Progress = clamp(latest.Progress/100, 0, 1)
	}
	p, pi := res.Progress, res.Expected
	switch {
	case asOf.Before(plan.Start.Time()):
		res.Status = NotDue
	case p >= 1:
		res.Status = Done
	case !t.Ongoing && asOf.After(t.Due.Time()):
		res.Status = Lagging
	case p == 0:
		res.Status = NotStarted
	case p >= pi+delta:
		res.Status = Ahead
	case math.Abs(p-pi) < delta:
		res.Status = OnTrack
	default:
		res.Status = Lagging
	}
	return res
}

// Group is a plan, chapter or lead unit's summary.
type Group struct {
	Key        string             `json:"key"`
	Tasks      int                `json:"tasks"`
	Counts     map[TaskStatus]int `json:"counts"`
	Completion float64            `json:"completion"` // C = Σ v·p / Σ v
	Expected   float64            `json:"expected"`   // E = Σ v·π / Σ v
	Gap        float64            `json:"gap"`        // C − E
	// OverdueBinding are binding (约束性) tasks past their due date unfinished.
	OverdueBinding []TaskResult `json:"overdueBinding"`
	Lagging        []TaskResult `json:"lagging"` // binding first, then by 序号
}

// PlanResult is one plan at the evaluation date.
type PlanResult struct {
	Plan     pinggu.Plan     `json:"plan"`
	Elapsed  float64         `json:"elapsed"`  // τ
	Required float64         `json:"required"` // by the rule: max(minimum, τ) or max(minimum, E)
	Pass     bool            `json:"pass"`     // 时间过半、完成过半: C ≥ Required (and, if the rule says, no overdue binding task)
	Rule     pinggu.PassRule `json:"rule"`
	Overall  Group           `json:"overall"`
	Chapters []Group         `json:"chapters"` // in task order
	Leads    []Group         `json:"leads"`    // by unit code
	Tasks    []TaskResult    `json:"tasks"`    // in task order
}

// EvaluatePlan computes a plan at asOf from its tasks (in order) and each
// task's latest accepted report (by 序号; missing means no progress).
func EvaluatePlan(plan *pinggu.Plan, tasks []pinggu.PlanTask, latest map[string]*pinggu.ProgressReport, asOf time.Time, delta float64, rule pinggu.PassRule) PlanResult {
	res := PlanResult{Plan: *plan, Elapsed: Elapsed(plan.Start.Time(), plan.End.Time(), asOf), Rule: rule}
	for i := range tasks {
		res.Tasks = append(res.Tasks, Status(&tasks[i], plan, latest[tasks[i].No], asOf, delta))
	}
	res.Overall = group(plan.Code, res.Tasks, asOf)
	against := res.Elapsed
	if rule.Against == pinggu.PassAgainstExpected {
		against = res.Overall.Expected
	}
	res.Required = math.Max(rule.Minimum, against)
	// Compared at the published precision (percent with one decimal), so a
	// plan shown at 50.0% against 50.0% passes.
	res.Pass = Round(res.Overall.Completion, RatePlaces) >= Round(res.Required, RatePlaces)
	if rule.NoOverdueBinding && len(res.Overall.OverdueBinding) > 0 {
		res.Pass = false
	}
	res.Chapters = groupBy(res.Tasks, func(t TaskResult) string { return t.Task.Chapter }, false, asOf)
	res.Leads = groupBy(res.Tasks, func(t TaskResult) string { return t.Task.Lead }, true, asOf)
	return res
}

func groupBy(ts []TaskResult, key func(TaskResult) string, sorted bool, asOf time.Time) []Group {
	var order []string
	members := map[string][]TaskResult{}
	for _, t := range ts {
		k := key(t)
		if _, ok := members[k]; !ok {
			order = append(order, k)
		}
		members[k] = append(members[k], t)
	}
	if sorted {
		sort.Strings(order)
	}
	out := make([]Group, len(order))
	for i, k := range order {
		out[i] = group(k, members[k], asOf)
	}
	return out
}

func group(key string, ts []TaskResult, asOf time.Time) Group {
	g := Group{Key: key, Tasks: len(ts), Counts: map[TaskStatus]int{}, Lagging: []TaskResult{}, OverdueBinding: []TaskResult{}}
	var vp, vpi, v float64
	for _, t := range ts {
		g.Counts[t.Status]++
		w := t.Task.Weight
		if w <= 0 {
			w = 1
		}
		vp += w * t.Progress
		vpi += w * t.Expected
		v += w
		if t.Overdue(asOf) && t.Task.Class == pinggu.Binding {
			g.OverdueBinding = append(g.OverdueBinding, t)
		}
		if t.Behind() {
			g.Lagging = append(g.Lagging, t)
		}
	}
	if v > 0 {
		g.Completion, g.Expected = vp/v, vpi/v
		g.Gap = g.Completion - g.Expected
	}
	sort.SliceStable(g.Lagging, func(i, j int) bool {
		bi, bj := g.Lagging[i].Task.Class == pinggu.Binding, g.Lagging[j].Task.Class == pinggu.Binding
		return bi && !bj
	})
	return g
}
