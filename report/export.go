package report

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"pinggu"
	"pinggu/scoring"
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
	// Excluded maps excluded response ids to the reason.
	Excluded map[string]string
	// Tally and Results, when set, add the derived columns: each scored
	// answer's score, each dimension's and the overall score, the
	// weighting cell and the weight the response carried (0 when excluded
	// or unweighted), so that every figure can be recomputed from the rows.
	Tally   *scoring.Tally
	Results map[string]scoring.UnitResult
	// Status and Org are what its printed pages say: 正式结果 or not, and
	// the author.
	Status string
	Org    string
	loc    *time.Location // the round's, loaded once: LoadLocation per row costs
}

func (x *Raw) location() *time.Location {
	if x.loc == nil {
		x.loc = x.Round.Location()
	}
	return x.loc
}

// InputColumns is how many leading columns hold the inputs (what was
// answered, and whether it was excluded); the rest are derived from them
// and the method file. The rows digest covers the inputs.
func (x *Raw) InputColumns() int { return len(x.inputColumns()) }

// rawColumn is one column of the export: its header and how the .xlsx
// writes it.
type rawColumn struct {
	name string
	kind columnKind
}

// columns are the input columns, then the derived ones when there is a tally.
func (x *Raw) columns() []rawColumn {
	cs := x.inputColumns()
	if x.Tally == nil {
		return cs
	}
	for _, q := range x.Questionnaire.Questions {
		if q.Type == pinggu.Scale {
			cs = append(cs, rawColumn{q.Code + "_得分", numberColumn})
		}
	}
	for _, d := range x.Tally.Dimensions() {
		cs = append(cs, rawColumn{"维度得分_" + d, numberColumn})
	}
	return append(cs, rawColumn{"综合得分", numberColumn}, rawColumn{"加权分层", textColumn}, rawColumn{"权重", numberColumn})
}

// inputColumns: fixed columns, per choice question its codes and its
// labels, per rating or text question one column, then the exclusion and
// the quality flags.
func (x *Raw) inputColumns() []rawColumn {
	cs := []rawColumn{{"答卷编号", textColumn}, {"单位编码", textColumn}, {"单位", textColumn}, {"渠道", textColumn},
		{"来源标记", textColumn}, {"提交时间", timeColumn}, {"用时(秒)", numberColumn}}
	for _, q := range x.Questionnaire.Questions {
		switch q.Type {
		case pinggu.Single, pinggu.Scale:
			cs = append(cs, rawColumn{q.Code, codesKind(q)}, rawColumn{q.Code + "_选项", textColumn})
		case pinggu.Multi:
			cs = append(cs, rawColumn{q.Code, textColumn}, rawColumn{q.Code + "_选项", textColumn})
		case pinggu.Rating:
			cs = append(cs, rawColumn{q.Code, numberColumn})
		default:
			cs = append(cs, rawColumn{q.Code, textColumn})
		}
	}
	return append(cs, rawColumn{"排除", textColumn}, rawColumn{"排除原因", textColumn}, rawColumn{"质量标记", textColumn})
}

// header is the columns' names.
func (x *Raw) header() []string {
	cs := x.columns()
	h := make([]string, len(cs))
	for i, c := range cs {
		h[i] = c.name
	}
	return h
}

// record is one response's input columns, then its derived ones.
func (x *Raw) record(r *pinggu.Response) []string {
	rec := x.InputRecord(r)
	if x.Tally == nil {
		return rec
	}
	rs := x.Tally.Respondent(r.Answers)
	for _, q := range x.Questionnaire.Questions {
		if q.Type != pinggu.Scale {
			continue
		}
		score := ""
		if v := r.Answers[q.Code]; len(v) == 1 {
			if y, ok := x.Tally.ScoreOf(q.Code, v[0]); ok {
				score = number(y)
			}
		}
		rec = append(rec, score)
	}
	for i := range x.Tally.Dimensions() {
		if y, ok := rs.At(i); ok {
			rec = append(rec, number(y))
		} else {
			rec = append(rec, "")
		}
	}
	overall := ""
	if rs.HasOverall {
		overall = number(rs.Overall)
	}
	cell, w := x.Tally.CellOf(r.Answers), 0.0
	if _, out := x.Excluded[r.ID]; !out {
		w = x.Tally.WeightOf(x.Results[r.Unit], r.Answers)
	}
	return append(rec, overall, cell, number(w))
}

