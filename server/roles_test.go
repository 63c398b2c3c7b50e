package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"testing"
)

var tokenRe = regexp.MustCompile(`p_[0-9a-f]{64}`)

// issueToken signs in as user in a fresh browser and returns a new API token.
func issueToken(t *testing.T, h *harness, user string) string {
	t.Helper()
	b := newHarnessSharing(t, h)
	status, csrf := b.signIn(user, "correct-horse-1")
	if status != http.StatusSeeOther {
		t.Fatalf("%s cannot log in", user)
	}
	r := b.postForm("/admin/tokens", map[string][]string{"csrf": {csrf}, "name": {"测试"}})
	tok := tokenRe.Find(r.body)
	if r.status != http.StatusCreated || tok == nil {
		t.Fatalf("issue token = %d", r.status)
	}
	return string(tok)
}

// TestAPIRoleMatrix: every kind of API route × role → allowed or 401/403.
// A reporter's token reaches only its own unit's tasks.
func TestAPIRoleMatrix(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	h.addUser("admin1", "admin", "")
	h.addUser("assessor1", "assessor", "")
	h.addUser("reporter1", "reporter", "chongchuan")
	h.mustAPI("POST", "/api/v1/plans", map[string]any{"code": "p1", "name": "方案", "kind": "scheme", "start": "2021-01-01", "end": "2025-12-31"}, 201)
	tokens := map[string]string{
		"none":     "",
		"bogus":    "p_0000000000000000000000000000000000000000000000000000000000000000",
		"admin":    issueToken(t, h, "admin1"),
		"assessor": issueToken(t, h, "assessor1"),
		"reporter": issueToken(t, h, "reporter1"),
	}
	routes := []struct {
		method, path, body string
		allowed            []string // roles that pass the role check
	}{
		{"GET", "/api/v1/units", "", []string{"admin", "assessor"}},
		{"POST", "/api/v1/units", `{"code":"x"}`, []string{"admin"}},
		{"GET", "/api/v1/rounds/r2024", "", []string{"admin", "assessor"}},
		{"PUT", "/api/v1/rounds/r2024", `{}`, []string{"admin"}},
		{"POST", "/api/v1/rounds/r2024/schedule", "", []string{"admin"}},
		{"POST", "/api/v1/rounds/r2024/phases/notice", `{}`, []string{"admin"}},
		{"POST", "/api/v1/rounds/r2024/compile", "", []string{"admin", "assessor"}},
		{"GET", "/api/v1/rounds/r2024/reports", "", []string{"admin", "assessor"}},
		{"GET", "/api/v1/jobs", "", []string{"admin", "assessor"}},
		{"PUT", "/api/v1/rounds/r2024/units/chongchuan/inputs/A1", `{}`, []string{"admin", "assessor"}},
		{"POST", "/api/v1/rounds/r2024/units/chongchuan/inputs/A1/confirm", `{}`, []string{"admin", "assessor"}},
		{"POST", "/api/v1/rounds/r2024/inputs/import", "", []string{"admin", "assessor"}},
		{"POST", "/api/v1/progress/x/review", `{}`, []string{"admin", "assessor"}},
		{"POST", "/api/v1/plans", `{}`, []string{"admin"}},
		{"GET", "/api/v1/plans/p1/tasks", "", []string{"admin", "assessor", "reporter"}},
		{"POST", "/api/v1/users", `{}`, []string{"admin"}},
		{"PUT", "/api/v1/users/assessor1", `{"role":"assessor"}`, []string{"admin"}},
		{"GET", "/api/v1/users/assessor1/tokens", "", []string{"admin"}},
		{"GET", "/api/v1/units/chongchuan/tokens", "", []string{"admin"}},
		{"POST", "/api/v1/rounds/r2024/tallies/rebuild", "", []string{"admin"}},
		{"GET", "/api/v1/tokens", "", []string{"admin", "assessor", "reporter"}},
		// Self-assessment: the unit's own reporters fill it; assessors read and return.
		{"GET", "/api/v1/rounds/r2024/units/chongchuan/self", "", []string{"admin", "assessor", "reporter"}},
		{"GET", "/api/v1/rounds/r2024/units/haimen/self", "", []string{"admin", "assessor"}},
		{"PUT", "/api/v1/rounds/r2024/units/chongchuan/self/A1", `{}`, []string{"reporter"}},
		{"PUT", "/api/v1/rounds/r2024/units/haimen/self/A1", `{}`, nil},
		{"POST", "/api/v1/rounds/r2024/units/chongchuan/self/submit", "", []string{"reporter"}},
		{"POST", "/api/v1/rounds/r2024/units/chongchuan/self/A1/return", `{}`, []string{"admin", "assessor"}},
		{"GET", "/api/v1/rounds/r2024/units/haimen/self/A1/evidence/x", "", []string{"admin", "assessor"}},
		{"POST", "/api/v1/rounds/r2024/units/chongchuan/appeals", `{}`, []string{"reporter"}},
		{"POST", "/api/v1/rounds/r2024/units/haimen/appeals", `{}`, nil},
		{"GET", "/api/v1/rounds/r2024/units/chongchuan/appeals", "", []string{"admin", "assessor", "reporter"}},
		{"GET", "/api/v1/rounds/r2024/units/haimen/appeals", "", []string{"admin", "assessor"}},
		{"GET", "/api/v1/rounds/r2024/appeals", "", []string{"admin", "assessor"}},
		{"POST", "/api/v1/appeals/x/decision", `{}`, []string{"admin", "assessor"}},
		{"GET", "/api/v1/rounds/r2024/rectifications", "", []string{"admin", "assessor", "reporter"}},
		{"POST", "/api/v1/rounds/r2024/rectifications", `{}`, []string{"admin"}},
		{"POST", "/api/v1/rounds/r2024/rectifications/ledger", "", []string{"admin", "assessor"}},
		{"POST", "/api/v1/rectifications/x/progress", `{}`, []string{"reporter"}},
		{"POST", "/api/v1/rectifications/x/review", `{}`, []string{"admin", "assessor"}},
		{"POST", "/api/v1/rectifications/x/close", `{}`, []string{"admin", "assessor"}},
	}
	for _, rt := range routes {
		for role, tok := range tokens {
			req, _ := http.NewRequest(rt.method, h.url+rt.path, bytes.NewReader([]byte(rt.body)))
			req.Header.Set("Content-Type", "application/json")
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			want := "forbidden"
			switch {
			case role == "none" || role == "bogus":
				want = "unauthorized"
			case contains(rt.allowed, role):
				want = "allowed"
			}
			got := "allowed"
			if resp.StatusCode == 401 {
				got = "unauthorized"
			} else if resp.StatusCode == 403 {
				got = "forbidden"
			}
			if got != want {
				t.Errorf("%s %s as %s = %d, want %s", rt.method, rt.path, role, resp.StatusCode, want)
			}
		}
	}
	// Revoking a token ends it.
	req, _ := http.NewRequest("GET", h.url+"/api/v1/tokens", nil)
	req.Header.Set("Authorization", "Bearer "+tokens["assessor"])
	resp, _ := http.DefaultClient.Do(req)
	var body struct {
		Tokens []struct{ ID string } `json:"tokens"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(body.Tokens) != 1 {
		t.Fatalf("tokens = %+v", body)
	}
	del, _ := http.NewRequest("DELETE", h.url+"/api/v1/tokens/"+body.Tokens[0].ID, nil)
	del.Header.Set("Authorization", "Bearer "+tokens["assessor"])
	if resp, _ := http.DefaultClient.Do(del); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("revoke = %d", resp.StatusCode)
	}
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked token = %d", resp.StatusCode)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// TestChangedRoleCountsAtOnce: an administrator demotes an assessor; the
// assessor's open console session and API token lose the staff pages and
// routes on their very next request, without signing in again.
func TestChangedRoleCountsAtOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	h.addUser("liming", "assessor", "")
	tok := issueToken(t, h, "liming")
	b := newHarnessSharing(t, h)
	if status, _ := b.signIn("liming", "correct-horse-1"); status != http.StatusSeeOther {
		t.Fatal("liming cannot sign in")
	}
	apiStatus := func() int {
		req, _ := http.NewRequest("GET", h.url+"/api/v1/rounds/r2024", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if r := b.get("/admin/reports"); r.status != http.StatusOK || apiStatus() != http.StatusOK {
		t.Fatalf("assessor before: page %d, api %d", r.status, apiStatus())
	}
	h.mustAPI("PUT", "/api/v1/users/liming", map[string]any{"role": "reporter"}, http.StatusUnprocessableEntity) // a reporter needs a unit
	h.mustAPI("PUT", "/api/v1/users/liming", map[string]any{"role": "reporter", "unit": "nosuch"}, http.StatusNotFound)
	h.mustAPI("PUT", "/api/v1/users/nobody", map[string]any{"role": "assessor"}, http.StatusNotFound)
	h.mustAPI("PUT", "/api/v1/users/liming", map[string]any{"role": "reporter", "unit": "chongchuan"}, http.StatusOK)
	if r := b.get("/admin/reports"); r.status != http.StatusForbidden {
		t.Fatalf("demoted session still opens the reports page: %d", r.status)
	}
	if s := apiStatus(); s != http.StatusForbidden {
		t.Fatalf("demoted token still reads a round: %d", s)
	}
	if r := b.get("/admin"); r.status != http.StatusOK || !bytes.Contains(r.body, []byte("填报人")) {
		t.Fatalf("home after demotion = %d", r.status)
	}
	audit := h.mustAPI("GET", "/api/v1/audit?action=user.role", nil, http.StatusOK)
	if !bytes.Contains(audit.body, []byte("user/liming")) {
		t.Fatalf("role change not audited: %s", audit.body)
	}
}
