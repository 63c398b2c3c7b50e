package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

const responsesPath = "/api/v1/rounds/r2024/units/chongchuan/responses"

func TestJSONSubmission(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	body := `{"sid":"app-0001-abcdef","answers":{"Q1":"5","D1":"2","Q2":"4","Q13":["1","3"],"Q14":"text","Q15":7},"channel":"web"}`
	r := h.postJSON(responsesPath, body)
	if r.status != http.StatusCreated || r.json(t)["id"] != "app-0001-abcdef" {
		t.Fatalf("first = %d %s", r.status, r.body)
	}
	r = h.postJSON(responsesPath, body)
	if r.status != http.StatusOK || r.json(t)["id"] != "app-0001-abcdef" {
		t.Fatalf("same sid again = %d %s, want 200 with the same id", r.status, r.body)
	}
	if n := h.count("r2024"); n != 1 {
		t.Fatalf("stored %d, want 1", n)
	}
	p := h.mustAPI("GET", "/api/v1/rounds/r2024/progress", nil, http.StatusOK).json(t)["units"].([]any)
	if p[0].(map[string]any)["received"] != 1.0 || p[1].(map[string]any)["received"] != 0.0 {
		t.Fatalf("progress = %v", p)
	}
}

func TestJSONSubmissionErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	tests := []struct {
		name   string
		path   string
		body   string
		status int
		field  string // a field the error must name
	}{
		{"missing required", responsesPath, `{"sid":"abcdefgh01","answers":{"D1":"1"}}`, 422, "Q1"},
		{"unknown question", responsesPath, `{"sid":"abcdefgh02","answers":{"Q1":"5","D1":"1","Q99":"1"}}`, 422, "Q99"},
		{"option not in question", responsesPath, `{"sid":"abcdefgh03","answers":{"Q1":"6","D1":"1"}}`, 422, "Q1"},
		{"too many picks", responsesPath, `{"sid":"abcdefgh04","answers":{"Q1":"5","D1":"1","Q13":["1","2","3"]}}`, 422, "Q13"},
		{"text too long", responsesPath, `{"sid":"abcdefgh05","answers":{"Q1":"5","D1":"1","Q14":"` + strings.Repeat("长", 21) + `"}}`, 422, "Q14"},
		{"rating out of range", responsesPath, `{"sid":"abcdefgh06","answers":{"Q1":"5","D1":"1","Q15":11}}`, 422, "Q15"},
		{"array on single", responsesPath, `{"sid":"abcdefgh07","answers":{"Q1":["5","4"],"D1":"1"}}`, 422, "Q1"},
		{"wrong answer type", responsesPath, `{"sid":"abcdefgh08","answers":{"Q1":{"x":1},"D1":"1"}}`, 400, "Q1"},
		{"bad sid", responsesPath, `{"sid":"x","answers":{"Q1":"5","D1":"1"}}`, 422, "sid"},
		{"bad channel", responsesPath, `{"sid":"abcdefgh09","answers":{"Q1":"5","D1":"1"},"channel":"fax"}`, 422, "channel"},
		{"unknown field", responsesPath, `{"sid":"abcdefgh10","answers":{},"extra":1}`, 400, "extra"},
		{"wrong field type", responsesPath, `{"sid":12345678,"answers":{}}`, 400, "sid"},
		{"malformed JSON", responsesPath, `{"sid":"abcdefgh11",`, 400, ""},
		{"two objects", responsesPath, `{"sid":"abcdefgh12","answers":{}} {}`, 400, ""},
		{"over 64 KB", responsesPath, `{"sid":"abcdefgh13","answers":{"Q14":"` + strings.Repeat("x", 70<<10) + `"}}`, 413, ""},
		{"unknown round", "/api/v1/rounds/nope/units/chongchuan/responses", `{"sid":"abcdefgh14","answers":{"Q1":"5","D1":"1"}}`, 404, ""},
		{"unit outside round", "/api/v1/rounds/r2024/units/rudong/responses", `{"sid":"abcdefgh15","answers":{"Q1":"5","D1":"1"}}`, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.postJSON(tt.path, tt.body)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tt.status, r.body)
			}
			e, _ := r.json(t)["error"].(map[string]any)
			if e["code"] == "" || e["message"] == "" {
				t.Fatalf("error body = %s", r.body)
			}
			if tt.field != "" && r.errorFields(t)[tt.field] == nil {
				t.Fatalf("field %s not named: %s", tt.field, r.body)
			}
		})
	}
	if n := h.count("r2024"); n != 0 {
		t.Fatalf("stored %d responses from bad input", n)
	}
}

func TestAdminAPIRequiresToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, auth := range []string{"", "Bearer wrong", "Basic " + adminToken, adminToken} {
		req, _ := http.NewRequest("GET", h.url+"/api/v1/units", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("Authorization %q: status %d", auth, resp.StatusCode)
		}
	}
	h.mustAPI("GET", "/api/v1/units", nil, http.StatusOK)
}

func TestUnitsCRUD(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := map[string]any{"code": "chongchuan", "name": "崇川区", "type": "county", "peerGroup": "县市区"}
	r := h.mustAPI("POST", "/api/v1/units", u, http.StatusCreated)
	if r.header.Get("Location") != "/api/v1/units/chongchuan" {
		t.Errorf("Location = %q", r.header.Get("Location"))
	}
	h.mustAPI("POST", "/api/v1/units", u, http.StatusConflict)
	if f := h.mustAPI("POST", "/api/v1/units", map[string]any{"code": "Bad Code", "name": "", "type": "x", "peerGroup": "p"}, 422).errorFields(t); f["code"] == nil || f["name"] == nil || f["type"] == nil {
		t.Errorf("fields = %v", f)
	}
	if f := h.mustAPI("POST", "/api/v1/units", map[string]any{"code": "jd", "name": "街道", "type": "town", "peerGroup": "镇街", "parent": "nope"}, 422).errorFields(t); f["parent"] == nil {
		t.Errorf("unknown parent not named: %v", f)
	}
	h.mustAPI("POST", "/api/v1/units", map[string]any{"code": "jd", "name": "和平桥街道", "type": "town", "peerGroup": "镇街", "parent": "chongchuan"}, http.StatusCreated)
	h.clock.Advance(time.Minute)
	u["name"] = "南通市崇川区"
	u["aliases"] = []string{"崇川"}
	got := h.mustAPI("PUT", "/api/v1/units/chongchuan", u, http.StatusOK).json(t)
	if got["name"] != "南通市崇川区" {
		t.Errorf("updated = %v", got)
	}
	got = h.mustAPI("GET", "/api/v1/units/chongchuan", nil, http.StatusOK).json(t)
	if got["name"] != "南通市崇川区" || got["aliases"].([]any)[0] != "崇川" || got["createdAt"] == got["updatedAt"] {
		t.Errorf("read back = %v", got)
	}
	h.mustAPI("PUT", "/api/v1/units/haimen", map[string]any{"code": "haimen", "name": "海门区", "type": "county", "peerGroup": "县市区"}, http.StatusNotFound)
	h.mustAPI("PUT", "/api/v1/units/chongchuan", map[string]any{"code": "other", "name": "x", "type": "county", "peerGroup": "p"}, 422)
	h.mustAPI("GET", "/api/v1/units/nope", nil, http.StatusNotFound)
	list := h.mustAPI("GET", "/api/v1/units", nil, http.StatusOK).json(t)["units"].([]any)
	if len(list) != 2 {
		t.Errorf("list = %v", list)
	}
}

func TestQuestionnaireValidationAndVersions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	dup := questionnaireJSON()
	dup["questions"].([]map[string]any)[1]["code"] = "Q1"
	if f := h.mustAPI("POST", "/api/v1/questionnaires", dup, 422).errorFields(t); f["questions[1].code"] == nil {
		t.Errorf("duplicate code not named: %v", f)
	}
	later := questionnaireJSON()
	later["questions"].([]map[string]any)[2]["showIf"] = map[string]any{"question": "Q13", "in": []string{"1"}}
	if f := h.mustAPI("POST", "/api/v1/questionnaires", later, 422).errorFields(t); f["questions[2].showIf.question"] == nil {
		t.Errorf("showIf to a later question not named: %v", f)
	}
	typo := questionnaireJSON()
	typo["questions"].([]map[string]any)[3]["maxPick"] = 2
	if f := h.mustAPI("POST", "/api/v1/questionnaires", typo, 400).errorFields(t); len(f) == 0 {
		t.Errorf("unknown field not named")
	}
	h.mustAPI("GET", "/api/v1/questionnaires/fz2024", nil, http.StatusNotFound) // nothing half-written

	h.seed() // creates fz2024 v1 and round r2024 on it
	v2 := questionnaireJSON()
	v2["title"] = "修订版问卷"
	got := h.mustAPI("PUT", "/api/v1/questionnaires/fz2024", v2, http.StatusOK).json(t)
	if got["version"] != 2.0 {
		t.Fatalf("revised version = %v", got["version"])
	}
	if got := h.mustAPI("GET", "/api/v1/questionnaires/fz2024", nil, 200).json(t); got["version"] != 2.0 || got["title"] != "修订版问卷" {
		t.Errorf("latest = %v %v", got["version"], got["title"])
	}
	if got := h.mustAPI("GET", "/api/v1/questionnaires/fz2024?version=1", nil, 200).json(t); got["title"] != "法治政府建设满意度测评" {
		t.Errorf("v1 = %v", got["title"])
	}
	h.mustAPI("GET", "/api/v1/questionnaires/fz2024?version=x", nil, 422)
	// The open round keeps the version it froze, on the page and in the API.
	if r := h.mustAPI("GET", "/api/v1/rounds/r2024", nil, 200).json(t); r["questionnaireVersion"] != 1.0 {
		t.Errorf("round version = %v", r["questionnaireVersion"])
	}
	page := h.get("/s/r2024/chongchuan")
	if !strings.Contains(string(page.body), "匿名填写") || strings.Contains(string(page.body), "修订版") {
		t.Errorf("page does not show the frozen version")
	}
	change := roundJSON()
	change["questionnaireVersion"] = 2
	h.mustAPI("PUT", "/api/v1/rounds/r2024", change, http.StatusConflict)
	list := h.mustAPI("GET", "/api/v1/questionnaires", nil, 200).json(t)["questionnaires"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["version"] != 2.0 {
		t.Errorf("questionnaires = %v", list)
	}
}

