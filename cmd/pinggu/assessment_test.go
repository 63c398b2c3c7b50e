package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"pinggu/store/storetest"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// indicatorSheet builds an indicator system workbook as an office keeps it.
func indicatorSheet(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	head := []any{"编码", "上级编码", "层级", "名称", "分值", "评分方法", "评分参数", "适用单位类型"}
	if err := f.SetSheetRow("Sheet1", "A1", &head); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func upload(t *testing.T, p *running, path string, file []byte) (int, map[string]any) {
	t.Helper()
	ct, body := multipartBody(t, map[string]string{"name": "法治政府建设考核指标"}, "file", "指标.xlsx", file)
	return do(t, p, "tok", "POST", path, ct, body)
}

// TestAssessmentRound: an indicator system uploaded as .xlsx, reviewers'
// entries and events over the API, a compile, and the workbook's totals,
// grades and ranks checked against hand computation.
func TestAssessmentRound(t *testing.T) {
	t.Parallel() // its own data folder, port and in-process Redis
	p := startProduct(t, storetest.Dir(t), map[string]string{"PINGGU_ADMIN_TOKEN": "tok"})
	defer p.shutdown(t)
	rows := [][]any{
		{"A", "", 1, "依法履职", 60, "", "", ""},
		{"A1", "A", 2, "权责清单公开", 30, "达标", "", ""},
		{"A2", "A", 2, "行政执法", 30, "", "", ""},
		{"A2a", "A2", 3, "执法案卷不合格", 20, "扣分", "perInstance=2;cap=10", ""},
		{"A2b", "A2", 3, "镇街执法全覆盖", 10, "按比例", "target=100", "县市区"},
		{"B", "", 1, "群众满意", 40, "", "", ""},
		{"B1", "B", 2, "政务服务满意度", 20, "满意度", "dimension=zwfw", ""},
		{"B2", "B", 2, "评审打分", 20, "评审", "", ""},
	}
	bad := append([][]any{}, rows...)
	bad[1] = []any{"A1", "A", 2, "权责清单公开", "三十", "达标", "", ""}
	if status, body := upload(t, p, "/api/v1/indicator-systems/fzzf/import", indicatorSheet(t, bad)); status != 422 ||
		!strings.Contains(fmt.Sprint(body), "第3行") {
		t.Fatalf("bad sheet = %d %v", status, body)
	} else if rows, _ := body["error"].(map[string]any)["rows"].([]any); len(rows) != 1 || rows[0].(map[string]any)["row"] != 3.0 {
		t.Fatalf("bad sheet's rows as data = %v", body)
	}
	if status, body := upload(t, p, "/api/v1/indicator-systems/fzzf/import", indicatorSheet(t, rows)); status != 201 || body["version"] != 1.0 {
		t.Fatalf("import = %d %v", status, body)
	}

	now := time.Now()
	for _, s := range []struct {
		path string
		body any
	}{
		{"/api/v1/units", map[string]any{"code": "chongchuan", "name": "崇川区", "type": "county", "peerGroup": "县市区"}},
		{"/api/v1/units", map[string]any{"code": "haimen", "name": "海门区", "type": "county", "peerGroup": "县市区"}},
		{"/api/v1/questionnaires", map[string]any{"code": "q", "title": "满意度", "questions": []any{
			map[string]any{"code": "Q1", "type": "scale", "text": "政务服务", "dimension": "zwfw", "options": []any{
				map[string]any{"code": "5", "label": "很满意", "score": 100}, map[string]any{"code": "4", "label": "满意", "score": 80},
				map[string]any{"code": "3", "label": "基本满意", "score": 60}, map[string]any{"code": "9", "label": "不清楚"}}}}}},
		{"/api/v1/rounds", map[string]any{"code": "kh2024", "title": "2024年度法治政府建设考核", "kind": "assessment", "questionnaire": "q",
			"units": []string{"chongchuan", "haimen"}, "opensAt": now.Add(-time.Hour).Format(time.RFC3339),
			"closesAt": now.Add(24 * time.Hour).Format(time.RFC3339), "schedule": map[string]any{"progressMinutes": -1},
			"scoring": map[string]any{"minSample": 4, "minEffective": 1}, // 崇川区's four scored answers suffice here
			"assessment": map[string]any{"indicatorSystem": "fzzf", "bonusCap": 3, "deductionCap": 5,
				"vetoes": []any{map[string]any{"code": "aq", "name": "重大安全事故", "effect": "fail"}}}}},
	} {
		if status, body := p.api(t, "tok", "POST", s.path, s.body); status != 201 {
			t.Fatalf("POST %s = %d %v", s.path, status, body)
		}
	}
	if status, body := p.api(t, "tok", "POST", "/api/v1/rounds/kh2024/schedule", nil); status != 200 {
		t.Fatalf("schedule = %d %v", status, body)
	}
	for i, a := range []string{"5", "5", "4", "3", "9"} { // 崇川区 zwfw: (100+100+80+60)/4 = 85
		resp, err := http.Post(p.url+"/api/v1/rounds/kh2024/units/chongchuan/responses", "application/json",
			strings.NewReader(fmt.Sprintf(`{"sid":"kh-%06d","answers":{"Q1":%q}}`, i, a)))
		if err != nil || resp.StatusCode != 201 {
			t.Fatalf("submit: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	entries := []struct {
		unit, indicator string
		body            string
		status          int
	}{
		{"chongchuan", "A1", `{"value":1,"comment":"已在门户网站公开"}`, 200},
		{"chongchuan", "A2a", `{"count":7}`, 200},
		{"chongchuan", "A2b", `{"value":85}`, 200},
		{"chongchuan", "B2", `{"score":18}`, 200},
		{"haimen", "A1", `{"value":0}`, 200},
		{"haimen", "A2a", `{"count":0}`, 200},
		{"haimen", "A2b", `{"value":100}`, 200},
		{"haimen", "B2", `{"score":10}`, 200},
		{"haimen", "B2", `{"score":25}`, 422},  // over the indicator's points
		{"haimen", "A1", `{"value":0.5}`, 422}, // binary takes 1 or 0
		{"haimen", "A2", `{"score":5}`, 422},   // not a leaf
		{"haimen", "B1", `{"value":1}`, 422},   // survey leaves are computed
		{"haimen", "Z9", `{"value":1}`, 404},
	}
	for _, e := range entries {
		status, body := p.api(t, "tok", "PUT", "/api/v1/rounds/kh2024/units/"+e.unit+"/inputs/"+e.indicator, json.RawMessage(e.body))
		if status != e.status {
			t.Fatalf("%s %s %s = %d %v", e.unit, e.indicator, e.body, status, body)
		}
	}
	for _, a := range []map[string]any{
		{"kind": "bonus", "points": 2, "basis": "获评省法治建设创新项目"},
		{"kind": "bonus", "points": 3, "basis": "入选全国示范创建候选项目"},
		{"kind": "deduction", "points": 1.5, "basis": "行政诉讼败诉1件"},
	} {
		if status, body := p.api(t, "tok", "POST", "/api/v1/rounds/kh2024/units/chongchuan/adjustments", a); status != 201 {
			t.Fatalf("adjustment = %d %v", status, body)
		}
	}
	if status, _ := p.api(t, "tok", "POST", "/api/v1/rounds/kh2024/units/chongchuan/adjustments", map[string]any{"kind": "veto", "rule": "nope", "basis": "x"}); status != 422 {
		t.Fatalf("unknown veto rule = %d", status)
	}
	_, listed := p.api(t, "tok", "GET", "/api/v1/rounds/kh2024/units/chongchuan/inputs", nil)
	if len(listed["inputs"].([]any)) != 4 || len(listed["adjustments"].([]any)) != 3 {
		t.Fatalf("inputs = %v", listed)
	}

	status, body := p.api(t, "tok", "POST", "/api/v1/rounds/kh2024/compile", nil)
	if status != 202 {
		t.Fatalf("compile = %d %v", status, body)
	}
	f := downloadScorecard(t, p, "kh2024", body["job"].(string))
	defer f.Close()
	// 崇川区: 30 + (20−10) + 8.5 + 20×0.85 + 18 = 83.5; +min(3, 5) −1.5 = 85 → 良好.
	// 海门区: 0 + 20 + 10 + 0 (no answers) + 10 = 40 → 较差; its survey leaf
	// has no sample, so it is incomplete and not ranked.
	checkCells(t, f, "总表", findRow(t, f, "总表", "崇川区"), map[string]any{"D": 85.0, "E": "良好", "F": 1.0, "G": 83.5, "H": 3.0, "I": 1.5})
	checkCells(t, f, "总表", findRow(t, f, "总表", "海门区"), map[string]any{"D": 40.0, "E": "较差", "F": "数据不完整"})
	checkCells(t, f, "崇川区", findRow(t, f, "崇川区", "A2a"), map[string]any{"D": 20.0, "E": 10.0})
	checkCells(t, f, "崇川区", findRow(t, f, "崇川区", "B1"), map[string]any{"E": 17.0})
	checkCells(t, f, "崇川区", findRow(t, f, "崇川区", "A1"), map[string]any{"E": 30.0, "O": "已在门户网站公开"})
	if findRow(t, f, "崇川区", "获评省法治建设创新项目") == 0 {
		t.Fatal("bonus basis missing")
	}
	checkCells(t, f, "考核排名-县市区", 3, map[string]any{"A": 1.0, "B": "崇川区", "C": 85.0, "D": "良好"})
}

// downloadScorecard waits for the compile job and opens its workbook.
func downloadScorecard(t *testing.T, p *running, round, job string) *excelize.File {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var report string
	for report == "" {
		_, js := p.api(t, "tok", "GET", "/api/v1/jobs?round="+round, nil)
		for _, j := range js["jobs"].([]any) {
			if m := j.(map[string]any); m["id"] == job && m["state"] == "succeeded" {
				report = m["report"].(string)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("compile did not finish: %v", js)
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, data := download(t, p, "/api/v1/reports/"+report+".xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// download GETs a file with the admin token, failing the test unless 200.
func download(t *testing.T, p *running, path string) (http.Header, []byte) {
	t.Helper()
	return downloadAs(t, p, "tok", path)
}

// downloadAs downloads with the given token.
func downloadAs(t *testing.T, p *running, token, path string) (http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", p.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d: %s", path, resp.StatusCode, data)
	}
	return resp.Header, data
}
