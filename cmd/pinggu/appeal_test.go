package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"pinggu/store/storetest"
)

// TestAppealChangesTheRanking: two units ranked on their provisional
// results; one appeals a leaf with evidence and is upheld, the other
// appeals its total and waits; the recompile the upheld appeal queues
// swaps their places, and the 申诉处理 sheet tells both, by hand:
//
//	崇川区 A1 50 + A2 30 = 80, 海门区 50 + 35 = 85 → 海门区 1st;
//	upheld: 崇川区 A2 30 → 40, total 90 → 崇川区 1st.
func TestAppealChangesTheRanking(t *testing.T) {
	t.Parallel()
	p := startProduct(t, storetest.Dir(t), map[string]string{"PINGGU_ADMIN_TOKEN": "tok"})
	defer p.shutdown(t)
	now := time.Now()
	p.createAll(t,
		posted{"/api/v1/units", map[string]any{"code": "chongchuan", "name": "崇川区", "type": "county", "peerGroup": "县市区"}},
		posted{"/api/v1/units", map[string]any{"code": "haimen", "name": "海门区", "type": "county", "peerGroup": "县市区"}},
		posted{"/api/v1/questionnaires", map[string]any{"code": "q", "title": "满意度", "questions": []any{
			map[string]any{"code": "Q1", "type": "scale", "text": "政务服务", "options": []any{
				map[string]any{"code": "5", "label": "很满意", "score": 100}, map[string]any{"code": "4", "label": "满意", "score": 80}}}}}},
		posted{"/api/v1/indicator-systems", map[string]any{"code": "fzzf", "name": "考核指标", "indicators": []any{
			map[string]any{"code": "A1", "level": 1, "name": "权责清单公开", "points": 50, "rubric": "binary"},
			map[string]any{"code": "A2", "level": 1, "name": "法治宣传", "points": 50, "rubric": "manual"}}}},
		posted{"/api/v1/rounds", map[string]any{"code": "kh", "title": "2024年度法治政府建设考核", "kind": "assessment", "questionnaire": "q",
			"units": []string{"chongchuan", "haimen"}, "opensAt": now.Add(-time.Hour).Format(time.RFC3339),
			"closesAt": now.Add(24 * time.Hour).Format(time.RFC3339), "schedule": map[string]any{"progressMinutes": -1},
			"assessment": map[string]any{"indicatorSystem": "fzzf", "phases": map[string]any{
				"notice":  map[string]any{"opens": now.Add(-30 * time.Minute).Format(time.RFC3339), "closes": now.Add(2 * time.Hour).Format(time.RFC3339)},
				"appeals": map[string]any{"opens": now.Add(-30 * time.Minute).Format(time.RFC3339), "closes": now.Add(3 * time.Hour).Format(time.RFC3339)}}}}},
	)
	if status, body := p.api(t, "tok", "POST", "/api/v1/rounds/kh/schedule", nil); status != 200 {
		t.Fatalf("schedule = %d %v", status, body)
	}
	for unit, score := range map[string]int{"chongchuan": 30, "haimen": 35} {
		for path, body := range map[string]any{"A1": map[string]any{"value": 1}, "A2": map[string]any{"score": score}} {
			if status, b := p.api(t, "tok", "PUT", "/api/v1/rounds/kh/units/"+unit+"/inputs/"+path, body); status != 200 {
				t.Fatalf("entry = %d %v", status, b)
			}
		}
	}
	_, body := p.api(t, "tok", "POST", "/api/v1/rounds/kh/compile", nil)
	f := downloadScorecard(t, p, "kh", body["job"].(string))
	// No citizen answered this round: no survey sheets of 样本不足 and zeros.
	if sheets := fmt.Sprint(f.GetSheetList()); sheets != "[封面 总表 考核排名-县市区 崇川区 海门区 申诉处理 说明]" {
		t.Errorf("sheets = %s", sheets)
	}
	checkCells(t, f, "考核排名-县市区", 3, map[string]any{"A": 1.0, "B": "海门区", "C": 85.0})
	checkCells(t, f, "考核排名-县市区", 4, map[string]any{"A": 2.0, "B": "崇川区", "C": 80.0})
	f.Close()
	publicOrder(t, p, "海门区", "崇川区")

	token := func(unit string) string {
		_, b := p.api(t, "tok", "POST", "/api/v1/units/"+unit+"/tokens", nil)
		return b["token"].(string)
	}
	cc, hm := token("chongchuan"), token("haimen")
	ct, form := multipartBody(t, map[string]string{"indicator": "A2", "reason": "开展宣传活动40场，台账见附件"}, "evidence", "宣传台账.pdf", []byte("%PDF-1.4 台账"))
	status, appeal := do(t, p, cc, "POST", "/api/v1/rounds/kh/units/chongchuan/appeals", ct, form)
	if status != 201 || len(appeal["evidence"].([]any)) != 1 {
		t.Fatalf("appeal = %d %v", status, appeal)
	}
	if status, b := do(t, p, hm, "POST", "/api/v1/rounds/kh/units/chongchuan/appeals", "application/json", []byte(`{"reason":"x"}`)); status != 403 {
		t.Fatalf("an appeal for another unit = %d %v", status, b)
	}
	if status, b := do(t, p, hm, "POST", "/api/v1/rounds/kh/units/haimen/appeals", "application/json", []byte(`{"reason":"总分计算有误"}`)); status != 201 {
		t.Fatalf("an appeal on the total = %d %v", status, b)
	}
	id := appeal["id"].(string)
	if status, b := p.api(t, "tok", "POST", "/api/v1/appeals/"+id+"/decision", map[string]any{"decision": "upheld", "reason": "台账属实"}); status != 422 {
		t.Fatalf("upheld without the changed entry = %d %v", status, b)
	}
	status, decided := p.api(t, "tok", "POST", "/api/v1/appeals/"+id+"/decision", map[string]any{"decision": "upheld", "reason": "台账属实，改为40分", "score": 40})
	if status != 200 || decided["job"] == nil {
		t.Fatalf("decision = %d %v", status, decided)
	}
	if status, _ := p.api(t, "tok", "POST", "/api/v1/appeals/"+id+"/decision", map[string]any{"decision": "rejected", "reason": "再议"}); status != 409 {
		t.Fatalf("a second answer = %d", status)
	}
	f = downloadScorecard(t, p, "kh", decided["job"].(string))
	defer f.Close()
	checkCells(t, f, "考核排名-县市区", 3, map[string]any{"A": 1.0, "B": "崇川区", "C": 90.0})
	checkCells(t, f, "考核排名-县市区", 4, map[string]any{"A": 2.0, "B": "海门区", "C": 85.0})
	checkCells(t, f, "申诉处理", 3, map[string]any{"A": "崇川区", "B": "A2 法治宣传", "C": "开展宣传活动40场，台账见附件",
		"E": "宣传台账.pdf", "F": "申诉成立", "G": "台账属实，改为40分", "H": "30分 → 40分"})
	checkCells(t, f, "申诉处理", 4, map[string]any{"A": "海门区", "B": "总分", "F": "待处理"})
	publicOrder(t, p, "崇川区", "海门区")
	// The unit reads the answer.
	_, mine := do(t, p, cc, "GET", "/api/v1/rounds/kh/units/chongchuan/appeals", "", nil)
	if as := mine["appeals"].([]any); len(as) != 1 || as[0].(map[string]any)["decision"] != "upheld" ||
		!strings.Contains(as[0].(map[string]any)["answer"].(map[string]any)["text"].(string), "台账属实") {
		t.Fatalf("the unit's appeals: %v", mine)
	}
}

// publicOrder reads the public page as anyone would (no token) and checks
// it is the notice draft, ranks first then second, says how to appeal and
// names nobody who entered anything.
func publicOrder(t *testing.T, p *running, first, second string) {
	t.Helper()
	resp, err := http.Get(p.url + "/p/kh")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	page := string(b)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "public") {
		t.Fatalf("public page = %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	i, j := strings.Index(page, ">"+first+"<"), strings.Index(page, ">"+second+"<")
	if i < 0 || j < 0 || i > j {
		t.Fatalf("public page order: want %s before %s:\n%s", first, second, page)
	}
	for _, want := range []string{"公示稿", "县市区", "如何申诉", "申诉期（"} {
		if !strings.Contains(page, want) {
			t.Errorf("public page lacks %q", want)
		}
	}
	for _, never := range []string{"admin", "tok", "台账", "宣传台账.pdf", "<script", "http://", "https://"} {
		if strings.Contains(page, never) {
			t.Errorf("public page shows %q", never)
		}
	}
}