func TestRoundsCRUD(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	bad := roundJSON()
	bad["code"] = "r2"
	bad["units"] = []string{"chongchuan", "ghost"}
	bad["quotas"] = map[string]int{}
	if f := h.mustAPI("POST", "/api/v1/rounds", bad, 422).errorFields(t); f["units"] == nil || !strings.Contains(f["units"].(string), "ghost") {
		t.Errorf("unknown unit not named: %v", f)
	}
	bad = roundJSON()
	bad["code"] = "r3"
	bad["questionnaire"] = "nope"
	bad["closesAt"] = "2024-09-01T00:00:00+08:00"
	if f := h.mustAPI("POST", "/api/v1/rounds", bad, 422).errorFields(t); f["closesAt"] == nil {
		t.Errorf("closesAt not named: %v", f)
	}
	bad["closesAt"] = "yesterday"
	h.mustAPI("POST", "/api/v1/rounds", bad, 400)
	h.mustAPI("POST", "/api/v1/rounds", roundJSON(), http.StatusConflict)
	h.mustAPI("GET", "/api/v1/rounds/r2", nil, http.StatusNotFound)

	r := h.mustAPI("GET", "/api/v1/rounds/r2024", nil, 200).json(t)
	if r["timezone"] != "Asia/Shanghai" || r["questionnaireVersion"] != 1.0 {
		t.Errorf("defaults = %v", r)
	}
	up := roundJSON()
	up["title"] = "2024年度测评（延长）"
	up["closesAt"] = "2024-11-30T18:00:00+08:00"
	up["quotas"] = map[string]int{"chongchuan": 120, "haimen": 60}
	h.mustAPI("PUT", "/api/v1/rounds/r2024", up, 200)
	p := h.mustAPI("GET", "/api/v1/rounds/r2024/progress", nil, 200).json(t)["units"].([]any)
	if p[0].(map[string]any)["quota"] != 120.0 || p[1].(map[string]any)["quota"] != 60.0 {
		t.Errorf("quotas after update = %v", p)
	}
	if list := h.mustAPI("GET", "/api/v1/rounds", nil, 200).json(t)["rounds"].([]any); len(list) != 1 {
		t.Errorf("rounds = %v", list)
	}
	h.mustAPI("GET", "/api/v1/rounds/nope/progress", nil, http.StatusNotFound)
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if r := h.get("/healthz"); r.status != 200 || r.json(t)["status"] != "ok" {
		t.Fatalf("healthz = %d %s", r.status, r.body)
	}
}

// TestConcurrentSubmissionsCountExactly: 100 respondents submit at once,
// each twice (a double tap); 100 responses are stored and counted.
func TestConcurrentSubmissionsCountExactly(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		for tap := 0; tap < 2; tap++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := h.postJSON(responsesPath, fmt.Sprintf(`{"sid":"conc-%06d","answers":{"Q1":"5","D1":"1"}}`, i))
				if r.status != http.StatusCreated && r.status != http.StatusOK {
					t.Errorf("submit %d: %d %s", i, r.status, r.body)
				}
			}(i)
		}
	}
	wg.Wait()
	if n := h.count("r2024"); n != 100 {
		t.Fatalf("stored %d, want 100", n)
	}
	p := h.mustAPI("GET", "/api/v1/rounds/r2024/progress", nil, http.StatusOK).json(t)["units"].([]any)
	if got := p[0].(map[string]any)["received"]; got != 100.0 {
		t.Fatalf("progress says %v, want 100", got)
	}
}
