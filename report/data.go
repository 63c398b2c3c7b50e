package report

import (
	"io"
	"strings"

	"pinggu"
)

// dataColumns names the unit column of an objective-data sheet; every
// other column is an indicator's, headed by its code, its name or both
// ("A3 行政复议纠错率").
var dataColumns = map[string]string{"单位": "unit", "单位名称": "unit", "单位编码": "unit", "编码": "unit", "unit": "unit"}

// ReadUnitData reads a sheet of objective data (行政复议纠错率, 行政诉讼
// 败诉率, 12345满意率 …): a header row, then one row per unit. It returns the
// indicator headers in sheet order and each unit's non-empty cells;
// matching headers to indicators and cells to rubrics is the caller's.
func ReadUnitData(r io.Reader) (headers []string, rows []pinggu.DataRow, fe pinggu.RowErrors, err error) {
	cols := map[int]string{}
	t := table{columns: dataColumns, need: [][2]string{{"unit", "单位"}}, other: func(col int, header string) {
		if header != "" {
			cols[col] = header
			headers = append(headers, header)
		}
	}}
	fe, err = t.read(r, func(n int, row map[string]string, cells []string) string {
		d := pinggu.DataRow{Row: n, Unit: row["unit"], Cells: map[string]string{}}
		for i, c := range cells {
			if h, ok := cols[i]; ok && strings.TrimSpace(c) != "" {
				d.Cells[h] = strings.TrimSpace(c)
			}
		}
		if d.Unit == "" {
			return "缺少单位"
		}
		rows = append(rows, d)
		return ""
	})
	return headers, rows, fe, err
}
