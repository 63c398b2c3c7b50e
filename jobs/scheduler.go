package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"pinggu"
)

// RoundStore is what scheduling needs from the database.
type RoundStore interface {
	Round(ctx context.Context, code string) (*pinggu.Round, error)
	Rounds(ctx context.Context) ([]*pinggu.Round, error)
	RecordJob(ctx context.Context, j *pinggu.Job) error
	UnfinishedJobs(ctx context.Context) ([]pinggu.Job, error)
}

// Scheduler turns a round's schedule into queued tasks and keeps them in
// step with MongoDB: the round documents are the truth, the queue a
// projection of them that Sync (and Reconcile at start-up) rebuilds.
type Scheduler struct {
	rdb    redis.UniversalClient
	client *asynq.Client
	insp   *asynq.Inspector
	store  RoundStore
	now    func() time.Time
	log    *slog.Logger
}

// NewScheduler connects a scheduler to the queue.
func NewScheduler(r *Redis, store RoundStore, now func() time.Time, log *slog.Logger) *Scheduler {
	rdb := r.failFast()
	return &Scheduler{rdb: rdb, client: asynq.NewClientFromRedisClient(rdb), insp: asynq.NewInspectorFromRedisClient(rdb),
		store: store, now: now, log: log}
}

// Close releases the queue connection (asynq does not close one it was
// given).
func (s *Scheduler) Close() { s.rdb.Close() }

// CompileNow queues a compile to run at once and returns its job id; it is
// final if the round has closed, provisional otherwise.
func (s *Scheduler) CompileNow(ctx context.Context, code string) (string, error) {
	return s.onDemand(ctx, TypeRoundCompile, code)
}

// ExportNow queues a raw-data export and returns its job id.
func (s *Scheduler) ExportNow(ctx context.Context, code string) (string, error) {
	return s.onDemand(ctx, TypeRoundExport, code)
}

// LedgerNow queues the 整改台账 of a round.
func (s *Scheduler) LedgerNow(ctx context.Context, code string) (string, error) {
	return s.onDemand(ctx, TypeRoundLedger, code)
}

func (s *Scheduler) onDemand(ctx context.Context, typ, code string) (string, error) {
	if _, err := s.store.Round(ctx, code); err != nil {
		return "", err
	}
	task, opts, id := NewOnDemandTask(typ, code, s.now())
	if _, err := s.client.EnqueueContext(ctx, task, opts...); err != nil {
		return "", pinggu.Wrap(pinggu.Unavailable, err, "任务队列暂时不可用，请稍后重试")
	}
	if err := s.store.RecordJob(ctx, &pinggu.Job{ID: id, Type: typ, Round: code, State: pinggu.JobQueued, CreatedAt: s.stamp()}); err != nil {
		return "", err
	}
	return id, nil
}

func (s *Scheduler) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// planned is one task a round should have in the queue.
type planned struct {
	typ string
	at  time.Time
}

// plan lists the tasks a round in its current status needs from now on.
// Times in the past are kept: the task then runs at once, which is how a
// restart catches up on a close or a compile it slept through.
func plan(r *pinggu.Round, now time.Time) []planned {
	var out []planned
	if r.Status == pinggu.StatusScheduled {
		out = append(out, planned{TypeRoundOpen, r.OpensAt})
	}
	if r.Status.Collecting() {
		out = append(out, planned{TypeRoundClose, r.ClosesAt})
		for _, t := range r.Schedule.Reminders {
			if t.After(now) {
				out = append(out, planned{TypeRoundRemind, t})
			}
		}
		if slot, ok := nextSlot(r, now); ok {
			out = append(out, planned{TypeRoundProgress, slot})
		}
		if w := noticeOf(r); w != nil && w.Opens.After(now) {
			// Opening the notice publishes its provisional results.
			out = append(out, planned{TypeRoundProgress, w.Opens})
		}
		if at, ok := selfRemindAt(r); ok && at.After(now) {
			out = append(out, planned{TypeRoundSelfRemind, at})
		}
	}
	if r.Status.Collecting() || r.Status == pinggu.StatusClosed {
		out = append(out, planned{TypeRoundCompile, r.CompileTime()})
	}
	return out
}

