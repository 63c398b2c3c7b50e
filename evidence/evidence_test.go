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
		{"fine", []evidence.Upload{upload("通知.PDF", "%PDF", 4), upload("照片.jpeg", "x", 1)}, ""},
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
