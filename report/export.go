package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"pinggu"
)

// Raw describes a raw-data export: the questionnaire version the responses
// answered, unit names, and where the responses come from.
type Raw struct {
	Round         *pinggu.Round
	Questionnaire *pinggu.Questionnaire
	UnitNames     map[string]string
	// Each streams the responses in a fixed order.
	Each func(fn func(*pinggu.Response) error) error
	// SheetRows is the data rows per sheet before a new sheet starts;
	// 0 means as many as Excel allows.
	SheetRows int
}

// columns: fixed ones, then per choice question its codes and its labels,
// per rating or text question one column.
func (x *Raw) header() []string {
	h := []string{"答卷编号", "单位编码", "单位", "渠道", "提交时间", "用时(秒)"}
	for _, q := range x.Questionnaire.Questions {
		switch q.Type {
		case pinggu.Single, pinggu.Multi, pinggu.Scale:
			h = append(h, q.Code, q.Code+"_选项")
		default:
			h = append(h, q.Code)
		}
	}
	return h
}

// record is one response as strings; respondent text is neutralised.
func (x *Raw) record(r *pinggu.Response) []string {
	dur := ""
	if r.DurationMs >= 0 {
		dur = strconv.FormatFloat(float64(r.DurationMs)/1000, 'f', 1, 64)
	}
	rec := []string{r.ID, r.Unit, x.UnitNames[r.Unit], string(r.Channel),
		r.SubmittedAt.In(x.Round.Location()).Format("2006-01-02 15:04:05"), dur}
	for _, q := range x.Questionnaire.Questions {
		vals := r.Answers[q.Code]
		switch q.Type {
		case pinggu.Single, pinggu.Multi, pinggu.Scale:
			labels := make([]string, len(vals))
			for i, v := range vals {
				if o := q.Option(v); o != nil {
					labels[i] = o.Label
				}
			}
			rec = append(rec, strings.Join(vals, ";"), strings.Join(labels, "；"))
		case pinggu.Text:
			rec = append(rec, Neutralize(strings.Join(vals, "\n")))
		default:
			rec = append(rec, strings.Join(vals, ";"))
		}
	}
	return rec
}

// WriteRawCSV writes UTF-8 with a byte-order mark, so Excel opens Chinese
// text correctly, one row per response.
func WriteRawCSV(w io.Writer, x *Raw) (rows int, err error) {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(bw)
	if err := cw.Write(x.header()); err != nil {
		return 0, err
	}
	err = x.Each(func(r *pinggu.Response) error {
		rows++
		return cw.Write(x.record(r))
	})
	if err != nil {
		return rows, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return rows, err
	}
	return rows, bw.Flush()
}

// WriteRawXLSX streams the responses into sheets 原始数据, 原始数据(2), …,
// starting a new sheet before Excel's row limit. Every cell is text.
func WriteRawXLSX(w io.Writer, x *Raw) (rows int, err error) {
	f := excelize.NewFile()
	defer f.Close()
	perSheet := x.SheetRows
	if perSheet <= 0 || perSheet > MaxSheetRows-1 {
		perSheet = MaxSheetRows - 1
	}
	st, err := newStyles(f)
	if err != nil {
		return 0, err
	}
	header := x.header()
	taken := map[string]bool{}
	var sw *excelize.StreamWriter
	row := 0
	open := func() error {
		if sw != nil {
			if err := sw.Flush(); err != nil {
				return err
			}
		}
		name := sheetName("原始数据", taken)
		if len(taken) == 1 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		var err error
		if sw, err = f.NewStreamWriter(name); err != nil {
			return err
		}
		for i, h := range header {
			if err := sw.SetColWidth(i+1, i+1, columnWidth(max(displayWidth(h), 10))); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		cells := make([]any, len(header))
		for i, h := range header {
			cells[i] = excelize.Cell{StyleID: st.header, Value: h}
		}
		row = 1
		return sw.SetRow("A1", cells)
	}
	if err := open(); err != nil {
		return 0, err
	}
	cells := make([]any, len(header))
	err = x.Each(func(r *pinggu.Response) error {
		if row-1 >= perSheet {
			if err := open(); err != nil {
				return err
			}
		}
		row++
		rows++
		for i, v := range x.record(r) {
			cells[i] = excelize.Cell{StyleID: st.text, Value: v}
		}
		return sw.SetRow(cell(1, row), cells)
	})
	if err != nil {
		return rows, err
	}
	if err := sw.Flush(); err != nil {
		return rows, err
	}
	if _, err := f.WriteTo(w); err != nil {
		return rows, fmt.Errorf("write workbook: %w", err)
	}
	return rows, nil
}
