// Package catalog is the administrator's side of Pinggu's reference data:
// units, questionnaires and rounds. It validates each object, checks what it
// refers to, and enforces the freezing rules before anything is written.
package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"pinggu"
	"pinggu/report"
)

// Store is what the catalog needs from the database.
type Store interface {
	CreateUnit(ctx context.Context, u *pinggu.Unit) error
	UpdateUnit(ctx context.Context, u *pinggu.Unit) error
	Unit(ctx context.Context, code string) (*pinggu.Unit, error)
	Units(ctx context.Context) ([]pinggu.Unit, error)
	CreateQuestionnaire(ctx context.Context, q *pinggu.Questionnaire) error
	AddQuestionnaireVersion(ctx context.Context, q *pinggu.Questionnaire) error
	Questionnaire(ctx context.Context, code string, version int) (*pinggu.Questionnaire, error)
	Questionnaires(ctx context.Context) ([]*pinggu.Questionnaire, error)
	CreateRound(ctx context.Context, r *pinggu.Round) error
	UpdateRound(ctx context.Context, r *pinggu.Round, ifUpdatedAt time.Time) error
	Round(ctx context.Context, code string) (*pinggu.Round, error)
	Rounds(ctx context.Context) ([]*pinggu.Round, error)
	TransitionRound(ctx context.Context, code string, from []pinggu.RoundStatus, t pinggu.Transition) (*pinggu.Round, error)
	Plan(ctx context.Context, code string) (*pinggu.Plan, error)
	AddIndicatorSystem(ctx context.Context, s *pinggu.IndicatorSystem) error
	IndicatorSystem(ctx context.Context, code string, version int) (*pinggu.IndicatorSystem, error)
	IndicatorSystems(ctx context.Context) ([]*pinggu.IndicatorSystem, error)
	SetInput(ctx context.Context, in *pinggu.Input) error
	Inputs(ctx context.Context, round, unit string) ([]pinggu.Input, error)
	AddAdjustment(ctx context.Context, a *pinggu.Adjustment) error
	DeleteAdjustment(ctx context.Context, round, id string) error
	Adjustments(ctx context.Context, round, unit string) ([]pinggu.Adjustment, error)
	pinggu.Auditor
}

// Service manages the catalog.
type Service struct {
	store Store
	now   func() time.Time
}

// New returns a catalog service; now is injectable for tests.
func New(store Store, now func() time.Time) *Service { return &Service{store: store, now: now} }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// CreateUnit adds a unit.
func (s *Service) CreateUnit(ctx context.Context, u *pinggu.Unit) error {
	if err := s.checkUnit(ctx, u); err != nil {
		return err
	}
	u.CreatedAt = s.stamp()
	u.UpdatedAt = u.CreatedAt
	if err := s.store.CreateUnit(ctx, u); err != nil {
		return err
	}
	return pinggu.Audit(ctx, s.store, "unit.create", "unit/"+u.Code, fmt.Sprintf("%s（%s，%s）", u.Name, u.Type, u.PeerGroup))
}

// UpdateUnit replaces the unit with the given code.
func (s *Service) UpdateUnit(ctx context.Context, code string, u *pinggu.Unit) error {
	u.Code = code
	if err := s.checkUnit(ctx, u); err != nil {
		return err
	}
	old, err := s.store.Unit(ctx, code)
	if err != nil {
		return err
	}
	u.CreatedAt, u.UpdatedAt = old.CreatedAt, s.stamp()
	if err := s.store.UpdateUnit(ctx, u); err != nil {
		return err
	}
	return pinggu.Audit(ctx, s.store, "unit.update", "unit/"+u.Code,
		fmt.Sprintf("名称 %s → %s，考核类别 %s → %s", old.Name, u.Name, old.PeerGroup, u.PeerGroup))
}

func (s *Service) checkUnit(ctx context.Context, u *pinggu.Unit) error {
	u.Normalize()
	if err := u.Validate(); err != nil {
		return err
	}
	if u.Parent == "" {
		return nil
	}
	if _, err := s.store.Unit(ctx, u.Parent); pinggu.ErrorCode(err) == pinggu.NotFound {
		return pinggu.FieldErrors{"parent": fmt.Sprintf("上级单位%s不存在", u.Parent)}.Err("单位信息有误")
	} else if err != nil {
		return err
	}
	return nil
}

// Unit, Units, Questionnaire, Questionnaires, Round and Rounds read through.
func (s *Service) Unit(ctx context.Context, code string) (*pinggu.Unit, error) {
	return s.store.Unit(ctx, code)
}

// Units lists every unit.
func (s *Service) Units(ctx context.Context) ([]pinggu.Unit, error) { return s.store.Units(ctx) }

// CreateQuestionnaire stores version 1 of a new questionnaire.
func (s *Service) CreateQuestionnaire(ctx context.Context, q *pinggu.Questionnaire) error {
	q.Normalize()
	if err := q.Validate(); err != nil {
		return err
	}
	q.CreatedAt = s.stamp()
	if err := s.store.CreateQuestionnaire(ctx, q); err != nil {
		return err
	}
	return pinggu.Audit(ctx, s.store, "questionnaire.create", "questionnaire/"+q.Code, fmt.Sprintf("%s，%d题", q.Title, len(q.Questions)))
}

