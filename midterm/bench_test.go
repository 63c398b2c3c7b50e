package midterm_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"
)

// BenchmarkImportTasks imports a 5,000-task sheet into a plan (parse,
// match units, validate, write the new task list, switch to it).
func BenchmarkImportTasks(b *testing.B) {
	svc, _ := setup(b)
	f := excelize.NewFile()
	head := []any{"序号", "章节/重点任务", "具体任务", "牵头单位", "配合单位", "完成时限", "任务类别", "2023年目标"}
	f.SetSheetRow("Sheet1", "A1", &head)
	units := []string{"市司法局", "市公安局", "市人社局"}
	for i := 1; i <= 5000; i++ {
		row := []any{i, fmt.Sprintf("第%d章", i/250+1), fmt.Sprintf("具体任务%d：推进依法行政制度建设", i), units[i%3], units[(i+1)%3] + "、" + units[(i+2)%3],
			[]string{"2023年底前", "2025年6月30日", "持续推进"}[i%3], []string{"约束性", "预期性"}[i%2], "60%"}
		f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row)
	}
	var buf bytes.Buffer
	f.WriteTo(&buf)
	f.Close()
	data := buf.Bytes()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := svc.ImportTasks(context.Background(), "fzzf", bytes.NewReader(data), false)
		if err != nil || res.Total != 5000 {
			b.Fatalf("%+v %v", res, err)
		}
	}
}
