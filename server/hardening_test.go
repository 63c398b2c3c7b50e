package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"pinggu"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Regression tests of the hardening issue (#12), each through real HTTP on
// the embedded store.

// bearerDo sends a JSON request with a bearer token of the caller's.
func (h *harness) bearerDo(method, path, token, body string) reply {
	h.t.Helper()
	return h.as(token, method, path, "application/json", strings.NewReader(body))
}

func (h *harness) unitToken(unit string) string {
	h.t.Helper()
	var tok struct{ Token string }
	if err := json.Unmarshal(h.mustAPI("POST", "/api/v1/units/"+unit+"/tokens", nil, http.StatusCreated).body, &tok); err != nil {
		h.t.Fatal(err)
	}
	return tok.Token
}

// Two units report on a shared task; neither reads the other's report
// (narrative, delay reason, evidence) through the API, while staff see both.
func TestReporterSeesOnlyItsUnitsReports(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	h.mustAPI("POST", "/api/v1/plans", map[string]any{"code": "fa", "name": "实施方案", "kind": "scheme", "start": "2021-01-01", "end": "2025-12-31"}, 201)
	tasks := sheetOf(t, [][]any{{"序号", "具体任务", "牵头单位", "配合单位", "完成时限"}, {"1", "公布权责清单", "崇川区", "海门区", "持续推进"}})
	if r := h.upload("/api/v1/plans/fa/tasks/import", nil, "任务.xlsx", tasks); r.status != 200 {
		t.Fatalf("tasks = %d %s", r.status, r.body)
	}
	cc, hm := h.unitToken("chongchuan"), h.unitToken("haimen")
	for tok, text := range map[string]string{cc: "崇川区的进展", hm: "海门区的进展：人员不足"} {
		body := `{"asOf":"2024-10-01","progress":100,"narrative":"` + text + `"}`
		if r := h.bearerDo("POST", "/api/v1/plans/fa/tasks/1/progress", tok, body); r.status != http.StatusCreated {
			t.Fatalf("file = %d %s", r.status, r.body)
		}
	}
	for tok, want := range map[string]string{cc: "崇川区的进展", hm: "海门区的进展"} {
		r := h.bearerDo("GET", "/api/v1/plans/fa/tasks/1/progress", tok, "")
		if r.status != http.StatusOK || !bytes.Contains(r.body, []byte(want)) || bytes.Count(r.body, []byte(`"narrative"`)) != 1 {
			t.Errorf("a unit's view of the shared task = %d %s", r.status, r.body)
		}
	}
	if r := h.mustAPI("GET", "/api/v1/plans/fa/tasks/1/progress", nil, http.StatusOK); bytes.Count(r.body, []byte(`"narrative"`)) != 2 {
		t.Errorf("staff see %s", r.body)
	}
}

// Anyone may call the JSON API: it takes only the web channels (offline
// interviews come through the authenticated import) and obeys the round's
// device rule as the form does.
func TestAnonymousAPIObeysTheFormsRules(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	h.mustAPI("PUT", "/api/v1/rounds/r2024", func() map[string]any {
		r := roundJSON()
		r["integrity"] = map[string]any{"device": "refuse"}
		return r
	}(), http.StatusOK)
	for _, ch := range []string{"cati", "capi", "paper", "import"} {
		r := h.postJSON(responsesPath, `{"sid":"offline-`+ch+`-01","answers":{"Q1":"5","D1":"1"},"channel":"`+ch+`"}`)
		if r.status != http.StatusUnprocessableEntity || !bytes.Contains(r.body, []byte(`"channel"`)) {
			t.Errorf("anonymous %s answer = %d %s", ch, r.status, r.body)
		}
	}
	first := h.postJSON(responsesPath, `{"sid":"device-first-1","answers":{"Q1":"5","D1":"1"}}`)
	var got struct{ ID, Device string }
	if err := json.Unmarshal(first.body, &got); err != nil || first.status != http.StatusCreated || len(got.Device) < 8 {
		t.Fatalf("first = %d %s", first.status, first.body)
	}
	second := h.postJSON(responsesPath, `{"sid":"device-again-2","answers":{"Q1":"4","D1":"1"},"device":"`+got.Device+`"}`)
	if second.status != http.StatusConflict {
		t.Fatalf("a second response from the device = %d %s", second.status, second.body)
	}
	if retry := h.postJSON(responsesPath, `{"sid":"device-first-1","answers":{"Q1":"5","D1":"1"},"device":"`+got.Device+`"}`); retry.status != http.StatusOK {
		t.Fatalf("a retry of the stored one = %d %s", retry.status, retry.body)
	}
	if n := h.count("r2024"); n != 1 {
		t.Fatalf("stored %d responses, want 1", n)
	}
}

// Pages cannot be framed by other sites nor sniffed into another type;
// the CSRF token counts only from the form body (or a header); evidence
// whose content is not what its name says is refused at upload, and what
// is stored is served as an attachment.
func TestHeadersCSRFAndEvidenceContent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	h.addUser("cc1", "reporter", "chongchuan")
	_, csrf := h.signIn("cc1", "correct-horse-1")
	for _, path := range []string{"/s/r2024/chongchuan", "/admin", "/admin/login", "/api/v1/units"} {
		r := h.get(path)
		hd := r.header
		if !strings.Contains(hd.Get("Content-Security-Policy"), "frame-ancestors 'none'") || hd.Get("X-Frame-Options") != "DENY" ||
			hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", path, hd)
		}
	}
	// The token in the query string is not taken.
	if r := h.postForm("/admin/tokens?csrf="+csrf, map[string][]string{"name": {"测试"}}); r.status != http.StatusForbidden {
		t.Fatalf("CSRF token in the query string = %d", r.status)
	}
	if r := h.postForm("/admin/tokens", map[string][]string{"name": {"测试"}, "csrf": {csrf}}); r.status != http.StatusCreated {
		t.Fatalf("CSRF token in the body = %d", r.status)
	}

	h.mustAPI("POST", "/api/v1/plans", map[string]any{"code": "fa", "name": "实施方案", "kind": "scheme", "start": "2021-01-01", "end": "2025-12-31"}, 201)
	if r := h.upload("/api/v1/plans/fa/tasks/import", nil, "任务.xlsx", sheetOf(t, [][]any{{"序号", "具体任务", "牵头单位", "完成时限"}, {"1", "公布权责清单", "崇川区", "持续推进"}})); r.status != 200 {
		t.Fatalf("tasks = %d %s", r.status, r.body)
	}
	fields := map[string]string{"csrf": csrf, "asOf": "2024-10-01", "progress": "100", "narrative": "已公开"}
	r := h.uploadAs("/admin/plans/fa/tasks/1/progress", fields, "evidence", "清单.pdf", []byte("<html><script>alert(document.cookie)</script></html>"))
	mustContain(t, "a page named .pdf", r, 422, "“清单.pdf”的内容不是PDF文件")
	if r := h.uploadAs("/admin/plans/fa/tasks/1/progress", fields, "evidence", "清单.pdf", []byte("%PDF-1.4 真的")); r.status != http.StatusSeeOther {
		t.Fatalf("a real pdf = %d %s", r.status, r.body)
	}
	link := regexp.MustCompile(`href="(/admin/progress/[^"]+)"`).FindStringSubmatch(string(h.get("/admin/plans/fa/tasks/1").body))
	if link == nil {
		t.Fatal("no evidence link")
	}
	ev := h.get(link[1])
	if ev.status != 200 || !strings.HasPrefix(ev.header.Get("Content-Disposition"), "attachment;") || ev.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("evidence = %d %v", ev.status, ev.header)
	}
}

