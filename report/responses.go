package report

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"pinggu"
)

// ReadResponses reads an .xlsx (first sheet) or a CSV (UTF-8, with or
// without a BOM): a header row naming 受访者编号 (or respondent) and
// question codes, then one row per respondent. A multi answer lists its
// picks separated by ; or 、.
func ReadResponses(r io.Reader, name string) ([]pinggu.ResponseRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, 32<<20))
	if err != nil {
		return nil, err
	}
	var rows [][]string
	if strings.HasSuffix(strings.ToLower(name), ".csv") {
		rows, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))).ReadAll()
		if err != nil {
			return nil, pinggu.Wrap(pinggu.Invalid, err, "CSV格式有误")
		}
	} else {
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 128 << 20})
		if err != nil {
			return nil, pinggu.Wrap(pinggu.Invalid, err, "无法读取文件，请上传.xlsx或.csv")
		}
		defer f.Close()
		if rows, err = f.GetRows(f.GetSheetName(0), excelize.Options{RawCellValue: true}); err != nil {
			return nil, pinggu.Wrap(pinggu.Invalid, err, "无法读取工作表")
		}
	}
	if len(rows) == 0 {
		return nil, pinggu.FieldErrors{"file": "文件是空的"}.Err("文件有误")
	}
	idCol := -1
	for i, h := range rows[0] {
		switch strings.TrimSpace(strings.ToLower(h)) {
		case "受访者编号", "respondent", "编号", "id":
			idCol = i
		}
	}
	if idCol < 0 {
		return nil, pinggu.FieldErrors{"file": "表头须有“受访者编号”列，用于防止重复导入"}.Err("文件有误")
	}
	var out []pinggu.ResponseRow
	for n, cells := range rows[1:] {
		row := pinggu.ResponseRow{Row: n + 2, Answers: pinggu.Answers{}}
		blank := true
		for i, c := range cells {
			c = strings.TrimSpace(c)
			if c == "" || i >= len(rows[0]) {
				continue
			}
			blank = false
			if i == idCol {
				row.Respondent = c
				continue
			}
			code := strings.TrimSpace(rows[0][i])
			for _, v := range strings.FieldsFunc(c, func(r rune) bool { return r == ';' || r == '；' || r == '、' }) {
				row.Answers[code] = append(row.Answers[code], strings.TrimSpace(v))
			}
		}
		if !blank {
			out = append(out, row)
		}
	}
	return out, nil
}

// WriteImportErrors writes the row-by-row error report of an import.
func WriteImportErrors(w io.Writer, errs []pinggu.ResponseRowError) error {
	b, err := newBook()
	if err != nil {
		return err
	}
	defer b.f.Close()
	sheet := b.newSheet("导入错误")
	b.header(sheet, 1, []string{"行号", "受访者编号", "题目", "错误"}, []int{4, 12, 6, 50})
	for i, e := range errs {
		b.row(sheet, i+2, []any{e.Row, Neutralize(e.Respondent), e.Field, e.Message}, nil)
	}
	return b.write(w)
}

// WriteInvitations writes a unit's invitation codes with their links and,
// for used ones, the response that used them.
func WriteInvitations(w io.Writer, unit string, codes []string, usedBy map[string]string, link func(string) string) error {
	b, err := newBook()
	if err != nil {
		return err
	}
	defer b.f.Close()
	sheet := b.newSheet("邀请码")
	b.header(sheet, 1, []string{"单位", "邀请码", "专属链接", "已使用", "答卷编号"}, []int{16, 10, 60, 6, 24})
	for i, c := range codes {
		usedText := "否"
		if usedBy[c] != "" {
			usedText = "是"
		}
		b.row(sheet, i+2, []any{unit, c, link(c), usedText, usedBy[c]}, nil)
	}
	return b.write(w)
}
