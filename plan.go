package pinggu

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Date is a calendar date, "2006-01-02"; plans and tasks are dated by day.
type Date string

// DateLayout is the layout of a Date.
const DateLayout = "2006-01-02"

// Time is the start of the day in UTC; zero when the date is empty or invalid.
func (d Date) Time() time.Time {
	t, _ := time.Parse(DateLayout, string(d))
	return t
}

// Valid reports whether d is a real date.
func (d Date) Valid() bool {
	_, err := time.Parse(DateLayout, string(d))
	return err == nil
}

// PlanKind is a 规划 (plan) or a 方案 (implementation scheme).
type PlanKind string

// Plan kinds.
const (
	KindPlan   PlanKind = "plan"   // 规划
	KindScheme PlanKind = "scheme" // 方案
)

// Plan is one of the "一规划、两方案" with its period.
type Plan struct {
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Kind      PlanKind  `json:"kind"`
	Start     Date      `json:"start"`
	End       Date      `json:"end"`
	CreatedAt time.Time `json:"createdAt"`
}

// Validate checks the plan on its own.
func (p *Plan) Validate() error {
	fe := FieldErrors{}
	if !codeRe.MatchString(p.Code) {
		fe.Add("code", "编码须为1–40位小写字母、数字、-或_，以字母或数字开头")
	}
	checkText(fe, "name", p.Name, 200, true)
	if p.Kind != KindPlan && p.Kind != KindScheme {
		fe.Add("kind", "类型须为plan（规划）或scheme（方案）")
	}
	if !p.Start.Valid() {
		fe.Add("start", "开始日期须为YYYY-MM-DD")
	}
	if !p.End.Valid() {
		fe.Add("end", "结束日期须为YYYY-MM-DD")
	} else if p.Start.Valid() && !p.End.Time().After(p.Start.Time()) {
		fe.Add("end", "结束日期须晚于开始日期")
	}
	return fe.Err("规划信息有误")
}

// TaskClass is 约束性 (binding) or 预期性 (expected).
type TaskClass string

// Task classes.
const (
	Binding  TaskClass = "binding"
	Expected TaskClass = "expected"
)

// ClassLabel is the class in the words of the UI.
func ClassLabel(c TaskClass) string {
	if c == Binding {
		return "约束性"
	}
	return "预期性"
}

// PlanTask is one task of a plan's 任务分工方案.
type PlanTask struct {
	Plan    string    `json:"plan"`
	No      string    `json:"no"` // 序号, the task's key within the plan
	Chapter string    `json:"chapter"`
	Text    string    `json:"text"`
	Lead    string    `json:"lead"`              // 牵头单位 (unit code)
	CoUnits []string  `json:"coUnits,omitempty"` // 配合单位
	Due     Date      `json:"due,omitempty"`     // empty when ongoing
	Ongoing bool      `json:"ongoing,omitempty"` // 持续推进
	Class   TaskClass `json:"class"`
	Weight  float64   `json:"weight"`
	// Milestones maps a year to the share of the task expected done by its
	// end (0–1), e.g. {"2022": 0.3, "2023": 0.6}.
	Milestones map[string]float64 `json:"milestones,omitempty"`
	UpdatedAt  time.Time          `json:"updatedAt"`
}

