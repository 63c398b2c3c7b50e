package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn logs in through the login form and returns the CSRF token of the session.
func (h *harness) signIn(name, password string) (int, string) {
	h.t.Helper()
	page := h.get("/admin/login")
	m := csrfRe.FindStringSubmatch(string(page.body))
	if m == nil {
		h.t.Fatalf("login page has no csrf field: %s", page.body)
	}
	r := h.postForm("/admin/login", url.Values{"csrf": {m[1]}, "name": {name}, "password": {password}})
	if r.status != http.StatusSeeOther {
		return r.status, string(r.body)
	}
	home := h.get("/admin")
	m = csrfRe.FindStringSubmatch(string(home.body))
	if home.status != 200 || m == nil {
		h.t.Fatalf("home after login = %d", home.status)
	}
	return r.status, m[1]
}

func (h *harness) addUser(name, role, unit string) {
	h.t.Helper()
	h.mustAPI("POST", "/api/v1/users", map[string]any{"name": name, "role": role, "unit": unit, "password": "correct-horse-1"}, http.StatusCreated)
}

func TestConsoleLoginSessionAndLogout(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	h.addUser("wang", "admin", "")
	if r := h.get("/admin"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/login" {
		t.Fatalf("signed out /admin = %d %s", r.status, r.header.Get("Location"))
	}
	if status, body := h.signIn("wang", "wrong-password"); status != http.StatusUnauthorized || !strings.Contains(body, "用户名或密码错误") {
		t.Fatalf("wrong password = %d", status)
	}
	status, csrf := h.signIn("wang", "correct-horse-1")
	if status != http.StatusSeeOther {
		t.Fatalf("login = %d %s", status, csrf)
	}
	home := h.get("/admin")
	if !strings.Contains(string(home.body), "r2024") || !strings.Contains(string(home.body), "wang（管理员）") {
		t.Errorf("home lacks the round or the user")
	}
	round := h.get("/admin/rounds/r2024")
	if round.status != 200 || !strings.Contains(string(round.body), "崇川区") || !strings.Contains(string(round.body), "样本进度") {
		t.Fatalf("round page = %d", round.status)
	}
	// A POST without the session's CSRF token is refused.
	if r := h.postForm("/admin/logout", url.Values{}); r.status != http.StatusForbidden {
		t.Fatalf("logout without csrf = %d", r.status)
	}
	if r := h.postForm("/admin/logout", url.Values{"csrf": {csrf}}); r.status != http.StatusSeeOther {
		t.Fatalf("logout = %d", r.status)
	}
	if r := h.get("/admin"); r.status != http.StatusSeeOther {
		t.Fatalf("after logout /admin = %d", r.status)
	}
}

func TestLoginNeedsItsCSRFToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.addUser("wang", "admin", "")
	r := h.postForm("/admin/login", url.Values{"csrf": {"forged"}, "name": {"wang"}, "password": {"correct-horse-1"}})
	if r.status != http.StatusForbidden {
		t.Fatalf("login with a forged csrf = %d", r.status)
	}
}

func TestLoginLockOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.addUser("liu", "assessor", "")
	for i := 0; i < 4; i++ {
		if status, _ := h.signIn("liu", "guess-guess-"+string(rune('a'+i))); status != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d", i+1, status)
		}
	}
	if status, body := h.signIn("liu", "guess-guess-e"); status != http.StatusForbidden || !strings.Contains(body, "锁定") {
		t.Fatalf("fifth failure = %d", status)
	}
	if status, body := h.signIn("liu", "correct-horse-1"); status != http.StatusForbidden || !strings.Contains(body, "锁定") {
		t.Fatalf("right password while locked = %d", status)
	}
	h.clock.Advance(16 * time.Minute)
	if status, _ := h.signIn("liu", "correct-horse-1"); status != http.StatusSeeOther {
		t.Fatalf("after the lock = %d", status)
	}
}

