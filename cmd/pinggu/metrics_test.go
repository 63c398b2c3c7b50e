package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"pinggu/store/storetest"
)

// /metrics is for administrators: submissions by outcome, requests by
// route, errors by code, jobs by type and the queue's depth.
func TestMetricsForAdministrators(t *testing.T) {
	t.Parallel()
	p := startProduct(t, storetest.Dir(t), map[string]string{"PINGGU_ADMIN_TOKEN": "tok"})
	defer p.shutdown(t)
	oneUnitRound(t, p)
	p.api(t, "tok", "POST", "/api/v1/rounds/r1/schedule", nil)
	body := map[string]any{"sid": "metrics-0001", "answers": map[string]any{"Q1": "5"}}
	for _, want := range []int{201, 200} { // stored, then a retry
		if status, _ := p.api(t, "", "POST", "/api/v1/rounds/r1/units/u1/responses", body); status != want {
			t.Fatalf("submit = %d", status)
		}
	}
	p.api(t, "", "POST", "/api/v1/rounds/r1/units/u1/responses", map[string]any{"sid": "metrics-0002", "answers": map[string]any{"Q1": "7"}})
	if status, _ := p.api(t, "tok", "POST", "/api/v1/rounds/r1/compile", nil); status != 202 {
		t.Fatal("compile")
	}
	get := func(token string) (int, string) {
		req, _ := http.NewRequest("GET", p.url+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, _ := get(""); status != http.StatusUnauthorized {
		t.Fatalf("anonymous /metrics = %d", status)
	}
	_, text := get("tok")
	for _, want := range []string{`pinggu_submissions_total{outcome="created"} 1`, `pinggu_submissions_total{outcome="duplicate"} 1`,
		`pinggu_submissions_total{outcome="invalid"} 1`, `pinggu_errors_total{code="invalid"} 1`,
		`pinggu_http_request_duration_seconds_count{method="POST",route="/api/v1/rounds/:round/units/:unit/responses",status="2xx"} 2`,
		`pinggu_queue_tasks{state="pending"}`, "go_goroutines"} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestPprofTakesLoopbackOnly(t *testing.T) {
	t.Parallel()
	for addr, ok := range map[string]bool{"127.0.0.1:6060": true, "localhost:6060": true, "[::1]:6060": true,
		"0.0.0.0:6060": false, ":6060": false, "192.0.2.1:6060": false} {
		_, err := parseConfig("serve", []string{"-pprof", addr}, func(string) string { return "" }, io.Discard)
		if (err == nil) != ok {
			t.Errorf("-pprof %s: %v", addr, err)
		}
	}
}
