package assessment

import (
	"context"
	"fmt"
	"io"
	"strings"

	"pinggu"
	"pinggu/evidence"
)

// A unit's self-assessment (自评): the unit enters, per leaf that applies
// to it, the value its rubric takes with an explanation and evidence,
// saves drafts, and submits the whole sheet once every leaf is filled.
// Assessors may return leaves with a reason; the unit then changes only
// those and submits again. Entries and the sheet are written only if they
// are still as read (their version), so a return and a change of the same
// leaf, or two submissions, cannot both win.

// SelfStore is what the self-assessment needs from the database.
type SelfStore interface {
	SaveSelfEntry(ctx context.Context, e *pinggu.SelfEntry, was int) error
	SelfEntries(ctx context.Context, round, unit string) ([]pinggu.SelfEntry, error)
	SetSelfEntryStates(ctx context.Context, round, unit string, from []pinggu.EntryState, to pinggu.EntryState) error
	SelfSheet(ctx context.Context, round, unit string) (pinggu.SelfSheet, error)
	SelfSheets(ctx context.Context, round string) ([]pinggu.SelfSheet, error)
	SaveSelfSheet(ctx context.Context, sh *pinggu.SelfSheet, was int) error
	evidence.Store
}

// SelfForm is a unit's self-assessment sheet: every leaf the unit assesses,
// with its rubric, its entry so far and the reviewer's entry.
type SelfForm struct {
	Round  *pinggu.Round
	Unit   *pinggu.Unit
	System *pinggu.IndicatorSystem
	Sheet  pinggu.SelfSheet
	Leaves []SelfLeaf
}

// SelfLeaf is one leaf of a self-assessment sheet.
type SelfLeaf struct {
	Indicator pinggu.Indicator
	Path      []string          // the names of its ancestors, top first
	Entry     *pinggu.SelfEntry // nil until the unit fills it
	Input     *pinggu.Input     // the reviewer's entry, if any
}

// Missing lists the leaves without a self-assessment.
func (f *SelfForm) Missing() []pinggu.Indicator {
	var out []pinggu.Indicator
	for _, l := range f.Leaves {
		if l.Entry == nil {
			out = append(out, l.Indicator)
		}
	}
	return out
}

// Stage is where the unit's sheet stands in the whole review: its own
// state until it is submitted, then 已初审 once every leaf has a
// reviewer's entry and 已复核 once every entry is confirmed.
func (f *SelfForm) Stage() pinggu.SheetState {
	if f.Sheet.State != pinggu.SheetSubmitted || len(f.Leaves) == 0 {
		return f.Sheet.State
	}
	stage := pinggu.SheetConfirmed
	for _, l := range f.Leaves {
		switch {
		case l.Input == nil:
			return f.Sheet.State
		case l.Input.Confirmed == nil:
			stage = pinggu.SheetReviewed
		}
	}
	return stage
}

// Self loads a unit's self-assessment sheet.
func (s *Service) Self(ctx context.Context, round, unit string) (*SelfForm, error) {
	r, u, sys, err := s.assessmentUnit(ctx, round, unit)
	if err != nil {
		return nil, err
	}
	sheet, err := s.store.SelfSheet(ctx, round, unit)
	if err != nil {
		return nil, err
	}
	entries, err := s.store.SelfEntries(ctx, round, unit)
	if err != nil {
		return nil, err
	}
	inputs, err := s.store.Inputs(ctx, round, unit)
	if err != nil {
		return nil, err
	}
	f := &SelfForm{Round: r, Unit: u, System: sys, Sheet: sheet}
	byCode := map[string]*pinggu.SelfEntry{}
	for i := range entries {
		byCode[entries[i].Indicator] = &entries[i]
	}
	inputOf := map[string]*pinggu.Input{}
	for i := range inputs {
		inputOf[inputs[i].Indicator] = &inputs[i]
	}
	for _, in := range sys.EnteredLeaves(u.Type) {
		f.Leaves = append(f.Leaves, SelfLeaf{Indicator: in, Path: ancestors(sys, in.Parent), Entry: byCode[in.Code], Input: inputOf[in.Code]})
	}
	return f, nil
}

