package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"pinggu"
)

// TestCloseQuotaHoldsUnderConcurrency: 500 concurrent submissions against
// a quota of 50 store exactly 50; the others are told the sample is complete.
func TestCloseQuotaHoldsUnderConcurrency(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	up := roundJSON()
	up["quotas"] = map[string]int{"chongchuan": 50, "haimen": 2}
	up["quotaMode"] = "close"
	up["quotaModes"] = map[string]string{"haimen": "open"}
	up["integrity"] = map[string]any{"burstLimit": -1} // all from one test address: only quotas are under test
	h.mustAPI("PUT", "/api/v1/rounds/r2024", up, http.StatusOK)
	for run := 0; run < 2; run++ { // repeated: a race that happens to pass once proves little
		var stored, full atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 250; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := h.postJSON(responsesPath, fmt.Sprintf(`{"sid":"quota-%d-%06d","answers":{"Q1":"5","D1":"1"}}`, run, i))
				switch r.status {
				case http.StatusCreated:
					stored.Add(1)
				case http.StatusConflict:
					if !strings.Contains(string(r.body), "quota_full") {
						t.Errorf("409 without quota_full: %s", r.body)
					}
					full.Add(1)
				default:
					t.Errorf("status %d: %s", r.status, r.body)
				}
			}(i)
		}
		wg.Wait()
		want := int32(50)
		if run == 1 {
			want = 0 // already full
		}
		if stored.Load() != want || full.Load() != 250-want {
			t.Fatalf("run %d: stored %d, full %d", run, stored.Load(), full.Load())
		}
	}
	if n := h.count("r2024"); n != 50 {
		t.Fatalf("stored %d responses, want 50", n)
	}
	// The full unit's page says so before anyone fills it in; the open-mode
	// unit's form is still there.
	if r := h.get("/s/r2024/chongchuan"); r.status != 200 || !strings.Contains(string(r.body), "样本已收集完毕") || strings.Contains(string(r.body), "<form") {
		t.Fatalf("a full unit's page = %d\n%s", r.status, r.body)
	}
	if r := h.get("/s/r2024/haimen"); r.status != 200 || !strings.Contains(string(r.body), "<form") {
		t.Fatalf("an open-mode unit's page = %d", r.status)
	}
	p := h.mustAPI("GET", "/api/v1/rounds/r2024/progress", nil, http.StatusOK).json(t)["units"].([]any)
	if p[0].(map[string]any)["received"] != 50.0 {
		t.Fatalf("progress = %v", p[0])
	}
	// A form opened before the unit filled up says the sample is complete,
	// and a retry of a stored id still thanks.
	form := url.Values{"sid": {"late-opened-0001"}}
	form.Set("Q1", "5")
	form.Set("D1", "1")
	if r := h.postForm("/s/r2024/chongchuan", form); r.status != http.StatusOK || !strings.Contains(string(r.body), "样本已满") {
		t.Fatalf("form when full = %d", r.status)
	}
	var storedID string
	_ = h.store.EachResponse(context.Background(), "r2024", func(r *pinggu.Response) error { storedID = r.ID; return nil })
	if r := h.postJSON(responsesPath, `{"sid":"`+storedID+`","answers":{"Q1":"5","D1":"1"}}`); r.status != http.StatusOK || r.json(t)["id"] != storedID {
		t.Fatalf("retry of a stored response when full = %d %s", r.status, r.body)
	}

	// Open mode (haimen, quota 2): the third response is stored and flagged.
	for i := 0; i < 3; i++ {
		path := "/api/v1/rounds/r2024/units/haimen/responses"
		if r := h.postJSON(path, fmt.Sprintf(`{"sid":"open-%06d","answers":{"Q1":"5","D1":"1"}}`, i)); r.status != http.StatusCreated {
			t.Fatalf("open mode %d = %d", i, r.status)
		}
	}
	third, err := h.store.Response(context.Background(), "r2024", "open-000002")
	if err != nil || len(third.Flags) != 1 || third.Flags[0] != "over_quota" {
		t.Fatalf("third = %+v, %v", third, err)
	}
	if second, _ := h.store.Response(context.Background(), "r2024", "open-000001"); len(second.Flags) != 0 {
		t.Fatalf("second flagged: %v", second.Flags)
	}
}

