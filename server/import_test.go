package server_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func (h *harness) upload(path string, fields map[string]string, name string, file []byte) reply {
	h.t.Helper()
	return h.uploadAs(path, fields, "file", name, file)
}

// uploadAs posts fields and one file in the multipart field fileField.
func (h *harness) uploadAs(path string, fields map[string]string, fileField, name string, file []byte) reply {
	h.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile(fileField, name)
	fw.Write(file)
	w.Close()
	return h.do("POST", path, w.FormDataContentType(), &buf, true)
}

// TestOfflineImport: a CATI sheet with good, bad and repeated rows is
// refused whole with a row-by-row report, imported in part on request, and
// a re-upload imports nothing twice.
func TestOfflineImport(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	f := excelize.NewFile()
	rows := [][]any{
		{"受访者编号", "Q1", "D1", "Q2", "Q13"},
		{"T001", "满意", "1", "", "1;3"},  // labels are accepted
		{"T002", "5", "2", "很满意", ""},   // Q2 shown for 企业经营者
		{"T003", "7", "1", "", ""},      // no such option
		{"T004", "", "1", "", ""},       // Q1 is required
		{"T001", "4", "1", "", ""},      // the same respondent twice
		{"T005", "3", "1", "", "1;2;3"}, // three picks where two are allowed
	}
	for i, r := range rows {
		f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r)
	}
	var sheet bytes.Buffer
	f.WriteTo(&sheet)
	f.Close()
	path := "/api/v1/rounds/r2024/units/chongchuan/import"

	r := h.upload(path, map[string]string{"channel": "cati"}, "电话调查.xlsx", sheet.Bytes())
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad file = %d %s", r.status, r.body)
	}
	errs := r.json(t)["result"].(map[string]any)["errors"].([]any)
	if len(errs) != 4 {
		t.Fatalf("errors = %v", errs)
	}
	if h.count("r2024") != 0 {
		t.Fatal("a refused file stored responses")
	}
	rep := h.upload(path+"?report=xlsx", map[string]string{"channel": "cati"}, "电话调查.xlsx", sheet.Bytes())
	wb, err := excelize.OpenReader(bytes.NewReader(rep.body))
	if err != nil {
		t.Fatalf("error report: %v (%d)", err, rep.status)
	}
	got, _ := wb.GetRows("导入错误")
	if len(got) != 5 || got[1][0] != "4" || got[1][2] != "Q1" {
		t.Fatalf("error report rows = %v", got)
	}
	wb.Close()

	ok := h.upload(path, map[string]string{"channel": "cati", "validOnly": "true"}, "电话调查.xlsx", sheet.Bytes())
	res := ok.json(t)
	if ok.status != 200 || res["imported"] != 2.0 {
		t.Fatalf("valid rows = %d %s", ok.status, ok.body)
	}
	again := h.upload(path, map[string]string{"channel": "cati", "validOnly": "true"}, "电话调查.xlsx", sheet.Bytes())
	if res := again.json(t); res["imported"] != 0.0 || res["duplicates"] != 2.0 {
		t.Fatalf("re-upload = %s", again.body)
	}
	stored, err := h.store.Response(context.Background(), "r2024", "imp-chongchuan-T001")
	if err != nil || stored.Channel != "cati" || stored.Answers["Q1"][0] != "4" || strings.Join(stored.Answers["Q13"], ",") != "1,3" {
		t.Fatalf("stored = %+v, %v", stored, err)
	}
	// CSV with a BOM, as Excel saves it.
	csv := "\uFEFF受访者编号,Q1,D1\nP001,很满意,1\n"
	if r := h.upload(path, map[string]string{"channel": "paper"}, "纸质问卷.csv", []byte(csv)); r.status != 200 {
		t.Fatalf("csv = %d %s", r.status, r.body)
	}
	if n := h.count("r2024"); n != 3 {
		t.Fatalf("stored %d, want 3", n)
	}
	if r := h.upload(path, map[string]string{"channel": "web"}, "x.csv", []byte(csv)); r.status != 422 {
		t.Fatalf("web channel import = %d", r.status)
	}
}

// TestJSONLinesImport: a CATI firm posts JSON lines; a line that does not
// parse or does not validate is reported by line, nothing is stored, and
// the valid lines go in once however often they are sent.
func TestJSONLinesImport(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	path := "/api/v1/rounds/r2024/units/haimen/import?channel=capi"
	body := strings.Join([]string{
		`{"respondent":"F001","answers":{"Q1":"满意","D1":"1","Q13":["1","3"]}}`,
		`{"respondent":"F002","answers":{"Q1":5,"D1":"2","Q2":"很满意"}}`,
		``,
		`{"respondent":"F003","answers":{"Q1":"7","D1":"1"}}`,
		`{"respondent":"F004","answers":{"Q1":"5"},"extra":1}`,
		`{"respondent":"F005","answers":{"Q1":{"$gt":""},"D1":"1"}}`,
		`not json`,
	}, "\n")
	send := func(query string) reply {
		return h.do("POST", path+query, "application/x-ndjson", strings.NewReader(body), true)
	}
	r := send("")
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad lines = %d %s", r.status, r.body)
	}
	var rows []string
	for _, e := range r.json(t)["result"].(map[string]any)["errors"].([]any) {
		e := e.(map[string]any)
		rows = append(rows, fmt.Sprintf("%v:%v", e["row"], e["field"]))
	}
	if strings.Join(rows, " ") != "4:Q1 5:行 6:行 7:行" {
		t.Fatalf("errors by line = %v", rows)
	}
	if h.count("r2024") != 0 {
		t.Fatal("a refused import stored responses")
	}
	for i := 0; i < 2; i++ {
		r = send("&validOnly=true")
		if res := r.json(t); r.status != 200 || res["imported"].(float64)+res["duplicates"].(float64) != 2 {
			t.Fatalf("valid lines = %d %s", r.status, r.body)
		}
	}
	if n := h.count("r2024"); n != 2 {
		t.Fatalf("stored %d, want 2", n)
	}
	got, err := h.store.Response(context.Background(), "r2024", "imp-haimen-F002")
	if err != nil || got.Channel != "capi" || got.Answers["Q2"][0] != "5" {
		t.Fatalf("stored = %+v, %v", got, err)
	}
}

// TestUploadRoutesTakeLargeBodies: a route the route table marks as an
// upload takes more than the 64 KB every other body is held to.
func TestUploadRoutesTakeLargeBodies(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	// 80 KB of lines that are read and refused one by one (422), not
	// turned away whole for their size (413).
	body := strings.Repeat(`{"respondent":"B1","answers":{"Q1":"7"}}`+"\n", 2000)
	r := h.do("POST", "/api/v1/rounds/r2024/units/haimen/import?channel=paper", "application/x-ndjson", strings.NewReader(body), true)
	if r.status != http.StatusUnprocessableEntity || len(body) < 80<<10 {
		t.Fatalf("80 KB import = %d %.200s", r.status, r.body)
	}
	big := `{"code":"big","name":"` + strings.Repeat("x", 70<<10) + `","type":"county","peerGroup":"x"}`
	if r := h.do("POST", "/api/v1/units", "application/json", strings.NewReader(big), true); r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("70 KB unit = %d", r.status)
	}
}
