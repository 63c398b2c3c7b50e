package demo_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"pinggu"
	"pinggu/catalog"
	"pinggu/demo"
	"pinggu/jobs"
	"pinggu/rounds"
	"pinggu/store/storetest"
	"pinggu/survey"
)

func TestLoadIsRealisticAndIdempotent(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	now := time.Date(2024, 10, 15, 3, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	sv := survey.New(st, clock, "k", "s", slog.New(slog.NewTextHandler(io.Discard, nil)))
	cat := catalog.New(st, clock)
	ctx := context.Background()

	rd, err := jobs.OpenRedis(ctx, "", 0) // the in-process queue the demo itself uses
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rd.Close)
	sched := jobs.NewScheduler(rd, st, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(sched.Close)
	rs := rounds.New(st, sched, sv, clock)
	// A load cut short (150 of 300), then the full load: the first 150 are
	// sent again and turned away as stored, the rest are new.
	if res, err := demo.Load(ctx, cat, rs, sv, now, 150); err != nil || res.Submitted != 150 {
		t.Fatalf("first half: %+v %v", res, err)
	}
	res, err := demo.Load(ctx, cat, rs, sv, now, 300)
	if err != nil {
		t.Fatal(err)
	}
	if res.Submitted != 150 {
		t.Fatalf("submitted %d more, want 150", res.Submitted)
	}
	if len(res.Round.Units) != 15 || res.Round.PhaseAt(now) != pinggu.Open {
		t.Fatalf("round = %+v", res.Round)
	}
	prog, err := sv.Progress(ctx, demo.RoundCode)
	if err != nil {
		t.Fatal(err)
	}
	total, min, max := 0, 1<<30, 0
	for _, p := range prog {
		total += p.Received
		min, max = mini(min, p.Received), maxi(max, p.Received)
	}
	if total != 300 {
		t.Fatalf("tallies add up to %d, want 300", total)
	}
	if min == 0 || max < 2*min {
		t.Errorf("responses are not spread unevenly over units: min %d, max %d", min, max)
	}
	n, err := st.CountResponses(ctx, demo.RoundCode)
	if err != nil || n != 300 {
		t.Fatalf("stored %d, %v", n, err)
	}

	again, err := demo.Load(ctx, cat, rs, sv, now, 300)
	if err != nil || again.Submitted != 0 {
		t.Fatalf("reload stored %d more, err %v", again.Submitted, err)
	}
	if n, _ := st.CountResponses(ctx, demo.RoundCode); n != 300 {
		t.Fatalf("after reload %d responses", n)
	}
}

func mini(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func maxi(a, b int) int {
	if a > b {
		return a
	}
	return b
}
