package pinggu

import (
	"fmt"
	"strings"
	"time"
)

// RoundKind is what a round evaluates.
type RoundKind string

// Round kinds: 满意度测评, 年度考核, 中期评估.
const (
	Satisfaction RoundKind = "satisfaction"
	Assessment   RoundKind = "assessment"
	Midterm      RoundKind = "midterm"
)

// KindLabel is a round kind in the words of the UI.
func KindLabel(k RoundKind) string {
	return map[RoundKind]string{Satisfaction: "满意度测评", Assessment: "年度考核", Midterm: "中期评估"}[k]
}

// DefaultTimezone is where Chinese government rounds are scheduled.
const DefaultTimezone = "Asia/Shanghai"

// Round is one evaluation exercise (评估轮次).
type Round struct {
	Code                 string         `json:"code"`
	Title                string         `json:"title"`
	Intro                string         `json:"intro,omitempty"`
	Kind                 RoundKind      `json:"kind"`
	Questionnaire        string         `json:"questionnaire"`
	QuestionnaireVersion int            `json:"questionnaireVersion"`
	Units                []string       `json:"units"`
	Quotas               map[string]int `json:"quotas,omitempty"`
	// QuotaMode is "open" (accept beyond the quota, flagged over_quota; the
	// default) or "close" (stop at the quota); QuotaModes overrides it per unit.
	QuotaMode  string              `json:"quotaMode,omitempty"`
	QuotaModes map[string]string   `json:"quotaModes,omitempty"`
	Strata     *Strata             `json:"strata,omitempty"`
	Integrity  Integrity           `json:"integrity"`
	OpensAt    time.Time           `json:"opensAt"`
	ClosesAt   time.Time           `json:"closesAt"`
	Timezone   string              `json:"timezone"`
	Schedule   Schedule            `json:"schedule"`
	Scoring    Scoring             `json:"scoring"`
	Assessment *AssessmentSettings `json:"assessment,omitempty"`
	Midterm    *MidtermSettings    `json:"midterm,omitempty"`
	// Baseline names the round this one is compared with (last year's):
	// the scorecard shows each unit's change against its final result.
	Baseline string `json:"baseline,omitempty"`
	// Listed puts the round's survey links on the public start page (/)
	// while it is open; otherwise only a link or QR code leads to them.
	Listed    bool         `json:"listed,omitempty"`
	Status    RoundStatus  `json:"status"`
	History   []Transition `json:"history,omitempty"`
	CreatedAt time.Time    `json:"createdAt"`
	UpdatedAt time.Time    `json:"updatedAt"`
}

// Phase is where a round stands in time for a respondent.
type Phase int

// Phases of a round as seen from its survey page.
const (
	Upcoming Phase = iota
	Open
	Over
)

// PhaseAt tells whether the round accepts answers at now. A draft round is
// not open yet whatever its dates; a closed one stays closed even if its
// close job ran early (an administrator closed it by rescheduling).
func (r *Round) PhaseAt(now time.Time) Phase {
	switch {
	case r.Status.Finished():
		return Over
	case !r.Status.Collecting() || now.Before(r.OpensAt):
		return Upcoming
	case now.Before(r.ClosesAt):
		return Open
	default:
		return Over
	}
}

// Quota modes.
const (
	QuotaOpen  = "open"
	QuotaClose = "close"
)

// QuotaModeOf is the quota mode that applies to a unit.
func (r *Round) QuotaModeOf(unit string) string {
	if m := r.QuotaModes[unit]; m != "" {
		return m
	}
	if r.QuotaMode != "" {
		return r.QuotaMode
	}
	return QuotaOpen
}

// HasUnit reports whether the unit is in the round's scope.
func (r *Round) HasUnit(code string) bool {
	for _, u := range r.Units {
		if u == code {
			return true
		}
	}
	return false
}

