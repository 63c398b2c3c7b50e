package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"pinggu/store/storetest"
)

// TestBrowserSelfAssessmentAndPublicPage drives headless Chromium on a
// 375×667 phone: a unit's reporter signs in, opens the unit's
// self-assessment from the first page and saves a leaf; then anyone opens
// the round's public results page during its notice.
func TestBrowserSelfAssessmentAndPublicPage(t *testing.T) {
	t.Parallel() // its own data folder, port and in-process Redis
	exe := chromium(t)
	shots := artefacts(t)
	p := startProduct(t, storetest.Dir(t), map[string]string{"PINGGU_ADMIN_TOKEN": "tok"})
	defer p.shutdown(t)
	now := time.Now().UTC()
	p.createAll(t,
		posted{"/api/v1/units", map[string]any{"code": "chongchuan", "name": "崇川区", "type": "county", "peerGroup": "县市区"}},
		posted{"/api/v1/questionnaires", map[string]any{"code": "q", "title": "满意度", "questions": []any{
			map[string]any{"code": "Q1", "type": "scale", "text": "政务服务", "options": []any{map[string]any{"code": "5", "label": "很满意", "score": 100}, map[string]any{"code": "1", "label": "不满意", "score": 0}}}}}},
		posted{"/api/v1/indicator-systems", map[string]any{"code": "fzzf", "name": "考核指标", "indicators": []any{
			map[string]any{"code": "A1", "level": 1, "name": "权责清单公开", "points": 50, "rubric": "binary"},
			map[string]any{"code": "A2", "level": 1, "name": "法治宣传", "points": 50, "rubric": "manual"}}}},
		posted{"/api/v1/rounds", map[string]any{"code": "kh", "title": "2026年度法治政府建设考核", "kind": "assessment", "questionnaire": "q",
			"units": []string{"chongchuan"}, "opensAt": now.Add(-time.Hour).Format(time.RFC3339),
			"closesAt": now.Add(7 * 24 * time.Hour).Format(time.RFC3339), "schedule": map[string]any{"progressMinutes": -1},
			"assessment": map[string]any{"indicatorSystem": "fzzf", "phases": map[string]any{
				"notice": map[string]any{"opens": now.Add(-30 * time.Minute).Format(time.RFC3339), "closes": now.Add(24 * time.Hour).Format(time.RFC3339)}}}}},
		posted{"/api/v1/users", map[string]any{"name": "cc.tianbao", "role": "reporter", "unit": "chongchuan", "password": "correct-horse-1"}},
	)
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/v1/rounds/kh/schedule", nil},
		{"PUT", "/api/v1/rounds/kh/units/chongchuan/inputs/A1", map[string]any{"value": 1}},
		{"PUT", "/api/v1/rounds/kh/units/chongchuan/inputs/A2", map[string]any{"score": 40}},
	} {
		if status, b := p.api(t, "tok", c.method, c.path, c.body); status != 200 {
			t.Fatalf("%s %s = %d %v", c.method, c.path, status, b)
		}
	}
	_, job := p.api(t, "tok", "POST", "/api/v1/rounds/kh/compile", nil)
	downloadScorecard(t, p, "kh", job["job"].(string)).Close()

	ctx, shotAt, textAt := browser(t, exe, shots)
	shot := func(name string) { t.Helper(); shotAt(ctx, name) }
	text := func(sel string) string { t.Helper(); return textAt(ctx, sel) }
	const sheet = "/admin/rounds/kh/units/chongchuan/self"
	if err := chromedp.Do(ctx,
		chromedp.Emulate(device.Info{Name: "phone", UserAgent: "Mozilla/5.0 (Linux; Android 10) AppleWebKit/537.36 Mobile MicroMessenger/8.0",
			Width: 375, Height: 667, Scale: 2, Mobile: true, Touch: true}),
		chromedp.Navigate(p.url+"/admin/login"),
	); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, signIn("cc.tianbao", "correct-horse-1", sheet)...); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="`+sheet+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#leaf-A1 input[type=radio][value="1"]`)),
		chromedp.Click(chromedp.CSS(`#leaf-A1 input[type=radio][value="1"]`)),
		chromedp.SendKeys(chromedp.ID("x-A1"), "权责清单已在门户网站公开"),
		chromedp.Click(chromedp.CSS(`#leaf-A1 button`)),
		chromedp.WaitVisible(chromedp.CSS(`p[role="status"]`)),
	); err != nil {
		t.Fatalf("self-assessment on a phone: %v", err)
	}
	if notice := text(`p[role="status"]`); !strings.Contains(notice, "已保存指标A1") {
		t.Fatalf("after saving the page says %q", notice)
	}
	if leaf := text("#leaf-A1"); !strings.Contains(leaf, "本单位自评") || !strings.Contains(leaf, "草稿") {
		t.Fatalf("A1 after saving: %q", leaf)
	}
	shot("8-self-assessment-375x667.png")

	if err := chromedp.Do(ctx, chromedp.Navigate(p.url+"/p/kh"), chromedp.WaitVisible(chromedp.CSS("table"))); err != nil {
		t.Fatalf("public page: %v", err)
	}
	if page := text("main"); !strings.Contains(page, "公示稿") || !strings.Contains(page, "崇川区") || !strings.Contains(page, "90.00") {
		t.Fatalf("public page says %q", page)
	}
	shot("9-public-375x667.png")
}