// ancestors are the names from the top of the tree down to code.
func ancestors(sys *pinggu.IndicatorSystem, code string) []string {
	var names []string
	for code != "" {
		in := sys.Indicator(code)
		if in == nil {
			break
		}
		names = append([]string{in.Name}, names...)
		code = in.Parent
	}
	return names
}

// selfLeaf loads a unit's sheet and finds one of its leaves.
func (s *Service) selfLeaf(ctx context.Context, round, unit, indicator string) (*SelfForm, *SelfLeaf, error) {
	f, err := s.Self(ctx, round, unit)
	if err != nil {
		return nil, nil, err
	}
	l, err := f.leaf(indicator)
	return f, l, err
}

// leaf finds a leaf of the form.
func (f *SelfForm) leaf(code string) (*SelfLeaf, error) {
	for i := range f.Leaves {
		if f.Leaves[i].Indicator.Code == code {
			return &f.Leaves[i], nil
		}
	}
	in := f.System.Indicator(code)
	switch {
	case in == nil:
		return nil, pinggu.Errorf(pinggu.NotFound, "指标%s不在指标体系%s第%d版中", code, f.System.Code, f.System.Version)
	case !in.Applies(f.Unit.Type):
		return nil, pinggu.FieldErrors{"indicator": fmt.Sprintf("指标%s「%s」不适用于%s", code, in.Name, f.Unit.Name)}.Err("自评有误")
	case in.Rubric == pinggu.RubricSurvey:
		return nil, pinggu.FieldErrors{"indicator": fmt.Sprintf("指标%s「%s」由满意度测评结果计算，无需自评", code, in.Name)}.Err("自评有误")
	default:
		return nil, pinggu.FieldErrors{"indicator": fmt.Sprintf("指标%s「%s」不是末级指标，得分为下级指标之和", code, in.Name)}.Err("自评有误")
	}
}

// SaveSelf records a unit's self-assessment of a leaf, with new evidence
// files added to those it has (checked before anything is stored). Before
// the sheet is submitted any leaf may change; after, only a returned one.
func (s *Service) SaveSelf(ctx context.Context, round, unit, indicator string, e pinggu.SelfEntry, files []evidence.Upload) (*pinggu.SelfEntry, error) {
	f, l, err := s.selfLeaf(ctx, round, unit, indicator)
	if err != nil {
		return nil, err
	}
	if err := s.selfWindow(f); err != nil {
		return nil, err
	}
	old := l.Entry
	switch f.Sheet.State {
	case pinggu.SheetEmpty, pinggu.SheetDrafting:
		e.State = pinggu.EntryDraft
	case pinggu.SheetReturned:
		if old == nil || (old.State != pinggu.EntryReturned && old.State != pinggu.EntryAnswered) {
			return nil, pinggu.Errorf(pinggu.Conflict, "自评已提交，只能修改被退回的指标")
		}
		e.State = pinggu.EntryAnswered
	default:
		return nil, pinggu.Errorf(pinggu.Conflict, "自评%s，不能再修改", pinggu.SheetStateLabel(f.Sheet.State))
	}
	e.Explanation = strings.TrimSpace(e.Explanation)
	fe := pinggu.FieldErrors{}
	if err := e.CheckSelf(&l.Indicator); err != nil {
		fe = pinggu.ErrorFields(err)
	}
	was, kept := 0, []pinggu.Evidence(nil)
	if old != nil {
		was, kept, e.Return = old.Version, old.Evidence, old.Return
	}
	if len(kept)+len(files) > evidence.MaxFiles {
		fe.Add("evidence", fmt.Sprintf("每项指标的佐证材料最多%d个文件（已有%d个）", evidence.MaxFiles, len(kept)))
	}
	added, err := s.files.CheckAndSave(ctx, files, fe, fmt.Sprintf("指标%s「%s」的自评有误", l.Indicator.Code, l.Indicator.Name))
	if err != nil {
		return nil, err
	}
	e.Round, e.Unit, e.Indicator, e.Comment = round, unit, indicator, ""
	e.Evidence, e.By, e.At = append(kept, added...), pinggu.Actor(ctx), s.stamp()
	if err := s.store.SaveSelfEntry(ctx, &e, was); err != nil {
		return nil, err
	}
	if f.Sheet.State == pinggu.SheetEmpty {
		sheet := f.Sheet
		sheet.State = pinggu.SheetDrafting
		if err := s.store.SaveSelfSheet(ctx, &sheet, f.Sheet.Version); err != nil && pinggu.ErrorCode(err) != pinggu.Conflict {
			return nil, err // a conflict: another leaf's first save began the sheet
		}
	}
	return &e, pinggu.Audit(ctx, s.store, "self.save", inputObject(round, unit, indicator), changeSummary(l.Indicator.Rubric, old, &e, len(added)))
}

