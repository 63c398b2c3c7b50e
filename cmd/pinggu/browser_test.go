package main

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"pinggu/store/storetest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// chromium finds a headless-capable browser. Outside CI a machine without
// one skips the browser test; in CI (.ci/run installs Debian's chromium)
// its absence fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on a CI machine: .ci/run should have installed it")
	}
	t.Skip("no chromium here; install Debian's chromium to run the browser test")
	return ""
}

// artefacts is where the browser test keeps its screenshots
// (PINGGU_ARTEFACTS, else artefacts/browser at the repository root).
func artefacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PINGGU_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "artefacts", "browser")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser starts headless Chromium for a test (closed with it) and gives
// its context, a full-page screenshot into the artefacts folder and the
// text of an element.
func browser(t *testing.T, exe, shots string) (context.Context, func(ctx context.Context, name string), func(ctx context.Context, sel string) string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Headless, chromedp.Flag("disable-background-networking", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	shot := func(ctx context.Context, name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	return ctx, shot, text
}

// signIn fills the console's sign-in form on the page ctx shows and waits
// for the first page after it (a link to next).
func signIn(name, password, next string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="` + next + `"]`)),
	}
}

// TestBrowserConsoleAndPhoneSurvey drives headless Chromium: an
// administrator signs in, schedules a round and opens its dashboard; a
// citizen fills the survey on a 375×667 phone; the dashboard then counts it.
func TestBrowserConsoleAndPhoneSurvey(t *testing.T) {
	t.Parallel() // its own data folder, port and in-process Redis
	exe := chromium(t)
	shots := artefacts(t)
	p := startProduct(t, storetest.Dir(t), map[string]string{"PINGGU_ADMIN_TOKEN": "tok"})
	defer p.shutdown(t)
	now := time.Now().UTC()
	for _, step := range []struct {
		path string
		body any
	}{
		{"/api/v1/units", map[string]any{"code": "chongchuan", "name": "崇川区", "type": "county", "peerGroup": "县市区"}},
		{"/api/v1/questionnaires", map[string]any{"code": "fz", "title": "法治政府建设满意度测评", "questions": []any{
			map[string]any{"code": "Q1", "type": "scale", "text": "您对政务服务的满意程度", "required": true, "dimension": "fuwu",
				"options": []any{map[string]any{"code": "5", "label": "很满意", "score": 100}, map[string]any{"code": "3", "label": "基本满意", "score": 60},
					map[string]any{"code": "1", "label": "不满意", "score": 0}}},
			map[string]any{"code": "Q2", "type": "text", "text": "您的建议", "maxLength": 200},
		}}},
		{"/api/v1/rounds", map[string]any{"code": "r1", "title": "2026年度满意度测评", "kind": "satisfaction", "questionnaire": "fz",
			"units": []string{"chongchuan"}, "quotas": map[string]int{"chongchuan": 100},
			"opensAt": now.Add(-time.Hour).Format(time.RFC3339), "closesAt": now.Add(7 * 24 * time.Hour).Format(time.RFC3339)}},
		{"/api/v1/users", map[string]any{"name": "wang", "role": "admin", "password": "correct-horse-1"}},
	} {
		if status, body := p.api(t, "tok", "POST", step.path, step.body); status != 201 {
			t.Fatalf("POST %s = %d %v", step.path, status, body)
		}
	}

	ctx, shot, text := browser(t, exe, shots)
	// The administrator signs in, opens the round and schedules it.
	if err := chromedp.Do(ctx, append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(1280, 900), chromedp.Navigate(p.url + "/admin/login")},
		signIn("wang", "correct-horse-1", "/admin/rounds/r1")...)...); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	shot(ctx, "1-console.png")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="/admin/rounds/r1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[value="schedule"]`)),
		chromedp.Click(chromedp.CSS(`button[value="schedule"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p[role="status"]`)),
	); err != nil {
		t.Fatalf("schedule: %v", err)
	}
	if notice := text(ctx, `p[role="status"]`); !strings.Contains(notice, "已排期") {
		t.Fatalf("after scheduling the page says %q", notice)
	}

	// A citizen on a phone, in a tab of its own.
	phone, cancelPhone := chromedp.NewContext(ctx)
	defer cancelPhone()
	if err := chromedp.Do(phone,
		chromedp.Emulate(device.Info{Name: "phone", UserAgent: "Mozilla/5.0 (Linux; Android 10) AppleWebKit/537.36 Mobile MicroMessenger/8.0",
			Width: 375, Height: 667, Scale: 2, Mobile: true, Touch: true}),
		chromedp.Navigate(p.url+"/s/r1/chongchuan?tag="+url.QueryEscape("政务大厅")),
		chromedp.WaitVisible(chromedp.CSS(`label:has(#Q1-5)`)),
		chromedp.Click(chromedp.CSS(`label:has(#Q1-5)`)),
		chromedp.SendKeys(chromedp.ID("Q2"), "办事很方便"),
	); err != nil {
		t.Fatalf("phone survey: %v", err)
	}
	shot(phone, "2-survey-375x667.png")
	// RunResponse waits for the page the click leads to (the thank-you page).
	resp, err := chromedp.RunResponse(phone, chromedp.Click(chromedp.CSS(`.actions button`)))
	if err != nil || resp.Status != 200 || !strings.Contains(resp.URL, "/thanks") {
		t.Fatalf("submit: %v %+v", err, resp)
	}
	if thanks := text(phone, "body"); !strings.Contains(thanks, "感谢") {
		t.Fatalf("after submitting the phone shows %q", thanks)
	}
	shot(phone, "3-thanks-375x667.png")

	// The dashboard counts it.
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`tr[data-unit="chongchuan"]`))); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	if n := text(ctx, `tr[data-unit="chongchuan"] [data-f="received"]`); strings.TrimSpace(n) != "1" {
		t.Fatalf("dashboard counts %q responses, want 1", n)
	}
	shot(ctx, "4-dashboard.png")

	// The round editor shows the times in the round's zone, and the
	// questionnaire editor previews the phone page.
	if err := chromedp.Do(ctx, chromedp.Navigate(p.url+"/admin/rounds/r1/edit"), chromedp.WaitVisible(chromedp.ID("r-open"))); err != nil {
		t.Fatalf("round editor: %v", err)
	}
	opens, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("r-open")))
	if want := now.Add(-time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04"); err != nil || opens != want {
		t.Fatalf("the editor opens at %q (%v), want %q", opens, err, want)
	}
	shot(ctx, "5-round-editor.png")
	if err := chromedp.Do(ctx, chromedp.Navigate(p.url+"/admin/questionnaires/edit?code=fz"),
		chromedp.Click(chromedp.CSS(`button[value="preview"]`)), chromedp.WaitVisible(chromedp.CSS("iframe.phone"))); err != nil {
		t.Fatalf("questionnaire preview: %v", err)
	}
	shot(ctx, "6-questionnaire-preview.png")
	t.Logf("screenshots in %s", shots)
}
