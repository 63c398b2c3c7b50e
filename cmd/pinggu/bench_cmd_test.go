package main

import (
	"bytes"
	"context"
	"io"
	"pinggu/store/storetest"
	"regexp"
	"strconv"
	"testing"
)

// The load command drives a running product — form sessions with a fresh
// cookie jar each, then JSON submissions — for a bounded number of
// sessions, and the count it reads back agrees with what was acknowledged.
func TestBenchCommandDrivesARunningServer(t *testing.T) {
	t.Parallel()
	p := startProduct(t, storetest.Dir(t), map[string]string{"PINGGU_ADMIN_TOKEN": "tok"})
	defer p.shutdown(t)
	oneUnitRound(t, p)
	// Every virtual respondent comes from this one address: without this
	// the round would (rightly) slow them down as a burst.
	_, r := p.api(t, "tok", "GET", "/api/v1/rounds/r1", nil)
	r["integrity"] = map[string]any{"burstLimit": -1}
	if status, body := p.api(t, "tok", "PUT", "/api/v1/rounds/r1", r); status != 200 {
		t.Fatalf("round = %d %v", status, body)
	}
	if status, _ := p.api(t, "tok", "POST", "/api/v1/rounds/r1/schedule", nil); status != 200 {
		t.Fatal("schedule")
	}
	total := 0
	for _, mode := range [][]string{nil, {"-json"}} {
		var out bytes.Buffer
		args := append([]string{"-url", p.url + "/s/r1/u1", "-c", "3", "-n", "30", "-d", "30s", "-token", "tok"}, mode...)
		if err := run(context.Background(), append([]string{"bench"}, args...), func(string) string { return "" }, nil, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`: (\d+) (form sessions|JSON submissions)[^\n]*\n[^\n]*\nstored (\d+) more \((\d+) → (\d+)\); acknowledged (\d+)\n$`).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("output:\n%s", out.String())
		}
		ok, _ := strconv.Atoi(m[1])
		more, _ := strconv.Atoi(m[3])
		from, _ := strconv.Atoi(m[4])
		if ok < 30 || more != ok || from != total || bytes.Contains(out.Bytes(), []byte("failed")) {
			t.Fatalf("%v: %s", mode, out.String())
		}
		total += ok
	}
}