// selfWindow refuses a change outside the round's self-assessment phase,
// when it has one: before it opens, and after it closes except to answer
// returned leaves, which the unit may do until the review phase closes.
func (s *Service) selfWindow(f *SelfForm) error {
	ph, now := f.Round.Assessment.Phases, s.now()
	w, loc := ph.SelfAssessment, f.Round.Location()
	switch {
	case f.Sheet.State == pinggu.SheetReturned && ph.Review != nil && !now.Before(ph.Review.Closes):
		return pinggu.Errorf(pinggu.Conflict, "评审已于%s结束，退回的指标不能再补充", ph.Review.Closes.In(loc).Format("2006年1月2日 15:04"))
	case w == nil || w.Contains(now):
		return nil
	case now.Before(w.Opens):
		return pinggu.Errorf(pinggu.Conflict, "自评将于%s开始", w.Opens.In(loc).Format("2006年1月2日 15:04"))
	case f.Sheet.State != pinggu.SheetReturned:
		return pinggu.Errorf(pinggu.Conflict, "自评已于%s截止", w.Closes.In(loc).Format("2006年1月2日 15:04"))
	}
	return nil
}

// changeSummary says what a save changed, for the audit log.
func changeSummary(r pinggu.Rubric, old, now *pinggu.SelfEntry, files int) string {
	s := "自评：" + ValueWords(r, now.InputValue)
	if old != nil {
		s = fmt.Sprintf("自评：%s → %s", ValueWords(r, old.InputValue), ValueWords(r, now.InputValue))
	}
	if files > 0 {
		s += fmt.Sprintf("，新增%d个佐证材料", files)
	}
	return s
}

// ValueWords is an entry's value as the sheet shows it, in the words of
// its rubric: 达标 or 未达标 for a binary leaf.
func ValueWords(r pinggu.Rubric, v pinggu.InputValue) string {
	switch {
	case v.Value != nil && r == pinggu.RubricBinary:
		if *v.Value >= 1 {
			return "达标"
		}
		return "未达标"
	case v.Value != nil:
		return fmt.Sprintf("数值%g", *v.Value)
	case v.Count != nil:
		return fmt.Sprintf("%d次", *v.Count)
	case v.Score != nil:
		return fmt.Sprintf("%g分", *v.Score)
	}
	return "未填"
}