// Location is the round's time zone; Validate guarantees it loads.
func (r *Round) Location() *time.Location {
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// Normalize trims text and fills the default time zone.
func (r *Round) Normalize() {
	r.Code = strings.TrimSpace(r.Code)
	r.Title = strings.TrimSpace(r.Title)
	r.Intro = strings.TrimSpace(r.Intro)
	r.Questionnaire = strings.TrimSpace(r.Questionnaire)
	r.Baseline = strings.TrimSpace(r.Baseline)
	if r.Timezone == "" {
		r.Timezone = DefaultTimezone
	}
}

// Validate checks the round on its own; that its questionnaire and units
// exist is checked by the caller against the store.
func (r *Round) Validate() error {
	fe := FieldErrors{}
	if !codeRe.MatchString(r.Code) {
		fe.Add("code", "编码须为1–40位小写字母、数字、-或_，以字母或数字开头")
	} else if r.Code == "new" { // /admin/rounds/new is the round editor
		fe.Add("code", "new是保留字，请换一个编码")
	}
	checkText(fe, "title", r.Title, 200, true)
	checkText(fe, "intro", r.Intro, 2000, false)
	switch r.Kind {
	case Satisfaction, Assessment, Midterm:
	default:
		fe.Add("kind", "类型须为satisfaction、assessment或midterm")
	}
	// A mid-term evaluation needs no questionnaire and no survey units.
	if r.Kind != Midterm || r.Questionnaire != "" {
		if !codeRe.MatchString(r.Questionnaire) {
			fe.Add("questionnaire", "须填写问卷编码")
		}
		if len(r.Units) == 0 {
			fe.Add("units", "至少选择一个被评估单位")
		}
	}
	if r.Baseline != "" && (!codeRe.MatchString(r.Baseline) || r.Baseline == r.Code) {
		fe.Add("baseline", "对比的上一轮须是另一个评估轮次的编码")
	}
	if r.QuestionnaireVersion < 0 {
		fe.Add("questionnaireVersion", "问卷版本不能为负数")
	}
	if r.Kind == Midterm && r.Midterm == nil {
		fe.Add("midterm", "中期评估轮次须指定规划和评估截至日期")
	}
	if r.Midterm != nil {
		r.Midterm.Validate(fe)
	}
	seen := map[string]bool{}
	for _, u := range r.Units {
		if seen[u] {
			fe.Add("units", fmt.Sprintf("单位%q重复", u))
		}
		seen[u] = true
	}
	for u, n := range r.Quotas {
		if !seen[u] {
			fe.Add("quotas."+u, "该单位不在本轮范围内")
		} else if n < 0 || n > 1_000_000 {
			fe.Add("quotas."+u, "样本配额须在0–1000000之间")
		}
	}
	switch r.Integrity.Device {
	case "", "flag", "refuse", "off":
	default:
		fe.Add("integrity.device", "同一设备重复作答的处理须为flag（标记）、refuse（拒绝）或off（不检查）")
	}
	if r.Integrity.SpeederShare >= 1 {
		fe.Add("integrity.speederShare", "过快判定比例须小于1（如0.33表示快于中位用时的三分之一），负数表示不检查")
	}
	if r.Integrity.MinSeconds < 0 || r.Integrity.MinSeconds > 3600 {
		fe.Add("integrity.minSeconds", "最短作答时间须在0–3600秒之间")
	}
	if r.QuotaMode != "" && r.QuotaMode != QuotaOpen && r.QuotaMode != QuotaClose {
		fe.Add("quotaMode", "配额模式须为open（超出配额仍接收并标记）或close（达到配额即停止）")
	}
	for u, m := range r.QuotaModes {
		if !seen[u] {
			fe.Add("quotaModes."+u, "该单位不在本轮范围内")
		} else if m != QuotaOpen && m != QuotaClose {
			fe.Add("quotaModes."+u, "配额模式须为open或close")
		}
	}
	if r.OpensAt.IsZero() {
		fe.Add("opensAt", "须填写开始时间")
	}
	if r.ClosesAt.IsZero() {
		fe.Add("closesAt", "须填写结束时间")
	} else if !r.ClosesAt.After(r.OpensAt) {
		fe.Add("closesAt", "结束时间须晚于开始时间")
	}
	if _, err := time.LoadLocation(r.Timezone); err != nil || r.Timezone == "" || r.Timezone == "Local" {
		fe.Add("timezone", "时区无效，例如 Asia/Shanghai")
	}
	if r.Kind == Assessment && r.Assessment == nil {
		fe.Add("assessment", "考核轮次须设定指标体系、加减分上限和等次")
	}
	if r.Assessment != nil {
		r.Assessment.Validate(fe)
		r.Assessment.Phases.validate(fe, r.OpensAt, r.ClosesAt)
	}
	if !r.Schedule.CompileAt.IsZero() && r.Schedule.CompileAt.Before(r.ClosesAt) {
		fe.Add("schedule.compileAt", "汇总时间不能早于结束时间")
	}
	for i, t := range r.Schedule.Reminders {
		if t.Before(r.OpensAt) || !t.Before(r.ClosesAt) {
			fe.Add(fmt.Sprintf("schedule.reminders[%d]", i), "提醒时间须在开始与结束时间之间")
		}
	}
	if r.Schedule.ProgressMinutes > 0 && r.Schedule.ProgressMinutes < 5 {
		fe.Add("schedule.progressMinutes", "阶段性汇总间隔不能少于5分钟")
	}
	return fe.Err("评估轮次信息有误")
}