func TestSessionIdleExpiry(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.addUser("wang", "admin", "")
	h.signIn("wang", "correct-horse-1")
	h.clock.Advance(20 * time.Minute)
	if r := h.get("/admin"); r.status != 200 {
		t.Fatalf("after 20 idle minutes = %d", r.status)
	}
	h.clock.Advance(31 * time.Minute)
	if r := h.get("/admin"); r.status != http.StatusSeeOther {
		t.Fatalf("after 31 idle minutes = %d, want the login page", r.status)
	}
}

// TestRoleMatrix: each console route × role → allowed, 403, or sent to log in.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	h.addUser("admin1", "admin", "")
	h.addUser("assessor1", "assessor", "")
	h.addUser("reporter1", "reporter", "chongchuan")
	routes := []string{"/admin", "/admin/rounds/r2024", "/admin/reports/nope.xlsx", "/admin/reports",
		"/admin/rounds/r2024/units/chongchuan/flagged", "/admin/units", "/admin/questionnaires", "/admin/questionnaires/edit",
		"/admin/indicator-systems", "/admin/plans", "/admin/rounds/new", "/admin/rounds/r2024/edit", "/admin/audit",
		"/admin/rounds/r2024/units/chongchuan/review", // r2024 is not an assessment round: 409 for staff
		"/admin/users", "/admin/no-such-page"} // a missing page is missing for everyone, never refused
	want := map[string][]int{
		"":          {303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303},
		"admin1":    {200, 200, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 409, 200, 404},
		"assessor1": {200, 200, 404, 200, 200, 403, 403, 403, 403, 200, 403, 403, 403, 409, 403, 404},
		"reporter1": {200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404},
	}
	for user, statuses := range want {
		h := newHarnessSharing(t, h)
		if user != "" {
			if status, _ := h.signIn(user, "correct-horse-1"); status != http.StatusSeeOther {
				t.Fatalf("%s cannot log in", user)
			}
		}
		for i, route := range routes {
			if r := h.get(route); r.status != statuses[i] {
				t.Errorf("%q GET %s = %d, want %d", user, route, r.status, statuses[i])
			}
		}
	}
	if r := h.mustAPI("POST", "/api/v1/users", map[string]any{"name": "x1", "role": "reporter", "password": "correct-horse-1"}, 422).errorFields(t); r["unit"] == nil {
		t.Errorf("reporter without unit: %v", r)
	}
}

func TestRoundPageActionsAndLiveCounts(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	form := h.openForm("/s/r2024/chongchuan")
	form.Set("Q1", "5")
	form.Set("D1", "1")
	h.postForm("/s/r2024/chongchuan", form)
	h.addUser("wang", "admin", "")
	h.addUser("liu", "assessor", "")
	_, csrf := h.signIn("wang", "correct-horse-1")
	page := string(h.get("/admin/rounds/r2024").body)
	for _, want := range []string{"每日答卷", "2024-10-02", `data-f="today">1<`, "立即汇总", "取消排期"} {
		if !strings.Contains(page, want) {
			t.Errorf("round page lacks %q", want)
		}
	}
	r := h.postForm("/admin/rounds/r2024/action", url.Values{"csrf": {csrf}, "do": {"compile"}})
	if n := h.notice(r); n != "已提交后台任务“汇总”，进度见“后台任务”" {
		t.Fatalf("compile button notice = %q", n)
	}
	if page := string(h.get("/admin/rounds/r2024").body); !strings.Contains(page, "<td>汇总</td>") || strings.Contains(page, "round:compile") {
		t.Error("the job does not show on the page in words")
	}
	b := newHarnessSharing(t, h)
	_, csrf2 := b.signIn("liu", "correct-horse-1")
	if r := b.postForm("/admin/rounds/r2024/action", url.Values{"csrf": {csrf2}, "do": {"cancel"}}); r.status != http.StatusForbidden {
		t.Fatalf("assessor cancelling = %d", r.status)
	}
	if r := b.postForm("/admin/rounds/r2024/action", url.Values{"csrf": {csrf2}, "do": {"export"}}); r.status != http.StatusSeeOther {
		t.Fatalf("assessor exporting = %d", r.status)
	}
	live := b.get("/admin/rounds/r2024/progress.json")
	if live.status != 200 || !strings.Contains(string(live.body), `"today":1`) {
		t.Fatalf("progress.json = %d %s", live.status, live.body)
	}
}
