package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/xuri/excelize/v2"

	"pinggu"
	"pinggu/jobs"
	"pinggu/quality"
	"pinggu/rounds"
	"pinggu/store"
	"pinggu/store/storetest"
	"pinggu/survey"
)

// env is a store, a queue (real or in-process Redis) and a scheduler.
type env struct {
	t      *testing.T
	store  *store.Store
	redis  *jobs.Redis
	sched  *jobs.Scheduler
	rounds *rounds.Service
	log    *slog.Logger
}

func forEachRedis(t *testing.T, fn func(t *testing.T, e *env)) {
	eachRedis(t, func(t *testing.T, r *jobs.Redis) {
		e := &env{t: t, store: storetest.New(t), log: slog.New(slog.NewTextHandler(io.Discard, nil)), redis: r}
		e.sched = jobs.NewScheduler(e.redis, e.store, time.Now, e.log)
		t.Cleanup(e.sched.Close)
		e.rounds = rounds.New(e.store, e.sched, survey.New(e.store, time.Now, "k", "s", e.log), time.Now)
		fn(t, e)
	})
}

// flush makes the queue lose everything, as a restarted in-process Redis does.
func (e *env) flush() {
	e.t.Helper()
	c := redis.NewClient(&redis.Options{Addr: e.redis.Opt.Addr, Password: e.redis.Opt.Password, DB: e.redis.Opt.DB})
	defer c.Close()
	if err := c.FlushDB(context.Background()).Err(); err != nil {
		e.t.Fatal(err)
	}
}

func score(v float64) *float64 { return &v }

// seed stores a unit, a questionnaire and a round in the given status.
func (e *env) seed(status pinggu.RoundStatus, opens, closes time.Time, sched pinggu.Schedule) {
	e.t.Helper()
	ctx := context.Background()
	must := func(err error) {
		if err != nil {
			e.t.Fatal(err)
		}
	}
	must(e.store.CreateUnit(ctx, &pinggu.Unit{Code: "u1", Name: "崇川区", Type: pinggu.County, PeerGroup: "县市区"}))
	must(e.store.CreateQuestionnaire(ctx, &pinggu.Questionnaire{Code: "q", Title: "t", Questions: []pinggu.Question{
		{Code: "Q1", Type: pinggu.Scale, Text: "满意吗", Options: []pinggu.Option{{Code: "5", Label: "很满意", Score: score(100)},
			{Code: "1", Label: "很不满意", Score: score(20)}, {Code: "9", Label: "不清楚"}}}}}))
	must(e.store.CreateRound(ctx, &pinggu.Round{Code: "r1", Title: "测评", Kind: pinggu.Satisfaction, Questionnaire: "q",
		QuestionnaireVersion: 1, Units: []string{"u1"}, OpensAt: opens, ClosesAt: closes, Timezone: pinggu.DefaultTimezone,
		Schedule: sched, Status: status, CreatedAt: time.Now(),
		Scoring: pinggu.Scoring{MinSample: 1, MinEffective: 1}})) // a handful of responses are scored here
}

func (e *env) taskIDs() []string {
	e.t.Helper()
	ts, err := e.sched.Tasks("r1")
	if err != nil {
		e.t.Fatal(err)
	}
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	sort.Strings(ids)
	return ids
}

func ids(typesAt ...any) []string {
	var out []string
	for i := 0; i < len(typesAt); i += 2 {
		out = append(out, jobs.TaskID(typesAt[i].(string), "r1", typesAt[i+1].(time.Time)))
	}
	sort.Strings(out)
	return out
}

