package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"pinggu"
)

// Limits of an uploaded sheet: no office list or offline batch comes near
// them, and they bound what a hostile file can make the server hold.
const (
	MaxUploadRows   = 20000 // data rows
	MaxTableColumns = 200   // columns of a unit, indicator or task list
	MaxReportErrors = 1000  // problems listed; the rest are counted
)

// ReadResponses reads an .xlsx (first sheet) or a CSV (UTF-8, with or
// without a BOM): a header row naming 受访者编号 (or respondent) and
// question codes, then one row per respondent. A multi answer lists its
// picks separated by ; or 、. Rows are streamed; a row with more than
// maxCols columns (the questionnaire's questions and a few) or a sheet of
// more than MaxUploadRows rows is refused at once.
func ReadResponses(r io.Reader, name string, maxCols int) ([]pinggu.ResponseRow, error) {
	next, closer, err := openRows(r, name, max(1<<20, maxCols*8<<10))
	if err != nil {
		return nil, err
	}
	defer closer()
	header, err := next()
	if err == io.EOF {
		return nil, pinggu.FieldErrors{"file": "文件是空的"}.Err("文件有误")
	}
	if err != nil {
		return nil, err
	}
	if len(header) > maxCols {
		return nil, tooWide(1, len(header), maxCols)
	}
	header = slices.Clone(header) // the CSV reader reuses its record
	idCol := -1
	for i, h := range header {
		switch strings.TrimSpace(strings.ToLower(h)) {
		case "受访者编号", "respondent", "编号", "id":
			idCol = i
		}
	}
	if idCol < 0 {
		return nil, pinggu.FieldErrors{"file": "表头须有“受访者编号”列，用于防止重复导入"}.Err("文件有误")
	}
	var out []pinggu.ResponseRow
	for n := 2; ; n++ {
		cells, err := next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(cells) > maxCols {
			return nil, tooWide(n, len(cells), maxCols)
		}
		row := pinggu.ResponseRow{Row: n, Answers: pinggu.Answers{}}
		blank := true
		for i, c := range cells {
			c = strings.TrimSpace(c)
			if c == "" || i >= len(header) {
				continue
			}
			blank = false
			if i == idCol {
				row.Respondent = c
				continue
			}
			code := strings.TrimSpace(header[i])
			for _, v := range strings.FieldsFunc(c, func(r rune) bool { return r == ';' || r == '；' || r == '、' }) {
				row.Answers[code] = append(row.Answers[code], strings.TrimSpace(v))
			}
		}
		if blank {
			continue
		}
		if len(out) == MaxUploadRows {
			return nil, tooLong()
		}
		out = append(out, row)
	}
}

func tooWide(row, cols, max int) error {
	return pinggu.FieldErrors{"file": fmt.Sprintf("第%d行有%d列，超过了这份表格可能有的%d列，请检查文件", row, cols, max)}.Err("文件有误")
}

func tooLong() error {
	return pinggu.FieldErrors{"file": fmt.Sprintf("数据超过%d行，请分批上传", MaxUploadRows)}.Err("文件有误")
}

// openRows reads a CSV (by its name) or the first sheet of an .xlsx one
// row at a time; next returns io.EOF after the last row. A CSV row's slice
// is reused by the next call, and a CSV line longer than maxLine bytes is
// refused before it is split (a million columns on one line would
// otherwise become a million strings).
func openRows(r io.Reader, name string, maxLine int) (next func() ([]string, error), closer func(), err error) {
	if strings.HasSuffix(strings.ToLower(name), ".csv") {
		lines := &lineLimiter{r: r, max: maxLine, line: 1}
		br := bufio.NewReader(lines)
		if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
			br.Discard(3)
		}
		cr := csv.NewReader(br)
		cr.FieldsPerRecord, cr.ReuseRecord = -1, true
		return func() ([]string, error) {
			rec, err := cr.Read()
			if lines.long {
				return nil, pinggu.FieldErrors{"file": fmt.Sprintf("第%d行超过%dKB，不像一行答卷，请检查文件", lines.line, maxLine>>10)}.Err("文件有误")
			}
			if err != nil && err != io.EOF {
				return nil, pinggu.Wrap(pinggu.Invalid, err, "CSV格式有误")
			}
			return rec, err
		}, func() {}, nil
	}
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: 128 << 20})
	if err != nil {
		return nil, nil, pinggu.Wrap(pinggu.Invalid, err, "无法读取文件，请上传.xlsx或.csv")
	}
	rows, err := f.Rows(f.GetSheetName(0))
	if err != nil {
		f.Close()
		return nil, nil, pinggu.Wrap(pinggu.Invalid, err, "无法读取工作表")
	}
	return func() ([]string, error) {
			if !rows.Next() {
				if err := rows.Error(); err != nil {
					return nil, pinggu.Wrap(pinggu.Invalid, err, "无法读取工作表")
				}
				return nil, io.EOF
			}
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return nil, pinggu.Wrap(pinggu.Invalid, err, "无法读取工作表")
			}
			return cells, nil
		}, func() {
			rows.Close()
			f.Close()
		}, nil
}

// WriteImportErrors writes the row-by-row error report of an import.
func WriteImportErrors(w io.Writer, errs []pinggu.ResponseRowError) error {
	b, err := newBook(Print{Subject: "答卷导入错误"})
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
	b, err := newBook(Print{Title: unit, Subject: "邀请码"})
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

// lineLimiter passes a reader through until a line runs longer than max
// bytes; then it says so (long) and ends the stream.
type lineLimiter struct {
	r    io.Reader
	max  int
	n    int // bytes of the current line so far
	line int // the current line's number
	long bool
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.long {
		return 0, errLineTooLong
	}
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			l.line++
			l.n = 0
			continue
		}
		if l.n++; l.n > l.max {
			l.long = true
			return i, errLineTooLong
		}
	}
	return n, err
}

var errLineTooLong = errors.New("line too long")