var taskNoRe = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$`)

// ValidTaskNo reports whether s can be a task's 序号.
func ValidTaskNo(s string) bool { return taskNoRe.MatchString(s) }

// Involves reports whether the unit leads or co-leads the task.
func (t *PlanTask) Involves(unit string) bool {
	if t.Lead == unit {
		return true
	}
	for _, u := range t.CoUnits {
		if u == unit {
			return true
		}
	}
	return false
}

// ReportStatus is where a progress report stands in review.
type ReportStatus string

// Progress report statuses.
const (
	ReportSubmitted ReportStatus = "submitted" // 待审核
	ReportAccepted  ReportStatus = "accepted"  // 已采纳
	ReportReturned  ReportStatus = "returned"  // 已退回
)

// Evidence is a file attached to a progress report (佐证材料).
type Evidence struct {
	ID          string `json:"id" bson:"id"`
	Name        string `json:"name" bson:"name"`
	Size        int64  `json:"size" bson:"size"`
	ContentType string `json:"contentType" bson:"contenttype"`
}

// ProgressReport is a unit's report on one task (进展报送). Reports are
// never changed except by review; the latest accepted one counts.
type ProgressReport struct {
	ID            string       `json:"id"`
	Plan          string       `json:"plan"`
	Task          string       `json:"task"`
	Unit          string       `json:"unit"`
	AsOf          Date         `json:"asOf"`
	Progress      float64      `json:"progress"` // 0–100
	Narrative     string       `json:"narrative"`
	DelayReason   string       `json:"delayReason,omitempty"`
	Evidence      []Evidence   `json:"evidence,omitempty"`
	Status        ReportStatus `json:"status"`
	ReviewComment string       `json:"reviewComment,omitempty"`
	ReviewedBy    string       `json:"reviewedBy,omitempty"`
	ReviewedAt    time.Time    `json:"reviewedAt,omitzero"`
	SubmittedAt   time.Time    `json:"submittedAt"`
	By            string       `json:"by"`
}

// Validate checks a report as filed.
func (r *ProgressReport) Validate(now time.Time) error {
	fe := FieldErrors{}
	if !r.AsOf.Valid() {
		fe.Add("asOf", "截至日期须为YYYY-MM-DD")
	} else if r.AsOf.Time().After(now.Add(24 * time.Hour)) {
		fe.Add("asOf", "截至日期不能晚于今天")
	}
	if r.Progress < 0 || r.Progress > 100 {
		fe.Add("progress", "进度须在0–100之间")
	}
	r.Narrative = strings.TrimSpace(r.Narrative)
	r.DelayReason = strings.TrimSpace(r.DelayReason)
	checkText(fe, "narrative", r.Narrative, 5000, true)
	checkText(fe, "delayReason", r.DelayReason, 2000, false)
	return fe.Err("进展报送有误")
}

// MidtermSettings are the rules of a mid-term evaluation round (中期评估).
type MidtermSettings struct {
	Plans []string `json:"plans"`
	AsOf  Date     `json:"asOf"`
	// Delta is the band around the expected progress that counts as on
	// track (default 0.1).
	Delta float64 `json:"delta,omitempty"`
	// Pass is the "时间过半、完成过半" rule (default: C ≥ max(50%, τ)).
	Pass *PassRule `json:"pass,omitempty"`
}

// Pass-rule comparisons.
const (
	PassAgainstElapsed  = "elapsed"  // C ≥ max(minimum, τ)
	PassAgainstExpected = "expected" // C ≥ max(minimum, E)
)

// PassRule says when a plan passes its mid-term check.
type PassRule struct {
	// Minimum is the least completion that passes (default 0.5).
	Minimum float64 `json:"minimum,omitempty"`
	// Against is what completion is compared with: "elapsed" τ (default)
	// or "expected" E, the weighted expected progress of the tasks.
	Against string `json:"against,omitempty"`
	// NoOverdueBinding fails a plan with any overdue binding (约束性) task.
	NoOverdueBinding bool `json:"noOverdueBinding,omitempty"`
}

// PassOrDefault is the pass rule in force.
func (m *MidtermSettings) PassOrDefault() PassRule {
	r := PassRule{Minimum: 0.5, Against: PassAgainstElapsed}
	if m.Pass != nil {
		r = *m.Pass
		if r.Minimum == 0 {
			r.Minimum = 0.5
		}
		if r.Against == "" {
			r.Against = PassAgainstElapsed
		}
	}
	return r
}

// DeltaOrDefault is Delta, 0.1 when unset.
func (m *MidtermSettings) DeltaOrDefault() float64 {
	if m.Delta == 0 {
		return 0.1
	}
	return m.Delta
}

// Validate checks the settings on their own.
func (m *MidtermSettings) Validate(fe FieldErrors) {
	if len(m.Plans) == 0 {
		fe.Add("midterm.plans", "中期评估须指定至少一个规划或方案")
	}
	if !m.AsOf.Valid() {
		fe.Add("midterm.asOf", "评估截至日期须为YYYY-MM-DD")
	}
	if p := m.Pass; p != nil {
		if p.Minimum < 0 || p.Minimum > 1 {
			fe.Add("midterm.pass.minimum", "达标的最低完成度须在0–1之间（默认0.5）")
		}
		if p.Against != "" && p.Against != PassAgainstElapsed && p.Against != PassAgainstExpected {
			fe.Add("midterm.pass.against", "完成度的比较基准须为elapsed（时间进度）或expected（应完成进度）")
		}
	}
	if m.Delta < 0 || m.Delta >= 1 {
		fe.Add("midterm.delta", fmt.Sprintf("容差须在0–1之间（默认0.1），现为%g", m.Delta))
	}
}
