package store_test

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pinggu"

	"pinggu/store/storetest"
)

func score(v float64) *float64 { return &v }

func sampleQuestionnaire() *pinggu.Questionnaire {
	return &pinggu.Questionnaire{Code: "fz", Title: "测评", Questions: []pinggu.Question{
		{Code: "Q1", Type: pinggu.Scale, Text: "满意吗", Required: true, Options: []pinggu.Option{
			{Code: "5", Label: "很满意", Score: score(100)}, {Code: "4", Label: "满意", Score: score(80)}, {Code: "9", Label: "不清楚"}}},
		{Code: "Q2", Type: pinggu.Multi, Text: "改进", Options: []pinggu.Option{{Code: "1", Label: "甲"}, {Code: "2", Label: "乙"}}},
		{Code: "Q3", Type: pinggu.Text, Text: "建议"},
	}}
}

func TestResponseInsertIsIdempotent(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := context.Background()
	r := &pinggu.Response{ID: "sid-00000001", Round: "r1", Unit: "u1", Answers: pinggu.Answers{"Q1": {"5"}},
		Channel: pinggu.ChannelWeb, SubmittedAt: time.Now().UTC().Truncate(time.Millisecond), DurationMs: 1234}
	created, err := s.InsertResponse(ctx, r)
	if err != nil || !created {
		t.Fatalf("first insert: created=%v err=%v", created, err)
	}
	created, err = s.InsertResponse(ctx, r)
	if err != nil || created {
		t.Fatalf("second insert: created=%v err=%v, want false, nil", created, err)
	}
	if n, err := s.CountResponses(ctx, "r1"); err != nil || n != 1 {
		t.Fatalf("count = %d, %v; want 1", n, err)
	}
	got, err := s.Response(ctx, "r1", "sid-00000001")
	if err != nil {
		t.Fatal(err)
	}
	if got.Answers["Q1"][0] != "5" || got.DurationMs != 1234 || !got.SubmittedAt.Equal(r.SubmittedAt) {
		t.Fatalf("read back %+v", got)
	}
}

