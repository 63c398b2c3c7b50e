package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Regression tests of the hardening issue (#12), each through real HTTP on
// the embedded store.

// bearerDo sends a JSON request with a bearer token of the caller's.
func (h *harness) bearerDo(method, path, token, body string) reply {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
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
