package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFormSubmissionStoresOnceAndThanks(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	form := h.openForm("/s/r2024/chongchuan")
	h.clock.Advance(95 * time.Second)
	form.Set("Q1", "5")
	form.Set("D1", "2")
	form.Set("Q2", "4")
	form.Add("Q13", "1")
	form.Add("Q13", "3")
	form.Set("Q14", "  窗口服务很好  ")
	form.Set("Q15", "9")

	r := h.postForm("/s/r2024/chongchuan", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("submit = %d, want 303: %s", r.status, r.body)
	}
	thanks := r.header.Get("Location")
	if !strings.HasPrefix(thanks, "/s/r2024/chongchuan/thanks?id="+form.Get("sid")) {
		t.Fatalf("redirect to %q", thanks)
	}
	page := h.get(thanks)
	if page.status != http.StatusOK || !strings.Contains(string(page.body), "提交成功") || !strings.Contains(string(page.body), "本次测评截至2024年11月20日 18:00") ||
		strings.Contains(string(page.body), form.Get("sid")) {
		t.Fatalf("thanks page = %d: %s", page.status, page.body)
	}

	// A double tap or a browser retry posts the same form again.
	again := h.postForm("/s/r2024/chongchuan", form)
	if again.status != http.StatusSeeOther || again.header.Get("Location") != thanks {
		t.Fatalf("resubmit = %d to %q, want 303 to %q", again.status, again.header.Get("Location"), thanks)
	}
	if n := h.count("r2024"); n != 1 {
		t.Fatalf("stored %d responses, want 1", n)
	}

	resp, err := h.store.Response(context.Background(), "r2024", form.Get("sid"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Round != "r2024" || resp.Unit != "chongchuan" || resp.Questionnaire != "fz2024" || resp.QuestionnaireVersion != 1 {
		t.Errorf("stored identity = %+v", resp)
	}
	if resp.Channel != "web" || resp.DurationMs != 95000 || !resp.SubmittedAt.Equal(h.clock.Now()) {
		t.Errorf("channel %q duration %d submitted %v", resp.Channel, resp.DurationMs, resp.SubmittedAt)
	}
	if got := strings.Join(resp.Answers["Q13"], ","); got != "1,3" || resp.Answers["Q14"][0] != "窗口服务很好" || resp.Answers["Q2"][0] != "4" {
		t.Errorf("answers = %v", resp.Answers)
	}
	u, _ := url.Parse(h.url + "/s/")
	var device string
	for _, c := range h.client.Jar.Cookies(u) {
		if c.Name == "pg_device" {
			device = c.Value
		}
	}
	if device == "" || resp.Device != device {
		t.Errorf("device = %q, cookie = %q", resp.Device, device)
	}
	if len(resp.IPHash) != 32 || strings.Contains(resp.IPHash, "127.0.0.1") {
		t.Errorf("ip hash = %q", resp.IPHash)
	}

	p := h.mustAPI("GET", "/api/v1/rounds/r2024/progress", nil, http.StatusOK).json(t)
	units := p["units"].([]any)
	first := units[0].(map[string]any)
	if first["unit"] != "chongchuan" || first["received"] != 1.0 || first["quota"] != 100.0 || first["today"] != 1.0 {
		t.Errorf("progress = %v", units)
	}
}

func TestFormErrorKeepsAnswersAndStoresNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	form := h.openForm("/s/r2024/haimen")
	form.Set("D1", "2")  // shows Q2, which is required
	form.Add("Q13", "1") // three picks where two are allowed
	form.Add("Q13", "2")
	form.Add("Q13", "3")
	form.Set("Q14", "意见很多") // kept as typed
	form.Set("Q15", "11")
	r := h.postForm("/s/r2024/haimen", form)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("status = %d, want 422", r.status)
	}
	body := string(r.body)
	for _, want := range []string{
		`id="err-Q1"`, `id="err-Q2"`, `id="err-Q13"`, `id="err-Q15"`, // a message beside each wrong question
		"此题为必答题", "最多选择2项", `role="alert"`,
		`id="D1-2" checked`, `id="Q13-3" checked`, ">意见很多</textarea>", // answers kept
		`name="sid" value="` + form.Get("sid") + `"`, // the same submission id
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, `id="err-D1"`) || strings.Contains(body, `id="err-Q14"`) {
		t.Error("a valid answer is marked wrong")
	}
	if n := h.count("r2024"); n != 0 {
		t.Fatalf("stored %d responses after an invalid submit", n)
	}
	// Correcting the form with the same sid stores it.
	form.Set("Q1", "3")
	form.Set("Q2", "5")
	form.Del("Q13")
	form.Set("Q15", "8")
	if r := h.postForm("/s/r2024/haimen", form); r.status != http.StatusSeeOther {
		t.Fatalf("corrected submit = %d: %s", r.status, r.body)
	}
	if n := h.count("r2024"); n != 1 {
		t.Fatalf("stored %d, want 1", n)
	}
}

