// Package midterm runs the mid-term evaluation of the "一规划、两方案":
// plans, their task lists imported from the offices' spreadsheets, units'
// progress reports with evidence (package evidence), assessors' review,
// and the per-unit reporter tokens.
package midterm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"pinggu"
	"pinggu/evidence"
	"pinggu/report"
	"pinggu/scoring"
)

// Store is what plans need from the database.
type Store interface {
	CreatePlan(ctx context.Context, p *pinggu.Plan) error
	Plan(ctx context.Context, code string) (*pinggu.Plan, error)
	Plans(ctx context.Context) ([]*pinggu.Plan, error)
	ReplaceTasks(ctx context.Context, plan string, tasks []pinggu.PlanTask) error
	Tasks(ctx context.Context, plan string) ([]pinggu.PlanTask, error)
	AddProgress(ctx context.Context, r *pinggu.ProgressReport) error
	Progress(ctx context.Context, id string) (*pinggu.ProgressReport, error)
	ReviewProgress(ctx context.Context, id string, status pinggu.ReportStatus, comment, by string, at time.Time) error
	EachProgress(ctx context.Context, plan, task string, fn func(*pinggu.ProgressReport) error) error
	evidence.Store
	Units(ctx context.Context) ([]pinggu.Unit, error)
	Unit(ctx context.Context, code string) (*pinggu.Unit, error)
	AddUnitToken(ctx context.Context, hash, unit string, at time.Time) error
	UnitTokens(ctx context.Context, unit string) ([]pinggu.UnitToken, error)
	RevokeUnitToken(ctx context.Context, unit, id string) error
	UnitOfToken(ctx context.Context, hash string) (string, error)
	pinggu.Auditor
}

// Service manages plans and progress.
type Service struct {
	store Store
	files *evidence.Files
	now   func() time.Time
}

