package main

import (
	"archive/zip"
	"bytes"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// checkPrintable: every sheet of a scorecard is set up for A4, one page
// wide, with its title on top, the round and status in the page header,
// page numbers in the footer, table headers repeated on every page; the
// workbook opens on a cover and names its author.
func checkPrintable(t *testing.T, f *excelize.File, data []byte, title, status, org string) {
	t.Helper()
	if sheets := f.GetSheetList(); sheets[0] != "封面" || sheets[1] != "总表" {
		t.Errorf("sheets = %v, want 封面 and 总表 first", sheets)
	}
	titles := checkPages(t, f, title, status, org)
	if pl, _ := f.GetPageLayout("总表"); pl.Orientation == nil || *pl.Orientation != "landscape" {
		t.Errorf("总表 is not landscape")
	}
	if got := titles["总表"]; got != "'总表'!$1:$2" {
		t.Errorf("总表 print titles = %q", got)
	}
	checkRankChart(t, f, data, "排名-县市区")
}

// checkCover: 封面 states the round, status, units, sample, dates, the
// organisation and the method, as label and text rows.
func checkCover(t *testing.T, f *excelize.File, want map[string]string) {
	t.Helper()
	rows, _ := f.GetRows("封面")
	got := map[string]string{}
	for _, r := range rows {
		if len(r) >= 2 {
			got[r[0]] = r[1]
		}
	}
	for label, text := range want {
		if !strings.Contains(got[label], text) {
			t.Errorf("封面 %s = %q, want it to say %q", label, got[label], text)
		}
	}
}

// checkPages: every sheet of a workbook is set up for A4 one page wide,
// says the round (and status) on top and in its page header, numbers its
// pages, and repeats its title rows; the document names its author. It
// returns each sheet's print titles.
func checkPages(t *testing.T, f *excelize.File, title, status, org string) map[string]string {
	t.Helper()
	sheets := f.GetSheetList()
	titles := map[string]string{}
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm.Print_Titles" {
			titles[d.Scope] = d.RefersTo
		}
	}
	for _, s := range sheets {
		pl, err := f.GetPageLayout(s)
		if err != nil || pl.Size == nil || *pl.Size != 9 || pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 {
			t.Errorf("%s: page layout %+v, want A4 one page wide", s, pl)
		}
		hf, err := f.GetHeaderFooter(s)
		if err != nil || !strings.Contains(hf.OddHeader, title) || !strings.Contains(hf.OddHeader, status) ||
			!strings.Contains(hf.OddFooter, "&P") || !strings.Contains(hf.OddFooter, "&N") || !strings.Contains(hf.OddFooter, org) {
			t.Errorf("%s: header %q footer %q", s, hf.OddHeader, hf.OddFooter)
		}
		if a1, _ := f.GetCellValue(s, "A1"); !strings.Contains(a1, title) {
			t.Errorf("%s!A1 = %q, want a title naming the round", s, a1)
		}
		if s != "封面" && titles[s] == "" {
			t.Errorf("%s: no print titles", s)
		}
	}
	props, err := f.GetDocProps()
	if err != nil || props.Creator != org || !strings.Contains(props.Title, title) || props.ContentStatus != status {
		t.Errorf("document properties = %+v", props)
	}
	return titles
}

// checkRankChart: the peer group's chart draws its units from the highest
// score down, beside a line at the group mean.
func checkRankChart(t *testing.T, f *excelize.File, data []byte, sheet string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	valRe := regexp.MustCompile(`<(?:c:)?val><(?:c:)?numRef><(?:c:)?f>(?:'|&#39;)([^'&]+)(?:'|&#39;)!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)</(?:c:)?f>`)
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/charts/chart") {
			continue
		}
		rc, _ := zf.Open()
		xml, _ := io.ReadAll(rc)
		rc.Close()
		series := valRe.FindAllStringSubmatch(string(xml), -1)
		if len(series) != 2 || series[0][1] != sheet {
			continue
		}
		column := func(m []string) []float64 {
			from, _ := strconv.Atoi(m[3])
			to, _ := strconv.Atoi(m[4])
			var out []float64
			for r := from; r <= to; r++ {
				v, _ := f.GetCellValue(sheet, m[2]+strconv.Itoa(r), excelize.Options{RawCellValue: true})
				x, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Fatalf("%s!%s%d = %q is no number", sheet, m[2], r, v)
				}
				out = append(out, x)
			}
			return out
		}
		scores, mean := column(series[0]), column(series[1])
		sum := 0.0
		for i, s := range scores {
			sum += s
			if i > 0 && s > scores[i-1] {
				t.Errorf("chart scores not from high to low: %v", scores)
			}
		}
		for _, m := range mean {
			if math.Abs(m-math.Round(sum/float64(len(scores))*100)/100) > 1e-9 {
				t.Errorf("reference line %v, want the group mean of %v", mean, scores)
			}
		}
		if len(scores) < 2 || !regexp.MustCompile(`<(c:)?showVal val="1"`).Match(xml) {
			t.Errorf("chart has %d units or no data labels", len(scores))
		}
		return
	}
	t.Errorf("no chart of %s with a score and a mean series", sheet)
}

// printedPages prints a workbook to PDF with LibreOffice, as an office
// would, and counts its pages in all and per sheet (the sheet's name is
// in every page's header). Without LibreOffice it says so and returns
// nil, except in CI, which installs it.
func printedPages(t *testing.T, data []byte) (total int, perSheet map[string]int) {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err == nil {
		_, err = exec.LookPath("pdftotext")
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must print workbooks: install libreoffice-calc and poppler-utils (.ci/run does)")
		}
		t.Log("LibreOffice or poppler-utils not installed: workbook not printed")
		return 0, nil
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "book.xlsx")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	out, err := exec.Command("pdftotext", "-layout", filepath.Join(dir, "book.pdf"), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	perSheet = map[string]int{}
	for _, page := range strings.Split(strings.TrimRight(string(out), "\f"), "\f") {
		total++
		// The header's centre section is the sheet's name.
		if fields := strings.Fields(strings.SplitN(strings.TrimSpace(page), "\n", 2)[0]); len(fields) >= 3 {
			perSheet[fields[len(fields)-2]]++
		}
	}
	return total, perSheet
}
