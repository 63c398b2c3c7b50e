package survey_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"pinggu"
	"pinggu/store/storetest"
	"pinggu/survey"
)

func score(v float64) *float64 { return &v }

// TestDurationTrustsOnlyASignedStamp checks that the time a respondent took
// comes from the server's signed issue stamp, never from a forged one.
func TestDurationTrustsOnlyASignedStamp(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	opens := time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)
	now := opens.Add(time.Hour)
	if err := st.CreateUnit(ctx, &pinggu.Unit{Code: "u", Name: "单位", Type: pinggu.County, PeerGroup: "g"}); err != nil {
		t.Fatal(err)
	}
	q := &pinggu.Questionnaire{Code: "q", Title: "t", Questions: []pinggu.Question{{Code: "Q1", Type: pinggu.Scale, Text: "x",
		Options: []pinggu.Option{{Code: "5", Label: "很满意", Score: score(100)}, {Code: "1", Label: "很不满意", Score: score(20)}}}}}
	if err := st.CreateQuestionnaire(ctx, q); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateRound(ctx, &pinggu.Round{Code: "r", Title: "t", Kind: pinggu.Satisfaction, Questionnaire: "q",
		QuestionnaireVersion: 1, Units: []string{"u"}, OpensAt: opens, ClosesAt: opens.Add(48 * time.Hour), Timezone: pinggu.DefaultTimezone,
		Status: pinggu.StatusOpen}); err != nil {
		t.Fatal(err)
	}
	sv := survey.New(st, func() time.Time { return now }, "key", "salt", slog.New(slog.NewTextHandler(io.Discard, nil)))
	other := survey.New(st, func() time.Time { return now }, "other-key", "salt", slog.New(slog.NewTextHandler(io.Discard, nil)))
	issued := now.Add(-42 * time.Second)
	tests := []struct {
		sid, stamp string
		want       int64
	}{
		{"sid-valid-1", sv.Stamp("sid-valid-1", "r", "u", issued), 42000},
		{"sid-other-2", sv.Stamp("sid-valid-1", "r", "u", issued), -1},               // stamp of another submission
		{"sid-forge-3", other.Stamp("sid-forge-3", "r", "u", issued), -1},            // signed with another key
		{"sid-futur-4", sv.Stamp("sid-futur-4", "r", "u", now.Add(time.Minute)), -1}, // from the future
		{"sid-empty-5", "", -1},
		{"sid-garbl-6", "123.abc", -1},
	}
	for _, tt := range tests {
		if _, err := sv.Submit(ctx, survey.Submission{SID: tt.sid, Round: "r", Unit: "u", Answers: pinggu.Answers{"Q1": {"5"}},
			Channel: pinggu.ChannelWeb, Stamp: tt.stamp, IP: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		r, err := st.Response(ctx, "r", tt.sid)
		if err != nil {
			t.Fatal(err)
		}
		if r.DurationMs != tt.want {
			t.Errorf("%s: duration %d, want %d", tt.sid, r.DurationMs, tt.want)
		}
		if r.IPHash == "" || r.IPHash != sv.HashIP("192.0.2.1") || r.IPHash == other.HashIP("192.0.2.2") {
			t.Errorf("%s: ip hash %q", tt.sid, r.IPHash)
		}
	}
}
