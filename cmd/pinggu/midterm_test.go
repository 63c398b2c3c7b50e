package main

import (
	"bytes"
	"fmt"
	"pinggu/report"
	"pinggu/store/storetest"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestMidtermEvaluation: a plan of 120 tasks for 15 units imported from a
// sheet, progress filed by units over HTTP with their own tokens and
// reviewed, a mid-term compile, and the workbook's pass/fail line and one
// unit's counts checked against hand computation.
func TestMidtermEvaluation(t *testing.T) {
	t.Parallel() // its own data folder, port and in-process Redis
	p := startProduct(t, storetest.Dir(t), map[string]string{"PINGGU_ADMIN_TOKEN": "tok"})
	defer p.shutdown(t)
	var names []string
	for i := 0; i < 15; i++ {
		code, name := fmt.Sprintf("u%02d", i), fmt.Sprintf("第%d单位", i)
		names = append(names, name)
		if status, body := p.api(t, "tok", "POST", "/api/v1/units", map[string]any{"code": code, "name": name, "type": "department", "peerGroup": "市级部门"}); status != 201 {
			t.Fatalf("unit: %d %v", status, body)
		}
	}
	if status, body := p.api(t, "tok", "POST", "/api/v1/plans", map[string]any{"code": "fzzf", "name": "法治政府建设实施方案（2021—2025年）",
		"kind": "scheme", "start": "2021-01-01", "end": "2025-12-31"}); status != 201 {
		t.Fatalf("plan: %d %v", status, body)
	}
	f := excelize.NewFile()
	head := []any{"序号", "章节/重点任务", "具体任务", "牵头单位", "配合单位", "完成时限", "任务类别"}
	f.SetSheetRow("Sheet1", "A1", &head)
	for i := 1; i <= 120; i++ {
		chapter := ""
		if i%20 == 1 {
			chapter = fmt.Sprintf("第%d章", (i-1)/20+1)
		}
		due := []string{"2023年底前", "2025年底前", "持续推进"}[i%3]
		class := "预期性"
		if i%4 == 0 {
			class = "约束性"
		}
		row := []any{i, chapter, fmt.Sprintf("任务%d", i), names[i%15], names[(i+1)%15], due, class}
		f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row)
	}
	var sheet bytes.Buffer
	f.WriteTo(&sheet)
	f.Close()
	ct, body := multipartBody(t, nil, "file", "任务分工方案.xlsx", sheet.Bytes())
	if status, res := do(t, p, "tok", "POST", "/api/v1/plans/fzzf/tasks/import", ct, body); status != 200 || res["total"] != 120.0 {
		t.Fatalf("import: %d %v", status, res)
	}

	_, tok0 := p.api(t, "tok", "POST", "/api/v1/units/u00/tokens", nil)
	_, tok1 := p.api(t, "tok", "POST", "/api/v1/units/u02/tokens", nil) // u01 co-leads every task u00 leads
	t0, t1 := tok0["token"].(string), tok1["token"].(string)
	if status, list := do(t, p, t0, "GET", "/api/v1/plans/fzzf/tasks", "", nil); status != 200 || len(list["tasks"].([]any)) != 16 {
		t.Fatalf("unit 0 sees %v tasks (status %d), want its 8 led and 8 co-led", len(list["tasks"].([]any)), status)
	}
	// Unit 0 leads tasks 15, 30, …, 120: two done, six at 50%.
	for i := 15; i <= 120; i += 15 {
		progress := "50"
		if i <= 30 {
			progress = "100"
		}
		fields := map[string]string{"asOf": "2023-06-30", "progress": progress, "narrative": "按计划推进", "delayReason": "人员不足"}
		ct, body := multipartBody(t, fields, "evidence", "佐证材料.pdf", []byte("%PDF-1.4 evidence"))
		status, rep := do(t, p, t0, "POST", fmt.Sprintf("/api/v1/plans/fzzf/tasks/%d/progress", i), ct, body)
		if status != 201 || len(rep["evidence"].([]any)) != 1 {
			t.Fatalf("progress %d: %d %v", i, status, rep)
		}
		if status, r := p.api(t, "tok", "POST", "/api/v1/progress/"+rep["id"].(string)+"/review", map[string]any{"decision": "accept"}); status != 200 || r["status"] != "accepted" {
			t.Fatalf("review: %d %v", status, r)
		}
	}
	// Another unit cannot report on, or read, unit 0's task; a report is reviewed once.
	if status, _ := do(t, p, t1, "POST", "/api/v1/plans/fzzf/tasks/15/progress", "application/json", []byte(`{"asOf":"2023-06-30","progress":10,"narrative":"x"}`)); status != 403 {
		t.Fatalf("unit 2 filing on unit 0 task: %d", status)
	}
	if status, _ := do(t, p, t1, "GET", "/api/v1/plans/fzzf/tasks/15/progress", "", nil); status != 403 {
		t.Fatalf("unit 2 reading unit 0 task: %d", status)
	}
	if status, _ := do(t, p, "u_bogus", "GET", "/api/v1/plans/fzzf/tasks", "", nil); status != 401 {
		t.Fatalf("bogus token: %d", status)
	}
	if status, _ := do(t, p, t0, "POST", "/api/v1/plans/fzzf/tasks/15/progress", "application/json", []byte(`{"asOf":"2023-06-30","progress":120,"narrative":"x"}`)); status != 422 {
		t.Fatalf("progress over 100: %d", status)
	}
	_, hist := do(t, p, t0, "GET", "/api/v1/plans/fzzf/tasks/15/progress", "", nil)
	first := hist["reports"].([]any)[0].(map[string]any)
	if status, _ := p.api(t, "tok", "POST", "/api/v1/progress/"+first["id"].(string)+"/review", map[string]any{"decision": "return", "comment": "重复"}); status != 409 {
		t.Fatalf("second review: %d", status)
	}
	ev := first["evidence"].([]any)[0].(map[string]any)
	_, data := download(t, p, "/api/v1/progress/"+first["id"].(string)+"/evidence/"+ev["id"].(string))
	if string(data) != "%PDF-1.4 evidence" {
		t.Fatalf("evidence = %q", data)
	}

	now := time.Now()
	if status, body := p.api(t, "tok", "POST", "/api/v1/rounds", map[string]any{"code": "zq2023", "title": "法治南通建设中期评估", "kind": "midterm",
		"opensAt": now.Add(-time.Hour).Format(time.RFC3339), "closesAt": now.Add(time.Hour).Format(time.RFC3339),
		"schedule": map[string]any{"progressMinutes": -1}, "midterm": map[string]any{"plans": []string{"fzzf"}, "asOf": "2023-07-03"}}); status != 201 {
		t.Fatalf("round: %d %v", status, body)
	}
	p.api(t, "tok", "POST", "/api/v1/rounds/zq2023/schedule", nil)
	_, job := p.api(t, "tok", "POST", "/api/v1/rounds/zq2023/compile", nil)
	wb := downloadScorecard(t, p, "zq2023", job["job"].(string))
	defer wb.Close()
	checkPages(t, wb, "法治南通建设中期评估", "阶段性结果，未定稿", report.DefaultOrg)
	// C = (2×100% + 6×50%) / 120 tasks = 5/120 < max(50%, τ = 913/1825): not met.
	checkCells(t, wb, "总体情况", 3, map[string]any{"D": 913.0 / 1825, "E": 5.0 / 120, "F": 913.0 / 1825, "G": "未达到", "H": 120.0})
	// E: 40 tasks due 2023-12-31 expect 913/1094 of their work, the 40 due
	// 2025-12-31 and the 40 ongoing (no milestones) expect τ = 913/1825.
	expected := (913.0/1094 + 2*913.0/1825) / 3
	checkCells(t, wb, "总体情况", 3, map[string]any{"O": expected, "P": 5.0/120 - expected, "Q": "无"})
	// Unit 0's eight tasks are all due 2023-12-31 (π = 913/1094 ≈ 0.83): 2 done, 6 lagging at 50%.
	row := findRow(t, wb, "分牵头单位", "第0单位")
	checkCells(t, wb, "分牵头单位", row, map[string]any{"C": 8.0, "D": 2.0, "G": 6.0, "H": 0.0, "J": 0.625, "K": 6.0})
	lag, _ := wb.GetRows("滞后任务清单")
	if len(lag) < 3 || lag[2][4] != "约束性" { // after the title and the header
		t.Errorf("lagging list should open with binding tasks: %v", lag)
	}
	if r := findRow(t, wb, "全部任务", "任务45"); r == 0 {
		t.Error("task 45 missing")
	}
	if notes, _ := wb.GetRows("说明"); !strings.Contains(fmt.Sprint(notes), "计入的进展报送 8") {
		t.Errorf("说明 = %v", notes)
	}
}
