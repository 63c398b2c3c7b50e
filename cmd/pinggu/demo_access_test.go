package main

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"pinggu/store/storetest"
)

// checkDemoShowsTheProduct: the demo holds last year's round, published;
// the open round compared with it, with a few flagged responses; an
// assessment and a mid-term evaluation; and every round's reports are
// compiled before anyone asks. Its scorecard prints with 总表 on one page.
func checkDemoShowsTheProduct(t *testing.T, p *running, token string) {
	t.Helper()
	_, rounds := p.api(t, token, "GET", "/api/v1/rounds", nil)
	status := map[string]any{}
	for _, r := range rounds["rounds"].([]any) {
		status[r.(map[string]any)["code"].(string)] = r.(map[string]any)["status"]
	}
	// The open rounds are scheduled, and opened by their jobs at once.
	got := strings.ReplaceAll(fmt.Sprint(status), ":scheduled", ":open")
	if got != "map[fz2023-myd:published fz2024-myd:open kh2024:open zq2023:open]" {
		t.Errorf("rounds = %v", status)
	}
	if _, r := p.api(t, token, "GET", "/api/v1/rounds/fz2024-myd", nil); r["baseline"] != "fz2023-myd" {
		t.Errorf("the open round is compared with %v", r["baseline"])
	}
	var scorecard string
	for round, want := range map[string]string{"fz2023-myd": "scorecard/true", "fz2024-myd": "scorecard/false", "kh2024": "scorecard/false", "zq2023": "midterm/false"} {
		_, list := p.api(t, token, "GET", "/api/v1/rounds/"+round+"/reports", nil)
		found := false
		for _, x := range list["reports"].([]any) {
			rep := x.(map[string]any)
			if fmt.Sprintf("%s/%v", rep["kind"], rep["final"]) == want {
				found = true
				if round == "fz2024-myd" {
					scorecard = rep["id"].(string)
				}
			}
		}
		if !found {
			t.Errorf("%s has no %s report at start: %v", round, want, list["reports"])
		}
	}
	// The demo's 20-question survey page stays under 30 KB, in large text too.
	for _, q := range []string{"", "?size=large"} {
		resp, err := p.client.Get(p.url + "/s/fz2024-myd/chongchuan" + q)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(page) > 30<<10 {
			t.Errorf("survey page%s = %d, %d bytes", q, resp.StatusCode, len(page))
		}
	}
	if _, flagged := p.api(t, token, "GET", "/api/v1/rounds/fz2024-myd/flagged", nil); len(flagged["responses"].([]any)) < 3 {
		t.Errorf("flagged responses: %v", flagged["responses"])
	}
	if scorecard == "" {
		return
	}
	_, data := downloadAs(t, p, token, "/api/v1/reports/"+scorecard+".xlsx")
	if total, per := printedPages(t, data); per != nil {
		if per["总表"] != 1 {
			t.Errorf("the demo's 总表 prints on %d pages", per["总表"])
		}
		t.Logf("the demo's provisional scorecard prints on %d A4 pages: %v", total, per)
	}
}

// TestDemoFirstSteps: the demo says where the console is and gives a ready
// account, keeps its admin token and account across restarts of the same
// data folder, tells how to set the public address, and "/" leads to the
// console.
func TestDemoFirstSteps(t *testing.T) {
	t.Parallel()
	dir := storetest.Dir(t)
	first := startCommand(t, "demo", dir, nil, &testClock{}, "-responses", "40")
	out := first.out.String()
	account := regexp.MustCompile(`console: (\S+)/admin  \(sign in as (\S+), password (\S+)\)`).FindStringSubmatch(out)
	token := regexp.MustCompile(`admin token: ([0-9a-f]{64})`).FindStringSubmatch(out)
	if account == nil || token == nil || !strings.Contains(out, "PINGGU_BASE_URL") {
		t.Fatalf("the demo's first words:\n%s", out)
	}
	if resp, err := first.client.Get(first.url + "/"); err != nil || resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" {
		t.Fatalf("/ = %v %v", resp, err)
	}
	if resp, err := first.client.Get(first.url + "/admin/"); err != nil || resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/admin" {
		t.Fatalf("/admin/ = %v %v", resp, err)
	}
	if status, _ := first.api(t, token[1], "GET", "/api/v1/rounds", nil); status != 200 {
		t.Fatalf("the printed token = %d", status)
	}
	checkDemoShowsTheProduct(t, first, token[1])
	first.shutdown(t)

	again := startCommand(t, "demo", dir, nil, &testClock{}, "-responses", "40")
	defer again.shutdown(t)
	out = again.out.String()
	if !strings.Contains(out, token[1]) || !strings.Contains(out, "password "+account[3]+")") {
		t.Fatalf("a restart changed the demo's access:\n%s", out)
	}
	if status, _ := again.api(t, token[1], "GET", "/api/v1/rounds", nil); status != 200 {
		t.Fatalf("the kept token after a restart = %d", status)
	}
	// The account signs in (a console token can only be had signed in).
	if tok := personalToken(t, again, account[2], account[3]); !strings.HasPrefix(tok, "p_") {
		t.Fatalf("signing in as the demo account gave %q", tok)
	}
}
