package survey

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"pinggu"
	"pinggu/store"
	"pinggu/store/storetest"
)

// Each step of Submit on its own: what it takes, what it pushes onto the
// undo list, and that running the list gives it back.

var stepOpens = time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)

func stepService(t *testing.T, edit func(r *pinggu.Round)) (*Service, *store.Store) {
	t.Helper()
	st := storetest.New(t)
	ctx := context.Background()
	if err := st.CreateUnit(ctx, &pinggu.Unit{Code: "u", Name: "某单位", Type: pinggu.County, PeerGroup: "g"}); err != nil {
		t.Fatal(err)
	}
	five := 100.0
	q := &pinggu.Questionnaire{Code: "q", Title: "t", Questions: []pinggu.Question{{Code: "Q1", Type: pinggu.Scale, Text: "x",
		Options: []pinggu.Option{{Code: "5", Label: "很满意", Score: &five}}}}}
	if err := st.CreateQuestionnaire(ctx, q); err != nil {
		t.Fatal(err)
	}
	r := &pinggu.Round{Code: "r", Title: "t", Kind: pinggu.Satisfaction, Questionnaire: "q", QuestionnaireVersion: 1,
		Units: []string{"u"}, OpensAt: stepOpens, ClosesAt: stepOpens.Add(48 * time.Hour), Timezone: pinggu.DefaultTimezone,
		Status: pinggu.StatusOpen}
	if edit != nil {
		edit(r)
	}
	if err := st.CreateRound(ctx, r); err != nil {
		t.Fatal(err)
	}
	now := stepOpens.Add(time.Hour)
	return New(st, func() time.Time { return now }, "key", "salt", slog.New(slog.DiscardHandler)), st
}

func stepSub(sid string) Submission {
	return Submission{SID: sid, Round: "r", Unit: "u", Answers: pinggu.Answers{"Q1": {"5"}}, Channel: pinggu.ChannelWeb}
}

