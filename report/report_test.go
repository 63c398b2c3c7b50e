package report_test

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"pinggu"
	"pinggu/report"
)

func score(v float64) *float64 { return &v }

func rawFixture(n int) (*report.Raw, []*pinggu.Response) {
	q := &pinggu.Questionnaire{Code: "q", Version: 1, Title: "t", Questions: []pinggu.Question{
		{Code: "Q1", Type: pinggu.Scale, Text: "满意吗", Options: []pinggu.Option{{Code: "5", Label: "很满意", Score: score(100)}, {Code: "9", Label: "不清楚"}}},
		{Code: "M", Type: pinggu.Multi, Text: "改进", Options: []pinggu.Option{{Code: "1", Label: "效率"}, {Code: "2", Label: "公开"}}},
		{Code: "R", Type: pinggu.Rating, Text: "打分"},
		{Code: "T", Type: pinggu.Text, Text: "建议"},
	}}
	round := &pinggu.Round{Code: "r", Title: "测评", Timezone: "Asia/Shanghai"}
	at := time.Date(2024, 10, 2, 1, 2, 3, 0, time.UTC)
	texts := []string{"=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\t制表", "正常意见\x07响铃", "普通"}
	var rs []*pinggu.Response
	for i := 0; i < n; i++ {
		rs = append(rs, &pinggu.Response{ID: fmt.Sprintf("id-%03d", i), Unit: "u1", Channel: pinggu.ChannelQR, Tag: "政务大厅", SubmittedAt: at,
			DurationMs: 61500, Answers: pinggu.Answers{"Q1": {"5"}, "M": {"1", "2"}, "R": {"7"}, "T": {texts[i%len(texts)]}}})
	}
	return &report.Raw{Round: round, Questionnaire: q, UnitNames: map[string]string{"u1": "崇川区"},
		Each: func(fn func(*pinggu.Response) error) error {
			for _, r := range rs {
				if err := fn(r); err != nil {
					return err
				}
			}
			return nil
		}}, rs
}

// TestRawXLSXSplitsSheetsAndKeepsText: rows split over sheets before the
// limit, numbers and times are typed cells, text stays text (formulas
// neutralised), and 变量说明 describes every column and option.
func TestRawXLSXSplitsSheetsAndKeepsText(t *testing.T) {
	t.Parallel()
	raw, _ := rawFixture(7)
	raw.SheetRows = 3
	var buf bytes.Buffer
	n, err := report.WriteRawXLSX(&buf, raw)
	if err != nil || n != 7 {
		t.Fatalf("rows %d, %v", n, err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); fmt.Sprint(got) != "[原始数据 原始数据(2) 原始数据(3) 变量说明]" {
		t.Fatalf("sheets = %v", got)
	}
	rows, _ := f.GetRows("原始数据")
	if len(rows) != 4 || strings.Join(rows[0], ",") != "答卷编号,单位编码,单位,渠道,来源标记,提交时间,用时(秒),Q1,Q1_选项,M,M_选项,R,T,排除,排除原因,质量标记" {
		t.Fatalf("header = %v", rows[0])
	}
	want := []string{"id-000", "u1", "崇川区", "扫码", "政务大厅", "2024-10-02 09:02:03", "61.5", "5", "很满意", "1;2", "效率；公开", "7", "'=HYPERLINK(\"http://x\")"}
	if strings.Join(rows[1], "|") != strings.Join(want, "|") {
		t.Fatalf("row = %q\nwant %q", rows[1], want)
	}
	// 2024-10-02 09:02:03 Beijing time is day 45567 of Excel's calendar
	// (2024-01-01 is 45292, plus 275 days) and 32523 of 86400 seconds.
	for ref, want := range map[string]float64{"F2": 45567 + 32523.0/86400, "G2": 61.5, "H2": 5, "L2": 7} {
		v, _ := f.GetCellValue("原始数据", ref, excelize.Options{RawCellValue: true})
		typ, _ := f.GetCellType("原始数据", ref)
		if x, err := strconv.ParseFloat(v, 64); err != nil || math.Abs(x-want) > 1e-9 || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Errorf("原始数据!%s = %q (type %v), want the number %v", ref, v, typ, want)
		}
	}
	for _, ref := range []string{"A2", "B2", "J2"} { // the id, the unit code, multi codes "1;2"
		if typ, _ := f.GetCellType("原始数据", ref); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
			t.Errorf("原始数据!%s has type %v, want text", ref, typ)
		}
	}
	book, _ := f.GetRows("变量说明")
	var lines []string
	for _, r := range book {
		lines = append(lines, strings.Join(r, "|"))
	}
	for _, want := range []string{"Q1|量表题：满意吗|数值", "|||5|很满意|100", "|||9|不清楚|不计分", "M|多选题：改进；多选，所选编码以;分隔|文本",
		"R|0–10分评分题：打分|数值|0–10", "T|填空题：建议|文本"} {
		if !slices.Contains(lines, want) {
			t.Errorf("变量说明 lacks %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	last, _ := f.GetRows("原始数据(3)")
	if len(last) != 2 || last[1][0] != "id-006" {
		t.Fatalf("last sheet = %v", last)
	}
	// No cell anywhere is a formula.
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh)
		for r := range rows {
			for c := range rows[r] {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if formula, _ := f.GetCellFormula(sh, ref); formula != "" {
					t.Errorf("%s!%s holds a formula %q", sh, ref, formula)
				}
			}
		}
	}
}

func TestRawCSVHasBOMAndNeutralisedText(t *testing.T) {
	t.Parallel()
	raw, _ := rawFixture(7)
	var buf bytes.Buffer
	if n, err := report.WriteRawCSV(&buf, raw); err != nil || n != 7 {
		t.Fatalf("rows %d, %v", n, err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\uFEFF答卷编号,") {
		t.Fatalf("no BOM: %q", out[:20])
	}
	for _, want := range []string{`"'=HYPERLINK(""http://x"")"`, ",'+1,,,\n", ",'-2,,,\n", ",'@SUM(A1),,,\n", ",'\t制表,,,\n", ",正常意见响铃,,,\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("CSV lacks %q", want)
		}
	}
}

func TestNeutralizeKeepsLongTextWithinExcelLimit(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("长", 40000)
	if got := report.Neutralize(long); len([]rune(got)) != report.MaxCellChars {
		t.Fatalf("kept %d characters", len([]rune(got)))
	}
	emoji := strings.Repeat("😀", 20000) // two UTF-16 units each
	if got := report.Neutralize(emoji); len([]rune(got)) != report.MaxCellChars/2 {
		t.Fatalf("kept %d emoji", len([]rune(got)))
	}
}

// Every way a cell can start a formula, including the full-width signs and
// zero-width characters in front, gets its apostrophe; nothing else does.
func TestNeutralizeEveryFormulaStart(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+1": "'+1", "-2-3-4-5": "'-2-3-4-5", "@SUM(A1)": "'@SUM(A1)", "\t制表": "'\t制表", "\r回车": "'\r回车",
		"＝1+1": "'＝1+1", "＋1": "'＋1", "－2": "'－2", "＠SUM(A1)": "'＠SUM(A1)",
		"\u200b=1": "'\u200b=1", "\ufeff\u200d+1": "'\ufeff\u200d+1", "\u2060@x": "'\u2060@x",
		"正常": "正常", "a=b": "a=b", "": "", "'=已有撇号": "'=已有撇号", "响\x07铃": "响铃", "12.5": "12.5",
	} {
		got := report.Neutralize(in)
		if got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
		if again := report.Neutralize(got); again != got {
			t.Errorf("Neutralize twice %q = %q", in, again)
		}
	}
}
