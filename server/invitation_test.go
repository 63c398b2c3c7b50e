package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestInvitationCodesAreSingleUse: codes are required, checked, used once
// even by concurrent submissions, and a retry of the same submission is
// not a second use.
func TestInvitationCodesAreSingleUse(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	up := roundJSON()
	up["integrity"] = map[string]any{"invitations": true}
	h.mustAPI("PUT", "/api/v1/rounds/r2024", up, http.StatusOK)
	codes := h.mustAPI("POST", "/api/v1/rounds/r2024/units/chongchuan/invitations", map[string]any{"count": 3}, http.StatusCreated).json(t)["codes"].([]any)
	other := h.mustAPI("POST", "/api/v1/rounds/r2024/units/haimen/invitations", map[string]any{"count": 1}, http.StatusCreated).json(t)["codes"].([]any)
	code := codes[0].(string)
	if len(code) != 8 || strings.ContainsAny(code, "01OIL") {
		t.Fatalf("code %q", code)
	}

	page := h.get("/s/r2024/chongchuan?code=" + code)
	if !strings.Contains(string(page.body), `name="code" value="`+code+`"`) {
		t.Fatal("the link's code is not filled in")
	}
	form := h.openForm("/s/r2024/chongchuan")
	form.Set("Q1", "5")
	form.Set("D1", "1")
	if r := h.postForm("/s/r2024/chongchuan", form); r.status != 422 || !strings.Contains(string(r.body), `<a href="#q-code">邀请码：请输入邀请码</a>`) ||
		strings.Contains(string(r.body), "code：") {
		t.Fatalf("no code = %d", r.status)
	}
	form.Set("code", other[0].(string))
	if r := h.postForm("/s/r2024/chongchuan", form); r.status != 422 || !strings.Contains(string(r.body), "邀请码无效") {
		t.Fatalf("another unit's code = %d", r.status)
	}
	form.Set("code", strings.ToLower(code)) // typed in lower case
	if r := h.postForm("/s/r2024/chongchuan", form); r.status != http.StatusSeeOther {
		t.Fatalf("valid code = %d %s", r.status, r.body)
	}
	if r := h.postForm("/s/r2024/chongchuan", form); r.status != http.StatusSeeOther {
		t.Fatalf("retry with the same code = %d", r.status)
	}
	second := h.openForm("/s/r2024/chongchuan")
	second.Set("Q1", "4")
	second.Set("D1", "1")
	second.Set("code", code)
	if r := h.postForm("/s/r2024/chongchuan", second); r.status != 422 || !strings.Contains(string(r.body), "已被使用") {
		t.Fatalf("second use = %d", r.status)
	}

	// Twenty people race with one code: one wins.
	race := codes[1].(string)
	var won atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := h.postJSON(responsesPath, fmt.Sprintf(`{"sid":"race-%06d","code":%q,"answers":{"Q1":"5","D1":"1"}}`, i, race))
			if r.status == http.StatusCreated {
				won.Add(1)
			} else if r.status != 422 {
				t.Errorf("race %d = %d", i, r.status)
			}
		}(i)
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d submissions used one code", won.Load())
	}
	if n := h.count("r2024"); n != 2 {
		t.Fatalf("stored %d, want 2", n)
	}

	x := h.do("GET", "/api/v1/rounds/r2024/units/chongchuan/invitations.xlsx", "", nil, true)
	wb, err := excelize.OpenReader(bytes.NewReader(x.body))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, _ := wb.GetRows("邀请码")
	used := 0
	for _, r := range rows[1:] {
		if r[3] == "是" {
			used++
		}
		if !strings.HasPrefix(r[2], "https://pg.example.cn/s/r2024/chongchuan?code=") {
			t.Errorf("link %q", r[2])
		}
	}
	if len(rows) != 4 || used != 2 {
		t.Fatalf("rows %v", rows)
	}
}
