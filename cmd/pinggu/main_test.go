package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"pinggu"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"pinggu/jobs"
	"pinggu/store"
	"pinggu/store/storetest"
)

// syncBuffer collects what the product prints while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// running is the product started the way `pinggu serve` starts it.
type running struct {
	url    string
	out    *syncBuffer
	stop   context.CancelFunc
	done   chan error
	client *http.Client
}

// testClock is the product's clock in a test: real time until the test
// freezes it, then moved only by the test.
type testClock struct {
	mu     sync.Mutex
	frozen time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen.IsZero() {
		return time.Now()
	}
	return c.frozen
}

// Freeze stops the clock at t; Release lets it follow real time again.
func (c *testClock) Freeze(t time.Time) { c.mu.Lock(); c.frozen = t; c.mu.Unlock() }
func (c *testClock) Release()           { c.Freeze(time.Time{}) }

// startProduct builds the product as `pinggu serve` does (newApp) on a
// random port, and waits until it is healthy.
func startProduct(t *testing.T, dataDir string, env map[string]string) *running {
	t.Helper()
	return startProductWith(t, dataDir, env, &testClock{})
}

func startProductWith(t *testing.T, dataDir string, env map[string]string, clock *testClock) *running {
	t.Helper()
	return startCommand(t, "serve", dataDir, env, clock)
}

