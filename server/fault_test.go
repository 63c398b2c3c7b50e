package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"pinggu"
)

// TestDatabaseDownKeepsAnswersAndAcknowledgesNothing: with MongoDB gone,
// a submit is refused with 503 and Retry-After, the page comes back with
// every answer, and the JSON API says unavailable.
func TestDatabaseDownKeepsAnswersAndAcknowledgesNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	form := h.openForm("/s/r2024/chongchuan") // the form is now known to this replica
	form.Set("Q1", "4")
	form.Set("D1", "2")
	form.Set("Q2", "5")
	form.Set("Q14", "意见：办事效率高")
	if err := h.store.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := h.postForm("/s/r2024/chongchuan", form)
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Fatalf("submit with the database down = %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	body := string(r.body)
	for _, want := range []string{"尚未提交成功", `id="Q1-4" checked`, `id="D1-2" checked`, ">意见：办事效率高</textarea>",
		`name="sid" value="` + form.Get("sid") + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	j := h.postJSON(responsesPath, `{"sid":"down-000001","answers":{"Q1":"5","D1":"1"}}`)
	if j.status != http.StatusServiceUnavailable || j.json(t)["error"].(map[string]any)["code"] != "unavailable" {
		t.Fatalf("JSON with the database down = %d %s", j.status, j.body)
	}
	if hz := h.get("/healthz"); hz.status != http.StatusServiceUnavailable {
		t.Fatalf("healthz = %d", hz.status)
	}
}

// TestOperatorsAreNotAnswers: MongoDB operators in answers or ids are
// refused, never passed to a query.
func TestOperatorsAreNotAnswers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	for _, body := range []string{
		`{"sid":"inject-0001","answers":{"Q1":{"$gt":""},"D1":"1"}}`,
		`{"sid":{"$gt":""},"answers":{"Q1":"5","D1":"1"}}`,
		`{"sid":"inject-0002","answers":{"$where":"1","Q1":"5","D1":"1"}}`,
		`{"sid":"inject-0003","answers":{"Q1":"5","D1":"1","Q13":[{"$ne":null}]}}`,
	} {
		if r := h.postJSON(responsesPath, body); r.status != http.StatusBadRequest && r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s = %d", body, r.status)
		}
	}
	if r := h.get("/s/$gt/chongchuan"); r.status != http.StatusNotFound {
		t.Errorf("operator as round code = %d", r.status)
	}
	if n := h.count("r2024"); n != 0 {
		t.Fatalf("stored %d", n)
	}
}

// TestSubmissionsDoNotNeedRedis: with the queue unreachable, citizens
// still submit and see the thank-you page; starting a job says unavailable.
func TestSubmissionsDoNotNeedRedis(t *testing.T) {
	t.Parallel()
	h := newHarnessQueue(t, "127.0.0.1:1")
	for _, u := range []map[string]any{{"code": "chongchuan", "name": "崇川区", "type": "county", "peerGroup": "县市区"},
		{"code": "haimen", "name": "海门区", "type": "county", "peerGroup": "县市区"}} {
		h.mustAPI("POST", "/api/v1/units", u, http.StatusCreated)
	}
	h.mustAPI("POST", "/api/v1/questionnaires", questionnaireJSON(), http.StatusCreated)
	h.mustAPI("POST", "/api/v1/rounds", roundJSON(), http.StatusCreated)
	// Scheduling needs the queue; the round is opened directly here.
	h.mustAPI("POST", "/api/v1/rounds/r2024/schedule", nil, http.StatusServiceUnavailable)
	if _, err := h.store.TransitionRound(context.Background(), "r2024", []pinggu.RoundStatus{pinggu.StatusScheduled, pinggu.StatusDraft},
		pinggu.Transition{To: pinggu.StatusOpen, By: "test"}); err != nil {
		t.Fatal(err)
	}
	form := h.openForm("/s/r2024/chongchuan")
	form.Set("Q1", "5")
	form.Set("D1", "1")
	if r := h.postForm("/s/r2024/chongchuan", form); r.status != http.StatusSeeOther {
		t.Fatalf("submit with Redis down = %d", r.status)
	}
	if r := h.postJSON(responsesPath, `{"sid":"noredis-0001","answers":{"Q1":"5","D1":"1"}}`); r.status != http.StatusCreated {
		t.Fatalf("JSON with Redis down = %d", r.status)
	}
	h.mustAPI("POST", "/api/v1/rounds/r2024/compile", nil, http.StatusServiceUnavailable)
}