// ReviseQuestionnaire stores q as a new version of the questionnaire code.
// Earlier versions stay untouched, so rounds that froze them are unaffected.
func (s *Service) ReviseQuestionnaire(ctx context.Context, code string, q *pinggu.Questionnaire) error {
	q.Code = code
	q.Normalize()
	if err := q.Validate(); err != nil {
		return err
	}
	q.CreatedAt = s.stamp()
	if err := s.store.AddQuestionnaireVersion(ctx, q); err != nil {
		return err
	}
	return pinggu.Audit(ctx, s.store, "questionnaire.revise", "questionnaire/"+q.Code, fmt.Sprintf("第%d版，%d题", q.Version, len(q.Questions)))
}

// Questionnaire returns a version of a questionnaire, 0 for the latest.
func (s *Service) Questionnaire(ctx context.Context, code string, version int) (*pinggu.Questionnaire, error) {
	return s.store.Questionnaire(ctx, code, version)
}

// Questionnaires lists the latest version of each questionnaire.
func (s *Service) Questionnaires(ctx context.Context) ([]*pinggu.Questionnaire, error) {
	return s.store.Questionnaires(ctx)
}

// CreateRound adds a round, pinning its questionnaire version (the latest
// unless one is named).
func (s *Service) CreateRound(ctx context.Context, r *pinggu.Round) error {
	if err := s.checkRound(ctx, r); err != nil {
		return err
	}
	r.CreatedAt = s.stamp()
	r.UpdatedAt = r.CreatedAt
	r.Status = pinggu.StatusDraft
	r.History = []pinggu.Transition{{To: pinggu.StatusDraft, At: r.CreatedAt, By: pinggu.Actor(ctx)}}
	if err := s.store.CreateRound(ctx, r); err != nil {
		return err
	}
	return pinggu.Audit(ctx, s.store, "round.create", "round/"+r.Code, roundSummary(r))
}

// UpdateRound replaces a round's settings; its status and history change
// only through transitions. Once a round has opened its questionnaire
// version is frozen: respondents have answered that version. A round whose
// collection has ended is not edited any more.
func (s *Service) UpdateRound(ctx context.Context, code string, r *pinggu.Round) error {
	r.Code = code
	old, err := s.store.Round(ctx, code)
	if err != nil {
		return err
	}
	if old.Status.Finished() {
		return pinggu.Errorf(pinggu.Conflict, "评估轮次%s%s，不能再修改", code, pinggu.StatusLabel(old.Status))
	}
	r.Status, r.History = old.Status, old.History
	opened := old.Status == pinggu.StatusOpen || old.Status == pinggu.StatusScheduled && !s.now().Before(old.OpensAt)
	if opened && r.QuestionnaireVersion == 0 && r.Questionnaire == old.Questionnaire {
		r.QuestionnaireVersion = old.QuestionnaireVersion
	}
	if err := s.checkRound(ctx, r); err != nil {
		return err
	}
	if opened && (r.Questionnaire != old.Questionnaire || r.QuestionnaireVersion != old.QuestionnaireVersion) {
		return pinggu.Errorf(pinggu.Conflict, "评估轮次%s已开放，问卷已冻结为%s第%d版，不能更换",
			code, old.Questionnaire, old.QuestionnaireVersion)
	}
	r.CreatedAt, r.UpdatedAt = old.CreatedAt, s.stamp()
	if err := s.store.UpdateRound(ctx, r, old.UpdatedAt); err != nil {
		return err
	}
	return pinggu.Audit(ctx, s.store, "round.update", "round/"+r.Code, "修改前："+roundSummary(old)+"；修改后："+roundSummary(r))
}

