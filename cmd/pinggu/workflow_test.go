package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"pinggu/store/storetest"
)

// personalToken signs a person in on the console (password
// "correct-horse-1" unless given) and issues an API token.
func personalToken(t *testing.T, p *running, user string, password ...string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	get := func(path string) string {
		resp, err := c.Get(p.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	post := func(path string, v url.Values) string {
		resp, err := c.PostForm(p.url+path, v)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	post("/admin/login", url.Values{"csrf": {csrf.FindStringSubmatch(get("/admin/login"))[1]}, "name": {user}, "password": {append(password, "correct-horse-1")[0]}})
	page := post("/admin/tokens", url.Values{"csrf": {csrf.FindStringSubmatch(get("/admin"))[1]}, "name": {"测试"}})
	tok := regexp.MustCompile(`p_[0-9a-f]{64}`).FindString(page)
	if tok == "" {
		t.Fatalf("no token for %s:\n%s", user, page)
	}
	return tok
}

// TestAssessmentWorkflowEndToEnd runs the whole workflow over HTTP on the
// running product: four units in two peer groups on an indicator system
// with all five rubrics; self-assessment with evidence, a return and a
// resubmission; review with bulk objective data (a bad row first); a
// confirmation that changes an entry, and the four-eyes refusal; the
// provisional result and its public page; an appeal upheld that swaps
// two units and one rejected. By hand (points 20 each):
//
//	         A1 binary  A2 2/inst cap10  A3 value/100  B1 survey  B2 manual  total
//	崇川区     1 → 20     3 → 14          90 → 18       90 → 18    17→16      86
//	海门区     1 → 20     0 → 20          95 → 19       70 → 14    12         85 → (B2 16) 89
//	市公安局   0 → 0      6 → 10          100 → 20      100 → 20   16         66
//	市司法局   1 → 20     1 → 18          80 → 16       60 → 12    15         81
func TestAssessmentWorkflowEndToEnd(t *testing.T) {
	t.Parallel()
	p := startProduct(t, storetest.Dir(t), map[string]string{"PINGGU_ADMIN_TOKEN": "tok"})
	defer p.shutdown(t)
	now := time.Now().UTC()
	window := func(from time.Duration) map[string]any {
		return map[string]any{"opens": now.Add(from).Format(time.RFC3339), "closes": now.Add(2 * time.Hour).Format(time.RFC3339)}
	}
	must := func(method, path string, body any, want int) map[string]any {
		t.Helper()
		status, b := p.api(t, "tok", method, path, body)
		if status != want {
			t.Fatalf("%s %s = %d %v", method, path, status, b)
		}
		return b
	}
	for _, u := range [][4]string{{"chongchuan", "崇川区", "county", "县市区"}, {"haimen", "海门区", "county", "县市区"},
		{"gaj", "市公安局", "department", "市级部门"}, {"sfj", "市司法局", "department", "市级部门"}} {
		must("POST", "/api/v1/units", map[string]any{"code": u[0], "name": u[1], "type": u[2], "peerGroup": u[3]}, 201)
	}
	must("POST", "/api/v1/questionnaires", map[string]any{"code": "q", "title": "满意度", "questions": []any{
		map[string]any{"code": "Q1", "type": "scale", "text": "政务服务", "dimension": "zwfw", "options": []any{
			map[string]any{"code": "5", "label": "很满意", "score": 100}, map[string]any{"code": "4", "label": "满意", "score": 80},
			map[string]any{"code": "3", "label": "基本满意", "score": 60}}}}}, 201)
	must("POST", "/api/v1/indicator-systems", map[string]any{"code": "fzzf", "name": "考核指标", "indicators": []any{
		map[string]any{"code": "A1", "level": 1, "name": "权责清单公开", "points": 20, "rubric": "binary"},
		map[string]any{"code": "A2", "level": 1, "name": "执法案卷不合格", "points": 20, "rubric": "deduction", "perInstance": 2, "cap": 10},
		map[string]any{"code": "A3", "level": 1, "name": "复议纠错", "points": 20, "rubric": "proportional", "target": 100},
		map[string]any{"code": "B1", "level": 1, "name": "政务服务满意度", "points": 20, "rubric": "survey", "dimension": "zwfw"},
		map[string]any{"code": "B2", "level": 1, "name": "法治宣传", "points": 20, "rubric": "manual"}}}, 201)
	must("POST", "/api/v1/rounds", map[string]any{"code": "kh", "title": "2026年度法治政府建设考核", "kind": "assessment", "questionnaire": "q",
		"units": []string{"chongchuan", "haimen", "gaj", "sfj"}, "opensAt": now.Add(-time.Hour).Format(time.RFC3339),
		"closesAt": now.Add(3 * time.Hour).Format(time.RFC3339), "schedule": map[string]any{"progressMinutes": -1},
		"scoring": map[string]any{"minSample": 2, "minEffective": 1},
		"assessment": map[string]any{"indicatorSystem": "fzzf", "phases": map[string]any{"selfAssessment": window(-50 * time.Minute),
			"review": window(-40 * time.Minute), "notice": window(-30 * time.Minute), "appeals": window(-20 * time.Minute)}}}, 201)
	must("POST", "/api/v1/rounds/kh/schedule", nil, 200)
	i := 0
	for unit, answers := range map[string][]string{"chongchuan": {"5", "4"}, "haimen": {"4", "3"}, "gaj": {"5", "5"}, "sfj": {"3", "3"}} {
		for _, a := range answers {
			i++
			resp, err := http.Post(p.url+"/api/v1/rounds/kh/units/"+unit+"/responses", "application/json",
				strings.NewReader(fmt.Sprintf(`{"sid":"wf-%06d","answers":{"Q1":%q}}`, i, a)))
			if err != nil || resp.StatusCode != 201 {
				t.Fatalf("submit: %v %v", resp, err)
			}
			resp.Body.Close()
		}
	}

	// 崇川区 assesses itself, with evidence; A2 is returned and answered.
	cc := must("POST", "/api/v1/units/chongchuan/tokens", nil, 201)["token"].(string)
	self := "/api/v1/rounds/kh/units/chongchuan/self"
	ct, form := multipartBody(t, map[string]string{"value": "1", "explanation": "清单已公开"}, "evidence", "权责清单.pdf", []byte("%PDF-1.4 清单"))
	if status, b := do(t, p, cc, "PUT", self+"/A1", ct, form); status != 200 {
		t.Fatalf("A1 = %d %v", status, b)
	}
	for leaf, body := range map[string]string{"A2": `{"count":2}`, "A3": `{"value":90}`, "B2": `{"score":18}`} {
		if status, b := do(t, p, cc, "PUT", self+"/"+leaf, "application/json", []byte(body)); status != 200 {
			t.Fatalf("%s = %d %v", leaf, status, b)
		}
	}
	if status, b := do(t, p, cc, "POST", self+"/submit", "", nil); status != 200 {
		t.Fatalf("submit = %d %v", status, b)
	}
	must("POST", self+"/A2/return", map[string]any{"reason": "抽查发现3件不合格，请核实"}, 200)
	do(t, p, cc, "PUT", self+"/A2", "application/json", []byte(`{"count":3,"explanation":"经核实为3件"}`))
	if status, b := do(t, p, cc, "POST", self+"/submit", "", nil); status != 200 {
		t.Fatalf("resubmit = %d %v", status, b)
	}

	// Review: entries by the administrator, A3 for all from the courts' sheet.
	for unit, e := range map[string][3]string{"chongchuan": {`{"value":1}`, `{"count":3}`, `{"score":17}`},
		"haimen": {`{"value":1}`, `{"count":0}`, `{"score":12}`}, "gaj": {`{"value":0}`, `{"count":6}`, `{"score":16}`},
		"sfj": {`{"value":1}`, `{"count":1}`, `{"score":15}`}} {
		for k, leaf := range []string{"A1", "A2", "B2"} {
			if status, b := do(t, p, "tok", "PUT", "/api/v1/rounds/kh/units/"+unit+"/inputs/"+leaf, "application/json", []byte(e[k])); status != 200 {
				t.Fatalf("%s %s = %d %v", unit, leaf, status, b)
			}
		}
	}
	sheet := func(rows [][]any) []byte {
		f := excelize.NewFile()
		defer f.Close()
		for i, r := range rows {
			f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r)
		}
		var buf bytes.Buffer
		f.WriteTo(&buf)
		return buf.Bytes()
	}
	head := []any{"单位", "A3 复议纠错"}
	ct, form = multipartBody(t, nil, "file", "纠错率.xlsx", sheet([][]any{head, {"崇川区", 90}, {"海门区", "九十五"}, {"市公安局", 100}, {"市司法局", 80}}))
	if status, b := do(t, p, "tok", "POST", "/api/v1/rounds/kh/inputs/import", ct, form); status != 422 || !strings.Contains(fmt.Sprint(b), "须为数字") {
		t.Fatalf("a bad sheet = %d %v", status, b)
	}
	ct, form = multipartBody(t, nil, "file", "纠错率.xlsx", sheet([][]any{head, {"崇川区", 90}, {"海门区", "95%"}, {"市公安局", 100}, {"市司法局", 80}}))
	if status, b := do(t, p, "tok", "POST", "/api/v1/rounds/kh/inputs/import", ct, form); status != 200 || b["entries"] != 4.0 {
		t.Fatalf("import = %d %v", status, b)
	}

	// Confirmation: not by the one who entered; another assessor changes B2.
	if status, _ := p.api(t, "tok", "POST", "/api/v1/rounds/kh/units/chongchuan/inputs/B2/confirm", map[string]any{}); status != 403 {
		t.Fatalf("confirming one's own entry = %d", status)
	}
	must("POST", "/api/v1/users", map[string]any{"name": "li.na", "role": "assessor", "password": "correct-horse-1"}, 201)
	li := personalToken(t, p, "li.na")
	if status, b := p.api(t, li, "POST", "/api/v1/rounds/kh/units/chongchuan/inputs/B2/confirm", map[string]any{"score": 16, "reason": "宣传台账缺2场"}); status != 200 {
		t.Fatalf("confirm = %d %v", status, b)
	}

	// The provisional result, by hand.
	f := downloadScorecard(t, p, "kh", must("POST", "/api/v1/rounds/kh/compile", nil, 202)["job"].(string))
	checkCells(t, f, "考核排名-县市区", 3, map[string]any{"A": 1.0, "B": "崇川区", "C": 86.0, "D": "良好"})
	checkCells(t, f, "考核排名-县市区", 4, map[string]any{"A": 2.0, "B": "海门区", "C": 85.0})
	checkCells(t, f, "考核排名-市级部门", 3, map[string]any{"A": 1.0, "B": "市司法局", "C": 81.0})
	checkCells(t, f, "考核排名-市级部门", 4, map[string]any{"A": 2.0, "B": "市公安局", "C": 66.0, "D": "较差"})
	// Each group's totals charted from the highest, beside the group mean.
	if buf, err := f.WriteToBuffer(); err != nil {
		t.Fatal(err)
	} else {
		checkRankChart(t, f, buf.Bytes(), "考核排名-县市区")
	}
	f.Close()
	public := func() string {
		resp, err := http.Get(p.url + "/p/kh")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("public page: %v %v", resp, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if page := public(); strings.Index(page, ">崇川区<") > strings.Index(page, ">海门区<") || !strings.Contains(page, "公示稿") {
		t.Fatal("public page before the appeals is out of order")
	}

	// Appeals: 海门区's on B2 upheld (12 → 16, total 89) swaps the two;
	// 市公安局's on its total is rejected.
	hm := must("POST", "/api/v1/units/haimen/tokens", nil, 201)["token"].(string)
	gaj := must("POST", "/api/v1/units/gaj/tokens", nil, 201)["token"].(string)
	_, a1 := do(t, p, hm, "POST", "/api/v1/rounds/kh/units/haimen/appeals", "application/json", []byte(`{"indicator":"B2","reason":"普法活动16场，台账已补"}`))
	_, a2 := do(t, p, gaj, "POST", "/api/v1/rounds/kh/units/gaj/appeals", "application/json", []byte(`{"reason":"权责清单已公开"}`))
	must("POST", "/api/v1/appeals/"+a2["id"].(string)+"/decision", map[string]any{"decision": "rejected", "reason": "门户网站未见清单"}, 200)
	job := must("POST", "/api/v1/appeals/"+a1["id"].(string)+"/decision", map[string]any{"decision": "upheld", "reason": "台账属实", "score": 16}, 200)["job"].(string)
	f = downloadScorecard(t, p, "kh", job)
	defer f.Close()
	checkCells(t, f, "考核排名-县市区", 3, map[string]any{"A": 1.0, "B": "海门区", "C": 89.0})
	checkCells(t, f, "考核排名-县市区", 4, map[string]any{"A": 2.0, "B": "崇川区", "C": 86.0})
	checkCells(t, f, "申诉处理", 3, map[string]any{"A": "海门区", "F": "申诉成立", "H": "12分 → 16分"})
	checkCells(t, f, "申诉处理", 4, map[string]any{"A": "市公安局", "B": "总分", "F": "申诉不成立"})
	if page := public(); strings.Index(page, ">海门区<") > strings.Index(page, ">崇川区<") {
		t.Fatal("public page after the appeal is out of order")
	}
	// 崇川区's sheet tells its story: self 18 on B2, entered 17, confirmed 16.
	row := findRow(t, f, "崇川区", "B2")
	checkCells(t, f, "崇川区", row, map[string]any{"E": 16.0, "H": "18分", "J": "17分", "K": "改为16分"})
}

// TestPublicPageTurnsFinal: once the round closes and its final compile
// runs, the public page shows the final result, marked 正式结果.
func TestPublicPageTurnsFinal(t *testing.T) {
	t.Parallel()
	p := startProduct(t, storetest.Dir(t), map[string]string{"PINGGU_ADMIN_TOKEN": "tok"})
	defer p.shutdown(t)
	now := time.Now().UTC()
	closes := now.Add(3 * time.Second).Truncate(time.Second).Add(time.Second)
	p.createAll(t,
		posted{"/api/v1/units", map[string]any{"code": "chongchuan", "name": "崇川区", "type": "county", "peerGroup": "县市区"}},
		posted{"/api/v1/questionnaires", map[string]any{"code": "q", "title": "满意度", "questions": []any{map[string]any{"code": "Q1", "type": "scale",
			"text": "政务服务", "options": []any{map[string]any{"code": "5", "label": "很满意", "score": 100}, map[string]any{"code": "1", "label": "不满意", "score": 0}}}}}},
		posted{"/api/v1/indicator-systems", map[string]any{"code": "fzzf", "name": "考核指标", "indicators": []any{
			map[string]any{"code": "A1", "level": 1, "name": "法治宣传", "points": 100, "rubric": "manual"}}}},
		posted{"/api/v1/rounds", map[string]any{"code": "kh", "title": "2026年度法治政府建设考核", "kind": "assessment", "questionnaire": "q",
			"units": []string{"chongchuan"}, "opensAt": now.Add(-time.Hour).Format(time.RFC3339), "closesAt": closes.Format(time.RFC3339),
			"schedule": map[string]any{"progressMinutes": -1, "compileAt": closes.Format(time.RFC3339)},
			"assessment": map[string]any{"indicatorSystem": "fzzf", "phases": map[string]any{
				"notice": map[string]any{"opens": now.Add(-time.Minute).Format(time.RFC3339), "closes": closes.Format(time.RFC3339)}}}}},
	)
	p.api(t, "tok", "POST", "/api/v1/rounds/kh/schedule", nil)
	if status, b := p.api(t, "tok", "PUT", "/api/v1/rounds/kh/units/chongchuan/inputs/A1", map[string]any{"score": 88}); status != 200 {
		t.Fatalf("entry = %d %v", status, b)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(p.url + "/p/kh")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if page := string(b); resp.StatusCode == 200 && strings.Contains(page, "正式结果") {
			if !strings.Contains(page, "88.00") || strings.Contains(page, "如何申诉") {
				t.Fatalf("final page:\n%s", page)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page never turned final: %d\n%s", resp.StatusCode, b)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
