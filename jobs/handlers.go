package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"pinggu"
)

// Store is everything the round jobs need.
type Store interface {
	RoundStore
	CompileStore
	Tallies(ctx context.Context, round string) ([]pinggu.Tally, error)
	SelfSheets(ctx context.Context, round string) ([]pinggu.SelfSheet, error)
}

// Handlers run a round's tasks. Every handler re-reads the round and does
// nothing when the task no longer matches it (rescheduled, cancelled,
// already done), so late, duplicate and stale tasks are harmless.
type Handlers struct {
	store    Store
	sched    *Scheduler
	rounds   Lifecycle
	compiler *Compiler
	now      func() time.Time
	log      *slog.Logger
	observe  func(typ string, ok bool, d time.Duration) // optional: metrics
}

// Observe has every job's type, outcome and duration reported to fn.
func (h *Handlers) Observe(fn func(typ string, ok bool, d time.Duration)) { h.observe = fn }

// Lifecycle makes the transitions the jobs are due to make (package
// rounds), with their side effects; the handlers decide only whether a
// task still applies.
type Lifecycle interface {
	Open(ctx context.Context, code string) (*pinggu.Round, error)
	Close(ctx context.Context, code string) error
	MarkCompiled(ctx context.Context, code, report string) error
}

// NewHandlers returns the round task handlers.
func NewHandlers(store Store, sched *Scheduler, rounds Lifecycle, compiler *Compiler, now func() time.Time, log *slog.Logger) *Handlers {
	return &Handlers{store: store, sched: sched, rounds: rounds, compiler: compiler, now: now, log: log}
}

// Register adds every round handler to mux.
func (h *Handlers) Register(mux *asynq.ServeMux) {
	mux.Handle(TypeRoundOpen, h.tracked(h.open))
	mux.Handle(TypeRoundClose, h.tracked(h.close))
	mux.Handle(TypeRoundCompile, h.tracked(h.compile))
	mux.Handle(TypeRoundProgress, h.tracked(h.progress))
	mux.Handle(TypeRoundLedger, h.tracked(h.ledger))
	mux.Handle(TypeRoundSelfRemind, h.tracked(h.selfRemind))
	mux.Handle(TypeRoundRemind, h.tracked(h.remind))
	mux.Handle(TypeRoundExport, h.tracked(h.export))
}

// jobRun is what a handler learns about its run.
type jobRun struct {
	id     string
	typ    string
	round  string
	h      *Handlers
	note   string
	report string
}

func (j *jobRun) progress(done float64) {
	_ = j.h.store.RecordJob(context.Background(), &pinggu.Job{ID: j.id, Type: j.typ, Round: j.round, State: pinggu.JobRunning, Progress: done})
}

type roundHandler func(ctx context.Context, p RoundPayload, run *jobRun) error

// tracked decodes the payload (an undecodable one is not retried), names
// the job as the actor of what it changes, and records its state, progress
// and last error where the API shows them.
func (h *Handlers) tracked(fn roundHandler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		p, err := decodePayload(t)
		if err != nil {
			return err
		}
		id, _ := asynq.GetTaskID(ctx)
		retried, _ := asynq.GetRetryCount(ctx)
		maxRetry, _ := asynq.GetMaxRetry(ctx)
		run := &jobRun{id: id, typ: t.Type(), round: p.Round, h: h}
		rec := context.WithoutCancel(ctx) // record the outcome even when ctx was cancelled
		_ = h.store.RecordJob(rec, &pinggu.Job{ID: id, Type: t.Type(), Round: p.Round, State: pinggu.JobRunning,
			Attempts: retried + 1, StartedAt: h.now().UTC()})
		began := time.Now()
		err = fn(pinggu.WithActor(ctx, "job:"+t.Type()), p, run)
		if h.observe != nil {
			h.observe(t.Type(), err == nil, time.Since(began))
		}
		j := &pinggu.Job{ID: id, Type: t.Type(), Round: p.Round, State: pinggu.JobSucceeded, Progress: 1,
			Note: run.note, Report: run.report, FinishedAt: h.now().UTC()}
		if err != nil {
			j.State, j.Progress, j.Error = pinggu.JobRetrying, 0, err.Error()
			if retried >= maxRetry || errors.Is(err, asynq.SkipRetry) {
				j.State = pinggu.JobFailed
			}
			h.log.Error("job failed", "task", id, "attempt", retried+1, "err", err)
		}
		_ = h.store.RecordJob(rec, j)
		return err
	})
}