// Forty concurrent wrong guesses check at most five passwords (each attempt
// is counted before its password is compared), the right password right
// after them is refused, and a minute later — the first lock of a
// back-off, not a day — it signs in. Repeated, as races are.
func TestConcurrentGuessesCannotOutrunTheLock(t *testing.T) {
	t.Parallel()
	for round := range 3 {
		h := newHarness(t)
		h.addUser("liu", "assessor", "")
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				b := newHarnessSharing(t, h)
				b.signIn("liu", fmt.Sprintf("wrong-guess-%02d", i))
			})
		}
		wg.Wait()
		if status, body := h.signIn("liu", "correct-horse-1"); status != http.StatusForbidden || !strings.Contains(body, "锁定") {
			t.Fatalf("round %d: the right password after 40 guesses = %d", round, status)
		}
		var log struct {
			Entries []struct{ Action, Summary string }
		}
		if err := json.Unmarshal(h.mustAPI("GET", "/api/v1/audit?action=login", nil, http.StatusOK).body, &log); err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, e := range log.Entries {
			if e.Action == "login.fail" && strings.HasPrefix(e.Summary, "密码错误") {
				checked++
			}
		}
		if checked > 5 || checked == 0 {
			t.Fatalf("round %d: %d passwords checked of 40 guesses (policy: 5)", round, checked)
		}
		h.clock.Advance(61 * time.Second)
		if status, _ := h.signIn("liu", "correct-horse-1"); status != http.StatusSeeOther {
			t.Fatalf("round %d: after the one-minute lock = %d", round, status)
		}
	}
}

