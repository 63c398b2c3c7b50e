package server_test

import (
	"bytes"
	"encoding/base64"
	"html"
	"image"
	_ "image/png"
	"net/http"
	"regexp"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

func decodeQR(t *testing.T, png []byte) string {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("no QR code: %v", err)
	}
	return res.GetText()
}

var dataURIRe = regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`)

// TestPosterCarriesADecodableQRCode decodes the poster's QR code and the
// PNG download, and follows the link to the unit's survey.
func TestPosterCarriesADecodableQRCode(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	h.addUser("wang", "admin", "")
	h.signIn("wang", "correct-horse-1")
	want := "https://pg.example.cn/s/r2024/chongchuan?ch=qr"

	poster := h.get("/admin/rounds/r2024/units/chongchuan/poster")
	m := dataURIRe.FindSubmatch(poster.body)
	if poster.status != http.StatusOK || m == nil {
		t.Fatalf("poster = %d", poster.status)
	}
	// The browser unescapes the attribute (html/template writes + as &#43;).
	png, err := base64.StdEncoding.DecodeString(html.UnescapeString(string(m[1])))
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeQR(t, png); got != want {
		t.Fatalf("poster QR = %q, want %q", got, want)
	}
	for _, part := range []string{"崇川区", "2024年度测评", "@page{size:A4", "匿名填写", "2024年10月1日"} {
		if !bytes.Contains(poster.body, []byte(part)) {
			t.Errorf("poster lacks %q", part)
		}
	}
	qr := h.get("/admin/rounds/r2024/units/chongchuan/qr.png")
	if qr.status != http.StatusOK || qr.header.Get("Content-Type") != "image/png" || decodeQR(t, qr.body) != want {
		t.Fatalf("qr.png = %d %s", qr.status, qr.header.Get("Content-Type"))
	}
	if r := h.get("/admin/rounds/r2024/units/rudong/poster"); r.status != http.StatusNotFound {
		t.Fatalf("poster of a unit outside the round = %d", r.status)
	}
	// The link opens the survey and tags the channel.
	form := h.openForm("/s/r2024/chongchuan?ch=qr")
	if form.Get("channel") != "qr" {
		t.Fatalf("channel = %q", form.Get("channel"))
	}
}
