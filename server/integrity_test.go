package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func (h *harness) flagsOf(sid string) string {
	h.t.Helper()
	r, err := h.store.Response(context.Background(), "r2024", sid)
	if err != nil {
		h.t.Fatal(err)
	}
	return strings.Join(r.Flags, ",")
}

// TestQualitySignals: each signal fires on its own and is stored with the
// response; a device rule of "refuse" turns a second response away.
func TestQualitySignals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	up := roundJSON()
	up["integrity"] = map[string]any{"minSeconds": 30, "straightLineItems": 2}
	h.mustAPI("PUT", "/api/v1/rounds/r2024", up, http.StatusOK)

	submit := func(fill map[string]string, wait time.Duration) string {
		form := h.openForm("/s/r2024/chongchuan")
		h.clock.Advance(wait)
		for k, v := range fill {
			form.Set(k, v)
		}
		if r := h.postForm("/s/r2024/chongchuan", form); r.status != http.StatusSeeOther {
			t.Fatalf("submit %v = %d %s", fill, r.status, r.body)
		}
		return form.Get("sid")
	}
	first := submit(map[string]string{"Q1": "5", "D1": "1"}, time.Minute)
	if f := h.flagsOf(first); f != "" {
		t.Errorf("a plain response is flagged %q", f)
	}
	// The same browser again: duplicate device; and 5 seconds is too fast.
	if f := h.flagsOf(submit(map[string]string{"Q1": "4", "D1": "1"}, 5*time.Second)); f != "too_fast,duplicate_device" {
		t.Errorf("flags = %q", f)
	}
	bsubmit := func(fill map[string]string) string {
		b := newHarnessSharing(t, h) // a new browser: another device
		form := b.openForm("/s/r2024/chongchuan")
		h.clock.Advance(time.Minute)
		for k, v := range fill {
			form.Set(k, v)
		}
		if r := b.postForm("/s/r2024/chongchuan", form); r.status != http.StatusSeeOther {
			t.Fatalf("submit = %d", r.status)
		}
		return form.Get("sid")
	}
	// Every scale item the same (Q1 and, shown for 企业经营者, Q2): straight-lining.
	if f := h.flagsOf(bsubmit(map[string]string{"Q1": "5", "D1": "2", "Q2": "5"})); f != "straight_line" {
		t.Errorf("straight-line flags = %q", f)
	}
	if f := h.flagsOf(bsubmit(map[string]string{"Q1": "5", "D1": "1", "website": "http://spam"})); f != "honeypot" {
		t.Errorf("honeypot flags = %q", f)
	}

	// Refuse mode: a second response from a device is turned away, nothing stored.
	up["integrity"] = map[string]any{"device": "refuse"}
	h.mustAPI("PUT", "/api/v1/rounds/r2024", up, http.StatusOK)
	before := h.count("r2024")
	form := h.openForm("/s/r2024/chongchuan")
	form.Set("Q1", "5")
	form.Set("D1", "1")
	r := h.postForm("/s/r2024/chongchuan", form)
	if r.status != http.StatusConflict || !strings.Contains(string(r.body), "已参加过") {
		t.Fatalf("second response under refuse = %d", r.status)
	}
	if n := h.count("r2024"); n != before {
		t.Fatalf("stored %d, want %d", n, before)
	}
}

// TestBurstsAreFlaggedNotRefused: beyond the limit, responses from one
// network are stored, flagged and slowed — never refused.
func TestBurstsAreFlaggedNotRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	up := roundJSON()
	up["integrity"] = map[string]any{"burstLimit": 3}
	h.mustAPI("PUT", "/api/v1/rounds/r2024", up, http.StatusOK)
	for i := 0; i < 5; i++ {
		r := h.postJSON(responsesPath, fmt.Sprintf(`{"sid":"burst-%06d","answers":{"Q1":"5","D1":"1"}}`, i))
		if r.status != http.StatusCreated {
			t.Fatalf("submission %d = %d", i, r.status)
		}
	}
	for i, want := range []string{"", "", "", "burst", "burst"} {
		if got := h.flagsOf(fmt.Sprintf("burst-%06d", i)); got != want {
			t.Errorf("response %d flags %q, want %q", i, got, want)
		}
	}
}

// TestSpeederAgainstTheMedian: once the round has 30 timed responses, a
// response under a third of their median time is flagged speeder; a
// quicker-than-usual one above that share is not.
func TestSpeederAgainstTheMedian(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	up := roundJSON()
	up["integrity"] = map[string]any{"burstLimit": -1, "device": "off"}
	h.mustAPI("PUT", "/api/v1/rounds/r2024", up, http.StatusOK)
	submit := func(wait time.Duration) string {
		form := h.openForm("/s/r2024/haimen")
		h.clock.Advance(wait)
		form.Set("Q1", "5")
		form.Set("D1", "1")
		if r := h.postForm("/s/r2024/haimen", form); r.status != http.StatusSeeOther {
			t.Fatalf("submit = %d %s", r.status, r.body)
		}
		return form.Get("sid")
	}
	// Before 30 timed responses there is no median to compare with.
	if f := h.flagsOf(submit(3 * time.Second)); f != "" {
		t.Fatalf("an early fast response is flagged %q", f)
	}
	for i := 0; i < 30; i++ {
		submit(time.Duration(55+i%10) * time.Second) // 55–64 s, with the 3 s one: median bucket 55–60 s, 57.5 s
	}
	// The median comes with the form, cached for 5 s of wall time: an edit
	// of the round drops the cache, as the next load would.
	h.mustAPI("PUT", "/api/v1/rounds/r2024", up, http.StatusOK)
	if f := h.flagsOf(submit(19 * time.Second)); f != "speeder" { // 19 s < 57.5/3 ≈ 19.2 s
		t.Errorf("19 s: flags = %q, want speeder", f)
	}
	if f := h.flagsOf(submit(20 * time.Second)); f != "" {
		t.Errorf("20 s: flags = %q, want none", f)
	}
	p := h.mustAPI("GET", "/api/v1/rounds/r2024/progress", nil, 200).json(t)
	if got := fmt.Sprint(p["units"].([]any)[1].(map[string]any)["flags"]); got != "map[speeder:1]" {
		t.Errorf("progress flags = %s", got)
	}
}