func (s *Service) checkRound(ctx context.Context, r *pinggu.Round) error {
	r.Normalize()
	if err := r.Validate(); err != nil {
		return err
	}
	fe := pinggu.FieldErrors{}
	if r.Questionnaire != "" { // a mid-term evaluation may have none
		q, err := s.store.Questionnaire(ctx, r.Questionnaire, r.QuestionnaireVersion)
		switch {
		case pinggu.ErrorCode(err) == pinggu.NotFound && r.QuestionnaireVersion > 0:
			fe.Add("questionnaireVersion", fmt.Sprintf("问卷%s没有第%d版", r.Questionnaire, r.QuestionnaireVersion))
		case pinggu.ErrorCode(err) == pinggu.NotFound:
			fe.Add("questionnaire", fmt.Sprintf("问卷%s不存在", r.Questionnaire))
		case err != nil:
			return err
		default:
			r.QuestionnaireVersion = q.Version
			r.Scoring.Validate(q, fe)
			if r.Strata != nil {
				r.Strata.Validate(q, fe)
			}
		}
	}
	if r.Baseline != "" {
		if b, err := s.store.Round(ctx, r.Baseline); pinggu.ErrorCode(err) == pinggu.NotFound {
			fe.Add("baseline", fmt.Sprintf("对比的评估轮次%s不存在", r.Baseline))
		} else if err != nil {
			return err
		} else if b.Kind == pinggu.Midterm {
			fe.Add("baseline", "中期评估轮次没有满意度结果，不能作为对比")
		}
	}
	if m := r.Midterm; m != nil {
		for _, p := range m.Plans {
			if _, err := s.store.Plan(ctx, p); pinggu.ErrorCode(err) == pinggu.NotFound {
				fe.Add("midterm.plans", fmt.Sprintf("规划%s不存在", p))
			} else if err != nil {
				return err
			}
		}
	}
	if a := r.Assessment; a != nil {
		sys, err := s.store.IndicatorSystem(ctx, a.IndicatorSystem, a.IndicatorVersion)
		switch {
		case pinggu.ErrorCode(err) == pinggu.NotFound:
			fe.Add("assessment.indicatorSystem", fmt.Sprintf("指标体系%s（版本%d）不存在", a.IndicatorSystem, a.IndicatorVersion))
		case err != nil:
			return err
		default:
			a.IndicatorVersion = sys.Version // frozen like the questionnaire version
		}
	}
	units, err := s.store.Units(ctx)
	if err != nil {
		return err
	}
	known := make(map[string]bool, len(units))
	for _, u := range units {
		known[u.Code] = true
	}
	var missing []string
	for _, u := range r.Units {
		if !known[u] {
			missing = append(missing, u)
		}
	}
	if len(missing) > 0 {
		fe.Add("units", "以下单位不存在："+strings.Join(missing, "、"))
	}
	return fe.Err("评估轮次信息有误")
}

func roundSummary(r *pinggu.Round) string {
	loc := r.Location()
	return fmt.Sprintf("%s，%d个单位，%s至%s", r.Title, len(r.Units),
		r.OpensAt.In(loc).Format("2006-01-02 15:04"), r.ClosesAt.In(loc).Format("2006-01-02 15:04"))
}

// Publish marks a compiled round's final results as published (发布).
func (s *Service) Publish(ctx context.Context, code string) (*pinggu.Round, error) {
	return s.store.TransitionRound(ctx, code, []pinggu.RoundStatus{pinggu.StatusCompiled},
		pinggu.Transition{To: pinggu.StatusPublished, At: s.stamp(), By: pinggu.Actor(ctx)})
}

// Round returns one round.
func (s *Service) Round(ctx context.Context, code string) (*pinggu.Round, error) {
	return s.store.Round(ctx, code)
}

// Rounds lists every round.
func (s *Service) Rounds(ctx context.Context) ([]*pinggu.Round, error) { return s.store.Rounds(ctx) }

// ImportUnits creates or updates the units read from a sheet. Every row is
// checked first (parents may be other rows of the same sheet), so a sheet
// with any bad row writes nothing.
func (s *Service) ImportUnits(ctx context.Context, rows []report.UnitRow) (created, updated int, err error) {
	known := map[string]bool{}
	existing, err := s.store.Units(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, u := range existing {
		known[u.Code] = true
	}
	inSheet := map[string]bool{}
	for _, r := range rows {
		inSheet[r.Unit.Code] = true
	}
	fe := pinggu.FieldErrors{}
	for _, r := range rows {
		if p := r.Unit.Parent; p != "" && !known[p] && !inSheet[p] {
			fe.Add(fmt.Sprintf("第%d行", r.Row), fmt.Sprintf("上级单位%s不存在", p))
		}
	}
	if err := fe.Err("单位表有误，未导入"); err != nil {
		return 0, 0, err
	}
	// Parents before children, so each row's parent check passes.
	for _, r := range sortByParent(rows) {
		u := r.Unit
		if known[u.Code] {
			err, updated = s.UpdateUnit(ctx, u.Code, &u), updated+1
		} else {
			err, created = s.CreateUnit(ctx, &u), created+1
		}
		if err != nil {
			return created, updated, fmt.Errorf("第%d行: %w", r.Row, err)
		}
	}
	return created, updated, nil
}

// sortByParent orders rows so that a unit comes after its parent when the
// parent is in the sheet too.
func sortByParent(rows []report.UnitRow) []report.UnitRow {
	byCode := map[string]report.UnitRow{}
	for _, r := range rows {
		byCode[r.Unit.Code] = r
	}
	var out []report.UnitRow
	done := map[string]bool{}
	var visit func(r report.UnitRow, depth int)
	visit = func(r report.UnitRow, depth int) {
		if done[r.Unit.Code] || depth > len(rows) {
			return
		}
		if p, ok := byCode[r.Unit.Parent]; ok {
			visit(p, depth+1)
		}
		done[r.Unit.Code] = true
		out = append(out, r)
	}
	for _, r := range rows {
		visit(r, 0)
	}
	return out
}
