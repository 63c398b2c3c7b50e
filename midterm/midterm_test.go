package midterm_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"pinggu"
	"pinggu/evidence"
	"pinggu/midterm"
	"pinggu/store"
	"pinggu/store/storetest"
)

func setup(t testing.TB) (*midterm.Service, *store.Store) {
	t.Helper()
	st := storetest.New(t)
	ctx := context.Background()
	for _, u := range []pinggu.Unit{
		{Code: "sfj", Name: "市司法局", Type: pinggu.Department, PeerGroup: "市级部门"},
		{Code: "gaj", Name: "市公安局", Type: pinggu.Department, PeerGroup: "市级部门"},
		{Code: "rsj", Name: "市人力资源和社会保障局", Type: pinggu.Department, PeerGroup: "市级部门", Aliases: []string{"市人社局"}},
	} {
		if err := st.CreateUnit(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	svc := midterm.New(st, func() time.Time { return time.Date(2023, 7, 3, 8, 0, 0, 0, time.UTC) })
	if err := svc.CreatePlan(ctx, &pinggu.Plan{Code: "fzzf", Name: "法治政府建设实施方案", Kind: pinggu.KindScheme, Start: "2021-01-01", End: "2025-12-31"}); err != nil {
		t.Fatal(err)
	}
	return svc, st
}

func sheet(t testing.TB, rows [][]any) io.Reader {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	head := []any{"序号", "章节/重点任务", "具体任务", "牵头单位", "配合单位", "完成时限", "任务类别"}
	f.SetSheetRow("Sheet1", "A1", &head)
	for i, r := range rows {
		f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &r)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestImportRefusesBadFilesAndKeepsProgressOnReimport(t *testing.T) {
	t.Parallel()
	svc, _ := setup(t)
	ctx := pinggu.WithActor(context.Background(), "unit:sfj")
	rows := [][]any{
		{1, "一、职能", "编制权责清单", "市司法局", "市公安局、市人社局", "2023年底前", "约束性"},
		{2, "", "推进政务服务", "市人社局", "", "持续推进", "预期性"},
		{3, "", "开展执法监督", "市财政局", "", "2024年6月底前", ""}, // unknown unit
	}
	_, err := svc.ImportTasks(ctx, "fzzf", sheet(t, rows), false)
	if pinggu.ErrorCode(err) != pinggu.Invalid || !strings.Contains(pinggu.ErrorFields(err)["第4行"], "市财政局") {
		t.Fatalf("bad file: %v", err)
	}
	if rows := pinggu.ErrorRows(err); len(rows) != 1 || rows[0].Row != 4 || !strings.Contains(rows[0].Message, "市财政局") {
		t.Fatalf("rows of a bad file = %+v", rows)
	}
	if tasks, _ := svc.Tasks(ctx, "fzzf", ""); len(tasks) != 0 {
		t.Fatalf("a refused file stored %d tasks", len(tasks))
	}
	res, err := svc.ImportTasks(ctx, "fzzf", sheet(t, rows), true)
	if err != nil || res.Imported != 2 || res.Total != 2 || res.Skipped["第4行"] == "" || len(res.SkippedRows) != 1 || res.SkippedRows[0].Row != 4 {
		t.Fatalf("valid rows only: %+v, %v", res, err)
	}
	if err := svc.FileProgress(ctx, "fzzf", "1", "sfj", &pinggu.ProgressReport{AsOf: "2023-06-30", Progress: 60, Narrative: "已完成初稿", DelayReason: "征求意见延期"}, nil); err != nil {
		t.Fatal(err)
	}
	// The corrected file renames task 1 and adds task 3; progress stays.
	rows[0][2] = "编制并公开权责清单"
	rows[2][3] = "市公安局"
	res, err = svc.ImportTasks(ctx, "fzzf", sheet(t, rows), false)
	if err != nil || res.Imported != 3 || res.Total != 3 {
		t.Fatalf("re-import: %+v, %v", res, err)
	}
	tasks, _ := svc.Tasks(ctx, "fzzf", "")
	if tasks[0].Text != "编制并公开权责清单" || tasks[2].Lead != "gaj" {
		t.Errorf("tasks after re-import = %+v", tasks)
	}
	hist, err := svc.History(ctx, "fzzf", "1", "")
	if err != nil || len(hist) != 1 || hist[0].Progress != 60 {
		t.Fatalf("progress after re-import = %+v, %v", hist, err)
	}
	// The unit sees the tasks it leads or co-leads: 1 (lead) for sfj; 1 and 2 for rsj.
	if mine, _ := svc.Tasks(ctx, "fzzf", "rsj"); len(mine) != 2 {
		t.Errorf("rsj sees %d tasks", len(mine))
	}
}

func TestProgressRulesAndReview(t *testing.T) {
	t.Parallel()
	svc, _ := setup(t)
	ctx := pinggu.WithActor(context.Background(), "unit:sfj")
	if _, err := svc.ImportTasks(ctx, "fzzf", sheet(t, [][]any{{1, "一", "编制权责清单", "市司法局", "", "2023年底前", ""}}), false); err != nil {
		t.Fatal(err)
	}
	file := func(name string, size int64) evidence.Upload {
		return evidence.Upload{Name: name, Size: size, Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("PK\x03\x04 a .docx")), nil }}
	}
	tests := []struct {
		unit  string
		r     pinggu.ProgressReport
		files []evidence.Upload
		code  pinggu.Code
		field string
	}{
		{"gaj", pinggu.ProgressReport{AsOf: "2023-06-30", Progress: 10, Narrative: "x"}, nil, pinggu.Forbidden, ""},
		{"sfj", pinggu.ProgressReport{AsOf: "2023-06-31", Progress: 10, Narrative: "x"}, nil, pinggu.Invalid, "asOf"},
		{"sfj", pinggu.ProgressReport{AsOf: "2024-01-01", Progress: 10, Narrative: "x"}, nil, pinggu.Invalid, "asOf"},
		{"sfj", pinggu.ProgressReport{AsOf: "2023-06-30", Progress: 101, Narrative: "x"}, nil, pinggu.Invalid, "progress"},
		{"sfj", pinggu.ProgressReport{AsOf: "2023-06-30", Progress: 10}, nil, pinggu.Invalid, "narrative"},
		// Expected about 83% by then: 10% without a reason is refused.
		{"sfj", pinggu.ProgressReport{AsOf: "2023-06-30", Progress: 10, Narrative: "x"}, nil, pinggu.Invalid, "delayReason"},
		{"sfj", pinggu.ProgressReport{AsOf: "2023-06-30", Progress: 10, Narrative: "x"}, []evidence.Upload{file("run.exe", 10)}, pinggu.Invalid, "evidence"},
		{"sfj", pinggu.ProgressReport{AsOf: "2023-06-30", Progress: 10, Narrative: "x"}, []evidence.Upload{file("scan.pdf", 11<<20)}, pinggu.Invalid, "evidence"},
	}
	for i, tt := range tests {
		err := svc.FileProgress(ctx, "fzzf", "1", tt.unit, &tt.r, tt.files)
		if pinggu.ErrorCode(err) != tt.code || tt.field != "" && pinggu.ErrorFields(err)[tt.field] == "" {
			t.Errorf("case %d: %v, want %s on %s", i, err, tt.code, tt.field)
		}
	}
	if err := svc.FileProgress(ctx, "fzzf", "9", "sfj", &pinggu.ProgressReport{AsOf: "2023-06-30", Progress: 10, Narrative: "x"}, nil); pinggu.ErrorCode(err) != pinggu.NotFound {
		t.Errorf("unknown task: %v", err)
	}
	if hist, _ := svc.History(ctx, "fzzf", "1", ""); len(hist) != 0 {
		t.Fatalf("refused reports stored: %v", hist)
	}
	r := &pinggu.ProgressReport{AsOf: "2023-06-30", Progress: 40, Narrative: "推进中", DelayReason: "人员不足"}
	if err := svc.FileProgress(ctx, "fzzf", "1", "sfj", r, []evidence.Upload{file("方案.docx", 1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Review(ctx, r.ID, false, ""); pinggu.ErrorCode(err) != pinggu.Invalid {
		t.Errorf("return without a reason: %v", err)
	}
	got, err := svc.Review(pinggu.WithActor(ctx, "admin"), r.ID, false, "请补充佐证")
	if err != nil || got.Status != pinggu.ReportReturned || got.ReviewedBy != "admin" || got.ReviewComment != "请补充佐证" {
		t.Fatalf("review = %+v, %v", got, err)
	}
	if _, err := svc.Review(ctx, r.ID, true, ""); pinggu.ErrorCode(err) != pinggu.Conflict {
		t.Errorf("second review: %v", err)
	}
	if _, _, err := svc.Evidence(ctx, r.ID, r.Evidence[0].ID, "gaj"); pinggu.ErrorCode(err) != pinggu.Forbidden {
		t.Errorf("another unit's evidence: %v", err)
	}
}