// number writes a float so that reading it back gives the same float.
func number(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// InputRecord is one response's input columns as strings, every one
// neutralised: ids, codes and labels are text someone typed too.
func (x *Raw) InputRecord(r *pinggu.Response) []string {
	dur := ""
	if r.DurationMs >= 0 {
		dur = strconv.FormatFloat(float64(r.DurationMs)/1000, 'f', 1, 64)
	}
	rec := []string{r.ID, r.Unit, x.UnitNames[r.Unit], pinggu.ChannelLabel(r.Channel), Neutralize(r.Tag),
		r.SubmittedAt.In(x.location()).Format("2006-01-02 15:04:05"), dur}
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
	excluded, reason := "", ""
	if why, ok := x.Excluded[r.ID]; ok {
		excluded, reason = "是", Neutralize(why)
	}
	rec = append(rec, excluded, reason, flagLabels(r.Flags))
	for i := range rec {
		rec[i] = Neutralize(rec[i])
	}
	return rec
}

// flagLabels names a response's quality flags in report order.
func flagLabels(flags []string) string {
	var out []string
	for _, f := range pinggu.QualityFlags {
		for _, g := range flags {
			if g == f.Flag {
				out = append(out, f.Label)
			}
		}
	}
	return strings.Join(out, "；")
}

// WriteRawCSV writes UTF-8 with a byte-order mark, so Excel opens Chinese
// text correctly, one row per response.
func WriteRawCSV(w io.Writer, x *Raw) (rows int, err error) { return WriteRaw(nil, w, x) }

// WriteRawXLSX streams the responses into sheets 原始数据, 原始数据(2), …,
// starting a new sheet before Excel's row limit, then writes 变量说明.
// Numbers are numbers and times are dates; the CSV has the same values as
// text.
func WriteRawXLSX(w io.Writer, x *Raw) (rows int, err error) { return WriteRaw(w, nil, x) }

// WriteRaw writes the .xlsx to xw and the .csv to cw (either may be nil)
// in one pass over the responses (x.Each).
func WriteRaw(xw, cw io.Writer, x *Raw) (rows int, err error) {
	w, err := NewRawWriter(xw, cw, x)
	if err != nil {
		return 0, err
	}
	defer w.Close()
	if err := x.Each(w.Add); err != nil {
		return w.Rows, err
	}
	return w.Rows, w.Finish()
}

// RawWriter writes the raw export a response at a time, for a caller that
// streams the responses itself (a compile that exports in the same pass).
type RawWriter struct {
	x     *Raw
	sinks []rawSink
	xlsx  *xlsxSink
	Rows  int
}

// NewRawWriter starts the .xlsx on xw and the .csv on cw (either may be nil).
func NewRawWriter(xw, cw io.Writer, x *Raw) (*RawWriter, error) {
	w := &RawWriter{x: x}
	if xw != nil {
		s, err := newXLSXSink(xw, x)
		if err != nil {
			return nil, err
		}
		w.xlsx = s
		w.sinks = append(w.sinks, s)
	}
	if cw != nil {
		s, err := newCSVSink(cw, x)
		if err != nil {
			w.Close()
			return nil, err
		}
		w.sinks = append(w.sinks, s)
	}
	return w, nil
}

// Add writes one response's row to every file.
func (w *RawWriter) Add(r *pinggu.Response) error {
	w.Rows++
	rec := w.x.record(r)
	for _, s := range w.sinks {
		if err := s.add(rec); err != nil {
			return err
		}
	}
	return nil
}

// Finish completes the files.
func (w *RawWriter) Finish() error {
	for _, s := range w.sinks {
		if err := s.finish(); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the workbook's temporary files; call it in any case.
func (w *RawWriter) Close() {
	if w.xlsx != nil {
		w.xlsx.b.f.Close()
	}
}

type rawSink interface {
	add(rec []string) error
	finish() error
}

type csvSink struct {
	bw *bufio.Writer
	cw *csv.Writer
}

func newCSVSink(w io.Writer, x *Raw) (*csvSink, error) {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return nil, err
	}
	s := &csvSink{bw: bw, cw: csv.NewWriter(bw)}
	return s, s.cw.Write(x.header())
}

func (s *csvSink) add(rec []string) error { return s.cw.Write(rec) }

func (s *csvSink) finish() error {
	s.cw.Flush()
	if err := s.cw.Error(); err != nil {
		return err
	}
	return s.bw.Flush()
}

type xlsxSink struct {
	w        io.Writer
	b        *book
	x        *Raw
	columns  []rawColumn
	perSheet int
	sw       *excelize.StreamWriter
	row      int
	cells    []any
}

func newXLSXSink(w io.Writer, x *Raw) (*xlsxSink, error) {
	b, err := newBook(Print{Title: x.Round.Title, Subject: "原始数据", Status: x.Status, Org: x.Org})
	if err != nil {
		return nil, err
	}
	s := &xlsxSink{w: w, b: b, x: x, columns: x.columns(), perSheet: x.SheetRows}
	if s.perSheet <= 0 || s.perSheet > MaxSheetRows-1 {
		s.perSheet = MaxSheetRows - 1
	}
	s.cells = make([]any, len(s.columns))
	return s, s.openSheet()
}

// openSheet starts the next sheet: widths and panes before the first row.
// The header stays in row 1, with no title above it, so statistics
// software reads the sheet as it is; each printed page names the round.
func (s *xlsxSink) openSheet() error {
	if s.sw != nil {
		s.b.flush(s.sw)
	}
	name := s.b.newSheet("原始数据")
	var err error
	if s.sw, err = s.b.f.NewStreamWriter(name); err != nil {
		return err
	}
	info := s.b.info(name)
	info.stream, info.titleRows = true, 1
	for i, c := range s.columns {
		w := columnWidth(max(displayWidth(c.name), 10))
		info.widths = append(info.widths, int(w))
		if err := s.sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := s.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	s.b.stream = info
	head := make([]any, len(s.columns))
	for i, c := range s.columns {
		head[i] = excelize.Cell{StyleID: s.b.st.header, Value: c.name}
	}
	s.row = 1
	return s.sw.SetRow("A1", head)
}

func (s *xlsxSink) add(rec []string) error {
	if s.row-1 >= s.perSheet {
		if err := s.openSheet(); err != nil {
			return err
		}
	}
	s.row++
	for i, v := range rec {
		s.cells[i] = s.cell(s.columns[i].kind, v)
	}
	return s.sw.SetRow(cell(1, s.row), s.cells)
}

// cell is one value as its column's kind: a number, a date (an Excel
// serial of the round's wall-clock time, as the CSV writes it), or text.
// Empty stays empty; what does not parse stays text.
func (s *xlsxSink) cell(k columnKind, v string) excelize.Cell {
	st := s.b.st
	switch {
	case v == "":
		return excelize.Cell{StyleID: st.plain}
	case k == numberColumn:
		// Neutralize marks a leading minus; a number cell is no formula.
		if f, err := strconv.ParseFloat(strings.TrimPrefix(v, "'"), 64); err == nil {
			return excelize.Cell{StyleID: st.plain, Value: f}
		}
	case k == timeColumn:
		if t, err := time.Parse(time.DateTime, v); err == nil {
			return excelize.Cell{StyleID: st.datetime, Value: t.Sub(excelEpoch).Hours() / 24}
		}
	}
	return excelize.Cell{StyleID: st.text, Value: v}
}

// excelEpoch is day 0 of Excel's 1900 date system (as its serials count,
// leap-year bug included, for every date after February 1900).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

func (s *xlsxSink) finish() error {
	s.b.flush(s.sw)
	s.b.codebook(s.x)
	s.b.finish()
	if s.b.err != nil {
		return s.b.err
	}
	// excelize assembles a workbook in memory before writing it (for
	// encryption and zip64 headers), which at a million rows is hundreds
	// of MB; its zip writer is made to write straight to the destination
	// instead, so memory stays flat in the number of rows. (No sheet here
	// nears the 4 GB at which those zip64 headers would matter.)
	s.b.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(s.w) })
	if _, err := s.b.f.WriteTo(io.Discard); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}