func equal(a, b []string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func TestScheduleRescheduleCancelReconcile(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		ctx := pinggu.WithActor(context.Background(), "admin")
		opens := time.Now().Add(time.Hour).Truncate(time.Second)
		closes := opens.Add(2 * time.Hour)
		remind := opens.Add(time.Hour)
		e.seed(pinggu.StatusDraft, opens, closes, pinggu.Schedule{Reminders: []time.Time{remind}, ProgressMinutes: 30})

		r, err := e.rounds.Schedule(ctx, "r1")
		if err != nil || r.Status != pinggu.StatusScheduled {
			t.Fatalf("schedule: %v %v", r, err)
		}
		want := ids(jobs.TypeRoundOpen, opens, jobs.TypeRoundClose, closes, jobs.TypeRoundRemind, remind,
			jobs.TypeRoundProgress, opens.Add(30*time.Minute), jobs.TypeRoundCompile, closes.Add(10*time.Minute))
		if got := e.taskIDs(); !equal(got, want) {
			t.Fatalf("tasks = %v\nwant %v", got, want)
		}
		// Scheduling again changes nothing.
		if _, err := e.rounds.Schedule(ctx, "r1"); err != nil || !equal(e.taskIDs(), want) {
			t.Fatalf("reschedule unchanged: %v %v", e.taskIDs(), err)
		}

		// Reschedule: the close moves an hour later; its old task goes.
		r.ClosesAt = closes.Add(time.Hour)
		r.UpdatedAt = time.Now()
		if err := e.store.UpdateRound(ctx, r, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if err := e.sched.Sync(ctx, r); err != nil {
			t.Fatal(err)
		}
		want = ids(jobs.TypeRoundOpen, opens, jobs.TypeRoundClose, r.ClosesAt, jobs.TypeRoundRemind, remind,
			jobs.TypeRoundProgress, opens.Add(30*time.Minute), jobs.TypeRoundCompile, r.ClosesAt.Add(10*time.Minute))
		if got := e.taskIDs(); !equal(got, want) {
			t.Fatalf("after reschedule = %v\nwant %v", got, want)
		}

		// Redis loses everything; the reconciler rebuilds it from MongoDB.
		e.flush()
		if got := e.taskIDs(); len(got) != 0 {
			t.Fatalf("after flush = %v", got)
		}
		if err := e.sched.Reconcile(ctx); err != nil {
			t.Fatal(err)
		}
		if got := e.taskIDs(); !equal(got, want) {
			t.Fatalf("after reconcile = %v\nwant %v", got, want)
		}

		r, err = e.rounds.Cancel(ctx, "r1")
		if err != nil || r.Status != pinggu.StatusDraft {
			t.Fatalf("cancel: %v %v", r, err)
		}
		if got := e.taskIDs(); len(got) != 0 {
			t.Fatalf("after cancel = %v", got)
		}
		h := r.History
		if len(h) != 2 || h[0].To != pinggu.StatusScheduled || h[0].By != "admin" || h[1].To != pinggu.StatusDraft {
			t.Fatalf("history = %+v", h)
		}
	})
}

// failingStore fails the first response stream, as a dropped connection would.
type failingStore struct {
	*store.Store
	fails atomic.Int32
}

func (f *failingStore) EachResponse(ctx context.Context, round string, fn func(*pinggu.Response) error) error {
	if f.fails.Add(-1) >= 0 {
		return errors.New("connection reset by peer")
	}
	return f.Store.EachResponse(ctx, round, fn)
}

func (e *env) startWorker(st jobs.Store) {
	e.t.Helper()
	w := jobs.NewWorker(e.redis, e.log, jobs.WorkerOptions{PollInterval: 50 * time.Millisecond,
		RetryDelay: func(int, error, *asynq.Task) time.Duration { return 50 * time.Millisecond }})
	jobs.NewHandlers(st, e.sched, e.rounds, jobs.NewCompiler(st, time.Now), time.Now, e.log).Register(w.Mux())
	if err := w.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(w.Shutdown)
}