// matches reports whether a scheduled task still belongs to the round's
// current schedule (the time is in seconds, as stored in the task).
func matches(p RoundPayload, want time.Time) bool { return p.At == ceilSecond(want).Unix() }

func (h *Handlers) open(ctx context.Context, p RoundPayload, run *jobRun) error {
	r, err := h.store.Round(ctx, p.Round)
	if err != nil {
		return skipMissing(err)
	}
	if !matches(p, r.OpensAt) || r.Status != pinggu.StatusScheduled {
		run.note = "轮次已变化，无需开放" // a closed round is never reopened
		return nil
	}
	_, err = h.rounds.Open(ctx, p.Round)
	return err
}

func (h *Handlers) close(ctx context.Context, p RoundPayload, run *jobRun) error {
	r, err := h.store.Round(ctx, p.Round)
	if err != nil {
		return skipMissing(err)
	}
	if !matches(p, r.ClosesAt) || !r.Status.Collecting() {
		run.note = "轮次已变化，无需关闭"
		return nil
	}
	if err := h.until(ctx, r.ClosesAt, "close of "+p.Round); err != nil {
		return err
	}
	return h.rounds.Close(ctx, p.Round)
}

// until waits for t by the product's clock: asynq may start a task up to a
// second early, and a close or final compile must never run before its
// time. A task more than 10 s early fails (and is retried), as does one
// whose time has not come 15 s later.
func (h *Handlers) until(ctx context.Context, t time.Time, what string) error {
	if early := t.Sub(h.now()); early > 10*time.Second {
		return fmt.Errorf("%s fired %s early", what, early)
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	give := time.After(15 * time.Second)
	for h.now().Before(t) {
		select {
		case <-tick.C:
		case <-give:
			return fmt.Errorf("%s: its time %s has not come", what, t.Format(time.RFC3339))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// compile is the final compile at compile time, or a compile started by
// hand (At = 0): final once the round has closed, provisional before.
func (h *Handlers) compile(ctx context.Context, p RoundPayload, run *jobRun) error {
	r, err := h.store.Round(ctx, p.Round)
	if err != nil {
		return skipMissing(err)
	}
	if p.At != 0 {
		if !matches(p, r.CompileTime()) || !r.Status.Finished() && !r.Status.Collecting() {
			run.note = "轮次已变化，无需汇总"
			return nil
		}
		if err := h.until(ctx, r.CompileTime(), "final compile of "+p.Round); err != nil {
			return err
		}
		if r, err = h.store.Round(ctx, p.Round); err != nil { // the close may have run meanwhile
			return skipMissing(err)
		}
		// Due together after a pause, the final compile may run before the
		// close: close first, so the final compile is final.
		if r.Status.Collecting() && !h.now().Before(r.ClosesAt) {
			if err := h.rounds.Close(ctx, p.Round); err != nil {
				return err
			}
			if r, err = h.store.Round(ctx, p.Round); err != nil {
				return err
			}
		}
	}
	final := r.Status.Finished()
	rep, err := h.compiler.Compile(ctx, p.Round, final, h.expected(ctx, p.Round), run.progress)
	if err != nil {
		return err
	}
	run.report, run.note = rep.ID, fmt.Sprintf("%d份答卷", rep.Responses)
	if r.Status == pinggu.StatusClosed {
		return h.rounds.MarkCompiled(ctx, p.Round, rep.ID)
	}
	return nil
}

// progress is a provisional compile while the round collects; it queues
// the next one itself.
func (h *Handlers) progress(ctx context.Context, p RoundPayload, run *jobRun) error {
	r, err := h.store.Round(ctx, p.Round)
	if err != nil {
		return skipMissing(err)
	}
	if !r.Status.Collecting() {
		run.note = "轮次未在进行，无需阶段性汇总"
		return nil
	}
	rep, err := h.compiler.Compile(ctx, p.Round, false, h.expected(ctx, p.Round), run.progress)
	if err != nil {
		return err
	}
	run.report = rep.ID
	return h.sched.Sync(ctx, r) // queues the next slot
}

// remind lists the units still behind their quota.
func (h *Handlers) remind(ctx context.Context, p RoundPayload, run *jobRun) error {
	r, err := h.store.Round(ctx, p.Round)
	if err != nil {
		return skipMissing(err)
	}
	due := slices.ContainsFunc(r.Schedule.Reminders, func(t time.Time) bool { return matches(p, t) })
	if !due || !r.Status.Collecting() {
		run.note = "提醒已取消"
		return nil
	}
	ts, err := h.store.Tallies(ctx, p.Round)
	if err != nil {
		return err
	}
	got := map[string]int{}
	for _, t := range ts {
		got[t.Unit] = t.Received
	}
	var behind []string
	for _, u := range r.Units {
		if q := r.Quotas[u]; q > 0 && got[u] < q {
			behind = append(behind, fmt.Sprintf("%s %d/%d", u, got[u], q))
		}
	}
	run.note = "未达配额：" + strings.Join(behind, "，")
	if len(behind) == 0 {
		run.note = "各单位均已达到配额"
	}
	h.log.Info("reminder", "round", p.Round, "behind", len(behind))
	return nil
}

func (h *Handlers) export(ctx context.Context, p RoundPayload, run *jobRun) error {
	reps, err := h.compiler.Export(ctx, p.Round, run.progress)
	if err != nil {
		return skipMissing(err)
	}
	ids := make([]string, len(reps))
	for i, r := range reps {
		ids[i] = r.ID
	}
	run.report = strings.Join(ids, ",")
	return nil
}

// selfRemind lists, a day before an assessment round's self-assessment
// closes, the units that have not submitted theirs (for the job record
// and the log, which the dashboard and an operator's alerting read).
func (h *Handlers) selfRemind(ctx context.Context, p RoundPayload, run *jobRun) error {
	r, err := h.store.Round(ctx, p.Round)
	if err != nil {
		return skipMissing(err)
	}
	at, due := selfRemindAt(r)
	if !due || !matches(p, at) || !r.Status.Collecting() {
		run.note = "提醒已取消"
		return nil
	}
	sheets, err := h.store.SelfSheets(ctx, p.Round)
	if err != nil {
		return err
	}
	units, err := h.store.Units(ctx)
	if err != nil {
		return err
	}
	state := map[string]pinggu.SheetState{}
	for _, sh := range sheets {
		state[sh.Unit] = sh.State
	}
	var behind []string
	for _, u := range pinggu.RoundUnits(units, r.Units) {
		switch state[u.Code] {
		case pinggu.SheetEmpty, pinggu.SheetDrafting, pinggu.SheetReturned:
			behind = append(behind, u.Name+"（"+pinggu.SheetStateLabel(state[u.Code])+"）")
		}
	}
	run.note = "自评尚未提交：" + strings.Join(behind, "、")
	if len(behind) == 0 {
		run.note = "各单位均已提交自评"
	}
	h.log.Info("self-assessment reminder", "round", p.Round, "behind", len(behind))
	return nil
}

// ledger writes the round's 整改台账.
func (h *Handlers) ledger(ctx context.Context, p RoundPayload, run *jobRun) error {
	rep, err := h.compiler.Ledger(ctx, p.Round)
	if err != nil {
		return skipMissing(err)
	}
	run.report = rep.ID
	return nil
}

// expected is the number of responses the tallies count, for progress.
func (h *Handlers) expected(ctx context.Context, round string) int {
	ts, err := h.store.Tallies(ctx, round)
	if err != nil {
		return 0
	}
	n := 0
	for _, t := range ts {
		n += t.Received
	}
	return n
}

// skipMissing stops retrying a task whose round was deleted or never existed.
func skipMissing(err error) error {
	if pinggu.ErrorCode(err) == pinggu.NotFound {
		return fmt.Errorf("%v: %w", err, asynq.SkipRetry)
	}
	return err
}