// An unknown name is answered as a wrong password is, and locks after as
// many tries; sign-ins are audited with the network, hashed.
func TestUnknownNamesLookLikeWrongPasswords(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.addUser("liu", "assessor", "")
	for i := range 5 {
		_, known := h.signIn("liu", "wrong-guess-x")
		_, unknown := h.signIn("nobody", "wrong-guess-x")
		if i < 4 && (!strings.Contains(known, "用户名或密码错误") || !strings.Contains(unknown, "用户名或密码错误")) ||
			i == 4 && (!strings.Contains(known, "锁定") || !strings.Contains(unknown, "锁定")) {
			t.Fatalf("try %d: known %q, unknown %q", i+1, known, unknown)
		}
	}
	h.clock.Advance(61 * time.Second)
	h.signIn("liu", "correct-horse-1")
	audit := string(h.mustAPI("GET", "/api/v1/audit?object=user/liu", nil, http.StatusOK).body)
	if !strings.Contains(audit, `"action":"login"`) || !strings.Contains(audit, `"action":"login.fail"`) || !regexp.MustCompile(`网络[0-9a-f]{32}`).MatchString(audit) ||
		strings.Contains(audit, "127.0.0.1") {
		t.Fatalf("audit = %s", audit)
	}
}

// The issue's case scaled down — with 7 of 10 stored in close mode (97 of
// 100 there), two stored submissions tapped forty times each and thirty new
// respondents at once: the unit ends at exactly 10, the retries hold no
// slot (three new respondents get in), and the tally agrees. Repeated, as
// races are.
func TestRetriesHoldNoQuotaSlot(t *testing.T) {
	t.Parallel()
	for round := range 3 {
		h := newHarness(t)
		h.seed()
		up := roundJSON()
		up["quotaMode"] = "close"
		up["quotas"] = map[string]int{"chongchuan": 10, "haimen": 50}
		up["integrity"] = map[string]any{"burstLimit": -1}
		h.mustAPI("PUT", "/api/v1/rounds/r2024", up, http.StatusOK)
		for i := range 7 {
			if r := h.postJSON(responsesPath, fmt.Sprintf(`{"sid":"stored-%04d","answers":{"Q1":"5","D1":"1"}}`, i)); r.status != http.StatusCreated {
				t.Fatalf("seed %d = %d %s", i, r.status, r.body)
			}
		}
		var wg sync.WaitGroup
		var fresh, full, dup, other atomic.Int32
		for i := range 110 {
			sid := fmt.Sprintf("fresh-%04d", i)
			if i < 80 {
				sid = fmt.Sprintf("stored-%04d", i%2) // two stored sids, forty taps each
			}
			wg.Go(func() {
				r := h.postJSON(responsesPath, `{"sid":"`+sid+`","answers":{"Q1":"4","D1":"1"}}`)
				switch {
				case r.status == http.StatusCreated:
					fresh.Add(1)
				case r.status == http.StatusConflict && bytes.Contains(r.body, []byte("quota_full")):
					full.Add(1)
				case r.status == http.StatusOK && bytes.Contains(r.body, []byte(`"duplicate":true`)):
					dup.Add(1)
				default:
					if other.Add(1) == 1 {
						t.Logf("unexpected: %d %s", r.status, r.body)
					}
				}
			})
		}
		wg.Wait()
		if fresh.Load() != 3 || full.Load() != 27 || dup.Load() != 80 || other.Load() != 0 {
			t.Fatalf("round %d: %d stored, %d full, %d duplicates, %d other", round, fresh.Load(), full.Load(), dup.Load(), other.Load())
		}
		if n := h.count("r2024"); n != 10 {
			t.Fatalf("round %d: %d stored, want 10", round, n)
		}
		var prog struct {
			Units []struct {
				Unit     string
				Received int
			}
		}
		json.Unmarshal(h.mustAPI("GET", "/api/v1/rounds/r2024/progress", nil, http.StatusOK).body, &prog)
		if len(prog.Units) == 0 || prog.Units[0].Received != 10 {
			t.Fatalf("round %d: tally %+v", round, prog.Units)
		}
	}
}

