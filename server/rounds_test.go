package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"pinggu"
	"pinggu/store"
)

// TestPublishHasOneMeaning: publishing through the API and through the
// console goes through the one life-cycle owner, so both rounds end the
// same way: published, the transition in their history by whoever did it,
// and in the audit log.
func TestPublishHasOneMeaning(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	ctx := context.Background()
	now := time.Now()
	for _, code := range []string{"pa", "pc"} {
		if err := h.store.CreateRound(ctx, &pinggu.Round{Code: code, Title: "测评" + code, Kind: pinggu.Satisfaction, Questionnaire: "fz2024",
			QuestionnaireVersion: 1, Units: []string{"chongchuan"}, OpensAt: now.Add(-2 * time.Hour), ClosesAt: now.Add(-time.Hour),
			Timezone: pinggu.DefaultTimezone, Status: pinggu.StatusCompiled, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	h.mustAPI("POST", "/api/v1/rounds/pa/publish", nil, 200)
	csrf := h.admin()
	// The console asks first, saying what publishing does; nothing changes
	// until it is confirmed.
	if r := h.postForm("/admin/rounds/pc/action", url.Values{"csrf": {csrf}, "do": {"publish"}}); r.status != 200 ||
		!strings.Contains(string(r.body), "确认发布结果") || !strings.Contains(string(r.body), "不能再修改设置") {
		t.Fatalf("console publish, unconfirmed = %d %s", r.status, r.body)
	}
	if r, _ := h.store.Round(ctx, "pc"); r.Status != pinggu.StatusCompiled {
		t.Fatalf("an unconfirmed publish changed the round: %s", r.Status)
	}
	if r := h.postForm("/admin/rounds/pc/action", url.Values{"csrf": {csrf}, "do": {"publish"}, "confirm": {"1"}}); r.status != 303 {
		t.Fatalf("console publish = %d %s", r.status, r.body)
	}
	for code, by := range map[string]string{"pa": "admin", "pc": "user:wang"} {
		r, err := h.store.Round(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		last := r.History[len(r.History)-1]
		if r.Status != pinggu.StatusPublished || last.To != pinggu.StatusPublished || last.By != by {
			t.Errorf("%s: status %s, last transition %+v", code, r.Status, last)
		}
		entries, err := h.store.AuditLog(ctx, store.AuditFilter{Object: "round/" + code, ActionPrefix: "round.published"})
		if err != nil || len(entries) != 1 || entries[0].Actor != by {
			t.Errorf("%s: audit %+v, %v", code, entries, err)
		}
	}
	// A second publish is refused the same way on both paths.
	if r := h.api("POST", "/api/v1/rounds/pc/publish", nil); r.status != 409 {
		t.Errorf("publishing a published round = %d", r.status)
	}
}
