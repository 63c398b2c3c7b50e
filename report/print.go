package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Print is what a workbook says of itself on every printed page and in its
// document properties: offices print these files and file the paper, so a
// page torn from the stack must still say which round it belongs to and
// whether its figures are final.
type Print struct {
	Title   string    // the round's title
	Subject string    // what the workbook is, e.g. 满意度测评结果
	Status  string    // 正式结果, 阶段性结果（未定稿）, or "" where it does not apply
	Dated   string    // the footer's date line, e.g. 数据截至 2024-12-31
	Org     string    // the installation's organisation: the document's author
	Created time.Time // the document's date: the data's, so the same inputs give the same bytes
}

// DefaultOrg is the author of a workbook when the installation names none.
const DefaultOrg = "法治政府建设评估"

// ResultStatus is the status words of a result workbook.
func ResultStatus(final bool) string {
	if final {
		return "正式结果"
	}
	return "阶段性结果，未定稿"
}

// sheetInfo is what the page setup of one sheet needs to know.
type sheetInfo struct {
	name      string
	titleRows int   // rows repeated at the top of every printed page
	widths    []int // column widths, for a streamed sheet (read back otherwise)
	cols      int   // the widest row written, for a sheet written cell by cell
	stream    bool
	laidOut   bool
}

// axisFont is dark enough to read on paper (the default grey prints faint).
var axisFont = excelize.Font{Size: 9, Color: "333333"}

// A4 pages (paper size 9): a sheet wider than this many character columns
// prints landscape; either way it is scaled to one page wide.
const (
	paperA4       = 9
	portraitWidth = 100
)

// titled starts a sheet whose first row says what it is, of which round and
// how final, so no printed page of it can pass for another; the row
// repeats on every printed page (with the header, once there is one).
func (b *book) titled(name, title string) string {
	sheet := b.newSheet(name)
	b.check(b.f.SetCellStr(sheet, "A1", b.sheetTitle(title)))
	b.check(b.f.SetCellStyle(sheet, "A1", "A1", b.st.title))
	b.info(sheet).titleRows = 1
	return sheet
}

func (b *book) sheetTitle(title string) string {
	t := strings.TrimSpace(b.print.Title + " " + title)
	if b.print.Status != "" {
		t += "（" + b.print.Status + "）"
	}
	return t
}

// info is a sheet's page-setup record, made on first use (newSheet).
func (b *book) info(sheet string) *sheetInfo {
	if s, ok := b.byName[sheet]; ok {
		return s
	}
	s := &sheetInfo{name: sheet}
	b.sheets = append(b.sheets, s)
	b.byName[sheet] = s
	return s
}

// layout sets one sheet up for A4: landscape when wide, one page wide, the
// title and header rows on every page, the round and status in the page
// header, the date and page numbers in the footer.
func (b *book) layout(s *sheetInfo) {
	if s.laidOut || b.err != nil {
		return
	}
	s.laidOut = true
	orientation := "portrait"
	if b.sheetWidth(s) > portraitWidth {
		orientation = "landscape"
	}
	b.check(b.f.SetPageLayout(s.name, &excelize.PageLayoutOptions{Size: ptr(paperA4), Orientation: &orientation,
		FitToWidth: ptr(1), FitToHeight: ptr(0)}))
	b.check(b.f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: ptr(true)}))
	b.check(b.f.SetPageMargins(s.name, &excelize.PageLayoutMarginsOptions{Left: ptr(0.4), Right: ptr(0.4),
		Top: ptr(0.8), Bottom: ptr(0.7), Header: ptr(0.3), Footer: ptr(0.3), Horizontally: ptr(true)}))
	b.check(b.f.SetHeaderFooter(s.name, &excelize.HeaderFooterOptions{
		OddHeader: headerText("&L", b.print.Title+" "+b.print.Subject) + headerText("&C", s.name) + headerText("&R", b.print.Status),
		OddFooter: headerText("&L", b.print.Dated) + "&C第 &P 页，共 &N 页" + headerText("&R", b.print.Org),
	}))
	if s.titleRows > 0 {
		b.check(b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: s.name,
			RefersTo: fmt.Sprintf("'%s'!$1:$%d", strings.ReplaceAll(s.name, "'", "''"), s.titleRows)}))
	}
}

// headerText is one section of a page header or footer: & doubled, as the
// format's codes start with it, and cut so all six sections stay within
// Excel's 255 characters.
func headerText(section, text string) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return ""
	}
	return section + strings.ReplaceAll(truncateRunes(text, 60), "&", "&&")
}

// sheetWidth is the sum of a sheet's column widths, in characters.
func (b *book) sheetWidth(s *sheetInfo) int {
	total := 0
	if s.stream {
		for _, w := range s.widths {
			total += w
		}
		return total
	}
	cols := s.cols
	for c := 1; c <= cols; c++ {
		name, _ := excelize.ColumnNumberToName(c)
		w, err := b.f.GetColWidth(s.name, name)
		if err != nil {
			return total
		}
		total += int(w)
	}
	return total
}

// properties are the document's: title, subject, author and date.
func (b *book) properties() {
	p := b.print
	created := ""
	if !p.Created.IsZero() {
		created = p.Created.UTC().Format(time.RFC3339)
	}
	b.check(b.f.SetDocProps(&excelize.DocProperties{Title: strings.TrimSpace(p.Title + " " + p.Subject), Subject: p.Subject,
		Creator: p.Org, LastModifiedBy: p.Org, Created: created, Modified: created, ContentStatus: p.Status, Language: "zh-CN"}))
}

// finish sets up every sheet not yet laid out and the document's properties.
func (b *book) finish() {
	b.properties()
	for _, s := range b.sheets {
		b.layout(s)
	}
}
