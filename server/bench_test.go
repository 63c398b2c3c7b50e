package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// The submit benchmarks go through the whole HTTP handler (routing, body
// parsing, validation, the insert and the tally upsert) on the embedded
// store; compare them with store's BenchmarkInsertResponse, the backend's
// own write, to see what our layers cost.

// benchHarness is a seeded server whose round does not slow bursts: every
// benchmark request comes from one address. Its quota is one no run
// reaches, so every submission takes a quota slot and none is flagged
// over quota (a flagged one also writes its review copy).
func benchHarness(b *testing.B) *harness {
	h := newHarness(b)
	h.seed()
	up := roundJSON()
	up["integrity"] = map[string]any{"burstLimit": -1}
	up["quotas"] = map[string]int{"chongchuan": 1_000_000}
	h.mustAPI("PUT", "/api/v1/rounds/r2024", up, http.StatusOK)
	return h
}

func BenchmarkSubmitForm(b *testing.B) {
	h := benchHarness(b)
	form := url.Values{"Q1": {"5"}, "D1": {"2"}, "Q2": {"4"}, "Q13": {"1", "3"}, "Q14": {"窗口服务很好"}, "Q15": {"9"}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		form.Set("sid", fmt.Sprintf("bench-form-%08d", i))
		req := httptest.NewRequest("POST", "/s/r2024/chongchuan", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

func BenchmarkSubmitJSON(b *testing.B) {
	h := benchHarness(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := fmt.Sprintf(`{"sid":"bench-json-%08d","answers":{"Q1":"5","D1":"2","Q2":"4","Q13":["1","3"],"Q14":"窗口服务很好","Q15":9}}`, i)
		req := httptest.NewRequest("POST", responsesPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkSurveyPage is a citizen opening the form: a fresh device cookie,
// a fresh submission id and stamp, the whole page.
func BenchmarkSurveyPage(b *testing.B) {
	h := benchHarness(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", "/s/r2024/chongchuan?ch=qr&tag=%E6%94%BF%E5%8A%A1%E5%A4%A7%E5%8E%85", nil)
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkSubmitJSONParallel is BenchmarkSubmitJSON from 8 concurrent
// clients (4 per core): compare with store's BenchmarkInsertResponseParallel.
func BenchmarkSubmitJSONParallel(b *testing.B) {
	h := benchHarness(b)
	var n atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := fmt.Sprintf(`{"sid":"bench-par-%08d","answers":{"Q1":"5","D1":"2","Q2":"4","Q13":["1","3"],"Q14":"窗口服务很好","Q15":9}}`, n.Add(1))
			req := httptest.NewRequest("POST", responsesPath, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
}