func TestHiddenQuestionAnswerIsDropped(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	form := h.openForm("/s/r2024/haimen")
	form.Set("Q1", "5")
	form.Set("D1", "1") // Q2 is only for 企业经营者
	form.Set("Q2", "1")
	if r := h.postForm("/s/r2024/haimen", form); r.status != http.StatusSeeOther {
		t.Fatalf("submit = %d: %s", r.status, r.body)
	}
	resp, err := h.store.Response(context.Background(), "r2024", form.Get("sid"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := resp.Answers["Q2"]; ok {
		t.Fatalf("answer to a hidden question stored: %v", resp.Answers)
	}
}

func TestRoundPhasesAndUnknownPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	form := h.openForm("/s/r2024/chongchuan")
	form.Set("Q1", "5")
	form.Set("D1", "1")

	h.clock.Set(opensAt.Add(-time.Hour))
	r := h.get("/s/r2024/chongchuan")
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "尚未开始") || !strings.Contains(string(r.body), "2024年10月1日 09:00") {
		t.Fatalf("not yet open = %d: %s", r.status, r.body)
	}
	if r := h.postForm("/s/r2024/chongchuan", form); r.status != http.StatusConflict {
		t.Fatalf("submit before opening = %d", r.status)
	}

	h.clock.Set(closesAt)
	r = h.get("/s/r2024/chongchuan")
	if r.status != http.StatusGone || !strings.Contains(string(r.body), "已结束") {
		t.Fatalf("closed = %d: %s", r.status, r.body)
	}
	if r := h.postForm("/s/r2024/chongchuan", form); r.status != http.StatusGone {
		t.Fatalf("submit after closing = %d", r.status)
	}
	if r := h.postJSON("/api/v1/rounds/r2024/units/chongchuan/responses", `{"sid":"abcdefgh12","answers":{"Q1":"5","D1":"1"}}`); r.status != http.StatusGone {
		t.Fatalf("JSON after closing = %d", r.status)
	}
	if n := h.count("r2024"); n != 0 {
		t.Fatalf("stored %d outside the round's window", n)
	}

	for _, path := range []string{"/s/nope/chongchuan", "/s/r2024/nope", "/s/r2024/rudong", "/nowhere"} {
		r := h.get(path)
		if r.status != http.StatusNotFound || !strings.Contains(string(r.body), "<html") {
			t.Errorf("GET %s = %d, want a 404 page", path, r.status)
		}
	}
}

func TestMalformedFormIsRejected(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	r := h.do("POST", "/s/r2024/chongchuan", "application/x-www-form-urlencoded", strings.NewReader("Q1=%zz&D1=1"), false)
	if r.status != http.StatusBadRequest {
		t.Fatalf("bad encoding = %d, want 400", r.status)
	}
	big := "Q14=" + strings.Repeat("x", 70<<10)
	r = h.do("POST", "/s/r2024/chongchuan", "application/x-www-form-urlencoded", strings.NewReader(big), false)
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("70 KB form = %d, want 413", r.status)
	}
	if n := h.count("r2024"); n != 0 {
		t.Fatalf("stored %d", n)
	}
}

