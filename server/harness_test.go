package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"pinggu"
	"pinggu/assessment"
	"pinggu/auth"
	"pinggu/catalog"
	"pinggu/jobs"
	"pinggu/midterm"
	"pinggu/quality"
	"pinggu/rounds"
	"pinggu/server"
	"pinggu/store"
	"pinggu/store/storetest"
	"pinggu/survey"
)

const adminToken = "test-admin-token"

// clock is a settable time source shared by the services and the server.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)         { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// harness is a real echo server on a real embedded store, reached over HTTP.
type harness struct {
	t       testing.TB
	handler http.Handler
	sched   *jobs.Scheduler
	store   *store.Store
	clock   *clock
	url     string
	client  *http.Client
}

var (
	opensAt  = time.Date(2024, 10, 1, 1, 0, 0, 0, time.UTC) // 09:00 in Asia/Shanghai
	closesAt = time.Date(2024, 11, 20, 10, 0, 0, 0, time.UTC)
)

func newHarness(t testing.TB) *harness { t.Helper(); return newHarnessQueue(t, "") }

// newHarnessQueue uses the Redis at addr for the queue without checking it
// answers ("" for an in-process one).
func newHarnessQueue(t testing.TB, addr string) *harness {
	t.Helper()
	st := storetest.New(t)
	clk := &clock{t: opensAt.Add(24 * time.Hour)}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sv := survey.New(st, clk.Now, "form-key", "ip-salt", quiet)
	cat := catalog.New(st, clk.Now)
	// The queue is an in-process Redis with no worker: tests see what is
	// queued, and nothing runs on the real clock behind the fake one.
	rd := jobs.RemoteRedis(addr, 0)
	if addr == "" {
		var err error
		if rd, err = jobs.OpenRedis(context.Background(), "", 0); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(rd.Close)
	sched := jobs.NewScheduler(rd, st, clk.Now, quiet)
	t.Cleanup(sched.Close)
	srv, err := server.New(server.Config{AdminTokenHash: server.HashToken(adminToken), BaseURL: "https://pg.example.cn", Logger: quiet, Now: clk.Now},
		server.Deps{Survey: sv, Catalog: cat, Assessment: assessment.New(st, clk.Now), Rounds: rounds.New(st, sched, sv, clk.Now), Scheduler: sched, Reports: st, Midterm: midterm.New(st, clk.Now),
			Auth: auth.New(st, clk.Now, auth.Policy{Cost: bcrypt.MinCost}), Quality: quality.New(st, clk.Now), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	h := &harness{t: t, handler: srv.Handler(), store: st, sched: sched, clock: clk, url: ts.URL, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	return h
}

// newHarnessSharing is another browser (its own cookies) on the same server.
func newHarnessSharing(t *testing.T, h *harness) *harness {
	jar, _ := cookiejar.New(nil)
	c := *h
	c.t = t
	c.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &c
}

func score(v float64) *float64 { return &v }

func scale() []pinggu.Option {
	return []pinggu.Option{{Code: "5", Label: "很满意", Score: score(100)}, {Code: "4", Label: "满意", Score: score(80)},
		{Code: "3", Label: "基本满意", Score: score(60)}, {Code: "2", Label: "不满意", Score: score(40)},
		{Code: "1", Label: "很不满意", Score: score(20)}, {Code: "9", Label: "不清楚"}}
}

// questionnaireJSON is a small questionnaire with every question type.
func questionnaireJSON() map[string]any {
	return map[string]any{
		"code": "fz2024", "title": "法治政府建设满意度测评", "intro": "匿名填写",
		"questions": []map[string]any{
			{"code": "Q1", "type": "scale", "text": "政务服务", "required": true, "dimension": "zwfw", "options": scale()},
			{"code": "D1", "type": "single", "text": "职业", "required": true,
				"options": []map[string]any{{"code": "1", "label": "职工"}, {"code": "2", "label": "企业经营者"}}},
			{"code": "Q2", "type": "scale", "text": "涉企检查", "required": true, "options": scale(),
				"showIf": map[string]any{"question": "D1", "in": []string{"2"}}},
			{"code": "Q13", "type": "multi", "text": "改进方面", "maxPicks": 2,
				"options": []map[string]any{{"code": "1", "label": "效率"}, {"code": "2", "label": "执法"}, {"code": "3", "label": "公开"}}},
			{"code": "Q14", "type": "text", "text": "建议", "maxLength": 20},
			{"code": "Q15", "type": "rating", "text": "总体打分"},
		},
	}
}

// seed creates two units in the round, one outside it, the questionnaire and the round.
func (h *harness) seed() {
	h.t.Helper()
	for _, u := range []map[string]any{
		{"code": "chongchuan", "name": "崇川区", "type": "county", "peerGroup": "县市区"},
		{"code": "haimen", "name": "海门区", "type": "county", "peerGroup": "县市区"},
		{"code": "rudong", "name": "如东县", "type": "county", "peerGroup": "县市区"},
	} {
		h.mustAPI("POST", "/api/v1/units", u, http.StatusCreated)
	}
	h.mustAPI("POST", "/api/v1/questionnaires", questionnaireJSON(), http.StatusCreated)
	h.mustAPI("POST", "/api/v1/rounds", roundJSON(), http.StatusCreated)
	h.mustAPI("POST", "/api/v1/rounds/r2024/schedule", nil, http.StatusOK)
}

func roundJSON() map[string]any {
	return map[string]any{
		"code": "r2024", "title": "2024年度测评", "kind": "satisfaction", "questionnaire": "fz2024",
		"units": []string{"chongchuan", "haimen"}, "quotas": map[string]int{"chongchuan": 100, "haimen": 50},
		"opensAt": opensAt.Format(time.RFC3339), "closesAt": closesAt.Format(time.RFC3339),
	}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, r.body)
	}
	return m
}

// errorFields returns error.fields of a JSON error reply.
func (r reply) errorFields(t *testing.T) map[string]any {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	f, _ := e["fields"].(map[string]any)
	return f
}

func (h *harness) do(method, path, contentType string, body io.Reader, auth bool) reply {
	h.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, h.url+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth {
		req.Header.Set("Authorization", "Bearer "+adminToken)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// api sends v as JSON with the admin token.
func (h *harness) api(method, path string, v any) reply {
	h.t.Helper()
	var body io.Reader
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			h.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	return h.do(method, path, "application/json", body, true)
}

func (h *harness) mustAPI(method, path string, v any, want int) reply {
	h.t.Helper()
	r := h.api(method, path, v)
	if r.status != want {
		h.t.Fatalf("%s %s = %d, want %d: %s", method, path, r.status, want, r.body)
	}
	return r
}

func (h *harness) get(path string) reply { h.t.Helper(); return h.do("GET", path, "", nil, false) }

func (h *harness) postForm(path string, form url.Values) reply {
	h.t.Helper()
	return h.do("POST", path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), false)
}

func (h *harness) postJSON(path, body string) reply {
	h.t.Helper()
	return h.do("POST", path, "application/json", strings.NewReader(body), false)
}

var hiddenRe = regexp.MustCompile(`name="(sid|issued|channel|tag)" value="([^"]*)"`)

// openForm fetches a survey page and returns its hidden fields.
func (h *harness) openForm(path string) url.Values {
	h.t.Helper()
	r := h.get(path)
	if r.status != http.StatusOK {
		h.t.Fatalf("GET %s = %d: %s", path, r.status, r.body)
	}
	form := url.Values{}
	for _, m := range hiddenRe.FindAllStringSubmatch(string(r.body), -1) {
		form.Set(m[1], m[2])
	}
	if form.Get("sid") == "" || form.Get("issued") == "" {
		h.t.Fatalf("form has no sid or issued stamp: %s", r.body)
	}
	return form
}

func (h *harness) count(round string) int64 {
	h.t.Helper()
	n, err := h.store.CountResponses(context.Background(), round)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}
