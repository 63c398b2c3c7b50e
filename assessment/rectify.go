package assessment

import (
	"context"
	"fmt"
	"io"
	"strings"

	"pinggu"
	"pinggu/evidence"
)

// Rectification (整改): at the final result every leaf that lost more than
// the round's share of its points becomes an item (created by the compile,
// LostPoints), and administrators add findings (督察, 审计 …); the unit
// responsible reports measures and progress with evidence, an assessor
// accepts or returns each report and closes (销号) the item.

// RectStore is what rectification needs from the database.
type RectStore interface {
	AddRectifications(ctx context.Context, rs []pinggu.Rectification) (int, error)
	SaveRectification(ctx context.Context, r *pinggu.Rectification) error
	Rectification(ctx context.Context, id string) (*pinggu.Rectification, error)
	Rectifications(ctx context.Context, round, unit string) ([]pinggu.Rectification, error)
}

// AddFinding records a finding an administrator entered as an item for a
// unit of an assessment round, with its deadline.
func (s *Service) AddFinding(ctx context.Context, round, unit, indicator, finding string, deadline pinggu.Date) (*pinggu.Rectification, error) {
	r, err := s.store.Round(ctx, round)
	if err != nil {
		return nil, err
	}
	if r.Assessment == nil {
		return nil, pinggu.Errorf(pinggu.Conflict, "评估轮次%s不是考核轮次，没有整改事项", round)
	}
	fe := pinggu.FieldErrors{}
	if !r.HasUnit(unit) {
		fe.Add("unit", "须为本轮参评单位")
	}
	if finding = strings.TrimSpace(finding); finding == "" || len([]rune(finding)) > 2000 {
		fe.Add("finding", "请写明需要整改的问题（不超过2000字）")
	}
	if !deadline.Valid() {
		fe.Add("deadline", "整改期限须为日期，如2025-03-31")
	}
	if err := fe.Err("整改事项有误"); err != nil {
		return nil, err
	}
	item := pinggu.Rectification{ID: newID(), Round: round, Unit: unit, Source: pinggu.RectFinding, Indicator: indicator,
		Finding: finding, Deadline: deadline, Status: pinggu.RectOpen, CreatedBy: pinggu.Actor(ctx), CreatedAt: s.stamp(), Version: 1}
	if _, err := s.store.AddRectifications(ctx, []pinggu.Rectification{item}); err != nil {
		return nil, err
	}
	return &item, pinggu.Audit(ctx, s.store, "rectification.add", rectObject(&item), "整改事项："+finding+"，期限"+string(deadline))
}

func rectObject(r *pinggu.Rectification) string {
	return fmt.Sprintf("round/%s/unit/%s/rectification/%s", r.Round, r.Unit, r.ID)
}

// Rectifications lists a round's items (one unit's when unit is set).
func (s *Service) Rectifications(ctx context.Context, round, unit string) ([]pinggu.Rectification, error) {
	if _, err := s.store.Round(ctx, round); err != nil {
		return nil, err
	}
	return s.store.Rectifications(ctx, round, unit)
}

// rectItem reads an item; unit, when set, is the reporter's, who reaches
// only its own unit's items.
func (s *Service) rectItem(ctx context.Context, id, unit string) (*pinggu.Rectification, error) {
	r, err := s.store.Rectification(ctx, id)
	if err != nil {
		return nil, err
	}
	if unit != "" && r.Unit != unit {
		return nil, pinggu.Errorf(pinggu.Forbidden, "只能查看和报送本单位的整改事项")
	}
	return r, nil
}

// ReportRect records a unit's report on its item (measures, progress,
// evidence), which then awaits review.
func (s *Service) ReportRect(ctx context.Context, id, unit, text string, files []evidence.Upload) (*pinggu.Rectification, error) {
	r, err := s.rectItem(ctx, id, unit)
	if err != nil {
		return nil, err
	}
	if r.Status == pinggu.RectClosed {
		return nil, pinggu.Errorf(pinggu.Conflict, "该整改事项已销号")
	}
	fe := pinggu.FieldErrors{}
	if text = strings.TrimSpace(text); text == "" || len([]rune(text)) > 5000 {
		fe.Add("text", "请写明整改措施和进展（不超过5000字）")
	}
	ev, err := s.files.CheckAndSave(ctx, files, fe, "整改报送有误")
	if err != nil {
		return nil, err
	}
	r.Reports = append(r.Reports, pinggu.RectReport{Text: text, Evidence: ev, By: pinggu.Actor(ctx), At: s.stamp()})
	r.Status = pinggu.RectReported
	if err := s.store.SaveRectification(ctx, r); err != nil {
		return nil, err
	}
	return r, pinggu.Audit(ctx, s.store, "rectification.report", rectObject(r), "整改报送："+text)
}

// ReviewRect is an assessor's word on an item: accept its latest report,
// return it with a reason, or close the item (销号).
func (s *Service) ReviewRect(ctx context.Context, id, decision, reason string) (*pinggu.Rectification, error) {
	r, err := s.rectItem(ctx, id, "")
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	next := map[string]pinggu.RectStatus{"accept": pinggu.RectAccepted, "return": pinggu.RectReturned, "close": pinggu.RectClosed}[decision]
	fe := pinggu.FieldErrors{}
	switch {
	case next == "":
		fe.Add("decision", "须为accept（认可）、return（退回）或close（销号）")
	case r.Status == pinggu.RectClosed:
		return nil, pinggu.Errorf(pinggu.Conflict, "该整改事项已销号")
	case next != pinggu.RectClosed && r.Status != pinggu.RectReported:
		return nil, pinggu.Errorf(pinggu.Conflict, "单位尚未报送新的整改进展")
	case next == pinggu.RectReturned && reason == "":
		fe.Add("reason", "退回须写明理由")
	case next == pinggu.RectClosed && len(r.Reports) == 0 && reason == "":
		fe.Add("reason", "单位未报送整改情况，销号须写明依据")
	}
	if len([]rune(reason)) > 2000 {
		fe.Add("reason", "意见不能超过2000个字")
	}
	if err := fe.Err("整改审核意见有误"); err != nil {
		return nil, err
	}
	r.Status, r.Review = next, &pinggu.Note{Text: reason, By: pinggu.Actor(ctx), At: s.stamp()}
	if err := s.store.SaveRectification(ctx, r); err != nil {
		return nil, err
	}
	return r, pinggu.Audit(ctx, s.store, "rectification."+decision, rectObject(r), pinggu.RectStatusLabel(next)+"："+reason)
}

// RectEvidence streams one evidence file of an item's reports.
func (s *Service) RectEvidence(ctx context.Context, id, unit, file string) (*pinggu.Evidence, io.ReadCloser, error) {
	r, err := s.rectItem(ctx, id, unit)
	if err != nil {
		return nil, nil, err
	}
	var listed []pinggu.Evidence
	for _, x := range r.Reports {
		listed = append(listed, x.Evidence...)
	}
	return s.files.Open(ctx, listed, file)
}