// The fresh page is rendered once per unit and filled in per request: two
// citizens get their own submission ids and stamps (each valid on submit),
// a code typed into the link is escaped as the template would, and the
// rest of the page is the same bytes.
func TestFreshPagesAreFilledInPerRequest(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	first, second := h.get("/s/r2024/chongchuan?ch=qr"), h.get("/s/r2024/chongchuan?ch=qr")
	ids := hiddenRe.FindAllStringSubmatch(string(first.body), -1)
	ids2 := hiddenRe.FindAllStringSubmatch(string(second.body), -1)
	if len(ids) < 3 || len(ids2) < 3 || ids[0][2] == ids2[0][2] || ids[1][2] == ids2[1][2] || ids[2][2] != "qr" {
		t.Fatalf("hidden fields %v / %v", ids, ids2)
	}
	strip := func(b []byte, fields [][]string) string {
		s := string(b)
		for _, f := range fields {
			s = strings.ReplaceAll(s, f[2], "")
		}
		return s
	}
	if strip(first.body, ids) != strip(second.body, ids2) {
		t.Fatal("two fresh pages differ beyond their own values")
	}
	for _, body := range [][]byte{first.body, second.body} {
		form := url.Values{"Q1": {"5"}, "D1": {"1"}}
		for _, f := range hiddenRe.FindAllStringSubmatch(string(body), -1) {
			form.Set(f[1], f[2])
		}
		if r := h.postForm("/s/r2024/chongchuan", form); r.status != http.StatusSeeOther {
			t.Fatalf("submit from a cached page = %d", r.status)
		}
	}
	if n := h.count("r2024"); n != 2 {
		t.Fatalf("stored %d", n)
	}
}

// TestLargeTextAndProgressCue: the page says how many questions there are
// and links to a large-text version, which keeps the link's channel and
// tag, is cached apart from the standard page, and stays large when an
// answer comes back for a correction.
func TestLargeTextAndProgressCue(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	page := string(h.get("/s/r2024/haimen?ch=qr&tag=政务大厅").body)
	for _, want := range []string{"共6题（部分题目视前面的回答作答）", `href="?ch=qr&amp;size=large&amp;tag=政务大厅">大字版</a>`} {
		if !strings.Contains(page, want) {
			t.Errorf("standard page lacks %q", want)
		}
	}
	if strings.Contains(page, "font-size:125%") {
		t.Error("the standard page has the large text")
	}
	big := h.openForm("/s/r2024/haimen?size=large&ch=qr&tag=政务大厅")
	body := string(h.get("/s/r2024/haimen?size=large").body)
	for _, want := range []string{"font-size:125%", `action="/s/r2024/haimen?size=large"`, `href="?ch=web">恢复标准字号</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("large page lacks %q", want)
		}
	}
	if again := string(h.get("/s/r2024/haimen").body); strings.Contains(again, "font-size:125%") {
		t.Error("the large page was served from the standard page's cache or the other way round")
	}
	big.Set("Q1", "5") // D1 missing: comes back for a correction, still large
	if r := h.postForm("/s/r2024/haimen?size=large", big); r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "font-size:125%") {
		t.Fatalf("correction page = %d, large: %v", r.status, strings.Contains(string(r.body), "font-size:125%"))
	}
}

// TestStartPageListsChosenRounds: "/" leads to the console until an
// administrator lists an open round; then it lists the round's units with
// their survey links, and a round not listed stays unlisted.
func TestStartPageListsChosenRounds(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	if r := h.get("/"); r.status != http.StatusSeeOther {
		t.Fatalf("/ with nothing listed = %d", r.status)
	}
	rd := h.mustAPI("GET", "/api/v1/rounds/r2024", nil, 200).json(t)
	rd["listed"] = true
	h.mustAPI("PUT", "/api/v1/rounds/r2024", rd, 200)
	r := h.get("/")
	if r.status != 200 {
		t.Fatalf("/ = %d %s", r.status, r.body)
	}
	for _, want := range []string{"正在进行的问卷调查", rd["title"].(string), `href="/s/r2024/chongchuan">崇川区</a>`, `href="/s/r2024/haimen">海门区</a>`, `href="/admin">工作人员登录`} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("start page lacks %q", want)
		}
	}
}