// TestStratumQuotas: cells of 职业 hold their own quotas under concurrency
// in close mode (the unit has no quota of its own), the page names the
// full cell, other cells still take answers; in open mode a response
// beyond its cell's quota is kept and flagged. Bad strata are refused.
func TestStratumQuotas(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	up := roundJSON()
	up["quotas"] = map[string]int{}
	up["quotaMode"] = "close"
	up["quotaModes"] = map[string]string{"haimen": "open"}
	up["integrity"] = map[string]any{"burstLimit": -1}
	up["strata"] = map[string]any{"questions": []string{"D1"}, "quotas": map[string]int{"1": 4, "2": 3}}
	h.mustAPI("PUT", "/api/v1/rounds/r2024", up, http.StatusOK)
	for run := 0; run < 2; run++ {
		var stored atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 60; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := h.postJSON(responsesPath, fmt.Sprintf(`{"sid":"cell-%d-%06d","answers":{"Q1":"5","D1":"2","Q2":"4"}}`, run, i))
				switch {
				case r.status == http.StatusCreated:
					stored.Add(1)
				case r.status != http.StatusConflict || !strings.Contains(string(r.body), "职业为“企业经营者”"):
					t.Errorf("status %d: %s", r.status, r.body)
				}
			}(i)
		}
		wg.Wait()
		if want := int32(3 * (1 - run)); stored.Load() != want {
			t.Fatalf("run %d: cell 2 stored %d, want %d", run, stored.Load(), want)
		}
	}
	for i := 0; i < 5; i++ { // the other cell takes its 4, then is full too
		r := h.postJSON(responsesPath, fmt.Sprintf(`{"sid":"other-%06d","answers":{"Q1":"5","D1":"1"}}`, i))
		if want := map[bool]int{true: 201, false: 409}[i < 4]; r.status != want {
			t.Fatalf("cell 1 #%d = %d, want %d", i, r.status, want)
		}
	}
	h.addUser("wang", "admin", "")
	h.signIn("wang", "correct-horse-1")
	if page := h.get("/admin/rounds/r2024"); !strings.Contains(string(page.body), "分层：职工 4/4；企业经营者 3/3") {
		t.Errorf("the dashboard does not show the cells: %s", page.body)
	}
	p := h.mustAPI("GET", "/api/v1/rounds/r2024/progress", nil, http.StatusOK).json(t)["units"].([]any)[0].(map[string]any)
	if fmt.Sprint(p["strata"]) != "map[1:4 2:3]" || p["received"] != 7.0 {
		t.Fatalf("progress = %v", p)
	}
	// Open mode: the fourth of cell 2 is kept and flagged.
	for i := 0; i < 4; i++ {
		r := h.postJSON("/api/v1/rounds/r2024/units/haimen/responses", fmt.Sprintf(`{"sid":"hm-cell-%06d","answers":{"Q1":"5","D1":"2","Q2":"4"}}`, i))
		if r.status != http.StatusCreated {
			t.Fatalf("open mode %d = %d", i, r.status)
		}
	}
	if r, _ := h.store.Response(context.Background(), "r2024", "hm-cell-000003"); strings.Join(r.Flags, ",") != "over_quota" {
		t.Fatalf("fourth in an open cell flagged %v", r.Flags)
	}
	if r, _ := h.store.Response(context.Background(), "r2024", "hm-cell-000002"); len(r.Flags) != 0 {
		t.Fatalf("third in an open cell flagged %v", r.Flags)
	}
	hm := h.mustAPI("GET", "/api/v1/rounds/r2024/progress", nil, http.StatusOK).json(t)["units"].([]any)[1].(map[string]any)
	if fmt.Sprint(hm["flags"]) != "map[over_quota:1]" {
		t.Errorf("haimen flags = %v", hm["flags"])
	}
	for _, bad := range []map[string]any{
		{"questions": []string{"Q14"}, "quotas": map[string]int{}},        // a text question
		{"questions": []string{"D1"}, "quotas": map[string]int{"1|2": 3}}, // two codes for one question
		{"questions": []string{"D1"}, "quotas": map[string]int{"7": 3}},   // no such option
	} {
		up["strata"] = bad
		if f := h.mustAPI("PUT", "/api/v1/rounds/r2024", up, 422).errorFields(t); len(f) == 0 {
			t.Errorf("strata %v accepted", bad)
		}
	}
}
