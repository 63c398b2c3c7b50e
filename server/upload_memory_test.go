package server_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// farSheet is a small .xlsx whose rows each hold one cell in the last
// column (XFD): a reader that pads rows to their last cell makes 16,384
// cells of each.
func farSheet(t *testing.T, header []any, rows int) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", header); err != nil {
		t.Fatal(err)
	}
	for r := 2; r <= rows; r++ {
		if err := sw.SetRow(fmt.Sprintf("XFD%d", r), []any{"x"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// peakHeap runs fn and returns how far the heap grew above where it was,
// sampled every millisecond.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	})
	fn()
	close(done)
	wg.Wait()
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

// Hostile uploads within the body limit — rows reaching the last column,
// a CSV of a million columns, more rows than any list has — are refused
// with a message naming the row, while the server's heap grows by far less
// than the 300 MB an upload may cost (they took 2.2 and 6.7 GB before).
// Not parallel: the heap is the whole process's.
func TestHostileUploadsStayInMemoryBounds(t *testing.T) {
	h := newHarness(t)
	h.seed()
	const limit = 150 << 20
	cases := []struct {
		name, path, file string
		body             []byte
		want             string
	}{
		{"answers reaching XFD", "/api/v1/rounds/r2024/units/chongchuan/import", "far.xlsx",
			farSheet(t, []any{"受访者编号", "Q1"}, 3000), "第2行有16384列"},
		{"a million columns", "/api/v1/rounds/r2024/units/chongchuan/import", "wide.csv",
			[]byte("受访者编号" + strings.Repeat(",Q1-a-long-column-name-here", 1_000_000) + "\n"), "第1行超过1024KB"},
		{"too many rows", "/api/v1/rounds/r2024/units/chongchuan/import", "long.csv",
			[]byte("受访者编号,Q1,D1\n" + strings.Repeat("a,5,1\n", 20_001)), "数据超过20000行"},
		{"units reaching XFD", "/api/v1/indicator-systems/far/import", "far.xlsx",
			farSheet(t, []any{"编码", "层级", "名称", "分值"}, 3000), "第2行有16384列"},
	}
	for _, tc := range cases {
		// The request is made before the heap is measured: only what the
		// server holds counts.
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("channel", "cati")
		fw, _ := w.CreateFormFile("file", tc.file)
		fw.Write(tc.body)
		w.Close()
		tc.body = nil
		var r reply
		grew := peakHeap(func() {
			r = h.do("POST", tc.path, w.FormDataContentType(), bytes.NewReader(body.Bytes()), true)
		})
		if r.status != http.StatusUnprocessableEntity || !bytes.Contains(r.body, []byte(tc.want)) {
			t.Errorf("%s: %d %.300s", tc.name, r.status, r.body)
		}
		if grew > limit {
			t.Errorf("%s: the heap grew by %d MB", tc.name, grew>>20)
		}
		t.Logf("%s: %d KB upload, heap +%d MB", tc.name, body.Len()>>10, grew>>20)
	}
	if n := h.count("r2024"); n != 0 {
		t.Fatalf("stored %d responses", n)
	}
}