// startCommand starts the product as `pinggu <cmd>` (serve, web or demo),
// with any extra flags.
func startCommand(t *testing.T, cmd, dataDir string, env map[string]string, clock *testClock, flags ...string) *running {
	t.Helper()
	cfg, err := parseConfig(cmd, append([]string{"-data", dataDir}, flags...), func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{url: "http://" + ln.Addr().String(), out: &syncBuffer{}, stop: cancel, done: make(chan error, 1),
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	go func() {
		// The queue is polled every 100 ms instead of asynq's 1 s and 5 s:
		// tests wait for jobs, people do not notice.
		a, err := newApp(ctx, cmd, cfg, appOptions{Now: clock.Now, Stdout: r.out, Stderr: io.Discard,
			Worker: jobs.WorkerOptions{PollInterval: 100 * time.Millisecond}})
		if err != nil {
			r.done <- err
			return
		}
		err = a.run(ctx, ln)
		a.close() // the data folder is free once done says so
		r.done <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(r.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case err := <-r.done:
			t.Fatalf("product exited early: %v\n%s", err, r.out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("product did not become healthy: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return r
}

func (r *running) shutdown(t *testing.T) {
	t.Helper()
	r.stop()
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("product did not stop")
	}
}

// posted is something a test creates with the admin token "tok".
type posted struct {
	path string
	body any
}

// createAll POSTs each in order, failing the test unless it is created.
func (r *running) createAll(t *testing.T, steps ...posted) {
	t.Helper()
	for _, s := range steps {
		if status, body := r.api(t, "tok", "POST", s.path, s.body); status != 201 {
			t.Fatalf("POST %s = %d %v", s.path, status, body)
		}
	}
}

func (r *running) api(t *testing.T, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	return do(t, r, token, method, path, "application/json", b)
}

// do sends a request with a bearer token and decodes the JSON answer.
func do(t *testing.T, p *running, token, method, path, contentType string, body []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, p.url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// multipartBody is a form with fields and, when fileField is set, a file.
func multipartBody(t *testing.T, fields map[string]string, fileField, fileName string, file []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if fileField != "" {
		fw, _ := w.CreateFormFile(fileField, fileName)
		fw.Write(file)
	}
	w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

var tokenRe = regexp.MustCompile(`admin token: ([0-9a-f]{64})`)

func TestServeEndToEnd(t *testing.T) {
	t.Parallel() // its own data folder, port and in-process Redis
	dir := storetest.Dir(t)
	p := startProduct(t, dir, nil)
	m := tokenRe.FindStringSubmatch(p.out.String())
	if m == nil {
		t.Fatalf("no admin token printed:\n%s", p.out)
	}
	token := m[1]

	now := time.Now()
	steps := []struct {
		path string
		body any
	}{
		{"/api/v1/units", map[string]any{"code": "chongchuan", "name": "崇川区", "type": "county", "peerGroup": "县市区"}},
		{"/api/v1/questionnaires", map[string]any{"code": "q", "title": "满意度", "questions": []any{
			map[string]any{"code": "Q1", "type": "scale", "text": "满意吗", "required": true, "options": []any{
				map[string]any{"code": "5", "label": "很满意", "score": 100}, map[string]any{"code": "1", "label": "很不满意", "score": 20},
				map[string]any{"code": "9", "label": "不清楚"}}}}}},
		{"/api/v1/rounds", map[string]any{"code": "r1", "title": "测评", "kind": "satisfaction", "questionnaire": "q",
			"units": []string{"chongchuan"}, "quotas": map[string]int{"chongchuan": 10},
			"opensAt": now.Add(-time.Hour).Format(time.RFC3339), "closesAt": now.Add(time.Hour).Format(time.RFC3339)}},
	}
	for _, s := range steps {
		if status, body := p.api(t, token, "POST", s.path, s.body); status != 201 {
			t.Fatalf("POST %s = %d %v", s.path, status, body)
		}
	}
	if status, body := p.api(t, token, "POST", "/api/v1/rounds/r1/schedule", nil); status != 200 || body["status"] != "scheduled" {
		t.Fatalf("schedule = %d %v", status, body)
	}

	resp, err := p.client.Get(p.url + "/s/r1/chongchuan")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sid := regexp.MustCompile(`name="sid" value="([^"]+)"`).FindSubmatch(page)
	issued := regexp.MustCompile(`name="issued" value="([^"]+)"`).FindSubmatch(page)
	if resp.StatusCode != 200 || sid == nil || issued == nil {
		t.Fatalf("survey page = %d:\n%s", resp.StatusCode, page)
	}
	form := url.Values{"sid": {string(sid[1])}, "issued": {string(issued[1])}, "Q1": {"5"}}
	for i := 0; i < 2; i++ { // the second post is a double tap
		resp, err = p.client.PostForm(p.url+"/s/r1/chongchuan", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("submit %d = %d", i, resp.StatusCode)
		}
	}
	checkReceived := func(p *running, want float64) {
		t.Helper()
		status, prog := p.api(t, token, "GET", "/api/v1/rounds/r1/progress", nil)
		units, _ := prog["units"].([]any)
		if status != 200 || len(units) != 1 || units[0].(map[string]any)["received"] != want {
			t.Fatalf("progress = %d %v, want received %v", status, prog, want)
		}
	}
	checkReceived(p, 1)
	if err := healthcheck(context.Background(), config{Addr: strings.TrimPrefix(p.url, "http://")}, false); err != nil {
		t.Errorf("healthcheck of a running server: %v", err)
	}
	p.shutdown(t)
	if err := healthcheck(context.Background(), config{Addr: strings.TrimPrefix(p.url, "http://")}, false); err == nil {
		t.Error("healthcheck passes with the server stopped")
	}

	// A restart on the same data directory keeps everything, and keeps the
	// admin token, which is not printed again.
	p = startProduct(t, dir, nil)
	defer p.shutdown(t)
	if tokenRe.MatchString(p.out.String()) {
		t.Error("admin token printed again on restart")
	}
	checkReceived(p, 1)
	if !strings.Contains(p.out.String(), "/s/r1/chongchuan") {
		t.Errorf("survey link not printed:\n%s", p.out)
	}
}

func TestAdminTokenFromEnvironment(t *testing.T) {
	t.Parallel() // its own data folder, port and in-process Redis
	p := startProduct(t, storetest.Dir(t), map[string]string{"PINGGU_ADMIN_TOKEN": "from-env-token"})
	defer p.shutdown(t)
	if status, _ := p.api(t, "from-env-token", "GET", "/api/v1/units", nil); status != 200 {
		t.Fatalf("env token rejected: %d", status)
	}
	if status, _ := p.api(t, "other", "GET", "/api/v1/units", nil); status != 401 {
		t.Fatalf("wrong token accepted: %d", status)
	}
}

func TestParseConfig(t *testing.T) {
	t.Parallel() // its own data folder, port and in-process Redis
	env := map[string]string{"PINGGU_ADDR": ":9000", "PINGGU_MONGO_URI": "mongodb://m:27017", "PINGGU_REDIS_ADDR": "r:6379", "PINGGU_BASE_URL": "https://pg.example.cn/"}
	cfg, err := parseConfig("serve", []string{"-addr", ":9001"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":9001" || cfg.MongoURI != "mongodb://m:27017" || cfg.RedisAddr != "r:6379" || cfg.BaseURL != "https://pg.example.cn" || cfg.DataDir != "./data" {
		t.Fatalf("cfg = %+v", cfg)
	}
	if _, err := parseConfig("serve", []string{"extra"}, func(string) string { return "" }, io.Discard); err == nil {
		t.Fatal("stray argument accepted")
	}
	if err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, strings.NewReader(""), io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command accepted")
	}
}

func TestUserAddCommand(t *testing.T) {
	t.Parallel() // its own data folder, port and in-process Redis
	dir := storetest.Dir(t)
	env := func(k string) string {
		if k == "PINGGU_DATA_DIR" {
			return dir
		}
		return ""
	}
	var out bytes.Buffer
	args := []string{"user", "add", "--role", "admin", "--name", "wang"}
	if err := run(context.Background(), args, env, strings.NewReader("correct-horse-1\n"), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "user wang added as 管理员") {
		t.Fatalf("output %q", out.String())
	}
	if err := run(context.Background(), args, env, strings.NewReader("correct-horse-1\n"), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "已存在") {
		t.Fatalf("second add: %v", err)
	}
	// While the product serves the folder, a second process may not open
	// it: user add says so and how to add the account instead.
	p := startProduct(t, dir, map[string]string{"PINGGU_ADMIN_TOKEN": "tok"})
	busy := []string{"user", "add", "--role", "assessor", "--name", "liu"}
	if err := run(context.Background(), busy, env, strings.NewReader("correct-horse-1\n"), io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "stop it first") || !strings.Contains(err.Error(), "/api/v1/users") {
		t.Fatalf("user add beside a running server: %v", err)
	}
	if status, body := p.api(t, "tok", "POST", "/api/v1/users", map[string]any{"name": "liu", "role": "assessor", "password": "correct-horse-1"}); status != 201 {
		t.Fatalf("the running server's own add = %d %v", status, body)
	}
	p.shutdown(t)
	short := []string{"user", "add", "--role", "admin", "--name", "zhao"}
	if err := run(context.Background(), short, env, strings.NewReader("short\n"), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "密码") {
		t.Fatalf("short password: %v", err)
	}
}

// TestServeWithRedisDown: the product starts and answers with its queue
// unreachable; the survey side does not need Redis.
func TestServeWithRedisDown(t *testing.T) {
	t.Parallel() // its own data folder, port and in-process Redis
	p := startProduct(t, storetest.Dir(t), map[string]string{"PINGGU_ADMIN_TOKEN": "tok", "PINGGU_REDIS_ADDR": "127.0.0.1:1"})
	defer p.shutdown(t)
	if status, _ := p.api(t, "tok", "POST", "/api/v1/units", map[string]any{"code": "u1", "name": "崇川区", "type": "county", "peerGroup": "县市区"}); status != 201 {
		t.Fatalf("unit = %d", status)
	}
	if status, body := p.api(t, "tok", "POST", "/api/v1/rounds/nope/compile", nil); status != 404 {
		t.Fatalf("compile of an unknown round = %d %v", status, body)
	}
}

// A compile asked for from the console is in the jobs collection before it
// runs; when the process stops first (here: a web process with no worker
// and the in-process Redis, which keeps nothing), the next start finds it
// unfinished, queues it again, and it runs.
func TestJobsAskedForNowSurviveARestart(t *testing.T) {
	t.Parallel()
	dir := storetest.Dir(t)
	env := map[string]string{"PINGGU_ADMIN_TOKEN": "tok"}
	web := startCommand(t, "web", dir, env, &testClock{})
	oneUnitRound(t, web)
	status, body := web.api(t, "tok", "POST", "/api/v1/rounds/r1/compile", nil)
	if status != http.StatusAccepted {
		t.Fatalf("compile = %d %v", status, body)
	}
	job := body["job"].(string)
	web.shutdown(t)

	p := startProduct(t, dir, env)
	defer p.shutdown(t)
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, js := p.api(t, "tok", "GET", "/api/v1/jobs?round=r1", nil)
		for _, j := range js["jobs"].([]any) {
			if m := j.(map[string]any); m["id"] == job && m["state"] == "succeeded" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the compile asked for before the restart never ran: %v", js)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A run that dies between storing a response and counting it leaves the
// tally behind the responses; the next start, finding the last run did not
// stop cleanly, counts the open rounds again from the responses and says
// so in the audit log; `pinggu repair` and the API find nothing more.
func TestTalliesHealAfterAnUncleanStop(t *testing.T) {
	t.Parallel()
	dir := storetest.Dir(t)
	env := map[string]string{"PINGGU_ADMIN_TOKEN": "tok"}
	p := startProduct(t, dir, env)
	now := time.Now()
	oneUnitRound(t, p)
	if status, _ := p.api(t, "tok", "POST", "/api/v1/rounds/r1/schedule", nil); status != 200 {
		t.Fatal("schedule")
	}
	for i := range 3 {
		if status, body := p.api(t, "", "POST", "/api/v1/rounds/r1/units/u1/responses", map[string]any{"sid": fmt.Sprintf("kept-%04d", i), "answers": map[string]any{"Q1": "5"}}); status != 201 {
			t.Fatalf("submit = %d %v", status, body)
		}
	}
	p.shutdown(t)

	// What a death between the two writes leaves: a fourth response stored
	// and never counted, and the run still marked as running.
	st, err := store.Open(context.Background(), store.Config{DataDir: filepath.Join(dir)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Started(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.InsertResponse(context.Background(), &pinggu.Response{ID: "lost-count-1", Round: "r1", Unit: "u1", Questionnaire: "q",
		QuestionnaireVersion: 1, Answers: pinggu.Answers{"Q1": {"1"}}, Channel: pinggu.ChannelWeb, SubmittedAt: now, DurationMs: -1}); err != nil {
		t.Fatal(err)
	}
	st.Close(context.Background())

	p = startProduct(t, dir, env)
	_, prog := p.api(t, "tok", "GET", "/api/v1/rounds/r1/progress", nil)
	if got := prog["units"].([]any)[0].(map[string]any)["received"]; got != 4.0 {
		t.Fatalf("received after the restart = %v", got)
	}
	_, audit := p.api(t, "tok", "GET", "/api/v1/audit?action=tally.repair", nil)
	if !strings.Contains(fmt.Sprint(audit), "崇川区 已收3→4") {
		t.Fatalf("no repair in the audit log: %v", audit)
	}
	if status, res := p.api(t, "tok", "POST", "/api/v1/rounds/r1/tallies/rebuild", nil); status != 200 || len(res["fixed"].([]any)) != 0 {
		t.Fatalf("rebuild on demand = %d %v", status, res)
	}
	p.shutdown(t)
	var out bytes.Buffer
	envf := func(k string) string {
		if k == "PINGGU_DATA_DIR" {
			return dir
		}
		return ""
	}
	if err := run(context.Background(), []string{"repair"}, envf, nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "round r1: tallies agree") {
		t.Fatalf("repair: %v %s", err, out.String())
	}
}

// oneUnitRound creates unit u1, a one-question questionnaire q and round r1,
// open from an hour ago to an hour from now.
func oneUnitRound(t *testing.T, p *running) {
	t.Helper()
	now := time.Now()
	for _, s := range []struct {
		path string
		body any
	}{
		{"/api/v1/units", map[string]any{"code": "u1", "name": "崇川区", "type": "county", "peerGroup": "县市区"}},
		{"/api/v1/questionnaires", map[string]any{"code": "q", "title": "满意度", "questions": []any{map[string]any{"code": "Q1", "type": "scale", "text": "满意吗",
			"options": []any{map[string]any{"code": "5", "label": "很满意", "score": 100}, map[string]any{"code": "1", "label": "不满意", "score": 20}}}}}},
		{"/api/v1/rounds", map[string]any{"code": "r1", "title": "测评", "kind": "satisfaction", "questionnaire": "q", "units": []string{"u1"},
			"opensAt": now.Add(-time.Hour).Format(time.RFC3339), "closesAt": now.Add(time.Hour).Format(time.RFC3339)}},
	} {
		if status, body := p.api(t, "tok", "POST", s.path, s.body); status != 201 {
			t.Fatalf("POST %s = %d %v", s.path, status, body)
		}
	}
}
