// Package report writes Pinggu's Excel workbooks and CSV files with
// excelize: the satisfaction scorecard and the raw-data export.
package report

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/width"
)

// Excel's limits (the row limit includes the header row).
const (
	MaxSheetRows  = 1_048_576
	MaxCellChars  = 32_767
	maxSheetName  = 31
	maxColumnWide = 60
)

// displayWidth counts East-Asian wide and fullwidth runes as 2 columns:
// excelize has no autofit, and Chinese text needs twice the room.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// columnWidth is a width for text of the given display width: padded and capped.
func columnWidth(w int) float64 {
	return float64(min(maxColumnWide, max(8, w+2)))
}

// sheetName makes a valid, unique sheet name: at most 31 characters and
// none of : \ / ? * [ ].
func sheetName(name string, taken map[string]bool) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, name)
	base := truncateRunes(clean, maxSheetName)
	out := base
	for i := 2; taken[out]; i++ {
		suffix := fmt.Sprintf("(%d)", i)
		out = truncateRunes(base, maxSheetName-len(suffix)) + suffix
	}
	taken[out] = true
	return out
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// cell is the A1 reference of column col (1-based) in row.
func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// styles are the workbook's few cell styles.
type styles struct {
	header, score, rate, integer, text, title, title2, wrap, pvalue, ratio, plain, datetime int
}

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var err error
	mk := func(st *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(st)
		return id
	}
	score, rate, integer, text := "0.00", "0.0%", "0", "@"
	// Every table cell is ruled, so a printed table reads as one.
	border := []excelize.Border{{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1}}
	top := &excelize.Alignment{Vertical: "top"}
	s.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF7"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}, Border: border})
	s.score = mk(&excelize.Style{CustomNumFmt: &score, Border: border, Alignment: top})
	s.rate = mk(&excelize.Style{CustomNumFmt: &rate, Border: border, Alignment: top})
	s.integer = mk(&excelize.Style{CustomNumFmt: &integer, Border: border, Alignment: top})
	s.text = mk(&excelize.Style{CustomNumFmt: &text, Border: border, Alignment: top})
	pvalue, ratio := "0.0000", "0.000"
	s.pvalue = mk(&excelize.Style{CustomNumFmt: &pvalue, Border: border, Alignment: top})
	s.ratio = mk(&excelize.Style{CustomNumFmt: &ratio, Border: border, Alignment: top})
	s.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	s.title2 = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 11}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	s.wrap = mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Border: border})
	s.plain = mk(&excelize.Style{Border: border, Alignment: top})
	datetime := "yyyy-mm-dd hh:mm:ss"
	s.datetime = mk(&excelize.Style{CustomNumFmt: &datetime, Border: border, Alignment: top})
	return s, err
}

// Neutralize makes text typed by anyone safe for a spreadsheet: a value
// starting — after any zero-width characters — with = + - @ (or their
// full-width forms ＝＋－＠, which some spreadsheets also take for a
// formula), a tab or a carriage return gets a leading apostrophe so no
// spreadsheet reads it as a formula; control characters other than line
// breaks and tabs are removed, and the text is cut to Excel's cell limit.
// Neutralising twice changes nothing.
func Neutralize(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' && r != '\r' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if first, _ := utf8.DecodeRuneInString(strings.TrimLeft(s, zeroWidth)); strings.ContainsRune(formulaStarts, first) {
		s = "'" + s
	}
	return truncateUTF16(s, MaxCellChars)
}

const (
	formulaStarts = "=+-@\t\r＝＋－＠"
	zeroWidth     = "\u200b\u200c\u200d\u2060\ufeff"
)

// truncateUTF16 cuts s to at most n UTF-16 code units (Excel's unit).
func truncateUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		u := 1
		if r >= 0x10000 {
			u = 2
		}
		if units+u > n {
			return s[:i]
		}
		units += u
	}
	return s
}
