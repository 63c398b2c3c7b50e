// Package rounds owns the round life cycle: creating and editing a round
// and every transition of its status — schedule, cancel, open, close, mark
// compiled, publish — with all their side effects in one place: the queue
// is brought in step (Queue.Sync), this replica's cached survey forms are
// dropped (Forms.ForgetRound), and history and audit are written. The
// HTTP API, the console and the job handlers call it and hold no
// transition logic of their own.
package rounds

import (
	"context"
	"fmt"
	"strings"
	"time"

	"pinggu"
)

// Store is what the life cycle needs from the database.
type Store interface {
	CreateRound(ctx context.Context, r *pinggu.Round) error
	UpdateRound(ctx context.Context, r *pinggu.Round, ifUpdatedAt time.Time) error
	Round(ctx context.Context, code string) (*pinggu.Round, error)
	TransitionRound(ctx context.Context, code string, from []pinggu.RoundStatus, t pinggu.Transition) (*pinggu.Round, error)
	Questionnaire(ctx context.Context, code string, version int) (*pinggu.Questionnaire, error)
	Units(ctx context.Context) ([]pinggu.Unit, error)
	Plan(ctx context.Context, code string) (*pinggu.Plan, error)
	IndicatorSystem(ctx context.Context, code string, version int) (*pinggu.IndicatorSystem, error)
	pinggu.Auditor
}

// Queue keeps a round's scheduled tasks in step with it (the jobs
// package's Scheduler).
type Queue interface {
	Sync(ctx context.Context, r *pinggu.Round) error
}

// Forms caches survey forms per replica (the survey service).
type Forms interface {
	ForgetRound(code string)
}

// Service runs the round life cycle.
type Service struct {
	store Store
	queue Queue
	forms Forms
	now   func() time.Time
}

// New returns the life-cycle service; now is injectable for tests.
func New(store Store, queue Queue, forms Forms, now func() time.Time) *Service {
	return &Service{store: store, queue: queue, forms: forms, now: now}
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// changed applies the side effects every change of a round has: this
// replica's forms are dropped and the queue follows the round.
func (s *Service) changed(ctx context.Context, r *pinggu.Round) error {
	s.forms.ForgetRound(r.Code)
	return s.queue.Sync(ctx, r)
}

// Create adds a round, pinning its questionnaire version (the latest
// unless one is named).
func (s *Service) Create(ctx context.Context, r *pinggu.Round) error {
	if err := s.check(ctx, r); err != nil {
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

// Update replaces a round's settings; its status and history change
// only through transitions. Once a round has opened its questionnaire
// version is frozen: respondents have answered that version. A round whose
// collection has ended is not edited any more.
func (s *Service) Update(ctx context.Context, code string, r *pinggu.Round) error {
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
	if err := s.check(ctx, r); err != nil {
		return err
	}
	if p := startedPhaseChanged(old, r, s.now()); p != "" {
		return pinggu.Errorf(pinggu.Conflict, "%s期已经开始，调整须单独说明理由（调整阶段）", p)
	}
	if opened && (r.Questionnaire != old.Questionnaire || r.QuestionnaireVersion != old.QuestionnaireVersion) {
		return pinggu.Errorf(pinggu.Conflict, "评估轮次%s已开放，问卷已冻结为%s第%d版，不能更换",
			code, old.Questionnaire, old.QuestionnaireVersion)
	}
	r.CreatedAt, r.UpdatedAt = old.CreatedAt, s.stamp()
	if err := s.store.UpdateRound(ctx, r, old.UpdatedAt); err != nil {
		return err
	}
	s.forms.ForgetRound(r.Code)
	// The change is made: audit it before the queue, which may be away.
	if err := pinggu.Audit(ctx, s.store, "round.update", "round/"+r.Code, "修改前："+roundSummary(old)+"；修改后："+roundSummary(r)); err != nil {
		return err
	}
	if r.Status.Collecting() { // new times move the queued tasks
		return s.queue.Sync(ctx, r)
	}
	return nil
}

func (s *Service) check(ctx context.Context, r *pinggu.Round) error {
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

// Schedule puts a draft round on the schedule (or re-plans a scheduled or
// open one after its times changed) and queues its tasks.
func (s *Service) Schedule(ctx context.Context, code string) (*pinggu.Round, error) {
	r, err := s.store.Round(ctx, code)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Status == pinggu.StatusDraft:
		r, err = s.store.TransitionRound(ctx, code, []pinggu.RoundStatus{pinggu.StatusDraft},
			pinggu.Transition{To: pinggu.StatusScheduled, At: s.stamp(), By: pinggu.Actor(ctx)})
		if err != nil {
			return nil, err
		}
	case r.Status.Finished():
		return nil, pinggu.Errorf(pinggu.Conflict, "评估轮次%s%s，不能再排期", code, pinggu.StatusLabel(r.Status))
	}
	return r, s.changed(ctx, r)
}

// Cancel takes a scheduled or open round back to draft and removes its tasks.
func (s *Service) Cancel(ctx context.Context, code string) (*pinggu.Round, error) {
	r, err := s.store.TransitionRound(ctx, code, []pinggu.RoundStatus{pinggu.StatusScheduled, pinggu.StatusOpen},
		pinggu.Transition{To: pinggu.StatusDraft, At: s.stamp(), By: pinggu.Actor(ctx), Note: "取消排期"})
	if err != nil {
		return nil, err
	}
	return r, s.changed(ctx, r)
}

// Open opens a scheduled round (its open job, at its opening time).
func (s *Service) Open(ctx context.Context, code string) (*pinggu.Round, error) {
	r, err := s.store.TransitionRound(ctx, code, []pinggu.RoundStatus{pinggu.StatusScheduled},
		pinggu.Transition{To: pinggu.StatusOpen, At: s.stamp(), By: pinggu.Actor(ctx)})
	if err != nil {
		return nil, err
	}
	return r, s.changed(ctx, r)
}

// Close ends collection. Of a close and a compile racing to do it, one
// wins and the other finds it done.
func (s *Service) Close(ctx context.Context, code string) error {
	r, err := s.store.TransitionRound(ctx, code, []pinggu.RoundStatus{pinggu.StatusScheduled, pinggu.StatusOpen},
		pinggu.Transition{To: pinggu.StatusClosed, At: s.stamp(), By: pinggu.Actor(ctx)})
	if pinggu.ErrorCode(err) == pinggu.Conflict && r != nil && r.Status.Finished() {
		return nil
	}
	if err != nil {
		return err
	}
	return s.changed(ctx, r)
}

// MarkCompiled records a closed round's final compile (report is its id);
// a round already past closed stays as it is.
func (s *Service) MarkCompiled(ctx context.Context, code, report string) error {
	r, err := s.store.TransitionRound(ctx, code, []pinggu.RoundStatus{pinggu.StatusClosed},
		pinggu.Transition{To: pinggu.StatusCompiled, At: s.stamp(), By: pinggu.Actor(ctx), Note: report})
	if pinggu.ErrorCode(err) == pinggu.Conflict {
		return nil
	}
	if err != nil {
		return err
	}
	return s.changed(ctx, r)
}

// Publish marks a compiled round's final results as published (发布).
func (s *Service) Publish(ctx context.Context, code string) (*pinggu.Round, error) {
	r, err := s.store.TransitionRound(ctx, code, []pinggu.RoundStatus{pinggu.StatusCompiled},
		pinggu.Transition{To: pinggu.StatusPublished, At: s.stamp(), By: pinggu.Actor(ctx)})
	if err != nil {
		return nil, err
	}
	return r, s.changed(ctx, r)
}
