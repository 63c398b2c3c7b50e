// Package catalog is the administrator's side of Pinggu's reference data:
// units and questionnaires (and reading rounds). It validates each object,
// checks what it refers to, and enforces the freezing rules before
// anything is written. Rounds and their life cycle belong to package
// rounds; indicator systems and entries to package assessment.
package catalog

import (
	"context"
	"fmt"
	"time"

	"pinggu"
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
	Round(ctx context.Context, code string) (*pinggu.Round, error)
	Rounds(ctx context.Context) ([]*pinggu.Round, error)
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
	return pinggu.Audit(ctx, s.store, "unit.create", "unit/"+u.Code, fmt.Sprintf("%s（%s，%s）", u.Name, pinggu.UnitTypeLabel(u.Type), u.PeerGroup))
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

// Round returns one round.
func (s *Service) Round(ctx context.Context, code string) (*pinggu.Round, error) {
	return s.store.Round(ctx, code)
}

// Rounds lists every round.
func (s *Service) Rounds(ctx context.Context) ([]*pinggu.Round, error) { return s.store.Rounds(ctx) }

// ImportUnits creates or updates the units read from a sheet. Every row is
// checked first (parents may be other rows of the same sheet), so a sheet
// with any bad row writes nothing.
func (s *Service) ImportUnits(ctx context.Context, rows []pinggu.UnitRow) (created, updated int, err error) {
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
	var fe pinggu.RowErrors
	for _, r := range rows {
		if p := r.Unit.Parent; p != "" && !known[p] && !inSheet[p] {
			fe.Add(r.Row, "", fmt.Sprintf("上级单位%s不存在", p))
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
func sortByParent(rows []pinggu.UnitRow) []pinggu.UnitRow {
	byCode := map[string]pinggu.UnitRow{}
	for _, r := range rows {
		byCode[r.Unit.Code] = r
	}
	var out []pinggu.UnitRow
	done := map[string]bool{}
	var visit func(r pinggu.UnitRow, depth int)
	visit = func(r pinggu.UnitRow, depth int) {
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