// selfRemindAt is when units behind with their self-assessment are
// listed: a day before its phase closes (half way through a phase
// shorter than two days); ok is false without such a phase.
func selfRemindAt(r *pinggu.Round) (time.Time, bool) {
	if r.Assessment == nil || r.Assessment.Phases.SelfAssessment == nil {
		return time.Time{}, false
	}
	w := r.Assessment.Phases.SelfAssessment
	at := w.Closes.Add(-24 * time.Hour)
	if !at.After(w.Opens) {
		at = w.Opens.Add(w.Closes.Sub(w.Opens) / 2)
	}
	return at, true
}

// noticeOf is an assessment round's notice phase (公示), if it has one.
func noticeOf(r *pinggu.Round) *pinggu.Window {
	if r.Assessment == nil {
		return nil
	}
	return r.Assessment.Phases.Notice
}

// nextSlot is the next provisional compile after now: slots fall every
// period from opensAt, and only while the round is open.
func nextSlot(r *pinggu.Round, now time.Time) (time.Time, bool) {
	p := r.ProgressPeriod()
	if p <= 0 {
		return time.Time{}, false
	}
	k := int64(1)
	if now.After(r.OpensAt) {
		k = int64(now.Sub(r.OpensAt)/p) + 1
	}
	slot := r.OpensAt.Add(time.Duration(k) * p)
	return slot, slot.Before(r.ClosesAt)
}

// Sync makes the queue hold exactly the round's planned tasks: it enqueues
// the missing ones first, then deletes those of an earlier plan, so a crash
// between the two leaves an extra task (which finds the round changed and
// does nothing), never a missing one.
func (s *Scheduler) Sync(ctx context.Context, r *pinggu.Round) error {
	want := map[string]bool{}
	for _, p := range plan(r, s.now()) {
		task, opts := NewRoundTask(p.typ, r.Code, p.at)
		id := TaskID(p.typ, r.Code, p.at)
		want[id] = true
		if err := s.enqueue(ctx, task, opts, id); err != nil {
			return err
		}
	}
	queued, err := s.roundTasks(r.Code)
	if err != nil {
		return err
	}
	for _, id := range queued {
		if want[id] {
			continue
		}
		if err := s.insp.DeleteTask(Queue, id); err != nil && !gone(err) {
			s.log.Warn("stale task not deleted", "task", id, "err", err)
		}
	}
	return nil
}

// enqueue adds a task once. An id conflict means the task exists: fine,
// unless it was archived (it failed for good), in which case it is
// replaced so the schedule still happens.
func (s *Scheduler) enqueue(ctx context.Context, task *asynq.Task, opts []asynq.Option, id string) error {
	_, err := s.client.EnqueueContext(ctx, task, opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		info, ierr := s.insp.GetTaskInfo(Queue, id)
		if ierr != nil || info.State != asynq.TaskStateArchived {
			return nil
		}
		s.log.Warn("replacing an archived task that is still due", "task", id, "lastErr", info.LastErr)
		if err := s.insp.DeleteTask(Queue, id); err != nil && !gone(err) {
			return pinggu.Wrap(pinggu.Unavailable, err, "任务队列暂时不可用")
		}
		_, err = s.client.EnqueueContext(ctx, task, opts...)
	}
	if err != nil {
		return pinggu.Wrap(pinggu.Unavailable, err, "任务队列暂时不可用，请稍后重试")
	}
	return nil
}

// gone reports errors meaning the task or its queue no longer exists.
// After Redis lost its data, asynq reports a missing queue, not a missing task.
func gone(err error) bool {
	return errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound)
}

// roundTasks lists the ids of the round's scheduled, pending and retrying tasks.
func (s *Scheduler) roundTasks(code string) ([]string, error) {
	// An asynq client registers a queue only on its first enqueue; after
	// Redis lost its data the inspector then finds no queue and lists
	// nothing (hibiken/asynq PR #1036). Register it again: asynq v0.26
	// keeps its queue names in the set "asynq:queues".
	if err := s.rdb.SAdd(context.Background(), "asynq:queues", Queue).Err(); err != nil {
		return nil, pinggu.Wrap(pinggu.Unavailable, err, "任务队列暂时不可用")
	}
	var ids []string
	lists := []func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){
		s.insp.ListScheduledTasks, s.insp.ListPendingTasks, s.insp.ListRetryTasks}
	for _, list := range lists {
		for page := 1; ; page++ {
			infos, err := list(Queue, asynq.PageSize(500), asynq.Page(page))
			if errors.Is(err, asynq.ErrQueueNotFound) {
				break
			}
			if err != nil {
				return nil, pinggu.Wrap(pinggu.Unavailable, err, "任务队列暂时不可用")
			}
			for _, t := range infos {
				if _, round, _, ok := parseTaskID(t.ID); ok && round == code {
					ids = append(ids, t.ID)
				}
			}
			if len(infos) < 500 {
				break
			}
		}
	}
	return ids, nil
}

