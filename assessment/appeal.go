package assessment

import (
	"context"
	"fmt"
	"io"
	"strings"

	"pinggu"
	"pinggu/evidence"
)

// Appeals (申诉): in the round's appeals phase (or, without one, while its
// results are provisional: between its opening and its close), a unit appeals against a leaf or its total with reasons and
// evidence; an assessor answers each — upheld, with the changed entry of a
// leaf, or rejected — always with reasons; the final compile waits until
// every appeal is answered.

// AppealStore is what appeals need from the database.
type AppealStore interface {
	SaveAppeal(ctx context.Context, a *pinggu.Appeal, was int) error
	Appeal(ctx context.Context, id string) (*pinggu.Appeal, error)
	Appeals(ctx context.Context, round, unit string) ([]pinggu.Appeal, error)
}

// FileAppeal records a unit's appeal, on a leaf or (indicator empty) on
// its total, with its evidence files (checked before anything is stored).
func (s *Service) FileAppeal(ctx context.Context, round, unit, indicator, reason string, files []evidence.Upload) (*pinggu.Appeal, error) {
	r, _, _, err := s.assessmentUnit(ctx, round, unit)
	if err != nil {
		return nil, err
	}
	now, loc := s.now(), r.Location()
	if w := r.Assessment.Phases.Appeals; w != nil && !w.Contains(now) {
		return nil, pinggu.Errorf(pinggu.Conflict, "申诉期为%s至%s，现在不能提出申诉",
			w.Opens.In(loc).Format("1月2日 15:04"), w.Closes.In(loc).Format("1月2日 15:04"))
	}
	if r.PhaseAt(now) != pinggu.Open {
		return nil, pinggu.Errorf(pinggu.Conflict, "%s已结束或尚未开始，不在申诉期内", r.Title)
	}
	if indicator != "" {
		if _, _, err := s.inputLeaf(ctx, round, unit, indicator); err != nil {
			return nil, err
		}
	}
	fe := pinggu.FieldErrors{}
	if reason = strings.TrimSpace(reason); reason == "" {
		fe.Add("reason", "请写明申诉的理由")
	} else if len([]rune(reason)) > 2000 {
		fe.Add("reason", "申诉理由不能超过2000个字")
	}
	ev, err := s.files.CheckAndSave(ctx, files, fe, "申诉有误")
	if err != nil {
		return nil, err
	}
	a := &pinggu.Appeal{ID: newID(), Round: round, Unit: unit, Indicator: indicator, Reason: reason, Evidence: ev,
		By: pinggu.Actor(ctx), At: s.stamp()}
	if err := s.store.SaveAppeal(ctx, a, 0); err != nil {
		return nil, err
	}
	return a, pinggu.Audit(ctx, s.store, "appeal.file", appealObject(a), "申诉："+reason)
}

func appealObject(a *pinggu.Appeal) string {
	return fmt.Sprintf("round/%s/unit/%s/appeal/%s", a.Round, a.Unit, a.ID)
}

// DecideAppeal answers an appeal, once. An appeal upheld on a leaf carries
// the corrected entry, which is entered like any other (its history says
// why); the caller recompiles the provisional results.
func (s *Service) DecideAppeal(ctx context.Context, id string, d pinggu.Decision, reason string, change *pinggu.InputValue) (*pinggu.Appeal, error) {
	a, err := s.store.Appeal(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Decision != "" {
		return nil, pinggu.Errorf(pinggu.Conflict, "该申诉已于%s答复（%s）", a.Answer.At.Format("2006-01-02 15:04"), pinggu.DecisionLabel(a.Decision))
	}
	fe := pinggu.FieldErrors{}
	if d != pinggu.Upheld && d != pinggu.Rejected {
		fe.Add("decision", "须为upheld（申诉成立）或rejected（申诉不成立）")
	}
	if reason = strings.TrimSpace(reason); reason == "" {
		fe.Add("reason", "请写明答复的理由")
	} else if len([]rune(reason)) > 2000 {
		fe.Add("reason", "答复理由不能超过2000个字")
	}
	if d == pinggu.Upheld && a.Indicator != "" && change == nil {
		fe.Add("value", "对指标的申诉成立时，须给出改正后的录入（value、count或score）")
	}
	if err := fe.Err("申诉答复有误"); err != nil {
		return nil, err
	}
	now, actor := s.stamp(), pinggu.Actor(ctx)
	if d == pinggu.Upheld && a.Indicator != "" {
		v := *change
		v.Comment = "申诉成立：" + reason
		in, err := s.SetInput(ctx, a.Round, a.Unit, a.Indicator, v)
		if err != nil {
			return nil, err
		}
		c := in.History[len(in.History)-1]
		c.Reason = reason
		a.Change = &c
	}
	a.Decision, a.Answer = d, &pinggu.Note{Text: reason, By: actor, At: now}
	if err := s.store.SaveAppeal(ctx, a, a.Version); err != nil {
		return nil, err
	}
	return a, pinggu.Audit(ctx, s.store, "appeal.decide", appealObject(a), pinggu.DecisionLabel(d)+"："+reason)
}

// Appeals lists a round's appeals (one unit's when unit is set).
func (s *Service) Appeals(ctx context.Context, round, unit string) ([]pinggu.Appeal, error) {
	if _, err := s.store.Round(ctx, round); err != nil {
		return nil, err
	}
	return s.store.Appeals(ctx, round, unit)
}

// AppealEvidence streams one evidence file of an appeal; unit, when set,
// is the reporter's, who sees only its own unit's appeals.
func (s *Service) AppealEvidence(ctx context.Context, id, unit, file string) (*pinggu.Evidence, io.ReadCloser, error) {
	a, err := s.store.Appeal(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if unit != "" && a.Unit != unit {
		return nil, nil, pinggu.Errorf(pinggu.Forbidden, "只能查看本单位的申诉")
	}
	return s.files.Open(ctx, a.Evidence, file)
}

// OpenAppeals refuses (409, with the list) a final compile of a round
// while any appeal is unanswered.
func (s *Service) OpenAppeals(ctx context.Context, round string) error {
	r, err := s.store.Round(ctx, round)
	if err != nil || r.Assessment == nil || !r.Status.Finished() {
		return err
	}
	as, err := s.store.Appeals(ctx, round, "")
	if err != nil {
		return err
	}
	units, err := s.store.Units(ctx)
	if err != nil {
		return err
	}
	return pinggu.OpenAppealsError(as, pinggu.UnitNames(units), r.Location())
}
