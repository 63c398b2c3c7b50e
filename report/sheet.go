package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"pinggu"
)

// table is a list on the first sheet of an .xlsx as offices keep them: a
// header row whose names map to fields, then one record per row.
type table struct {
	columns map[string]string // header name (lower case) → field
	need    [][2]string       // required fields and the header to name when missing
	raw     bool              // raw cell values (dates as serial numbers)
	// other sees each header that is not a known column (e.g. milestone years).
	other func(col int, header string)
}

// read calls each for every non-blank row after the header, with its sheet
// row number, its fields and its cells; what each says is wrong with a row
// is kept under its number (the first MaxReportErrors, then how many more).
// A missing or empty header comes back as row 0 ("表头"); an unreadable
// file, a row wider than MaxTableColumns or more than MaxUploadRows rows as
// an error, at once: the rows are streamed, never all held.
func (t table) read(r io.Reader, each func(n int, row map[string]string, cells []string) (problem string)) (pinggu.RowErrors, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: 128 << 20})
	if err != nil {
		return nil, pinggu.Wrap(pinggu.Invalid, err, "无法读取Excel文件，请上传.xlsx格式")
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetName(0))
	if err != nil {
		return nil, pinggu.Wrap(pinggu.Invalid, err, "无法读取工作表")
	}
	defer rows.Close()
	var fe pinggu.RowErrors
	var cols map[int]string
	data, more := 0, 0
	for n := 1; rows.Next(); n++ {
		var opts []excelize.Options
		if t.raw {
			opts = append(opts, excelize.Options{RawCellValue: true})
		}
		cells, err := rows.Columns(opts...)
		if err != nil {
			return nil, pinggu.Wrap(pinggu.Invalid, err, "无法读取工作表")
		}
		if len(cells) > MaxTableColumns {
			return nil, tooWide(n, len(cells), MaxTableColumns)
		}
		if cols == nil {
			cols = t.header(cells)
			for _, need := range t.need {
				if !hasField(cols, need[0]) {
					fe.Add(0, "表头", "缺少列："+need[1])
				}
			}
			if len(fe) > 0 {
				return fe, nil
			}
			continue
		}
		row := map[string]string{}
		blank := true
		for i, c := range cells {
			c = strings.TrimSpace(c)
			if field, ok := cols[i]; ok {
				row[field] = c
			}
			blank = blank && c == ""
		}
		if blank {
			continue
		}
		if data++; data > MaxUploadRows {
			return nil, tooLong()
		}
		if problem := each(n, row, cells); problem != "" {
			if len(fe) < MaxReportErrors {
				fe.Add(n, "", problem)
			} else {
				more++
			}
		}
	}
	if err := rows.Error(); err != nil {
		return nil, pinggu.Wrap(pinggu.Invalid, err, "无法读取工作表")
	}
	if cols == nil {
		fe.Add(0, "表头", "工作表是空的")
	}
	if more > 0 {
		fe.Add(0, "其他", fmt.Sprintf("另有%d行有误，未逐一列出", more))
	}
	return fe, nil
}

// header maps column numbers to fields; names match with or without spaces.
func (t table) header(cells []string) map[int]string {
	cols := map[int]string{}
	for i, cell := range cells {
		h := strings.ToLower(strings.TrimSpace(cell))
		if field, ok := t.columns[h]; ok {
			cols[i] = field
		} else if field, ok := t.columns[strings.Join(strings.Fields(h), "")]; ok {
			cols[i] = field
		} else if t.other != nil {
			t.other(i, strings.TrimSpace(cell)) // as written: codes keep their case
		}
	}
	return cols
}

func hasField(cols map[int]string, f string) bool {
	for _, v := range cols {
		if v == f {
			return true
		}
	}
	return false
}
