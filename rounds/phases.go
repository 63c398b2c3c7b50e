package rounds

import (
	"context"
	"fmt"
	"strings"
	"time"

	"pinggu"
)

// phaseNames are the phases of an assessment round in the words of the UI.
var phaseNames = map[string]string{"selfAssessment": "自评", "review": "评审", "notice": "公示", "appeals": "申诉"}

// phase points at one window of an assessment round's phases.
func phase(p *pinggu.Phases, name string) **pinggu.Window {
	switch name {
	case "selfAssessment":
		return &p.SelfAssessment
	case "review":
		return &p.Review
	case "notice":
		return &p.Notice
	case "appeals":
		return &p.Appeals
	}
	return nil
}

// SetPhase opens a phase early, extends it or moves it, with a reason (an
// administrator's decision that units and assessors may have to answer
// for); the queue follows the new times.
func (s *Service) SetPhase(ctx context.Context, code, name string, w pinggu.Window, reason string) (*pinggu.Round, error) {
	r, err := s.store.Round(ctx, code)
	if err != nil {
		return nil, err
	}
	if r.Assessment == nil {
		return nil, pinggu.Errorf(pinggu.Conflict, "评估轮次%s不是考核轮次，没有阶段", code)
	}
	if r.Status.Finished() {
		return nil, pinggu.Errorf(pinggu.Conflict, "评估轮次%s%s，不能再调整阶段", code, pinggu.StatusLabel(r.Status))
	}
	fe := pinggu.FieldErrors{}
	slot := phase(&r.Assessment.Phases, name)
	if slot == nil {
		fe.Add("phase", "阶段须为selfAssessment（自评）、review（评审）、notice（公示）或appeals（申诉）")
	}
	if reason = strings.TrimSpace(reason); reason == "" || len([]rune(reason)) > 500 {
		fe.Add("reason", "请写明调整阶段的理由（不超过500字）")
	}
	if err := fe.Err("阶段调整有误"); err != nil {
		return nil, err
	}
	was, loc := *slot, r.Location()
	*slot = &w
	if err := r.Validate(); err != nil {
		return nil, err
	}
	old := r.UpdatedAt
	r.UpdatedAt = s.stamp()
	if err := s.store.UpdateRound(ctx, r, old); err != nil {
		return nil, err
	}
	words := func(w *pinggu.Window) string {
		if w == nil {
			return "未设"
		}
		return w.Opens.In(loc).Format("1月2日15:04") + "至" + w.Closes.In(loc).Format("1月2日15:04")
	}
	if err := pinggu.Audit(ctx, s.store, "round.phase", "round/"+code, fmt.Sprintf("%s期：%s → %s，理由：%s", phaseNames[name], words(was), words(&w), reason)); err != nil {
		return nil, err
	}
	return r, s.changed(ctx, r)
}

// startedPhaseChanged names a phase that had begun by now and whose window
// an ordinary edit changes: such a change needs SetPhase and its reason.
func startedPhaseChanged(old, r *pinggu.Round, now time.Time) string {
	if old.Assessment == nil || r.Assessment == nil {
		return ""
	}
	for _, name := range []string{"selfAssessment", "review", "notice", "appeals"} {
		was, is := *phase(&old.Assessment.Phases, name), *phase(&r.Assessment.Phases, name)
		if was != nil && !now.Before(was.Opens) && (is == nil || !is.Opens.Equal(was.Opens) || !is.Closes.Equal(was.Closes)) {
			return phaseNames[name]
		}
	}
	return ""
}