func admitted(t *testing.T, s *Service, sub Submission) *pending {
	t.Helper()
	p, err := s.admit(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUndoGivesBackInReverseAndLogsFailures(t *testing.T) {
	t.Parallel()
	var logged bytes.Buffer
	u := &undo{log: slog.New(slog.NewTextHandler(&logged, nil))}
	var order []string
	for _, name := range []string{"first", "second", "third"} {
		u.push(name, func(ctx context.Context) error {
			order = append(order, name)
			if name == "second" {
				return errors.New("database down")
			}
			return ctx.Err()
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a request that has gone away still gives everything back
	u.run(ctx)
	if strings.Join(order, ",") != "third,second,first" {
		t.Fatalf("undo order %v", order)
	}
	if !strings.Contains(logged.String(), "second not given back") || strings.Contains(logged.String(), "first not") {
		t.Fatalf("log: %s", logged.String())
	}
	u.run(ctx)
	if len(order) != 3 {
		t.Fatal("a second run gave things back twice")
	}
}

func TestAdmitTakesAndWritesNothing(t *testing.T) {
	t.Parallel()
	s, st := stepService(t, func(r *pinggu.Round) { r.Quotas = map[string]int{"u": 5} })
	ctx := context.Background()
	cases := map[string]Submission{
		"bad sid":     {SID: "x", Round: "r", Unit: "u", Channel: pinggu.ChannelWeb},
		"bad answer":  {SID: "sid-answer-1", Round: "r", Unit: "u", Channel: pinggu.ChannelWeb, Answers: pinggu.Answers{"Q1": {"9"}}},
		"not yet":     func() Submission { x := stepSub("sid-early-01"); x.At = stepOpens.Add(-time.Minute); return x }(),
		"over":        func() Submission { x := stepSub("sid-late-001"); x.At = stepOpens.Add(49 * time.Hour); return x }(),
		"other unit":  func() Submission { x := stepSub("sid-other-01"); x.Unit = "v"; return x }(),
		"bad channel": func() Submission { x := stepSub("sid-chan-001"); x.Channel = "fax"; return x }(),
	}
	want := map[string]pinggu.Code{"bad sid": pinggu.Invalid, "bad answer": pinggu.Invalid, "not yet": pinggu.NotYetOpen,
		"over": pinggu.Closed, "other unit": pinggu.NotFound, "bad channel": pinggu.Invalid}
	for name, sub := range cases {
		if _, err := s.Submit(ctx, sub); pinggu.ErrorCode(err) != want[name] {
			t.Errorf("%s: %v, want %s", name, err, want[name])
		}
	}
	ts, err := st.Tallies(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 0 {
		t.Fatalf("refused submissions left tallies: %+v", ts)
	}
}

func TestRedeemStep(t *testing.T) {
	t.Parallel()
	s, st := stepService(t, func(r *pinggu.Round) { r.Integrity.Invitations = true })
	ctx := context.Background()
	codes, err := s.NewInvitations(ctx, "r", "u", 2)
	if err != nil {
		t.Fatal(err)
	}
	a := stepSub("sid-redeem-a")
	a.Code = strings.ToLower(codes[0]) // typed in lower case
	u := &undo{log: s.log}
	if err := s.redeem(ctx, admitted(t, s, a), u); err != nil || len(u.steps) != 1 {
		t.Fatalf("fresh code: %v, %d undo steps", err, len(u.steps))
	}
	// The same submission again holds the code already: nothing to give back.
	again := &undo{log: s.log}
	if err := s.redeem(ctx, admitted(t, s, a), again); err != nil || len(again.steps) != 0 {
		t.Fatalf("retry: %v, %d undo steps", err, len(again.steps))
	}
	b := stepSub("sid-redeem-b")
	b.Code = codes[0]
	if err := s.redeem(ctx, admitted(t, s, b), &undo{log: s.log}); pinggu.ErrorCode(err) != pinggu.Invalid {
		t.Fatalf("used code: %v", err)
	}
	u.run(ctx)
	if got, err := st.Redeem(ctx, "r", codes[0], "sid-redeem-b"); err != nil || got != pinggu.CodeRedeemed {
		t.Fatalf("code not given back: %v %v", got, err)
	}
	for _, code := range []string{"", "NOSUCHCODE"} {
		c := stepSub("sid-redeem-c")
		c.Code = code
		if err := s.redeem(ctx, admitted(t, s, c), &undo{log: s.log}); pinggu.ErrorCode(err) != pinggu.Invalid {
			t.Errorf("code %q: %v", code, err)
		}
	}
}

// A stored submission sent again with another, unused code consumes
// nothing: the code stays free for its owner.
func TestRetryConsumesNoInvitation(t *testing.T) {
	t.Parallel()
	s, _ := stepService(t, func(r *pinggu.Round) { r.Integrity.Invitations = true })
	ctx := context.Background()
	codes, err := s.NewInvitations(ctx, "r", "u", 2)
	if err != nil {
		t.Fatal(err)
	}
	first := stepSub("sid-retry-001")
	first.Code = codes[0]
	if r, err := s.Submit(ctx, first); err != nil || !r.Created {
		t.Fatalf("first: %+v %v", r, err)
	}
	retry := first
	retry.Code = codes[1]
	if r, err := s.Submit(ctx, retry); err != nil || r.Created {
		t.Fatalf("retry: %+v %v", r, err)
	}
	owner := stepSub("sid-owner-01")
	owner.Code = codes[1]
	if r, err := s.Submit(ctx, owner); err != nil || !r.Created {
		t.Fatalf("the second code was burnt by a retry: %+v %v", r, err)
	}
}

func TestSignalsStep(t *testing.T) {
	t.Parallel()
	s, st := stepService(t, func(r *pinggu.Round) { r.Integrity.Device = "refuse"; r.Integrity.MinSeconds = 30 })
	ctx := context.Background()
	a := stepSub("sid-device-a")
	a.Device, a.Trap = "dev-1", "http://spam"
	p := admitted(t, s, a)
	u := &undo{log: s.log}
	if err := s.signals(ctx, p, u); err != nil || len(u.steps) != 1 {
		t.Fatalf("first device: %v, %d undo steps", err, len(u.steps))
	}
	if strings.Join(p.resp.Flags, ",") != pinggu.FlagHoneypot || strings.Join(p.entry.Flags, ",") != pinggu.FlagHoneypot {
		t.Fatalf("flags %v / %v (no stamp: no duration, so not too fast)", p.resp.Flags, p.entry.Flags)
	}
	b := stepSub("sid-device-b")
	b.Device = "dev-1"
	if err := s.signals(ctx, admitted(t, s, b), &undo{log: s.log}); pinggu.ErrorCode(err) != pinggu.Conflict {
		t.Fatalf("second response from the device: %v", err)
	}
	u.run(ctx)
	if first, err := st.SeeDevice(ctx, "r", "dev-1"); err != nil || !first {
		t.Fatalf("device mark not given back: %v %v", first, err)
	}
}

func TestReserveStep(t *testing.T) {
	t.Parallel()
	s, st := stepService(t, func(r *pinggu.Round) {
		r.Quotas = map[string]int{"u": 1}
		r.QuotaMode = pinggu.QuotaClose
	})
	ctx := context.Background()
	u := &undo{log: s.log}
	p := admitted(t, s, stepSub("sid-slot-0001"))
	if err := s.reserve(ctx, p, u); err != nil || len(u.steps) != 1 {
		t.Fatalf("first slot: %v, %d undo steps", err, len(u.steps))
	}
	if err := s.reserve(ctx, admitted(t, s, stepSub("sid-slot-0002")), &undo{log: s.log}); pinggu.ErrorCode(err) != pinggu.QuotaFull {
		t.Fatalf("second slot of a quota of 1: %v", err)
	}
	u.run(ctx)
	ts, err := st.Tallies(ctx, "r")
	if err != nil || len(ts) != 1 || ts[0].Received != 0 {
		t.Fatalf("slot not given back: %+v %v", ts, err)
	}
	if err := s.reserve(ctx, admitted(t, s, stepSub("sid-slot-0003")), &undo{log: s.log}); err != nil {
		t.Fatalf("slot given back but not free: %v", err)
	}
}

func TestInsertStepCountsOnlyANewResponse(t *testing.T) {
	t.Parallel()
	s, st := stepService(t, nil)
	ctx := context.Background()
	for i, want := range []bool{true, false} {
		r, err := s.insert(ctx, admitted(t, s, stepSub("sid-insert-01")), &undo{log: s.log})
		if err != nil || r.Created != want || r.ID != "sid-insert-01" {
			t.Fatalf("insert %d: %+v %v", i, r, err)
		}
	}
	ts, err := st.Tallies(ctx, "r")
	if err != nil || len(ts) != 1 || ts[0].Received != 1 {
		t.Fatalf("tally %+v %v", ts, err)
	}
}

// A crash leaves a response stored but not counted, or a slot taken for a
// response never stored; a rebuild from the responses corrects both, says
// what it corrected, and changes nothing when run again.
func TestRebuildCorrectsDriftedTallies(t *testing.T) {
	t.Parallel()
	s, st := stepService(t, func(r *pinggu.Round) { r.Quotas = map[string]int{"u": 10} })
	ctx := context.Background()
	for _, sid := range []string{"sid-counted-1", "sid-counted-2"} {
		if _, err := s.Submit(ctx, stepSub(sid)); err != nil {
			t.Fatal(err)
		}
	}
	// Stored, never counted (the process died between the two writes).
	p := admitted(t, s, stepSub("sid-uncounted"))
	if created, err := st.InsertResponse(ctx, p.resp); err != nil || !created {
		t.Fatal(err)
	}
	// Counted, never stored (a slot taken a day later, then the process died).
	phantom := admitted(t, s, stepSub("sid-never-kept")).entry
	phantom.Day = "2024-10-02"
	if _, err := st.ReserveSlot(ctx, "r", "u", 0, 0, phantom); err != nil {
		t.Fatal(err)
	}
	if ts, _ := st.Tallies(ctx, "r"); ts[0].Received != 3 || ts[0].Counts["Q1:5"] != 3 {
		t.Fatalf("before: %+v", ts)
	}
	res, err := s.Rebuild(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	// 3 stored and 3 counted: the total agrees, the days do not.
	if len(res.Fixed) != 1 || res.Fixed[0].Before != 3 || res.Fixed[0].After != 3 || len(res.Busy) != 0 {
		t.Fatalf("first rebuild: %+v", res)
	}
	if ts, _ := st.Tallies(ctx, "r"); ts[0].Days["2024-10-02"] != 0 || ts[0].Days["2024-10-01"] != 3 {
		t.Fatalf("days after the first rebuild: %+v", ts[0].Days)
	}
	// Now drift for real: one more stored and not counted.
	p = admitted(t, s, stepSub("sid-uncounted-2"))
	if _, err := st.InsertResponse(ctx, p.resp); err != nil {
		t.Fatal(err)
	}
	if res, err = s.Rebuild(ctx, "r"); err != nil || len(res.Fixed) != 1 || res.Fixed[0].Before != 3 || res.Fixed[0].After != 4 {
		t.Fatalf("rebuild: %+v %v", res, err)
	}
	if at, summary, err := s.LastRepair(ctx, "r"); err != nil || at.IsZero() || summary != "某单位 已收3→4" {
		t.Fatalf("the dashboard's note: %v %q %v", at, summary, err)
	}
	ts, _ := st.Tallies(ctx, "r")
	if ts[0].Received != 4 || ts[0].Counts["Q1:5"] != 4 || ts[0].Days["2024-10-01"] != 4 {
		t.Fatalf("after: %+v", ts[0])
	}
	if res, err = s.Rebuild(ctx, "r"); err != nil || len(res.Fixed) != 0 {
		t.Fatalf("a second rebuild: %+v %v", res, err)
	}
	// A mid-term round has no survey and nothing to rebuild.
	if err := st.CreateRound(ctx, &pinggu.Round{Code: "m", Title: "中期评估", Kind: pinggu.Midterm, OpensAt: stepOpens,
		ClosesAt: stepOpens.Add(time.Hour), Timezone: pinggu.DefaultTimezone, Status: pinggu.StatusOpen}); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Rebuild(ctx, "m"); err != nil || len(res.Fixed) != 0 {
		t.Fatalf("a mid-term round: %+v %v", res, err)
	}
}
