package rounds_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"pinggu"
	"pinggu/jobs"
	"pinggu/rounds"
	"pinggu/store/storetest"
	"pinggu/survey"
)

// TestEveryChangeHasItsEffects: through the one owner, each change of a
// round reaches the queue and this replica's survey forms at once — an
// edit shows on the next page (not after the form cache expires), a
// schedule queues the tasks, a cancel removes them, an edit of a scheduled
// round moves them.
func TestEveryChangeHasItsEffects(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := pinggu.WithActor(context.Background(), "admin")
	now := time.Now()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	rd, err := jobs.OpenRedis(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rd.Close)
	sched := jobs.NewScheduler(rd, st, time.Now, quiet)
	t.Cleanup(sched.Close)
	sv := survey.New(st, time.Now, "k", "s", quiet)
	rs := rounds.New(st, sched, sv, time.Now)
	if err := st.CreateUnit(ctx, &pinggu.Unit{Code: "u", Name: "崇川区", Type: pinggu.County, PeerGroup: "县市区"}); err != nil {
		t.Fatal(err)
	}
	score := 100.0
	if err := st.CreateQuestionnaire(ctx, &pinggu.Questionnaire{Code: "q", Title: "t", Questions: []pinggu.Question{
		{Code: "Q1", Type: pinggu.Scale, Text: "满意吗", Options: []pinggu.Option{{Code: "5", Label: "很满意", Score: &score},
			{Code: "1", Label: "很不满意", Score: &score}}}}}); err != nil {
		t.Fatal(err)
	}
	r := &pinggu.Round{Code: "r", Title: "第一稿", Kind: pinggu.Satisfaction, Questionnaire: "q", Units: []string{"u"},
		OpensAt: now.Add(time.Hour), ClosesAt: now.Add(48 * time.Hour)}
	if err := rs.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	tasks := func() int {
		ts, err := sched.Tasks("r")
		if err != nil {
			t.Fatal(err)
		}
		return len(ts)
	}
	if _, err := rs.Schedule(ctx, "r"); err != nil || tasks() == 0 {
		t.Fatalf("schedule: %v, %d tasks", err, tasks())
	}
	if f, err := sv.Form(ctx, "r", "u"); err != nil || f.Round.Title != "第一稿" {
		t.Fatalf("form = %+v, %v", f, err) // now cached
	}
	before, _ := sched.Tasks("r")
	got, _ := st.Round(ctx, "r")
	got.Title, got.ClosesAt = "第二稿", now.Add(72*time.Hour)
	if err := rs.Update(ctx, "r", got); err != nil {
		t.Fatal(err)
	}
	if f, _ := sv.Form(ctx, "r", "u"); f.Round.Title != "第二稿" {
		t.Errorf("the survey still shows %q after the edit", f.Round.Title)
	}
	if after, _ := sched.Tasks("r"); len(after) == 0 || fmtIDs(after) == fmtIDs(before) {
		t.Errorf("new closing time, tasks %v (were %v)", fmtIDs(after), fmtIDs(before))
	}
	if _, err := rs.Cancel(ctx, "r"); err != nil || tasks() != 0 {
		t.Fatalf("cancel: %v, %d tasks left", err, tasks())
	}
	if f, _ := sv.Form(ctx, "r", "u"); f.Round.Status != pinggu.StatusDraft {
		t.Errorf("the survey still sees status %s after the cancel", f.Round.Status)
	}
}

func fmtIDs(ts []jobs.QueuedTask) string {
	s := ""
	for _, t := range ts {
		s += t.ID + " "
	}
	return s
}
