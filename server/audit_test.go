package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestAuditLog: changes by people and transitions are recorded with their
// actor, can be filtered, and cannot be changed through the product.
func TestAuditLog(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed() // unit, questionnaire and round creations, then scheduling, by the admin token
	up := roundJSON()
	up["title"] = "2024年度测评（修订）"
	h.mustAPI("PUT", "/api/v1/rounds/r2024", up, http.StatusOK)
	h.mustAPI("POST", "/api/v1/rounds/r2024/cancel", nil, http.StatusOK)

	all := h.mustAPI("GET", "/api/v1/audit", nil, http.StatusOK).json(t)["entries"].([]any)
	var actions []string
	for _, e := range all {
		m := e.(map[string]any)
		if m["actor"] != "admin" {
			t.Errorf("entry by %v", m["actor"])
		}
		actions = append(actions, m["action"].(string))
	}
	joined := strings.Join(actions, " ")
	for _, want := range []string{"unit.create", "questionnaire.create", "round.create", "round.scheduled", "round.update", "round.draft"} {
		if !strings.Contains(joined, want) {
			t.Errorf("audit lacks %s: %s", want, joined)
		}
	}
	rounds := h.mustAPI("GET", "/api/v1/audit?object=round/r2024&action=round.update", nil, http.StatusOK).json(t)["entries"].([]any)
	if len(rounds) != 1 || !strings.Contains(rounds[0].(map[string]any)["summary"].(string), "修改后：2024年度测评（修订）") {
		t.Fatalf("filtered = %v", rounds)
	}
	h.mustAPI("GET", "/api/v1/audit?from=yesterday", nil, http.StatusUnprocessableEntity)
	for _, m := range []string{"PUT", "DELETE", "POST"} {
		if r := h.api(m, "/api/v1/audit", nil); r.status != http.StatusMethodNotAllowed && r.status != http.StatusNotFound && r.status != http.StatusBadRequest {
			t.Errorf("%s /api/v1/audit = %d", m, r.status)
		}
	}
	h.addUser("wang", "admin", "")
	h.addUser("liu", "assessor", "")
	h.signIn("wang", "correct-horse-1")
	page := h.get("/admin/audit?action=round.")
	if page.status != 200 || !strings.Contains(string(page.body), "round/r2024") || strings.Contains(string(page.body), "unit/chongchuan") {
		t.Fatalf("audit page = %d", page.status)
	}
	b := newHarnessSharing(t, h)
	b.signIn("liu", "correct-horse-1")
	if r := b.get("/admin/audit"); r.status != http.StatusForbidden {
		t.Fatalf("assessor on the audit page = %d", r.status)
	}
}
