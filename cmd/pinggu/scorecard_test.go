package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math"
	"net/http"
	"pinggu/store/storetest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestScheduledRoundCompilesAScorecard runs a round end to end on the
// product as `pinggu serve` starts it: 200 responses over HTTP, the close
// and the final compile fired by the scheduler, the workbook downloaded over
// HTTP, re-opened, and one unit's numbers checked against hand computation.
// The product's clock stands still while the responses come in, so the
// round closes a second later by the queue's clock but only once the test
// lets the product's clock run on.
func TestScheduledRoundCompilesAScorecard(t *testing.T) {
	t.Parallel()
	clock := &testClock{}
	const org = "南通市法治政府建设第三方评估组"
	p := startProductWith(t, storetest.Dir(t), map[string]string{"PINGGU_ADMIN_TOKEN": "tok", "PINGGU_ORG": org}, clock)
	defer p.shutdown(t)
	now := time.Now()
	clock.Freeze(now)
	closes := now.Add(time.Second)
	for _, s := range []struct {
		path string
		body any
	}{
		{"/api/v1/units", map[string]any{"code": "chongchuan", "name": "崇川区", "type": "county", "peerGroup": "县市区"}},
		{"/api/v1/units", map[string]any{"code": "haimen", "name": "海门区", "type": "county", "peerGroup": "县市区"}},
		{"/api/v1/questionnaires", map[string]any{"code": "q", "title": "满意度", "dimensions": []any{map[string]any{"code": "zwfw", "name": "政务服务"}}, "questions": []any{
			map[string]any{"code": "Q1", "type": "scale", "text": "您对政务服务是否满意？", "required": true, "dimension": "zwfw", "options": []any{
				map[string]any{"code": "5", "label": "很满意", "score": 100}, map[string]any{"code": "4", "label": "满意", "score": 80},
				map[string]any{"code": "3", "label": "基本满意", "score": 60}, map[string]any{"code": "2", "label": "不满意", "score": 40},
				map[string]any{"code": "1", "label": "很不满意", "score": 20}, map[string]any{"code": "9", "label": "不清楚"}}},
			map[string]any{"code": "D1", "type": "single", "text": "性别", "options": []any{
				map[string]any{"code": "1", "label": "男"}, map[string]any{"code": "2", "label": "女"}}}}}},
		{"/api/v1/rounds", map[string]any{"code": "r9", "title": "测评", "kind": "satisfaction", "questionnaire": "q",
			"units": []string{"chongchuan", "haimen"}, "quotas": map[string]int{"chongchuan": 20, "haimen": 200},
			"opensAt": now.Add(-time.Hour).Format(time.RFC3339), "closesAt": closes.Format(time.RFC3339Nano),
			"schedule":  map[string]any{"compileAt": closes.Add(time.Second).Format(time.RFC3339Nano), "progressMinutes": -1},
			"integrity": map[string]any{"burstLimit": -1}, // 200 submissions from one test address
			"scoring":   map[string]any{"minSample": 8}}}, // the web channel row has 8 scored
	} {
		if status, body := p.api(t, "tok", "POST", s.path, s.body); status != 201 {
			t.Fatalf("POST %s = %d %v", s.path, status, body)
		}
	}
	if status, body := p.api(t, "tok", "POST", "/api/v1/rounds/r9/schedule", nil); status != 200 {
		t.Fatalf("schedule = %d %v", status, body)
	}

	// 崇川区: ten 很满意, six 满意, two 基本满意, one 很不满意, one 不清楚.
	var answers []string
	for code, n := range map[string]int{"5": 10, "4": 6, "3": 2, "1": 1, "9": 1} {
		for i := 0; i < n; i++ {
			answers = append(answers, code)
		}
	}
	submit := func(unit, sid, q1, d1 string) {
		// 崇川区's 很满意 answers came by the QR code in the service hall.
		channel := `"channel":"web"`
		if unit == "chongchuan" && q1 == "5" {
			channel = `"channel":"qr","tag":"政务大厅"`
		}
		body := fmt.Sprintf(`{"sid":%q,"answers":{"Q1":%q,"D1":%q},%s}`, sid, q1, d1, channel)
		resp, err := http.Post(p.url+"/api/v1/rounds/r9/units/"+unit+"/responses", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 201 {
			t.Fatalf("submit %s = %d", sid, resp.StatusCode)
		}
	}
	for i, a := range answers {
		submit("chongchuan", fmt.Sprintf("cc-%06d", i), a, strconv.Itoa(1+i%2))
	}
	for i := 0; i < 180; i++ {
		sid := fmt.Sprintf("hm-%06d", i)
		if i == 0 {
			sid = "-2-3-4-5" // a valid submission id a spreadsheet would read as a formula
		}
		submit("haimen", sid, strconv.Itoa(1+i%5), strconv.Itoa(1+i%2))
	}
	clock.Release()

	// The close and the final compile run by themselves.
	deadline := time.Now().Add(60 * time.Second)
	var round map[string]any
	for {
		_, round = p.api(t, "tok", "GET", "/api/v1/rounds/r9", nil)
		if round["status"] == "compiled" {
			break
		}
		if time.Now().After(deadline) {
			_, jobs := p.api(t, "tok", "GET", "/api/v1/jobs?round=r9", nil)
			t.Fatalf("round not compiled: %v\njobs: %v", round["status"], jobs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	history := round["history"].([]any)
	var path []string
	for _, h := range history {
		path = append(path, h.(map[string]any)["to"].(string)+"/"+h.(map[string]any)["by"].(string))
	}
	// The close is done by the close job or, when both are due at once, by the compile.
	got := strings.Join(path, " ")
	if got != "draft/admin scheduled/admin open/job:round:open closed/job:round:close compiled/job:round:compile" &&
		got != "draft/admin scheduled/admin open/job:round:open closed/job:round:compile compiled/job:round:compile" {
		t.Errorf("history = %s", got)
	}

	_, list := p.api(t, "tok", "GET", "/api/v1/rounds/r9/reports", nil)
	byKind := map[string]map[string]any{}
	for _, x := range list["reports"].([]any) {
		byKind[x.(map[string]any)["kind"].(string)] = x.(map[string]any)
	}
	rep, method := byKind["scorecard"], byKind["method"]
	if len(byKind) != 2 || rep == nil || method == nil {
		t.Fatalf("reports = %v", list["reports"])
	}
	// The fingerprint is the SHA-256 of the method file anyone can download.
	if _, mb := download(t, p, "/api/v1/reports/"+method["id"].(string)+".json"); fmt.Sprintf("%x", sha256.Sum256(mb)) != rep["fingerprint"] ||
		method["fingerprint"] != rep["fingerprint"] {
		t.Fatalf("method file %v does not hash to the scorecard's fingerprint %v", method, rep["fingerprint"])
	}
	if rep["final"] != true || rep["kind"] != "scorecard" || rep["responses"] != 200.0 || len(rep["fingerprint"].(string)) != 64 {
		t.Fatalf("report = %v", rep)
	}
	header, data := download(t, p, "/api/v1/reports/"+rep["id"].(string)+".xlsx")
	if int64(len(data)) != int64(rep["size"].(float64)) {
		t.Fatalf("downloaded %d bytes, report says %v", len(data), rep["size"])
	}
	if cd := header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''%E6%B5%8B%E8%AF%84") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checkPrintable(t, f, data, "测评", "正式结果", org)
	checkCover(t, f, map[string]string{"评估轮次": "测评", "结果性质": "正式结果", "测评单位": "2个（县市区 2个）",
		"样本": "计入答卷200份，排除0份", "编制单位": org, "方法摘要": "得分 ≥ 60 计为满意", "核验": rep["fingerprint"].(string)})
	if total, per := printedPages(t, data); per != nil {
		// Every table fits its page: one each, 说明 on two at most.
		for sheet, n := range per {
			if n > 1 && sheet != "说明" || n > 2 {
				t.Errorf("%s prints on %d pages", sheet, n)
			}
		}
		if total > len(f.GetSheetList())+1 {
			t.Errorf("%d sheets print on %d pages (%v)", len(f.GetSheetList()), total, per)
		}
		t.Logf("the scorecard prints on %d A4 pages: %v", total, per)
	}

	// Hand computation for 崇川区: scores 100×10, 80×6, 60×2, 20×1 (不清楚
	// excluded): n = 19, Ȳ = 1620/19, s² = (149600/19)/18, P = 18/19; the
	// mean's interval is Ȳ ± t(0.975, 18)·s/√19 with t = 2.10092204 (tables: 2.101).
	half := 2.10092204024096 * math.Sqrt(149600.0/19/18/19)
	want := map[string]float64{"mean": 1620.0 / 19, "meanLow": 1620.0/19 - half, "meanHigh": 1620.0/19 + half,
		"rate": 18.0 / 19, "rateLow": 0.7536078466345478, "rateHigh": 0.9906482475094701}
	row := findRow(t, f, "总表", "崇川区")
	checkCells(t, f, "总表", row, map[string]any{"C": "县市区", "D": 1.0, "P": "显著高于：海门区", "E": 20.0, "F": 19.0, "G": want["mean"],
		"H": want["meanLow"], "I": want["meanHigh"], "J": half, "K": want["rate"], "L": want["rateLow"], "M": want["rateHigh"], "N": "1", "O": 1.0})
	// 海门区 answers 1–5 evenly: mean 60, second in the peer group.
	checkCells(t, f, "总表", findRow(t, f, "总表", "海门区"), map[string]any{"D": 2.0, "G": 60.0, "E": 180.0})
	// The dimension by its name; one question, so the question's figures.
	checkCells(t, f, "崇川区", findRow(t, f, "崇川区", "政务服务（Q1）"), map[string]any{"A": "维度", "E": want["mean"]})
	urow := findRow(t, f, "崇川区", "题目 Q1")
	checkCells(t, f, "崇川区", urow, map[string]any{"C": 20.0, "D": 19.0, "E": want["mean"], "I": want["rate"]})
	for code, n := range map[string]float64{"5": 10, "4": 6, "3": 2, "2": 0, "1": 1, "9": 1} {
		r, col := findOption(t, f, "崇川区", "Q1", code)
		share, _ := excelize.ColumnNumberToName(col + 1)
		count, _ := excelize.ColumnNumberToName(col)
		checkCells(t, f, "满意度明细", r, map[string]any{count: n, share: n / 20})
	}
	// 分渠道: 崇川区 by QR in the hall, ten 100s; on the web 80×6, 60×2,
	// 20×1 and one 不清楚: n = 9, mean 620/9, 8 of 9 at 60 or more.
	checkCells(t, f, "分渠道", 3, map[string]any{"A": "崇川区", "B": "扫码", "C": "政务大厅", "D": 10.0, "E": 10.0, "F": 100.0, "J": 1.0})
	checkCells(t, f, "分渠道", 4, map[string]any{"A": "崇川区", "B": "网页", "C": "", "D": 10.0, "E": 9.0, "F": 620.0 / 9, "J": 8.0 / 9})
	checkCells(t, f, "分渠道", 5, map[string]any{"A": "海门区", "B": "网页", "D": 180.0, "F": 60.0})
	checkCells(t, f, "崇川区", findRow(t, f, "崇川区", "扫码·政务大厅"), map[string]any{"A": "渠道", "C": 10.0, "E": 100.0})
	checkExport(t, p)
	if status, r := p.api(t, "tok", "POST", "/api/v1/rounds/r9/publish", nil); status != 200 || r["status"] != "published" {
		t.Fatalf("publish = %d %v", status, r["status"])
	}
	if status, _ := p.api(t, "tok", "POST", "/api/v1/rounds/r9/publish", nil); status != http.StatusConflict {
		t.Fatalf("second publish = %d", status)
	}
	notes, _ := f.GetRows("说明")
	joined := fmt.Sprint(notes)
	if !strings.Contains(joined, rep["fingerprint"].(string)) || !strings.Contains(joined, "计入答卷数 200") || !strings.Contains(joined, "最终结果") {
		t.Errorf("说明 = %s", joined)
	}
}

func findRow(t *testing.T, f *excelize.File, sheet, label string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		for _, c := range r {
			if c == label {
				return i + 1
			}
		}
	}
	t.Fatalf("%s has no row %q", sheet, label)
	return 0
}

// findOption finds in 满意度明细 the row of unit in question's block and
// the column of option's count (its share is the next column).
func findOption(t *testing.T, f *excelize.File, unit, question, option string) (row, col int) {
	t.Helper()
	rows, _ := f.GetRows("满意度明细")
	for i, r := range rows {
		if len(r) == 0 || !strings.HasPrefix(r[0], question+" ") || i+1 >= len(rows) {
			continue
		}
		for c, h := range rows[i+1] {
			if strings.HasSuffix(h, "("+option+")") {
				col = c + 1
			}
		}
		for j := i + 2; j < len(rows) && len(rows[j]) > 0 && rows[j][0] != ""; j++ {
			if rows[j][0] == unit && col > 0 {
				return j + 1, col
			}
		}
	}
	t.Fatalf("满意度明细 has no %s for %s option %s", unit, question, option)
	return 0, 0
}

// checkCells compares cells by their stored (unformatted) values.
func checkCells(t *testing.T, f *excelize.File, sheet string, row int, want map[string]any) {
	t.Helper()
	for col, w := range want {
		ref := fmt.Sprintf("%s%d", col, row)
		got, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		switch w := w.(type) {
		case string:
			if got != w {
				t.Errorf("%s!%s = %q, want %q", sheet, ref, got, w)
			}
		case float64:
			v, err := strconv.ParseFloat(got, 64)
			if err != nil || math.Abs(v-w) > 1e-9 {
				t.Errorf("%s!%s = %q, want %v", sheet, ref, got, w)
			}
		}
	}
}

// checkExport starts a raw export over HTTP and downloads its CSV.
func checkExport(t *testing.T, p *running) {
	t.Helper()
	status, body := p.api(t, "tok", "POST", "/api/v1/rounds/r9/export", nil)
	if status != http.StatusAccepted {
		t.Fatalf("export = %d %v", status, body)
	}
	job := body["job"].(string)
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, js := p.api(t, "tok", "GET", "/api/v1/jobs?round=r9", nil)
		var state string
		for _, j := range js["jobs"].([]any) {
			if m := j.(map[string]any); m["id"] == job {
				state, _ = m["state"].(string)
			}
		}
		if state == "succeeded" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("export job %s: %v", state, js)
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, list := p.api(t, "tok", "GET", "/api/v1/rounds/r9/reports", nil)
	var csvID string
	kinds := map[string]bool{}
	for _, r := range list["reports"].([]any) {
		m := r.(map[string]any)
		kinds[m["kind"].(string)] = true
		if m["kind"] == "raw-csv" {
			csvID = m["id"].(string)
		}
	}
	if !kinds["scorecard"] || !kinds["raw-xlsx"] || !kinds["raw-csv"] {
		t.Fatalf("report kinds = %v", kinds)
	}
	_, data := download(t, p, "/api/v1/reports/"+csvID+".csv")
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if !strings.HasPrefix(lines[0], "\uFEFF答卷编号,") || len(lines) != 201 {
		t.Fatalf("csv: %d lines, header %q", len(lines), lines[0])
	}
	if !strings.Contains(string(data), "\n'-2-3-4-5,haimen,") {
		t.Errorf("the 答卷编号 -2-3-4-5 is not neutralised in the CSV")
	}
}