// Reconcile rebuilds the queue from MongoDB for every round that still has
// work ahead: run at start-up, it makes a Redis that lost everything (the
// in-process one always does) miss nothing.
func (s *Scheduler) Reconcile(ctx context.Context) error {
	rounds, err := s.store.Rounds(ctx)
	if err != nil {
		return err
	}
	n := 0
	for _, r := range rounds {
		if !r.Status.Collecting() && r.Status != pinggu.StatusClosed {
			continue
		}
		if err := s.Sync(ctx, r); err != nil {
			return fmt.Errorf("reconcile round %s: %w", r.Code, err)
		}
		n++
	}
	s.log.Info("schedule reconciled", "rounds", n)
	return s.resume(ctx)
}

// resume puts back the jobs asked for now that the jobs collection — the
// truth — shows unfinished but the queue no longer holds (an in-process
// Redis keeps nothing across a restart; a real one may have lost its
// data). A job whose round is gone is marked failed, with the reason.
func (s *Scheduler) resume(ctx context.Context) error {
	js, err := s.store.UnfinishedJobs(ctx)
	if err != nil {
		return err
	}
	for _, j := range js {
		if !strings.Contains(j.ID, onDemandMark) {
			continue // scheduled tasks come back through Sync
		}
		if _, err := s.insp.GetTaskInfo(Queue, j.ID); err == nil {
			continue
		} else if !gone(err) {
			return pinggu.Wrap(pinggu.Unavailable, err, "任务队列暂时不可用")
		}
		if _, err := s.store.Round(ctx, j.Round); pinggu.ErrorCode(err) == pinggu.NotFound {
			if err := s.store.RecordJob(ctx, &pinggu.Job{ID: j.ID, Type: j.Type, Round: j.Round, State: pinggu.JobFailed,
				Error: "评估轮次已不存在，任务未能在重启后继续", FinishedAt: s.stamp()}); err != nil {
				return err
			}
			continue
		} else if err != nil {
			return err
		}
		task, opts := onDemandTask(j.Type, j.Round, j.ID)
		if err := s.enqueue(ctx, task, opts, j.ID); err != nil {
			return err
		}
		if err := s.store.RecordJob(ctx, &pinggu.Job{ID: j.ID, Type: j.Type, Round: j.Round, State: pinggu.JobQueued,
			Note: "服务重启后重新排队"}); err != nil {
			return err
		}
		s.log.Info("job asked for before a restart queued again", "job", j.ID)
	}
	return nil
}

// ReconcileUntilDone reconciles now and, while the queue or the database
// does not answer, again every interval until it succeeds or ctx ends:
// jobs catch up once Redis is back.
func (s *Scheduler) ReconcileUntilDone(ctx context.Context, interval time.Duration) {
	for {
		err := s.Reconcile(ctx)
		if err == nil {
			return
		}
		s.log.Warn("schedule not reconciled yet; retrying", "err", err, "in", interval)
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// Tasks lists the round's queued tasks with their times, for the API.
func (s *Scheduler) Tasks(code string) ([]QueuedTask, error) {
	ids, err := s.roundTasks(code)
	if err != nil {
		return nil, err
	}
	out := make([]QueuedTask, 0, len(ids))
	for _, id := range ids {
		typ, _, at, _ := parseTaskID(id)
		out = append(out, QueuedTask{ID: id, Type: typ, At: time.Unix(at, 0).UTC()})
	}
	return out, nil
}

// QueuedTask is one task waiting in the queue.
type QueuedTask struct {
	ID   string    `json:"id"`
	Type string    `json:"type"`
	At   time.Time `json:"at"`
}

// QueueSizes counts the queue's tasks by state, for monitoring.
func (s *Scheduler) QueueSizes() (map[string]int, error) {
	info, err := s.insp.GetQueueInfo(Queue)
	if errors.Is(err, asynq.ErrQueueNotFound) {
		return map[string]int{}, nil
	}
	if err != nil {
		return nil, err
	}
	return map[string]int{"pending": info.Pending, "active": info.Active, "scheduled": info.Scheduled,
		"retry": info.Retry, "archived": info.Archived}, nil
}