// New returns the mid-term service.
func New(store Store, now func() time.Time) *Service {
	return &Service{store: store, files: evidence.New(store), now: now}
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// CreatePlan adds a plan.
func (s *Service) CreatePlan(ctx context.Context, p *pinggu.Plan) error {
	p.Code, p.Name = strings.TrimSpace(p.Code), strings.TrimSpace(p.Name)
	if err := p.Validate(); err != nil {
		return err
	}
	p.CreatedAt = s.stamp()
	if err := s.store.CreatePlan(ctx, p); err != nil {
		return err
	}
	return pinggu.Audit(ctx, s.store, "plan.create", "plan/"+p.Code, fmt.Sprintf("%s，%s至%s", p.Name, p.Start, p.End))
}

// Plan returns one plan; Plans lists them.
func (s *Service) Plan(ctx context.Context, code string) (*pinggu.Plan, error) {
	return s.store.Plan(ctx, code)
}

// Plans lists every plan.
func (s *Service) Plans(ctx context.Context) ([]*pinggu.Plan, error) { return s.store.Plans(ctx) }

// ImportResult says what an import did.
type ImportResult struct {
	Imported int                `json:"imported"`          // rows taken from the file
	Total    int                `json:"total"`             // tasks of the plan now
	Skipped  pinggu.FieldErrors `json:"skipped,omitempty"` // "第N行" → why, as the API always answered
	// SkippedRows are the same problems by row number, for pages.
	SkippedRows pinggu.RowErrors `json:"-"`
}

// ImportTasks reads a task sheet into the plan. A file with any bad row is
// refused whole (every bad row named) unless validOnly, which imports the
// good rows and lists the skipped ones. Tasks are matched by 序号: a
// re-import updates them, keeps tasks the file does not mention, and never
// touches progress reports.
func (s *Service) ImportTasks(ctx context.Context, plan string, file io.Reader, validOnly bool) (*ImportResult, error) {
	if _, err := s.store.Plan(ctx, plan); err != nil {
		return nil, err
	}
	match, err := s.unitMatcher(ctx)
	if err != nil {
		return nil, err
	}
	rows, fe, err := report.ReadTasks(file, match)
	if err != nil {
		return nil, err
	}
	if len(fe) > 0 && (!validOnly || fe.Sheet()) {
		return nil, fe.Err(fmt.Sprintf("任务表有%d处错误，未导入（可修正后重新上传，或选择只导入正确的行）", len(fe)))
	}
	old, err := s.store.Tasks(ctx, plan)
	if err != nil {
		return nil, err
	}
	now := s.stamp()
	seen := map[string]bool{}
	var merged []pinggu.PlanTask
	for _, r := range rows {
		t := r.Task
		t.Plan, t.UpdatedAt = plan, now
		merged = append(merged, t)
		seen[t.No] = true
	}
	for _, t := range old {
		if !seen[t.No] {
			merged = append(merged, t)
		}
	}
	if err := s.store.ReplaceTasks(ctx, plan, merged); err != nil {
		return nil, err
	}
	res := &ImportResult{Imported: len(rows), Total: len(merged)}
	if err := pinggu.Audit(ctx, s.store, "plan.import", "plan/"+plan, fmt.Sprintf("导入%d项，共%d项，跳过%d行", res.Imported, res.Total, len(fe))); err != nil {
		return nil, err
	}
	if len(fe) > 0 {
		res.Skipped, res.SkippedRows = fe.Fields(), fe.Sorted()
	}
	return res, nil
}

// unitMatcher matches a unit name exactly, then by its known aliases.
func (s *Service) unitMatcher(ctx context.Context) (func(string) (string, bool), error) {
	units, err := s.store.Units(ctx)
	if err != nil {
		return nil, err
	}
	return pinggu.MatchUnits(units), nil
}

// Tasks lists a plan's tasks; with unit, only those it leads or co-leads.
func (s *Service) Tasks(ctx context.Context, plan, unit string) ([]pinggu.PlanTask, error) {
	tasks, err := s.store.Tasks(ctx, plan)
	if err != nil || unit == "" {
		return tasks, err
	}
	var out []pinggu.PlanTask
	for _, t := range tasks {
		if t.Involves(unit) {
			out = append(out, t)
		}
	}
	return out, nil
}

// DelayTolerance is how far behind the expected progress a report may be
// before it must give a delay reason (the domain's default δ).
const DelayTolerance = 0.1

// FileProgress stores a unit's progress report on a task it leads or
// co-leads, with its evidence files (checked before anything is stored).
func (s *Service) FileProgress(ctx context.Context, plan, no, unit string, r *pinggu.ProgressReport, files []evidence.Upload) error {
	tasks, err := s.store.Tasks(ctx, plan)
	if err != nil {
		return err
	}
	var task *pinggu.PlanTask
	for i := range tasks {
		if tasks[i].No == no {
			task = &tasks[i]
		}
	}
	if task == nil {
		return pinggu.Errorf(pinggu.NotFound, "规划%s中没有序号为%s的任务", plan, no)
	}
	if !task.Involves(unit) {
		return pinggu.Errorf(pinggu.Forbidden, "本单位不是任务%s的牵头或配合单位", no)
	}
	if err := r.Validate(s.now()); err != nil {
		return err
	}
	pl, err := s.store.Plan(ctx, plan)
	if err != nil {
		return err
	}
	fe := pinggu.FieldErrors{}
	// A report behind schedule must say why: the mid-term report lists it.
	if pi := scoring.Expected(task, pl, r.AsOf.Time()); r.Progress/100 < pi-DelayTolerance && r.DelayReason == "" && r.Progress < 100 {
		fe.Add("delayReason", fmt.Sprintf("截至%s应完成约%.0f%%，进度滞后时须说明滞后原因", r.AsOf, pi*100))
	}
	if r.Evidence, err = s.files.CheckAndSave(ctx, files, fe, "进展报送有误"); err != nil {
		return err
	}
	r.ID, r.Plan, r.Task, r.Unit = randomID(), plan, no, unit
	r.Status, r.SubmittedAt, r.By = pinggu.ReportSubmitted, s.stamp(), pinggu.Actor(ctx)
	if err := s.store.AddProgress(ctx, r); err != nil {
		return err
	}
	return pinggu.Audit(ctx, s.store, "progress.file", fmt.Sprintf("plan/%s/task/%s/progress/%s", plan, no, r.ID),
		fmt.Sprintf("截至%s进度%g%%，%d个佐证材料", r.AsOf, r.Progress, len(r.Evidence)))
}

// History lists a task's reports, newest first.
// A reporter (unit not empty) sees only its own unit's reports: several
// units report on a shared task, and one must not read another's narrative,
// delay reason or evidence.
func (s *Service) History(ctx context.Context, plan, no, unit string) ([]pinggu.ProgressReport, error) {
	if _, err := s.store.Plan(ctx, plan); err != nil {
		return nil, err
	}
	var out []pinggu.ProgressReport
	err := s.store.EachProgress(ctx, plan, no, func(r *pinggu.ProgressReport) error {
		if unit == "" || r.Unit == unit {
			out = append(out, *r)
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].SubmittedAt.After(out[j].SubmittedAt) })
	return out, err
}

// Review accepts or returns a submitted report with a comment.
func (s *Service) Review(ctx context.Context, id string, accept bool, comment string) (*pinggu.ProgressReport, error) {
	status := pinggu.ReportAccepted
	if !accept {
		status = pinggu.ReportReturned
		if strings.TrimSpace(comment) == "" {
			return nil, pinggu.FieldErrors{"comment": "退回时须说明原因"}.Err("审核意见有误")
		}
	}
	if err := s.store.ReviewProgress(ctx, id, status, strings.TrimSpace(comment), pinggu.Actor(ctx), s.stamp()); err != nil {
		return nil, err
	}
	if err := pinggu.Audit(ctx, s.store, "progress.review", "progress/"+id, string(status)+" "+comment); err != nil {
		return nil, err
	}
	return s.store.Progress(ctx, id)
}

// Evidence streams an evidence file of a report; a reporter (unit not
// empty) reads only its own unit's files.
func (s *Service) Evidence(ctx context.Context, reportID, evidenceID, unit string) (*pinggu.Evidence, io.ReadCloser, error) {
	r, err := s.store.Progress(ctx, reportID)
	if err != nil {
		return nil, nil, err
	}
	if unit != "" && r.Unit != unit {
		return nil, nil, pinggu.Errorf(pinggu.Forbidden, "只能查看本单位报送的佐证材料")
	}
	return s.files.Open(ctx, r.Evidence, evidenceID)
}

// IssueUnitToken creates a reporter token for a unit; it is shown once and
// kept only as a hash.
func (s *Service) IssueUnitToken(ctx context.Context, unit string) (string, error) {
	if _, err := s.store.Unit(ctx, unit); err != nil {
		return "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := "u_" + hex.EncodeToString(b)
	if err := s.store.AddUnitToken(ctx, pinggu.HashToken(token), unit, s.stamp()); err != nil {
		return "", err
	}
	return token, pinggu.Audit(ctx, s.store, "unit.token", "unit/"+unit, "签发填报令牌")
}

// UnitTokens lists a unit's reporter tokens.
func (s *Service) UnitTokens(ctx context.Context, unit string) ([]pinggu.UnitToken, error) {
	if _, err := s.store.Unit(ctx, unit); err != nil {
		return nil, err
	}
	return s.store.UnitTokens(ctx, unit)
}

// RevokeUnitToken ends a unit reporter's token at once.
func (s *Service) RevokeUnitToken(ctx context.Context, unit, id string) error {
	if err := s.store.RevokeUnitToken(ctx, unit, id); err != nil {
		return err
	}
	return pinggu.Audit(ctx, s.store, "unit.token.revoke", "unit/"+unit, "撤销填报令牌 "+id[:min(12, len(id))])
}

// UnitOfToken returns the unit a reporter token belongs to.
func (s *Service) UnitOfToken(ctx context.Context, token string) (string, error) {
	unit, err := s.store.UnitOfToken(ctx, pinggu.HashToken(token))
	if pinggu.ErrorCode(err) == pinggu.NotFound {
		return "", pinggu.Errorf(pinggu.Unauthorized, "填报令牌无效")
	}
	return unit, err
}

func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