// An administrator disables and re-enables an account, ends its sessions,
// revokes another person's API token and a unit's reporter token; each
// takes effect on the very next request, and each is audited.
func TestEverythingCanBeRevoked(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	h.addUser("liu", "assessor", "")
	tok := issueToken(t, h, "liu")
	b := newHarnessSharing(t, h)
	if status, _ := b.signIn("liu", "correct-horse-1"); status != http.StatusSeeOther {
		t.Fatal("liu cannot sign in")
	}
	api := func(token string) int { return h.bearerDo("GET", "/api/v1/rounds/r2024", token, "").status }
	console := func() int { return b.get("/admin/reports").status }
	if api(tok) != 200 || console() != 200 {
		t.Fatalf("before: api %d, console %d", api(tok), console())
	}

	h.mustAPI("POST", "/api/v1/users/liu/disable", nil, http.StatusOK)
	if api(tok) != http.StatusUnauthorized || console() != http.StatusSeeOther {
		t.Fatalf("disabled: api %d, console %d", api(tok), console())
	}
	if status, body := newHarnessSharing(t, h).signIn("liu", "correct-horse-1"); status != http.StatusUnauthorized || !strings.Contains(body, "账户已停用") {
		t.Fatalf("signing in while disabled = %d", status)
	}
	if status, body := newHarnessSharing(t, h).signIn("liu", "wrong-guess-1"); !strings.Contains(body, "用户名或密码错误") {
		t.Fatalf("a wrong password on a disabled account = %d (must not say it is disabled)", status)
	}
	h.mustAPI("POST", "/api/v1/users/liu/enable", nil, http.StatusOK)
	if api(tok) != 200 {
		t.Fatalf("enabled again: api %d", api(tok))
	}
	if status, _ := b.signIn("liu", "correct-horse-1"); status != http.StatusSeeOther || console() != 200 {
		t.Fatal("liu cannot sign in again")
	}
	if r := h.mustAPI("DELETE", "/api/v1/users/liu/sessions", nil, http.StatusOK); !bytes.Contains(r.body, []byte(`"ended":`)) || console() != http.StatusSeeOther {
		t.Fatalf("sessions ended: %s, console %d", r.body, console())
	}

	var list struct{ Tokens []struct{ ID string } }
	json.Unmarshal(h.mustAPI("GET", "/api/v1/users/liu/tokens", nil, http.StatusOK).body, &list)
	if len(list.Tokens) != 1 {
		t.Fatalf("liu's tokens = %+v", list)
	}
	h.mustAPI("DELETE", "/api/v1/users/liu/tokens/"+list.Tokens[0].ID, nil, http.StatusNoContent)
	if api(tok) != http.StatusUnauthorized {
		t.Fatalf("a revoked token = %d", api(tok))
	}

	first, second := h.unitToken("chongchuan"), h.unitToken("chongchuan")
	var units struct{ Tokens []struct{ ID string } }
	json.Unmarshal(h.mustAPI("GET", "/api/v1/units/chongchuan/tokens", nil, http.StatusOK).body, &units)
	if len(units.Tokens) != 2 {
		t.Fatalf("unit tokens = %+v", units)
	}
	plans := func(token string) int { return h.bearerDo("GET", "/api/v1/plans", token, "").status }
	h.mustAPI("DELETE", "/api/v1/units/chongchuan/tokens/"+pinggu.HashToken(first), nil, http.StatusNoContent)
	if plans(first) != http.StatusUnauthorized || plans(second) != http.StatusOK {
		t.Fatalf("after revoking the first: %d, %d", plans(first), plans(second))
	}
	audit := string(h.mustAPI("GET", "/api/v1/audit", nil, http.StatusOK).body)
	for _, action := range []string{"user.disable", "user.enable", "user.signout", "token.revoke", "unit.token.revoke"} {
		if !strings.Contains(audit, `"action":"`+action+`"`) {
			t.Errorf("%s is not in the audit log", action)
		}
	}
}

