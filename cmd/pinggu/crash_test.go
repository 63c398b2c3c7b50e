package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"pinggu"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"pinggu/store"
	"pinggu/store/storetest"
)

// child is the pinggu binary running as its own process, to be killed.
type child struct {
	cmd *exec.Cmd
	url string
	out bytes.Buffer
}

func startChild(t *testing.T, dir string) *child {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := &child{url: "http://" + addr}
	c.cmd = exec.Command(os.Args[0]) // this test binary, as `pinggu serve` (see TestMain)
	c.cmd.Env = append(os.Environ(), "PINGGU_TEST_CHILD=serve", "PINGGU_DATA_DIR="+dir, "PINGGU_ADDR="+addr, "PINGGU_ADMIN_TOKEN=tok")
	c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := http.Get(c.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return c
			}
		}
		if time.Now().After(deadline) {
			c.cmd.Process.Kill()
			t.Fatalf("child did not start: %s", c.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *child) post(t *testing.T, path, body string, auth bool) (int, map[string]any) {
	req, _ := http.NewRequest("POST", c.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth {
		req.Header.Set("Authorization", "Bearer tok")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestKilledMidStreamLosesNothing kills the product with SIGKILL while
// respondents submit, in a quota-bound unit, then restarts it on the same
// data folder: every acknowledged answer is stored, nothing twice, the
// quota holds, and the tallies the restart rebuilt agree with the stored
// responses.
func TestKilledMidStreamLosesNothing(t *testing.T) {
	t.Parallel()
	dir := storetest.Dir(t)
	c := startChild(t, dir)
	now := time.Now()
	for _, s := range []struct{ path, body string }{
		{"/api/v1/units", `{"code":"u1","name":"崇川区","type":"county","peerGroup":"县市区"}`},
		{"/api/v1/questionnaires", `{"code":"q","title":"满意度","questions":[{"code":"Q1","type":"scale","text":"满意吗","options":[{"code":"5","label":"很满意","score":100},{"code":"1","label":"不满意","score":20}]}]}`},
		{"/api/v1/rounds", fmt.Sprintf(`{"code":"r1","title":"测评","kind":"satisfaction","questionnaire":"q","units":["u1"],"quotas":{"u1":150},"quotaMode":"close","integrity":{"burstLimit":-1},"opensAt":%q,"closesAt":%q}`,
			now.Add(-time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339))},
	} {
		if status, body := c.post(t, s.path, s.body, true); status != 201 {
			t.Fatalf("POST %s = %d %v", s.path, status, body)
		}
	}
	if status, _ := c.post(t, "/api/v1/rounds/r1/schedule", "", true); status != 200 {
		t.Fatal("schedule")
	}
	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	stop := time.Now().Add(400 * time.Millisecond)
	for w := range 8 {
		wg.Go(func() {
			for i := 0; time.Now().Before(stop) || i < 5; i++ {
				sid := fmt.Sprintf("w%d-%06d", w, i)
				status, _ := c.post(t, "/api/v1/rounds/r1/units/u1/responses", `{"sid":"`+sid+`","answers":{"Q1":"5"}}`, false)
				if status == 0 {
					return // the process is gone
				}
				if status == http.StatusCreated {
					mu.Lock()
					acked[sid] = true
					mu.Unlock()
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	c.cmd.Process.Signal(syscall.SIGKILL)
	c.cmd.Wait()
	wg.Wait()

	c = startChild(t, dir)
	resp, err := http.Get(c.url + "/healthz")
	if err == nil {
		resp.Body.Close()
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	c.cmd.Wait()

	st, err := store.Open(context.Background(), store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())
	stored := map[string]bool{}
	st.EachResponse(context.Background(), "r1", func(r *pinggu.Response) error {
		if stored[r.ID] {
			t.Errorf("%s stored twice", r.ID)
		}
		stored[r.ID] = true
		return nil
	})
	for sid := range acked {
		if !stored[sid] {
			t.Errorf("%s was acknowledged but is not stored", sid)
		}
	}
	ts, err := st.Tallies(context.Background(), "r1")
	if err != nil || len(ts) != 1 || ts[0].Received != len(stored) || len(stored) > 150 {
		t.Fatalf("tally %+v against %d stored (quota 150), %v", ts, len(stored), err)
	}
	t.Logf("%d acknowledged, %d stored, tally %d", len(acked), len(stored), ts[0].Received)
}