// SubmitSelf submits a unit's whole sheet: refused, with the list, while a
// leaf has no entry or a returned leaf has not been answered.
func (s *Service) SubmitSelf(ctx context.Context, round, unit string) (*pinggu.SelfSheet, error) {
	f, err := s.Self(ctx, round, unit)
	if err != nil {
		return nil, err
	}
	switch f.Sheet.State {
	case pinggu.SheetEmpty, pinggu.SheetDrafting, pinggu.SheetReturned:
	default:
		return nil, pinggu.Errorf(pinggu.Conflict, "自评%s，无需再次提交", pinggu.SheetStateLabel(f.Sheet.State))
	}
	if err := s.selfWindow(f); err != nil {
		return nil, err
	}
	fe := pinggu.FieldErrors{}
	for _, l := range f.Leaves {
		in := l.Indicator
		switch {
		case l.Entry == nil:
			fe.Add(in.Code, fmt.Sprintf("指标%s「%s」尚未自评", in.Code, in.Name))
		case l.Entry.State == pinggu.EntryReturned:
			fe.Add(in.Code, fmt.Sprintf("指标%s「%s」被退回补充（%s），尚未修改", in.Code, in.Name, l.Entry.Return.Text))
		}
	}
	if err := fe.Err(fmt.Sprintf("还有%d项指标未完成，不能提交", len(fe))); err != nil {
		return nil, err
	}
	sheet := f.Sheet
	resubmit := sheet.State == pinggu.SheetReturned
	sheet.State, sheet.SubmittedBy, sheet.SubmittedAt = pinggu.SheetSubmitted, pinggu.Actor(ctx), s.stamp()
	if err := s.store.SaveSelfSheet(ctx, &sheet, f.Sheet.Version); err != nil {
		return nil, err
	}
	// The sheet is submitted; its entries follow. A crash in between
	// leaves entries marked draft or answered in a submitted sheet, which
	// the next submission's refusal (already submitted) does not fix but
	// every reader treats by the sheet's state.
	if err := s.store.SetSelfEntryStates(ctx, round, unit, []pinggu.EntryState{pinggu.EntryDraft, pinggu.EntryAnswered}, pinggu.EntrySubmitted); err != nil {
		return nil, err
	}
	what := fmt.Sprintf("提交自评，%d项指标", len(f.Leaves))
	if resubmit {
		what = "补充后重新提交自评"
	}
	return &sheet, pinggu.Audit(ctx, s.store, "self.submit", fmt.Sprintf("round/%s/unit/%s", round, unit), what)
}

// ReturnSelf sends a leaf of a submitted sheet back to the unit with a
// reason (退回补充); the sheet is then returned until the unit resubmits.
func (s *Service) ReturnSelf(ctx context.Context, round, unit, indicator, reason string) (*pinggu.SelfEntry, error) {
	f, l, err := s.selfLeaf(ctx, round, unit, indicator)
	if err != nil {
		return nil, err
	}
	if f.Sheet.State != pinggu.SheetSubmitted && f.Sheet.State != pinggu.SheetReturned {
		return nil, pinggu.Errorf(pinggu.Conflict, "%s的自评%s，只有已提交的自评可以退回", f.Unit.Name, pinggu.SheetStateLabel(f.Sheet.State))
	}
	reason = strings.TrimSpace(reason)
	fe := pinggu.FieldErrors{}
	if reason == "" {
		fe.Add("reason", "请写明退回的理由和需要补充的内容")
	} else if len([]rune(reason)) > 500 {
		fe.Add("reason", "退回理由不能超过500个字")
	}
	if err := fe.Err("退回意见有误"); err != nil {
		return nil, err
	}
	e := *l.Entry
	e.State, e.Return = pinggu.EntryReturned, &pinggu.Note{Text: reason, By: pinggu.Actor(ctx), At: s.stamp()}
	if err := s.store.SaveSelfEntry(ctx, &e, l.Entry.Version); err != nil {
		return nil, err
	}
	if f.Sheet.State == pinggu.SheetSubmitted {
		sheet := f.Sheet
		sheet.State = pinggu.SheetReturned
		if err := s.store.SaveSelfSheet(ctx, &sheet, f.Sheet.Version); err != nil {
			return nil, err
		}
	}
	return &e, pinggu.Audit(ctx, s.store, "self.return", inputObject(round, unit, indicator), "退回补充："+reason)
}

// SelfEvidence streams one evidence file of a leaf's self-assessment.
func (s *Service) SelfEvidence(ctx context.Context, round, unit, indicator, id string) (*pinggu.Evidence, io.ReadCloser, error) {
	_, l, err := s.selfLeaf(ctx, round, unit, indicator)
	if err != nil {
		return nil, nil, err
	}
	var listed []pinggu.Evidence
	if l.Entry != nil {
		listed = l.Entry.Evidence
	}
	return s.files.Open(ctx, listed, id)
}