// A submission id is the client's, unique within a round: the same id sent
// to another round is a new response there, and a retry within its round
// is still the same response.
func TestSubmissionIDsArePerRound(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	second := roundJSON()
	second["code"] = "r2025"
	h.mustAPI("POST", "/api/v1/rounds", second, http.StatusCreated)
	h.mustAPI("POST", "/api/v1/rounds/r2025/schedule", nil, http.StatusOK)
	body := `{"sid":"app-shared-0001","answers":{"Q1":"5","D1":"1"}}`
	if r := h.postJSON(responsesPath, body); r.status != http.StatusCreated {
		t.Fatalf("r2024 = %d %s", r.status, r.body)
	}
	other := "/api/v1/rounds/r2025/units/haimen/responses"
	if r := h.postJSON(other, body); r.status != http.StatusCreated {
		t.Fatalf("the same id in another round = %d %s (it was dropped as a duplicate before)", r.status, r.body)
	}
	if r := h.postJSON(other, body); r.status != http.StatusOK || !bytes.Contains(r.body, []byte(`"duplicate":true`)) {
		t.Fatalf("a retry in its round = %d %s", r.status, r.body)
	}
	if h.count("r2024") != 1 || h.count("r2025") != 1 {
		t.Fatalf("stored %d and %d", h.count("r2024"), h.count("r2025"))
	}
	if r, err := h.store.Response(context.Background(), "r2025", "app-shared-0001"); err != nil || r.Unit != "haimen" {
		t.Fatalf("the second round's response: %+v %v", r, err)
	}
}

// A retry of a stored submission with another, unused invitation code
// consumes nothing: the code still admits its own respondent.
func TestARetryBurnsNoInvitation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	up := roundJSON()
	up["integrity"] = map[string]any{"invitations": true}
	h.mustAPI("PUT", "/api/v1/rounds/r2024", up, http.StatusOK)
	codes := h.mustAPI("POST", "/api/v1/rounds/r2024/units/chongchuan/invitations", map[string]any{"count": 2}, http.StatusCreated).json(t)["codes"].([]any)
	submit := func(sid string, code any) reply {
		return h.postJSON(responsesPath, fmt.Sprintf(`{"sid":%q,"code":%q,"answers":{"Q1":"5","D1":"1"}}`, sid, code))
	}
	if r := submit("invited-0001", codes[0]); r.status != http.StatusCreated {
		t.Fatalf("first = %d %s", r.status, r.body)
	}
	if r := submit("invited-0001", codes[1]); r.status != http.StatusOK {
		t.Fatalf("retry with another code = %d %s", r.status, r.body)
	}
	if r := submit("invited-0002", codes[1]); r.status != http.StatusCreated {
		t.Fatalf("the second code's owner = %d %s (the retry burnt it)", r.status, r.body)
	}
}

// The same from the console: an administrator's 账户 page disables an
// account (its session ends at once), enables it, and revokes a token.
func TestConsoleUsersPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	csrf := h.admin()
	h.addUser("liu", "assessor", "")
	tok := issueToken(t, h, "liu")
	b := newHarnessSharing(t, h)
	b.signIn("liu", "correct-horse-1")
	page := h.get("/admin/users")
	mustContain(t, "users page", page, 200, "liu", "评估人员", "正常", "测试", "结束全部会话")
	mustContain(t, "disabling oneself", h.postForm("/admin/users/wang", url.Values{"csrf": {csrf}, "do": {"disable"}}), 422, "不能停用自己正在使用的账户")
	if r := h.postForm("/admin/users/liu", url.Values{"csrf": {csrf}, "do": {"disable"}}); r.status != http.StatusSeeOther {
		t.Fatalf("disable = %d %s", r.status, r.body)
	}
	if b.get("/admin/reports").status != http.StatusSeeOther {
		t.Fatal("the disabled account's session still works")
	}
	mustContain(t, "disabled", h.get("/admin/users"), 200, "已停用", "已停用账户 liu")
	h.postForm("/admin/users/liu", url.Values{"csrf": {csrf}, "do": {"enable"}})
	id := regexp.MustCompile(`name="id" value="([0-9a-f]{64})"`).FindStringSubmatch(string(h.get("/admin/users").body))
	if id == nil {
		t.Fatal("no token to revoke on the page")
	}
	if r := h.postForm("/admin/users/liu", url.Values{"csrf": {csrf}, "do": {"revoke"}, "id": {id[1]}}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke = %d", r.status)
	}
	if h.bearerDo("GET", "/api/v1/rounds/r2024", tok, "").status != http.StatusUnauthorized {
		t.Fatal("a token revoked from the console still works")
	}
}
