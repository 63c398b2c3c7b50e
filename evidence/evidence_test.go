package evidence_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"pinggu"
	"pinggu/evidence"
	"pinggu/store/storetest"
)

func upload(name, content string, size int64) evidence.Upload {
	return evidence.Upload{Name: name, Size: size, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(content)), nil
	}}
}

func TestCheckNamesWhatIsWrong(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		files []evidence.Upload
		want  string // part of the message; "" for none
	}{
		{"fine", []evidence.Upload{upload("通知.PDF", "%PDF-1.7", 8), upload("照片.jpeg", "\xff\xd8\xff\xe0", 4),
			upload("方案.docx", "PK\x03\x04", 4), upload("旧表.xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8)}, ""},
		{"page as pdf", []evidence.Upload{upload("通知.pdf", "<html><script>alert(1)</script>", 30)}, "“通知.pdf”的内容不是PDF文件"},
		{"text as png", []evidence.Upload{upload("图.png", "GIF89a", 6)}, "“图.png”的内容不是PNG文件"},
		{"empty", []evidence.Upload{upload("空.docx", "", 0)}, "“空.docx”的内容不是DOCX文件"},
		{"kind", []evidence.Upload{upload("run.exe", "MZ", 2)}, "“run.exe”的类型不支持"},
		{"size", []evidence.Upload{upload("大.pdf", "", evidence.MaxSize+1)}, "“大.pdf”超过10MB"},
		{"count", make([]evidence.Upload, evidence.MaxFiles+1), "最多10个文件"},
	} {
		fe := pinggu.FieldErrors{}
		evidence.Check(tc.files, fe)
		if got := fe["evidence"]; tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// A saved file comes back only through the record that lists it, with the
// type read from its content, not its name.
func TestSaveAndOpenThroughTheRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	files := evidence.New(storetest.New(t))
	saved, err := files.Save(ctx, []evidence.Upload{upload("报告.pdf", "%PDF-1.4 正文", 18), upload("图.png", "\x89PNG\r\n\x1a\n", 8)})
	if err != nil || len(saved) != 2 {
		t.Fatalf("save: %+v %v", saved, err)
	}
	if saved[0].ContentType != "application/pdf" || saved[1].ContentType != "image/png" || saved[0].Name != "报告.pdf" {
		t.Fatalf("described as %+v", saved)
	}
	ev, rc, err := files.Open(ctx, saved, saved[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "%PDF-1.4 正文" || ev.ID != saved[0].ID {
		t.Fatalf("read back %q as %+v", b, ev)
	}
	if _, _, err := files.Open(ctx, saved[:1], saved[1].ID); pinggu.ErrorCode(err) != pinggu.NotFound {
		t.Fatalf("a file the record does not list: %v", err)
	}
}
