package report_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"

	"pinggu"
	"pinggu/report"
)

func TestParseDue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		due     pinggu.Date
		ongoing bool
		ok      bool
	}{
		{"2023-06-30", "2023-06-30", false, true},
		{"2023/6/3", "2023-06-03", false, true},
		{"2023.6.30", "2023-06-30", false, true},
		{"2023年6月30日", "2023-06-30", false, true},
		{"2023年6月30日前", "2023-06-30", false, true},
		{"2023年6月底前", "2023-06-30", false, true},
		{"2024年2月", "2024-02-29", false, true},
		{"2023年底前", "2023-12-31", false, true},
		{"2023年", "2023-12-31", false, true},
		{"2023", "2023-12-31", false, true},
		{"2023年上半年", "2023-06-30", false, true},
		{"2025年下半年", "2025-12-31", false, true},
		{"持续推进", "", true, true},
		{"长期坚持", "", true, true},
		{"45291", "2023-12-31", false, true}, // an Excel date cell, read raw
		{"尽快", "", false, false},
		{"2023年13月", "", false, false},
		{"2023-02-30", "", false, false},
	}
	for _, tt := range tests {
		due, ongoing, ok := report.ParseDue(tt.in)
		if ok != tt.ok || tt.ok && (due != tt.due || ongoing != tt.ongoing) {
			t.Errorf("ParseDue(%q) = %q %v %v, want %q %v %v", tt.in, due, ongoing, ok, tt.due, tt.ongoing, tt.ok)
		}
	}
}

// taskSheet builds a 任务分工方案 as offices keep one: a merged chapter
// column, several co-units in one cell, Chinese dates, a date cell.
func taskSheet(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	head := []any{"序号", "章节/重点任务", "具体任务", "牵头单位", "配合单位", "完成时限", "任务类别", "权重", "2022年目标", "2023年目标"}
	if err := f.SetSheetRow("Sheet1", "A1", &head); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.MergeCell("Sheet1", "B2", "B4"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var unitNames = map[string]string{"市司法局": "sfj", "市公安局": "gaj", "市人社局": "rsj", "市人力资源和社会保障局": "rsj", "崇川区": "chongchuan"}

func match(name string) (string, bool) { c, ok := unitNames[name]; return c, ok }

func TestReadTasks(t *testing.T) {
	t.Parallel()
	sheet := taskSheet(t, [][]any{
		{1, "一、健全政府机构职能体系", "编制权责清单", "市司法局", "市公安局、市人社局", "2023年底前", "约束性", 2, "", ""},
		{2, "", "推进政务服务标准化", "市人力资源和社会保障局", "市公安局，崇川区", "持续推进", "预期性", "", "30%", "0.6"},
		{3, "", "开展执法监督", "市公安局", "", "2024年6月底前", "", "", "", ""},
		{4, "二、完善依法行政制度体系", "", "市司法局", "", "2023", "", "", "", ""}, // no task text
		{5, "", "清理规范性文件", "市财政局", "", "2023", "", "", "", ""},      // unknown unit
		{6, "", "行政复议改革", "市司法局", "", "尽快", "", "", "", ""},         // unreadable date
		{3, "", "重复序号", "市司法局", "", "2023", "", "", "", ""},         // duplicate 序号
		{8, "", "法治督察", "市司法局", "", "2025-06-30", "约束", "", "", ""}, // bad class
	})
	rows, fe, err := report.ReadTasks(bytes.NewReader(sheet), match)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("read %d good rows: %+v", len(rows), rows)
	}
	first, second, third := rows[0].Task, rows[1].Task, rows[2].Task
	if first.Lead != "sfj" || fmt.Sprint(first.CoUnits) != "[gaj rsj]" || first.Due != "2023-12-31" || first.Class != pinggu.Binding || first.Weight != 2 {
		t.Errorf("row 2 = %+v", first)
	}
	if second.Chapter != "一、健全政府机构职能体系" || third.Chapter != second.Chapter {
		t.Errorf("merged chapter not applied: %q %q", second.Chapter, third.Chapter)
	}
	if !second.Ongoing || second.Weight != 1 || second.Milestones["2022"] != 0.3 || second.Milestones["2023"] != 0.6 || fmt.Sprint(second.CoUnits) != "[gaj chongchuan]" {
		t.Errorf("row 3 = %+v", second)
	}
	if third.Due != "2024-06-30" || third.Class != pinggu.Expected || rows[2].Row != 4 {
		t.Errorf("row 4 = %+v (row %d)", third, rows[2].Row)
	}
	want := map[string]string{"第5行": "缺少具体任务", "第6行": "市财政局", "第7行": "尽快", "第8行": "与第4行重复", "第9行": "约束性或预期性"}
	for row, part := range want {
		if msg := fe.Fields()[row]; !bytes.Contains([]byte(msg), []byte(part)) {
			t.Errorf("%s: %q, want it to mention %q", row, msg, part)
		}
	}
	if len(fe) != len(want) {
		t.Errorf("errors = %v", fe)
	}
}