func (e *env) waitStatus(want pinggu.RoundStatus) *pinggu.Round {
	e.t.Helper()
	// Generous: the whole suite shares two cores, and only the outcome is asserted.
	deadline := time.Now().Add(60 * time.Second)
	for {
		r, err := e.store.Round(context.Background(), "r1")
		if err != nil {
			e.t.Fatal(err)
		}
		if r.Status == want {
			return r
		}
		if time.Now().After(deadline) {
			js, _ := e.store.Jobs(context.Background(), "r1", 20)
			e.t.Fatalf("status %s, want %s; jobs %+v", r.Status, want, js)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLateTasksAfterRestart: the process was down over the close and the
// compile; at start-up the reconciler queues both with past times, they run
// at once, and the round ends closed and compiled with a final report. A
// stale open task then does not reopen it.
func TestLateTasksAfterRestart(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		now := time.Now()
		e.seed(pinggu.StatusOpen, now.Add(-2*time.Hour), now.Add(-time.Minute), pinggu.Schedule{CompileAt: now.Add(-30 * time.Second)})
		for i, a := range []string{"5", "5", "1", "9"} {
			if _, err := e.store.InsertResponse(ctx, &pinggu.Response{ID: fmt.Sprintf("resp-%04d", i), Round: "r1", Unit: "u1",
				Questionnaire: "q", QuestionnaireVersion: 1, Answers: pinggu.Answers{"Q1": {a}}, Channel: pinggu.ChannelWeb,
				SubmittedAt: now.Add(-time.Hour).Add(time.Duration(i) * time.Second)}); err != nil {
				t.Fatal(err)
			}
		}
		e.startWorker(e.store)
		if err := e.sched.Reconcile(ctx); err != nil {
			t.Fatal(err)
		}
		r := e.waitStatus(pinggu.StatusCompiled)
		reps, err := scorecards(e.store.Reports(ctx, "r1"))
		if err != nil || len(reps) != 1 || !reps[0].Final || reps[0].Responses != 4 {
			t.Fatalf("reports = %+v, %v", reps, err)
		}
		// The compile's own job record comes after its queue sync, which
		// deletes the round's stale tasks: wait for it, or the sync may
		// delete the task below before it runs.
		waitJob(t, e, jobs.TaskID(jobs.TypeRoundCompile, "r1", r.CompileTime()), pinggu.JobSucceeded)
		// A stale open task for the old opening time runs and changes nothing.
		task, opts := jobs.NewRoundTask(jobs.TypeRoundOpen, "r1", r.OpensAt)
		client := asynq.NewClient(e.redis.Opt)
		defer client.Close()
		if _, err := client.Enqueue(task, opts...); err != nil {
			t.Fatal(err)
		}
		waitJob(t, e, jobs.TaskID(jobs.TypeRoundOpen, "r1", r.OpensAt), pinggu.JobSucceeded)
		if r2, _ := e.store.Round(ctx, "r1"); r2.Status != pinggu.StatusCompiled {
			t.Fatalf("open task changed a compiled round to %s", r2.Status)
		}

		// Compiling again with the same inputs is idempotent: one final report.
		id, err := e.sched.CompileNow(ctx, "r1")
		if err != nil {
			t.Fatal(err)
		}
		j := waitJob(t, e, id, pinggu.JobSucceeded)
		if reps2, _ := e.store.Reports(ctx, "r1"); len(reps2) != 2 || j.Report != reps[0].ID { // the scorecard and its method file
			t.Fatalf("rerun made reports %+v (job %+v)", reps2, j)
		}
	})
}

func waitJob(t *testing.T, e *env, id string, want pinggu.JobState) pinggu.Job {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		js, err := e.store.Jobs(context.Background(), "r1", 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range js {
			if j.ID == id && j.State == want {
				return j
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s never %s: %+v", id, want, js)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestFailedCompileRetries: the first attempt loses its connection; the
// job shows the error while it waits, then succeeds on retry.
func TestFailedCompileRetries(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		now := time.Now()
		e.seed(pinggu.StatusOpen, now.Add(-time.Hour), now.Add(time.Hour), pinggu.Schedule{ProgressMinutes: -1})
		fs := &failingStore{Store: e.store}
		fs.fails.Store(1)
		e.startWorker(fs)
		id, err := e.sched.CompileNow(ctx, "r1")
		if err != nil {
			t.Fatal(err)
		}
		j := waitJob(t, e, id, pinggu.JobSucceeded)
		if j.Attempts != 2 {
			t.Fatalf("attempts = %d, want 2", j.Attempts)
		}
		reps, _ := scorecards(e.store.Reports(ctx, "r1"))
		if len(reps) != 1 || reps[0].Final {
			t.Fatalf("reports = %+v, want one provisional", reps)
		}
	})
}

// TestUndecodablePayloadIsNotRetried: such a task is archived at once.
func TestUndecodablePayloadIsNotRetried(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		e.startWorker(e.store)
		client := asynq.NewClient(e.redis.Opt)
		defer client.Close()
		if _, err := client.Enqueue(asynq.NewTask(jobs.TypeRoundCompile, []byte("{not json")), asynq.TaskID("bad-1"), asynq.MaxRetry(5)); err != nil {
			t.Fatal(err)
		}
		insp := asynq.NewInspector(e.redis.Opt)
		defer insp.Close()
		deadline := time.Now().Add(10 * time.Second)
		for {
			info, err := insp.GetTaskInfo(jobs.Queue, "bad-1")
			if err == nil && info.State == asynq.TaskStateArchived {
				if info.Retried != 0 {
					t.Fatalf("retried %d times", info.Retried)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("task not archived: %+v %v", info, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// cancellingStore cancels the compile's context after a few responses, as
// a killed worker would.
type cancellingStore struct {
	*store.Store
	cancel context.CancelFunc
}

func (c *cancellingStore) EachResponse(ctx context.Context, round string, fn func(*pinggu.Response) error) error {
	n := 0
	return c.Store.EachResponse(ctx, round, func(r *pinggu.Response) error {
		if n++; n == 2 {
			c.cancel()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(r)
	})
}

// TestInterruptedCompileLeavesTheOldReport: a compile stopped midway
// stores nothing and the earlier report stays; the rerun completes.
func TestInterruptedCompileLeavesTheOldReport(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	e := &env{t: t, store: st}
	now := time.Now()
	e.seed(pinggu.StatusOpen, now.Add(-time.Hour), now.Add(time.Hour), pinggu.Schedule{})
	ctx := context.Background()
	add := func(from, to int) {
		for i := from; i < to; i++ {
			if _, err := st.InsertResponse(ctx, &pinggu.Response{ID: fmt.Sprintf("resp-%04d", i), Round: "r1", Unit: "u1",
				Questionnaire: "q", QuestionnaireVersion: 1, Answers: pinggu.Answers{"Q1": {"5"}}, Channel: pinggu.ChannelWeb, SubmittedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(0, 3)
	first, err := jobs.NewCompiler(st, time.Now).Compile(ctx, "r1", false, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	add(3, 6)
	cctx, cancel := context.WithCancel(ctx)
	if _, err := jobs.NewCompiler(&cancellingStore{Store: st, cancel: cancel}, time.Now).Compile(cctx, "r1", false, 0, nil); err == nil {
		t.Fatal("an interrupted compile reported success")
	}
	reps, _ := scorecards(st.Reports(ctx, "r1"))
	if len(reps) != 1 || reps[0].ID != first.ID || reps[0].Responses != 3 {
		t.Fatalf("after the interruption: %+v", reps)
	}
	again, err := jobs.NewCompiler(st, time.Now).Compile(ctx, "r1", false, 0, nil)
	if err != nil || again.Responses != 6 {
		t.Fatalf("rerun = %+v, %v", again, err)
	}
	if reps, _ := scorecards(st.Reports(ctx, "r1")); len(reps) != 1 || reps[0].ID != again.ID {
		t.Fatalf("provisional reports after the rerun: %+v", reps)
	}
}

// TestExclusionsAreLeftOutAndReported: an assessor excludes flagged
// responses; the compile leaves them out, counts them in 质量控制 and says
// why in 说明; restoring brings them back.
func TestExclusionsAreLeftOutAndReported(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	e := &env{t: t, store: st}
	now := time.Now()
	e.seed(pinggu.StatusOpen, now.Add(-time.Hour), now.Add(time.Hour), pinggu.Schedule{})
	ctx := pinggu.WithActor(context.Background(), "user:liu")
	for i, a := range []string{"5", "5", "5", "5", "1"} {
		r := &pinggu.Response{ID: fmt.Sprintf("resp-%04d", i), Round: "r1", Unit: "u1", Questionnaire: "q", QuestionnaireVersion: 1,
			Answers: pinggu.Answers{"Q1": {a}}, Channel: pinggu.ChannelWeb, SubmittedAt: now}
		if a == "1" {
			r.Flags = []string{pinggu.FlagTooFast}
		}
		if _, err := st.InsertResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	q := quality.New(st, time.Now)
	if _, err := q.Exclude(ctx, "r1", quality.Target{Flag: pinggu.FlagTooFast}, ""); pinggu.ErrorFields(err)["reason"] == "" {
		t.Fatalf("exclusion without a reason: %v", err)
	}
	if n, err := q.Exclude(ctx, "r1", quality.Target{Flag: pinggu.FlagTooFast}, "作答过快"); err != nil || n != 1 {
		t.Fatalf("exclude = %d, %v", n, err)
	}
	flagged, _ := q.Flagged(ctx, "r1", "")
	if len(flagged) != 1 || flagged[0].Excluded != "作答过快" {
		t.Fatalf("flagged = %+v", flagged)
	}
	c := jobs.NewCompiler(st, time.Now)
	rep, err := c.Compile(ctx, "r1", false, 0, nil)
	if err != nil || rep.Responses != 4 {
		t.Fatalf("compile = %+v, %v", rep, err)
	}
	wb := openReport(t, st, rep.ID)
	if v, _ := wb.GetCellValue("总表", "G3", excelize.Options{RawCellValue: true}); v != "100" {
		t.Errorf("mean without the excluded response = %s, want 100", v)
	}
	if row, _ := wb.GetRows("质量控制"); len(row) < 3 || fmt.Sprint(row[2][:5]) != "[崇川区 4 1 0 1]" {
		t.Errorf("质量控制 = %v", row)
	}
	if notes, _ := wb.GetRows("说明"); !strings.Contains(fmt.Sprint(notes), "崇川区：作答过快 1份") {
		t.Errorf("说明 = %v", notes)
	}
	wb.Close()
	if err := q.Restore(ctx, "r1", "resp-0004"); err != nil {
		t.Fatal(err)
	}
	again, err := c.Compile(ctx, "r1", false, 0, nil)
	if err != nil || again.Responses != 5 || again.Fingerprint == rep.Fingerprint {
		t.Fatalf("after restore = %+v, %v", again, err)
	}
	log, _ := st.AuditLog(ctx, store.AuditFilter{ActionPrefix: "response."})
	if len(log) != 2 || log[0].Actor != "user:liu" {
		t.Fatalf("audit = %+v", log)
	}
}

// scorecards keeps the scorecards of a report list (each compile also
// stores its method file).
func scorecards(reps []pinggu.Report, err error) ([]pinggu.Report, error) {
	var out []pinggu.Report
	for _, r := range reps {
		if r.Kind == pinggu.ReportScorecard {
			out = append(out, r)
		}
	}
	return out, err
}

func openReport(t *testing.T, st *store.Store, id string) *excelize.File {
	t.Helper()
	_, rc, err := st.OpenReport(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	f, err := excelize.OpenReader(rc)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// A job asked for now whose task the queue lost is queued again at the
// next start; one whose round no longer exists is marked failed, saying why.
func TestUnfinishedJobsAreResumedOrFailed(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		now := time.Now()
		e.seed(pinggu.StatusOpen, now.Add(-time.Hour), now.Add(time.Hour), pinggu.Schedule{})
		id, err := e.sched.CompileNow(ctx, "r1")
		if err != nil {
			t.Fatal(err)
		}
		orphan := &pinggu.Job{ID: "round:export:gone:now-1", Type: jobs.TypeRoundExport, Round: "gone", State: pinggu.JobQueued}
		if err := e.store.RecordJob(ctx, orphan); err != nil {
			t.Fatal(err)
		}
		e.flush() // the queue forgets everything, as a restarted in-process Redis does
		if err := e.sched.Reconcile(ctx); err != nil {
			t.Fatal(err)
		}
		insp := asynq.NewInspector(e.redis.Opt)
		defer insp.Close()
		if info, err := insp.GetTaskInfo(jobs.Queue, id); err != nil || info.State != asynq.TaskStatePending {
			t.Fatalf("the compile asked for now is not queued again: %+v %v", info, err)
		}
		js, err := e.store.Jobs(ctx, "gone", 10)
		if err != nil || len(js) != 1 || js[0].State != pinggu.JobFailed || !strings.Contains(js[0].Error, "评估轮次已不存在") {
			t.Fatalf("the orphan job = %+v %v", js, err)
		}
	})
}

// TestAssessmentPhasesArePlanned: an assessment round's phases put a
// self-assessment reminder a day before that phase closes and a
// provisional compile at the notice's opening into the queue; the
// reminder, when it runs, lists the units that have not submitted.
func TestAssessmentPhasesArePlanned(t *testing.T) {
	forEachRedis(t, func(t *testing.T, e *env) {
		ctx := pinggu.WithActor(context.Background(), "admin")
		now := time.Now().Truncate(time.Second)
		opens, closes := now.Add(-time.Hour), now.Add(72*time.Hour)
		e.seed(pinggu.StatusDraft, opens, closes, pinggu.Schedule{ProgressMinutes: -1})
		if err := e.store.AddIndicatorSystem(ctx, &pinggu.IndicatorSystem{Code: "s", Version: 1, Name: "指标", Indicators: []pinggu.Indicator{
			{Code: "A", Level: 1, Name: "依法决策", Points: 100, Rubric: pinggu.RubricManual}}}); err != nil {
			t.Fatal(err)
		}
		r, err := e.store.Round(ctx, "r1")
		if err != nil {
			t.Fatal(err)
		}
		selfCloses := now.Add(24*time.Hour + 2*time.Second) // its reminder falls due in two seconds
		notice := now.Add(48 * time.Hour)
		r.Kind, r.Assessment = pinggu.Assessment, &pinggu.AssessmentSettings{IndicatorSystem: "s", IndicatorVersion: 1,
			Phases: pinggu.Phases{SelfAssessment: &pinggu.Window{Opens: opens, Closes: selfCloses},
				Notice: &pinggu.Window{Opens: notice, Closes: notice.Add(time.Hour)}}}
		if err := e.store.UpdateRound(ctx, r, r.UpdatedAt); err != nil {
			t.Fatal(err)
		}
		if _, err := e.rounds.Schedule(ctx, "r1"); err != nil {
			t.Fatal(err)
		}
		tasks := strings.Join(e.taskIDs(), " ")
		for _, want := range []string{jobs.TaskID(jobs.TypeRoundSelfRemind, "r1", selfCloses.Add(-24*time.Hour)), jobs.TaskID(jobs.TypeRoundProgress, "r1", notice)} {
			if !strings.Contains(tasks, want) {
				t.Fatalf("tasks %s lack %s", tasks, want)
			}
		}
		e.startWorker(e.store)
		deadline := time.Now().Add(60 * time.Second)
		for {
			js, err := e.store.Jobs(ctx, "r1", 20)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range js {
				if j.Type == jobs.TypeRoundSelfRemind && j.State == pinggu.JobSucceeded {
					if j.Note != "自评尚未提交：崇川区（未填报）" {
						t.Fatalf("reminder note %q", j.Note)
					}
					return
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("no reminder ran: %+v", js)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
