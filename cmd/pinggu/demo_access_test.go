package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"pinggu/store/storetest"
)

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
	if status, _ := first.api(t, token[1], "GET", "/api/v1/rounds", nil); status != 200 {
		t.Fatalf("the printed token = %d", status)
	}
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