func TestTallyCountsEveryOption(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := context.Background()
	q := sampleQuestionnaire()
	at := time.Date(2024, 10, 2, 1, 0, 0, 0, time.UTC)
	for _, a := range []pinggu.Answers{
		{"Q1": {"5"}, "Q2": {"1", "2"}, "Q3": {"很好"}},
		{"Q1": {"5"}, "Q2": {"2"}},
		{"Q1": {"9"}},
	} {
		if err := s.AddToTally(ctx, "r1", "u1", pinggu.TallyEntry{Questionnaire: q, Answers: a, At: at, Day: "2024-10-02", DurationMs: -1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddToTally(ctx, "r1", "u2", pinggu.TallyEntry{Questionnaire: q, Answers: pinggu.Answers{"Q1": {"4"}}, At: at, Day: "2024-10-02", DurationMs: -1}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddToTally(ctx, "r2", "u1", pinggu.TallyEntry{Questionnaire: q, Answers: pinggu.Answers{"Q1": {"4"}}, At: at, Day: "2024-10-02", DurationMs: -1}); err != nil {
		t.Fatal(err)
	}
	ts, err := s.Tallies(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0].Unit != "u1" || ts[1].Unit != "u2" {
		t.Fatalf("tallies = %+v", ts)
	}
	want := map[string]int{"Q1:5": 2, "Q1:9": 1, "Q2:1": 1, "Q2:2": 2, "Q3:*": 1}
	if ts[0].Received != 3 || len(ts[0].Counts) != len(want) {
		t.Fatalf("u1 tally = %+v", ts[0])
	}
	for k, v := range want {
		if ts[0].Counts[k] != v {
			t.Errorf("count %s = %d, want %d", k, ts[0].Counts[k], v)
		}
	}
	if ts[0].Days["2024-10-02"] != 3 {
		t.Errorf("days = %v", ts[0].Days)
	}
	if !ts[0].LastAt.Equal(at) {
		t.Errorf("lastAt = %v", ts[0].LastAt)
	}
}

func TestQuestionnaireVersions(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := context.Background()
	q := sampleQuestionnaire()
	if err := s.CreateQuestionnaire(ctx, q); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateQuestionnaire(ctx, sampleQuestionnaire()); pinggu.ErrorCode(err) != pinggu.Conflict {
		t.Fatalf("second create: %v, want conflict", err)
	}
	q2 := sampleQuestionnaire()
	q2.Title = "测评（修订）"
	if err := s.AddQuestionnaireVersion(ctx, q2); err != nil || q2.Version != 2 {
		t.Fatalf("new version: %v, version %d", err, q2.Version)
	}
	latest, err := s.Questionnaire(ctx, "fz", 0)
	if err != nil || latest.Version != 2 || latest.Title != "测评（修订）" {
		t.Fatalf("latest = %+v, %v", latest, err)
	}
	v1, err := s.Questionnaire(ctx, "fz", 1)
	if err != nil || v1.Title != "测评" || *v1.Questions[0].Options[0].Score != 100 || v1.Questions[0].Options[2].Score != nil {
		t.Fatalf("v1 = %+v, %v", v1, err)
	}
	all, err := s.Questionnaires(ctx)
	if err != nil || len(all) != 1 || all[0].Version != 2 {
		t.Fatalf("list = %v, %v", all, err)
	}
	if _, err := s.Questionnaire(ctx, "nope", 0); pinggu.ErrorCode(err) != pinggu.NotFound {
		t.Fatalf("missing: %v", err)
	}
}

func TestRoundOptimisticUpdate(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	r := &pinggu.Round{Code: "r1", Title: "t", Kind: pinggu.Satisfaction, Questionnaire: "fz", QuestionnaireVersion: 1,
		Units: []string{"u1"}, Quotas: map[string]int{"u1": 10}, OpensAt: now, ClosesAt: now.Add(time.Hour),
		Timezone: pinggu.DefaultTimezone, CreatedAt: now, UpdatedAt: now}
	if err := s.CreateRound(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Round(ctx, "r1")
	if err != nil || got.Quotas["u1"] != 10 || !got.OpensAt.Equal(now) {
		t.Fatalf("round = %+v, %v", got, err)
	}
	got.Title, got.UpdatedAt = "t2", now.Add(time.Second)
	if err := s.UpdateRound(ctx, got, now); err != nil {
		t.Fatal(err)
	}
	got.Title = "t3"
	if err := s.UpdateRound(ctx, got, now); pinggu.ErrorCode(err) != pinggu.Conflict {
		t.Fatalf("stale update: %v, want conflict", err)
	}
	got.Code = "nope"
	if err := s.UpdateRound(ctx, got, time.Time{}); pinggu.ErrorCode(err) != pinggu.NotFound {
		t.Fatalf("missing update: %v, want not found", err)
	}
}

func TestSecretsAreStable(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := context.Background()
	a, err := s.Secrets(ctx)
	if err != nil || len(a.FormKey) != 64 {
		t.Fatalf("secrets = %+v, %v", a, err)
	}
	if err := s.SetAdminTokenHash(ctx, "abc"); err != nil {
		t.Fatal(err)
	}
	b, err := s.Secrets(ctx)
	if err != nil || b.FormKey != a.FormKey || b.AdminTokenHash != "abc" {
		t.Fatalf("second read = %+v, %v", b, err)
	}
}

func TestInsertResponsesSkipsStoredIDs(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := context.Background()
	mk := func(id string) *pinggu.Response {
		return &pinggu.Response{ID: id, Round: "r1", Unit: "u1", Answers: pinggu.Answers{"Q1": {"5"}}, Channel: pinggu.ChannelCATI, SubmittedAt: time.Now()}
	}
	if n, err := s.InsertResponses(ctx, []*pinggu.Response{mk("cati-0001"), mk("cati-0002")}); err != nil || n != 2 {
		t.Fatalf("first = %d, %v", n, err)
	}
	if n, err := s.InsertResponses(ctx, []*pinggu.Response{mk("cati-0002"), mk("cati-0003")}); err != nil || n != 1 {
		t.Fatalf("second = %d, %v, want 1 new", n, err)
	}
	if n, _ := s.CountResponses(ctx, "r1"); n != 3 {
		t.Fatalf("stored %d", n)
	}
}

// TestConcurrentUpdatesAreAtomic: 300 concurrent tally updates of one
// unit all count, and of 100 racing transitions exactly one wins. (The
// embedded FerretDB loses most of them unless the store serializes its
// updates.)
func TestConcurrentUpdatesAreAtomic(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := context.Background()
	q := sampleQuestionnaire()
	var wg sync.WaitGroup
	for i := 0; i < 300; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.AddToTally(ctx, "r1", "u1", pinggu.TallyEntry{Questionnaire: q, Answers: pinggu.Answers{"Q1": {"5"}}, At: time.Now(), Day: "2024-10-02", DurationMs: -1}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	ts, err := s.Tallies(ctx, "r1")
	if err != nil || len(ts) != 1 || ts[0].Received != 300 || ts[0].Counts["Q1:5"] != 300 {
		t.Fatalf("tally after 300 concurrent updates = %+v, %v", ts, err)
	}

	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := s.CreateRound(ctx, &pinggu.Round{Code: "r1", Title: "t", Kind: pinggu.Satisfaction, Questionnaire: "fz",
		Units: []string{"u1"}, OpensAt: now, ClosesAt: now.Add(time.Hour), Timezone: pinggu.DefaultTimezone,
		Status: pinggu.StatusOpen}); err != nil {
		t.Fatal(err)
	}
	var won atomic.Int32
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.TransitionRound(ctx, "r1", []pinggu.RoundStatus{pinggu.StatusOpen},
				pinggu.Transition{To: pinggu.StatusClosed, At: now, By: "job"}); err == nil {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	r, _ := s.Round(ctx, "r1")
	if won.Load() != 1 || len(r.History) != 1 {
		t.Fatalf("%d transitions won, history %+v", won.Load(), r.History)
	}
}

// TestFlaggedReviewCopies: a flagged response gets its review copy when
// stored, recording again changes nothing, and clean responses get none.
func TestFlaggedReviewCopies(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := context.Background()
	at := time.Date(2024, 10, 2, 1, 0, 0, 0, time.UTC)
	rs := []*pinggu.Response{
		{ID: "sid-flag-0001", Round: "r1", Unit: "u1", Channel: pinggu.ChannelWeb, SubmittedAt: at.Add(time.Minute), Flags: []string{pinggu.FlagTooFast}, DurationMs: 4000},
		{ID: "sid-flag-0002", Round: "r1", Unit: "u2", Channel: pinggu.ChannelQR, SubmittedAt: at, Flags: []string{pinggu.FlagBurst}},
		{ID: "sid-clean-001", Round: "r1", Unit: "u1", Channel: pinggu.ChannelWeb, SubmittedAt: at},
		{ID: "sid-flag-0003", Round: "r2", Unit: "u1", Channel: pinggu.ChannelWeb, SubmittedAt: at, Flags: []string{pinggu.FlagTooFast}},
	}
	if _, err := s.InsertResponse(ctx, rs[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.InsertResponses(ctx, rs[1:]); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordFlagged(ctx, rs); err != nil { // again, as a compile does
		t.Fatal(err)
	}
	all, err := s.Flagged(ctx, "r1", "")
	if err != nil || len(all) != 2 || all[0].ID != "sid-flag-0002" || all[1].DurationMs != 4000 {
		t.Fatalf("flagged r1 = %+v, %v", all, err)
	}
	if u1, _ := s.Flagged(ctx, "r1", "u1"); len(u1) != 1 || u1[0].Flags[0] != pinggu.FlagTooFast {
		t.Fatalf("flagged r1/u1 = %+v", u1)
	}
}

// TestPublishingSettingsRoundTrip: the settings behind published numbers
// (minimum sample, overall score, raking, bootstrap, veto rank, gaps, the
// mid-term pass rule) come back as they were stored.
func TestPublishingSettingsRoundTrip(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	sc := pinggu.Scoring{MinSample: 50, MinEffective: 20, Overall: &pinggu.OverallScore{Method: pinggu.OverallDimensions, Weights: map[string]float64{"a": 2}},
		Weighting: &pinggu.Weighting{Method: pinggu.WeightRaking, Cells: []string{"D1"}, Margins: map[string]map[string]float64{"D1": {"1": 0.4, "2": 0.6}},
			Trim: &pinggu.Trim{Min: 0.5, Max: 2}}, Bootstrap: pinggu.Bootstrap{Replicates: 500, Seed: 9}}
	r := &pinggu.Round{Code: "m1", Title: "t", Kind: pinggu.Assessment, Questionnaire: "fz", QuestionnaireVersion: 1,
		Units: []string{"u1"}, OpensAt: now, ClosesAt: now.Add(time.Hour), Timezone: pinggu.DefaultTimezone, CreatedAt: now, UpdatedAt: now,
		Scoring: sc, Assessment: &pinggu.AssessmentSettings{IndicatorSystem: "s", VetoRank: pinggu.VetoRankUnranked, AllowGaps: true},
		Midterm: &pinggu.MidtermSettings{Plans: []string{"p"}, AsOf: "2023-07-01", Pass: &pinggu.PassRule{Minimum: 0.6, Against: pinggu.PassAgainstExpected, NoOverdueBinding: true}}}
	if err := s.CreateRound(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Round(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	g := got.Scoring
	if g.MinSample != 50 || g.MinEffective != 20 || g.Overall == nil || g.Overall.Weights["a"] != 2 || !g.Weighting.Raking() ||
		g.Weighting.Margins["D1"]["2"] != 0.6 || g.Weighting.Trim.Max != 2 || g.Bootstrap.Seed != 9 {
		t.Errorf("scoring = %+v", g)
	}
	if a := got.Assessment; a.VetoRank != pinggu.VetoRankUnranked || !a.AllowGaps {
		t.Errorf("assessment = %+v", a)
	}
	if p := got.Midterm.Pass; p == nil || p.Minimum != 0.6 || p.Against != pinggu.PassAgainstExpected || !p.NoOverdueBinding {
		t.Errorf("pass rule = %+v", p)
	}
}

// The scan decodes responses from their bytes by hand; it must read back
// exactly what the driver reads, field by field, including the sparse ones.
func TestEachResponseReadsWhatTheDriverReads(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := context.Background()
	at := time.Date(2024, 10, 2, 3, 4, 5, 678e6, time.UTC)
	in := []*pinggu.Response{
		{ID: "sid-full-0001", Round: "r1", Unit: "u1", Questionnaire: "fz", QuestionnaireVersion: 3,
			Answers: pinggu.Answers{"Q1": {"5"}, "Q2": {"1", "2"}, "Q3": {"窗口服务很好，希望延长办理时间"}, "Q4": {}},
			Channel: pinggu.ChannelQR, Tag: "区政务中心", Device: "dev-0001", SubmittedAt: at, DurationMs: 93_000,
			IPHash: "abcdef", Flags: []string{pinggu.FlagTooFast, pinggu.FlagOverQuota}},
		{ID: "sid-bare-0002", Round: "r1", Unit: "u2", Questionnaire: "fz", QuestionnaireVersion: 1,
			Answers: pinggu.Answers{}, Channel: pinggu.ChannelWeb, SubmittedAt: at.Add(time.Hour), DurationMs: -1},
		{ID: "sid-other-003", Round: "r2", Unit: "u1", Answers: pinggu.Answers{"Q1": {"4"}}, Channel: pinggu.ChannelWeb, SubmittedAt: at},
	}
	if n, err := s.InsertResponses(ctx, in); err != nil || n != 3 {
		t.Fatalf("insert: %d %v", n, err)
	}
	seen := 0
	err := s.EachResponse(ctx, "r1", func(got *pinggu.Response) error {
		seen++
		want, err := s.Response(ctx, "r1", got.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("scan read\n%#v\nthe driver read\n%#v", got, want)
		}
		return nil
	})
	if err != nil || seen != 2 {
		t.Fatalf("%d responses of r1 read: %v", seen, err)
	}
}
