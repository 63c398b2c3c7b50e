// Package assessment is the scoring side of an assessment round: versioned
// indicator systems, reviewers' entries per leaf indicator, and bonus,
// deduction and veto events — the home of units' self-assessment, review
// and appeals. Scores themselves are computed by package scoring.
package assessment

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"pinggu"
	"pinggu/evidence"
	"pinggu/report"
	"pinggu/scoring"
)

// Store is what assessment needs from the database.
type Store interface {
	Round(ctx context.Context, code string) (*pinggu.Round, error)
	Unit(ctx context.Context, code string) (*pinggu.Unit, error)
	Units(ctx context.Context) ([]pinggu.Unit, error)
	AddIndicatorSystem(ctx context.Context, s *pinggu.IndicatorSystem) error
	IndicatorSystem(ctx context.Context, code string, version int) (*pinggu.IndicatorSystem, error)
	IndicatorSystems(ctx context.Context) ([]*pinggu.IndicatorSystem, error)
	SetInput(ctx context.Context, in *pinggu.Input, was int) error
	Inputs(ctx context.Context, round, unit string) ([]pinggu.Input, error)
	AddAdjustment(ctx context.Context, a *pinggu.Adjustment) error
	DeleteAdjustment(ctx context.Context, round, id string) error
	Adjustments(ctx context.Context, round, unit string) ([]pinggu.Adjustment, error)
	SelfStore
	AppealStore
	RectStore
	pinggu.Auditor
}

// Service manages indicator systems and the entries and events of
// assessment rounds.
type Service struct {
	store Store
	files *evidence.Files // units' evidence for self-assessments, appeals and rectification
	now   func() time.Time
}

