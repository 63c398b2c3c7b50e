package main

import (
	"context"
	"fmt"
	"os"
	"pinggu/store/storetest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core from the npm registry (testdata/axe, see its
// README): injected into pages by the browser tests only, never served.
var axeSource = sync.OnceValues(func() ([]byte, error) { return os.ReadFile("testdata/axe/axe.min.js") })

type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

// checkAxe runs axe-core's WCAG 2.1 A and AA rules on the page ctx shows
// and fails the test on every serious or critical violation.
func checkAxe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(src)+";true")); err != nil {
		t.Fatalf("%s: inject axe: %v", page, err)
	}
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
		.then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
		.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe: %v", page, err)
	}
	for _, v := range found {
		t.Errorf("%s: %s (%s): %s at %v", page, v.ID, v.Impact, v.Help, v.Nodes)
	}
}

// fitsWidth fails when the page is wider than its viewport (a row a
// citizen would have to scroll sideways).
func fitsWidth(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	w, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
	if err != nil || len(w) != 2 || w[0] > w[1] {
		// Name the outermost elements that stick out, to find the cause.
		wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1 &&
			!(e.parentElement && e.parentElement.getBoundingClientRect().right > innerWidth + 1)).slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)`))
		t.Errorf("%s: page %v wide in its viewport (%v): %v", page, w, err, wide)
	}
}

// TestBrowserBuilderAndAccessibility drives headless Chromium through the
// questionnaire builder (paste a Word questionnaire, add, reorder,
// preview, delete, save) at 1280 and 375 px, a confirmation, and the
// survey at 320 px and at 200% zoom, running axe-core on the survey,
// thank-you, public results and main console pages.
func TestBrowserBuilderAndAccessibility(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	shots := artefacts(t)
	p := startProduct(t, storetest.Dir(t), map[string]string{"PINGGU_ADMIN_TOKEN": "tok"})
	defer p.shutdown(t)
	now := time.Now().UTC()
	scale := []any{map[string]any{"code": "5", "label": "很满意", "score": 100}, map[string]any{"code": "3", "label": "基本满意", "score": 60},
		map[string]any{"code": "1", "label": "不满意", "score": 0}, map[string]any{"code": "9", "label": "不清楚"}}
	p.createAll(t,
		posted{"/api/v1/units", map[string]any{"code": "chongchuan", "name": "崇川区", "type": "county", "peerGroup": "县市区"}},
		posted{"/api/v1/questionnaires", map[string]any{"code": "fz", "title": "法治政府建设满意度测评", "dimensions": []any{map[string]any{"code": "fuwu", "name": "政务服务"}},
			"questions": []any{
				map[string]any{"code": "Q1", "type": "scale", "text": "您对政务服务的满意程度", "required": true, "dimension": "fuwu", "section": "一、满意度评价", "options": scale},
				map[string]any{"code": "Q2", "type": "rating", "text": "请为本地法治政府建设总体打分"},
				map[string]any{"code": "Q3", "type": "multi", "text": "最需要改进的方面", "section": "二、意见建议", "maxPicks": 2, "options": []any{
					map[string]any{"code": "1", "label": "办事效率"}, map[string]any{"code": "2", "label": "执法规范"}, map[string]any{"code": "3", "label": "政务公开"}}},
				map[string]any{"code": "Q4", "type": "text", "text": "您的建议", "maxLength": 200},
			}}},
		posted{"/api/v1/rounds", map[string]any{"code": "r1", "title": "2026年度法治政府建设群众满意度测评", "kind": "satisfaction", "questionnaire": "fz",
			"units": []string{"chongchuan"}, "quotas": map[string]int{"chongchuan": 100},
			"opensAt": now.Add(-time.Hour).Format(time.RFC3339), "closesAt": now.Add(7 * 24 * time.Hour).Format(time.RFC3339)}},
		posted{"/api/v1/users", map[string]any{"name": "wang", "role": "admin", "password": "correct-horse-1"}},
	)
	if status, body := p.api(t, "tok", "POST", "/api/v1/rounds/r1/schedule", nil); status != 200 {
		t.Fatalf("schedule = %d %v", status, body)
	}
	word, err := os.ReadFile("../../testdata/word-questionnaire.txt")
	if err != nil {
		t.Fatal(err)
	}

	ctx, shot, text := browser(t, exe, shots)
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(p.url+"/admin/login"), chromedp.WaitVisible(chromedp.ID("name"))); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, ctx, "sign-in")
	if err := chromedp.Do(ctx, signIn("wang", "correct-horse-1", "/admin/rounds/r1")...); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	checkAxe(t, ctx, "dashboard")

	// The builder at 1280 px: paste, then edit the draft with its buttons.
	heading := func() string { return text(ctx, "main h2") }
	// post clicks a button that submits the builder and waits for the page it answers with.
	post := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		start := time.Now()
		if err := chromedp.Do(ctx, steps[:len(steps)-1]...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if resp, err := chromedp.RunResponse(ctx, steps[len(steps)-1]); err != nil || resp.Status >= 400 {
			t.Fatalf("%s: %v %+v", what, err, resp)
		}
		t.Logf("%s: %v", what, time.Since(start).Round(time.Millisecond))
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(p.url+"/admin/questionnaires/build"), chromedp.Click(chromedp.CSS("details summary"))); err != nil {
		t.Fatal(err)
	}
	post("paste", chromedp.SetValue(chromedp.ID("paste"), string(word)), chromedp.Click(chromedp.CSS(`button[value="import"]`)))
	if h := heading(); !strings.Contains(h, "共 14 题") {
		t.Fatalf("the pasted questionnaire of 14 questions became %q", h)
	}
	checkAxe(t, ctx, "builder")
	shot(ctx, "7-builder-import-1280.png")
	t.Logf("axe and screenshot of the builder: %v", time.Since(start).Round(time.Millisecond))
	post("add", chromedp.SetValue(chromedp.ID("b-code"), "fz2025"), chromedp.SetValue(chromedp.ID("newtype"), "text"),
		chromedp.Click(chromedp.CSS(`button[value="add"]`)))
	post("move up", chromedp.SendKeys(chromedp.ID("q14-text"), "您还有什么想说的？"), chromedp.Click(chromedp.CSS(`button[value="up:14"]`)))
	moved, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("q13-text")))
	if err != nil || moved != "您还有什么想说的？" || !strings.Contains(heading(), "共 15 题") {
		t.Fatalf("after adding and moving up, question 14 reads %q (%v), heading %q", moved, err, heading())
	}
	post("preview", chromedp.Click(chromedp.CSS(`button[value="preview"]`)))
	if inPreview, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('iframe.phone').srcdoc.includes('您还有什么想说的？')`)); err != nil || !inPreview {
		t.Errorf("the preview does not show the new question (%v)", err)
	}
	shot(ctx, "8-builder-preview-1280.png")
	// Typing changes the preview without a button.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("q0-text"), "（实时预览）")); err != nil {
		t.Fatal(err)
	}
	live := false
	for deadline := time.Now().Add(10 * time.Second); !live && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		live, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('iframe.phone').srcdoc.includes('（实时预览）')`))
	}
	if !live {
		t.Error("the preview did not follow the typing")
	}
	post("delete", chromedp.Click(chromedp.CSS(`button[value="del:13"]`)))
	if h := heading(); !strings.Contains(h, "共 14 题") {
		t.Fatalf("after deleting: %q", h)
	}
	post("save", chromedp.Click(chromedp.CSS(`button[value="save"]`)))
	if done := text(ctx, `p[role="status"]`); !strings.Contains(done, "已保存问卷「2025年度法治政府建设群众满意度调查问卷」第1版") {
		t.Fatalf("after saving: %q", done)
	}
	if _, q := p.api(t, "tok", "GET", "/api/v1/questionnaires/fz2025", nil); len(q["questions"].([]any)) != 14 {
		t.Fatalf("saved %v", q)
	}
	// The builder on a phone.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 667), chromedp.Navigate(p.url+"/admin/questionnaires/build?code=fz2025"),
		chromedp.WaitVisible(chromedp.ID("q0"))); err != nil {
		t.Fatal(err)
	}
	fitsWidth(t, ctx, "builder at 375 px")
	shot(ctx, "9-builder-375.png")
	// The same steps on the phone: add, move up, preview, save a new version.
	post("add at 375 px", chromedp.SetValue(chromedp.ID("newtype"), "single"), chromedp.Click(chromedp.CSS(`button[value="add"]`)))
	post("move up at 375 px", chromedp.SendKeys(chromedp.ID("q14-text"), "您是否了解本地的法治政府建设考核？"),
		chromedp.SendKeys(chromedp.CSS(`input[name="q.14.o.0.label"]`), "了解"), chromedp.SendKeys(chromedp.CSS(`input[name="q.14.o.1.label"]`), "不了解"),
		chromedp.Click(chromedp.CSS(`button[value="up:14"]`)))
	post("preview at 375 px", chromedp.Click(chromedp.CSS(`button[value="preview"]`)))
	fitsWidth(t, ctx, "builder at 375 px after editing")
	post("save at 375 px", chromedp.Click(chromedp.CSS(`button[value="save"]`)))
	if _, q := p.api(t, "tok", "GET", "/api/v1/questionnaires/fz2025", nil); q["version"] != 2.0 || len(q["questions"].([]any)) != 15 ||
		q["questions"].([]any)[13].(map[string]any)["text"] != "您是否了解本地的法治政府建设考核？" {
		t.Fatalf("saved on the phone: version %v, %d questions", q["version"], len(q["questions"].([]any)))
	}

	// A confirmation: cancelling an open round asks first, saying what follows.
	post("cancel", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(p.url+"/admin/rounds/r1"), chromedp.Click(chromedp.CSS(`button[value="cancel"]`)))
	if says := text(ctx, `main [role="alert"]`); !strings.Contains(says, "草稿") {
		t.Errorf("the confirmation says %q", says)
	}
	checkAxe(t, ctx, "confirmation")
	post("back", chromedp.Click(chromedp.CSS(`a.btn.quiet`)))
	checkAxe(t, ctx, "round page")
	if _, r := p.api(t, "tok", "GET", "/api/v1/rounds/r1", nil); r["status"] != "open" {
		t.Fatalf("going back changed the round: %v", r["status"])
	}

	// The survey: a phone at 320 px, then 200% zoom (a 160 px layout
	// viewport), standard and large text; then the thank-you page.
	phone, cancelPhone := chromedp.NewContext(ctx)
	defer cancelPhone()
	for _, v := range []struct {
		width int
		query string
	}{{320, ""}, {160, ""}, {320, "?size=large"}, {375, ""}} {
		if err := chromedp.Do(phone, chromedp.EmulateViewport(int64(v.width), 640), chromedp.Navigate(p.url+"/s/r1/chongchuan"+v.query),
			chromedp.WaitVisible(chromedp.CSS(`label:has(#Q1-5)`))); err != nil {
			t.Fatalf("survey at %d px: %v", v.width, err)
		}
		fitsWidth(t, phone, fmt.Sprintf("survey at %d px%s", v.width, v.query))
	}
	checkAxe(t, phone, "survey")
	shot(phone, "10-survey-375.png")
	if err := chromedp.Do(phone, chromedp.Click(chromedp.CSS(`label:has(#Q1-5)`)), chromedp.Click(chromedp.CSS(`label:has(#Q2-8)`))); err != nil {
		t.Fatal(err)
	}
	if resp, err := chromedp.RunResponse(phone, chromedp.Click(chromedp.CSS(`.actions button`))); err != nil || resp.Status != 200 {
		t.Fatalf("submit: %v %+v", err, resp)
	}
	checkAxe(t, phone, "thank-you")
	if err := chromedp.Do(phone, chromedp.Navigate(p.url+"/p/r1"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, phone, "public results")
	// The start page, once the round is listed on it.
	_, rd := p.api(t, "tok", "GET", "/api/v1/rounds/r1", nil)
	rd["listed"] = true
	if status, body := p.api(t, "tok", "PUT", "/api/v1/rounds/r1", rd); status != 200 {
		t.Fatalf("list the round: %d %v", status, body)
	}
	if err := chromedp.Do(phone, chromedp.Navigate(p.url+"/"), chromedp.WaitVisible(chromedp.CSS(`a[href="/s/r1/chongchuan"]`))); err != nil {
		t.Fatalf("start page: %v", err)
	}
	checkAxe(t, phone, "start page")
}