// New returns the assessment service; now is injectable for tests.
func New(store Store, now func() time.Time) *Service {
	return &Service{store: store, files: evidence.New(store), now: now}
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// newID is a random key for an event, an appeal or a finding.
func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateIndicatorSystem stores version 1 of a new indicator system.
func (s *Service) CreateIndicatorSystem(ctx context.Context, sys *pinggu.IndicatorSystem) error {
	if _, err := s.store.IndicatorSystem(ctx, sys.Code, 0); err == nil {
		return pinggu.Errorf(pinggu.Conflict, "指标体系%s已存在，修改请用PUT生成新版本", sys.Code)
	}
	return s.ReviseIndicatorSystem(ctx, sys.Code, sys, true)
}

// ReviseIndicatorSystem stores sys as the next version of code; rounds keep
// the version they froze. With create, a missing system is made version 1.
func (s *Service) ReviseIndicatorSystem(ctx context.Context, code string, sys *pinggu.IndicatorSystem, create bool) error {
	sys.Code = strings.TrimSpace(code)
	sys.Name = strings.TrimSpace(sys.Name)
	if err := sys.Validate(); err != nil {
		return err
	}
	if !create {
		if _, err := s.store.IndicatorSystem(ctx, sys.Code, 0); err != nil {
			return err
		}
	}
	sys.CreatedAt = s.stamp()
	if err := s.store.AddIndicatorSystem(ctx, sys); err != nil {
		return err
	}
	return pinggu.Audit(ctx, s.store, "indicators.version", "indicators/"+sys.Code,
		fmt.Sprintf("%s 第%d版，%d项指标", sys.Name, sys.Version, len(sys.Indicators)))
}

// IndicatorSystem returns a version of an indicator system, 0 for the latest.
func (s *Service) IndicatorSystem(ctx context.Context, code string, version int) (*pinggu.IndicatorSystem, error) {
	return s.store.IndicatorSystem(ctx, code, version)
}

// IndicatorSystems lists the latest version of each.
func (s *Service) IndicatorSystems(ctx context.Context) ([]*pinggu.IndicatorSystem, error) {
	return s.store.IndicatorSystems(ctx)
}

// assessmentUnit loads what a review entry needs: an assessment round still
// open to review, the unit in it, and the frozen indicator system.
func (s *Service) assessmentUnit(ctx context.Context, round, unit string) (*pinggu.Round, *pinggu.Unit, *pinggu.IndicatorSystem, error) {
	r, err := s.store.Round(ctx, round)
	if err != nil {
		return nil, nil, nil, err
	}
	if r.Assessment == nil {
		return nil, nil, nil, pinggu.Errorf(pinggu.Conflict, "评估轮次%s不是考核轮次，没有指标录入", round)
	}
	if r.Status == pinggu.StatusPublished || r.Status == pinggu.StatusArchived {
		return nil, nil, nil, pinggu.Errorf(pinggu.Conflict, "评估轮次%s%s，不能再修改录入", round, pinggu.StatusLabel(r.Status))
	}
	if !r.HasUnit(unit) {
		return nil, nil, nil, pinggu.Errorf(pinggu.NotFound, "单位%s不在评估轮次%s中", unit, round)
	}
	u, err := s.store.Unit(ctx, unit)
	if err != nil {
		return nil, nil, nil, err
	}
	sys, err := s.store.IndicatorSystem(ctx, r.Assessment.IndicatorSystem, r.Assessment.IndicatorVersion)
	if err != nil {
		return nil, nil, nil, err
	}
	return r, u, sys, nil
}

// SetInput records a reviewer's entry for one leaf indicator of a unit
// (初审). A new entry replaces the old one, keeps its history and clears a
// confirmation: the new value has to be confirmed again.
func (s *Service) SetInput(ctx context.Context, round, unit, indicator string, v pinggu.InputValue) (*pinggu.Input, error) {
	in, old, err := s.inputLeaf(ctx, round, unit, indicator)
	if err != nil {
		return nil, err
	}
	if err := v.Check(in); err != nil {
		return nil, err
	}
	input := &pinggu.Input{Round: round, Unit: unit, Indicator: indicator, InputValue: v, By: pinggu.Actor(ctx), At: s.stamp()}
	change := pinggu.InputChange{Action: pinggu.InputEntered, By: input.By, At: input.At, New: v}
	was := 0
	if old != nil {
		was, input.History, change.Old = old.Version, old.History, &old.InputValue
	}
	input.History = append(input.History, change)
	if err := s.store.SetInput(ctx, input, was); err != nil {
		return nil, err
	}
	summary := inputSummary(in.Rubric, v)
	if old != nil {
		summary = inputSummary(in.Rubric, old.InputValue) + " → " + summary
	}
	return input, pinggu.Audit(ctx, s.store, "input.set", inputObject(round, unit, indicator), summary)
}

func inputObject(round, unit, indicator string) string {
	return fmt.Sprintf("round/%s/unit/%s/indicator/%s", round, unit, indicator)
}

// inputLeaf finds a leaf reviewers enter for the unit, and its entry so far.
func (s *Service) inputLeaf(ctx context.Context, round, unit, indicator string) (*pinggu.Indicator, *pinggu.Input, error) {
	_, u, sys, err := s.assessmentUnit(ctx, round, unit)
	if err != nil {
		return nil, nil, err
	}
	in := sys.Indicator(indicator)
	if in == nil {
		return nil, nil, pinggu.Errorf(pinggu.NotFound, "指标%s不在指标体系%s第%d版中", indicator, sys.Code, sys.Version)
	}
	if !in.Applies(u.Type) {
		return nil, nil, pinggu.FieldErrors{"indicator": fmt.Sprintf("指标%s不适用于%s", indicator, u.Name)}.Err("录入内容有误")
	}
	if len(sys.Children()[in.Code]) > 0 {
		return nil, nil, pinggu.FieldErrors{"indicator": "只有末级指标可以录入，上级指标得分为下级之和"}.Err("录入内容有误")
	}
	ins, err := s.store.Inputs(ctx, round, unit)
	if err != nil {
		return nil, nil, err
	}
	for i := range ins {
		if ins[i].Indicator == indicator {
			return in, &ins[i], nil
		}
	}
	return in, nil, nil
}

// ConfirmInput is a second assessor's confirmation of an entry (复核): as
// it is, or changed to v with a reason. The assessor who made the entry
// cannot confirm it (four eyes).
func (s *Service) ConfirmInput(ctx context.Context, round, unit, indicator string, v *pinggu.InputValue, reason string) (*pinggu.Input, error) {
	in, old, err := s.inputLeaf(ctx, round, unit, indicator)
	if err != nil {
		return nil, err
	}
	if old == nil {
		return nil, pinggu.Errorf(pinggu.Conflict, "指标%s「%s」尚未初审录入，不能复核", in.Code, in.Name)
	}
	actor := pinggu.Actor(ctx)
	if actor == old.By {
		return nil, pinggu.Errorf(pinggu.Forbidden, "指标%s「%s」由您录入，须由另一名评估人员复核", in.Code, in.Name)
	}
	reason = strings.TrimSpace(reason)
	fe := pinggu.FieldErrors{}
	if len([]rune(reason)) > 500 {
		fe.Add("reason", "复核意见不能超过500个字")
	}
	changed := v != nil && !sameValue(*v, old.InputValue)
	if changed {
		if err := v.Check(in); err != nil {
			return nil, err
		}
		if reason == "" {
			fe.Add("reason", "改变初审结果须写明理由")
		}
	}
	if err := fe.Err("复核意见有误"); err != nil {
		return nil, err
	}
	input := *old
	now := s.stamp()
	input.Confirmed = &pinggu.Confirmation{By: actor, At: now, Reason: reason}
	change := pinggu.InputChange{Action: pinggu.InputConfirmed, By: actor, At: now, New: old.InputValue, Reason: reason}
	summary := "复核确认：" + inputSummary(in.Rubric, old.InputValue)
	if changed {
		was := old.InputValue
		input.InputValue, input.Confirmed.Was = *v, &was
		change.Action, change.Old, change.New = pinggu.InputChanged, &was, *v
		summary = fmt.Sprintf("复核改为：%s → %s，理由：%s", inputSummary(in.Rubric, was), inputSummary(in.Rubric, *v), reason)
	}
	input.History = append(append([]pinggu.InputChange(nil), old.History...), change)
	if err := s.store.SetInput(ctx, &input, old.Version); err != nil {
		return nil, err
	}
	return &input, pinggu.Audit(ctx, s.store, "input.confirm", inputObject(round, unit, indicator), summary)
}

// sameValue compares entries by what is scored, not by their comments.
func sameValue(a, b pinggu.InputValue) bool {
	eqF := func(x, y *float64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	eqI := func(x, y *int) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return eqF(a.Value, b.Value) && eqI(a.Count, b.Count) && eqF(a.Score, b.Score)
}

// Inputs lists a unit's entries and events.
func (s *Service) Inputs(ctx context.Context, round, unit string) ([]pinggu.Input, []pinggu.Adjustment, error) {
	if _, _, _, err := s.assessmentUnit(ctx, round, unit); err != nil {
		return nil, nil, err
	}
	ins, err := s.store.Inputs(ctx, round, unit)
	if err != nil {
		return nil, nil, err
	}
	adj, err := s.store.Adjustments(ctx, round, unit)
	return ins, adj, err
}

// AddAdjustment records a bonus, deduction or veto event with its basis.
func (s *Service) AddAdjustment(ctx context.Context, round, unit string, a *pinggu.Adjustment) error {
	r, _, _, err := s.assessmentUnit(ctx, round, unit)
	if err != nil {
		return err
	}
	a.Basis = strings.TrimSpace(a.Basis)
	if err := a.Validate(r.Assessment); err != nil {
		return err
	}
	a.ID, a.Round, a.Unit, a.By, a.At = newID(), round, unit, pinggu.Actor(ctx), s.stamp()
	if err := s.store.AddAdjustment(ctx, a); err != nil {
		return err
	}
	return pinggu.Audit(ctx, s.store, "adjustment.add", fmt.Sprintf("round/%s/unit/%s/adjustment/%s", round, unit, a.ID),
		fmt.Sprintf("%s %g%s，依据：%s", a.Kind, a.Points, a.Rule, a.Basis))
}

// DeleteAdjustment removes an event entered by mistake.
func (s *Service) DeleteAdjustment(ctx context.Context, round, unit, id string) error {
	if _, _, _, err := s.assessmentUnit(ctx, round, unit); err != nil {
		return err
	}
	if err := s.store.DeleteAdjustment(ctx, round, id); err != nil {
		return err
	}
	return pinggu.Audit(ctx, s.store, "adjustment.delete", fmt.Sprintf("round/%s/unit/%s/adjustment/%s", round, unit, id), "删除")
}

// inputSummary is an entry for the audit log: its value in the words of
// its rubric, and its comment.
func inputSummary(r pinggu.Rubric, v pinggu.InputValue) string {
	s := ValueWords(r, v)
	if v.Comment != "" {
		s += "，说明：" + v.Comment
	}
	return s
}

// ImportIndicatorSystem reads an indicator sheet and stores it as the next
// version of code (version 1 if new). Nothing is stored when any row is
// wrong; every wrong row is named by its sheet row.
func (s *Service) ImportIndicatorSystem(ctx context.Context, code, name string, file io.Reader) (*pinggu.IndicatorSystem, error) {
	ins, rows, fe, err := report.ReadIndicators(file)
	if err != nil {
		return nil, err
	}
	if len(fe) > 0 {
		return nil, fe.Err("指标表有误，未导入")
	}
	sys := &pinggu.IndicatorSystem{Code: code, Name: name, Indicators: ins}
	if sys.Name == "" {
		if old, err := s.store.IndicatorSystem(ctx, code, 0); err == nil {
			sys.Name = old.Name
		}
	}
	if err := sys.Validate(); err != nil {
		return nil, byRow(err, rows)
	}
	return sys, s.ReviseIndicatorSystem(ctx, code, sys, true)
}

var indexRe = regexp.MustCompile(`^indicators\[(\d+)\]\.?(.*)$`)

// byRow turns the tree's "indicators[3].points" into the problem of that
// indicator's sheet row (field "points"); the tree's other problems concern
// the sheet as a whole.
func byRow(err error, rows []int) error {
	fe := pinggu.ErrorFields(err)
	if fe == nil {
		return err
	}
	var out pinggu.RowErrors
	for k, v := range fe {
		if m := indexRe.FindStringSubmatch(k); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < len(rows) {
				out.Add(rows[i], m[2], v)
				continue
			}
		}
		out.Add(0, k, v)
	}
	return out.Err("指标表有误，未导入")
}

// ReviewSheet is what a reviewer sees for one unit of an assessment round:
// the leaves to enter (those that apply to the unit and are not computed
// from the survey), the entries so far and the events.
type ReviewSheet struct {
	Round       *pinggu.Round
	Unit        *pinggu.Unit
	System      *pinggu.IndicatorSystem
	Leaves      []pinggu.Indicator
	Inputs      map[string]pinggu.Input
	Adjustments []pinggu.Adjustment
	// The unit's self-assessment: its sheet and its entries by leaf.
	SelfSheet pinggu.SelfSheet
	Self      map[string]pinggu.SelfEntry
}

// Review loads a unit's review sheet.
func (s *Service) Review(ctx context.Context, round, unit string) (*ReviewSheet, error) {
	r, u, sys, err := s.assessmentUnit(ctx, round, unit)
	if err != nil {
		return nil, err
	}
	ins, err := s.store.Inputs(ctx, round, unit)
	if err != nil {
		return nil, err
	}
	adj, err := s.store.Adjustments(ctx, round, unit)
	if err != nil {
		return nil, err
	}
	sheet, err := s.store.SelfSheet(ctx, round, unit)
	if err != nil {
		return nil, err
	}
	self, err := s.store.SelfEntries(ctx, round, unit)
	if err != nil {
		return nil, err
	}
	sh := &ReviewSheet{Round: r, Unit: u, System: sys, Inputs: map[string]pinggu.Input{}, Adjustments: adj,
		SelfSheet: sheet, Self: map[string]pinggu.SelfEntry{}}
	for _, e := range self {
		sh.Self[e.Indicator] = e
	}
	for _, in := range ins {
		sh.Inputs[in.Indicator] = in
	}
	sh.Leaves = sys.EnteredLeaves(u.Type)
	return sh, nil
}

// FinalGaps refuses, before anything is queued, a final compile of an
// assessment round whose leaves still lack entries (unless the round
// allows gaps): the same rule the compile applies.
func (s *Service) FinalGaps(ctx context.Context, code string) error {
	r, err := s.store.Round(ctx, code)
	if err != nil {
		return err
	}
	a := r.Assessment
	if a == nil || a.AllowGaps || !r.Status.Finished() {
		return nil
	}
	sys, err := s.store.IndicatorSystem(ctx, a.IndicatorSystem, a.IndicatorVersion)
	if err != nil {
		return err
	}
	all, err := s.store.Units(ctx)
	if err != nil {
		return err
	}
	ins, err := s.store.Inputs(ctx, code, "")
	if err != nil {
		return err
	}
	units, entries := pinggu.RoundUnits(all, r.Units), pinggu.EntriesByUnit(ins)
	as := make([]scoring.UnitAssessment, len(units))
	for i, u := range units { // entries alone decide gaps: no survey, no events needed
		as[i] = scoring.ScoreUnit(sys, a, u, entries[u.Code], nil, nil)
	}
	return pinggu.GapsError(scoring.Gaps(sys, units, as))
}
