package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/html"

	"pinggu/survey"
)

// benchCommand is `pinggu bench -url …/s/ROUND/UNIT`: it drives a running
// server with concurrent virtual respondents for a bounded time and says
// how it went. It starts nothing itself. A form session is what a citizen
// does — a fresh cookie jar, GET the form, fill it in, POST it, read the
// thank-you page; a JSON session POSTs the same answers to the API. With
// -token it reads the unit's count from the progress API before and after
// and reports any mismatch with the answers acknowledged.
func benchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pinggu bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	link := fs.String("url", "", "a survey link: http://HOST/s/ROUND/UNIT")
	clients := fs.Int("c", 8, "concurrent virtual respondents")
	dur := fs.Duration("d", 10*time.Second, "how long to run (at most 10 minutes)")
	max := fs.Int("n", 0, "stop after this many sessions (0: no limit)")
	useJSON := fs.Bool("json", false, "submit to the JSON API instead of the form")
	token := fs.String("token", "", "an administrator token, to read the stored count back")
	if err := fs.Parse(args); err != nil {
		return err
	}
	u, err := url.Parse(*link)
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if err != nil || u.Host == "" || len(parts) != 3 || parts[0] != "s" {
		return errors.New("-url must be a survey link, http://HOST/s/ROUND/UNIT")
	}
	if *clients < 1 || *clients > 1000 || *dur <= 0 || *dur > 10*time.Minute {
		return errors.New("-c must be 1–1000 and -d at most 10m")
	}
	b := &bench{form: u.String(), base: u.Scheme + "://" + u.Host, round: parts[1], unit: parts[2], token: *token,
		client: &http.Client{Timeout: 30 * time.Second}}
	if *useJSON {
		if b.answers, err = b.sampleAnswers(); err != nil {
			return err
		}
	}
	before, err := b.stored()
	if err != nil {
		return err
	}
	// Sessions start until the time is up; the ones under way then finish
	// (on ctx, which only an interrupt ends), so every answer the server
	// stored was either acknowledged or counted as a failure.
	run, cancel := context.WithTimeout(ctx, *dur)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range *clients {
		wg.Go(func() {
			for run.Err() == nil && (*max == 0 || b.started() <= *max) {
				t0 := time.Now()
				var err error
				if *useJSON {
					err = b.jsonSession(ctx)
				} else {
					err = b.formSession(ctx)
				}
				b.done(time.Since(t0), err, ctx.Err() != nil)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	after, err := b.stored()
	if err != nil {
		return err
	}
	return b.report(stdout, *useJSON, *clients, elapsed, before, after)
}

type bench struct {
	form, base, round, unit, token string
	client                         *http.Client
	answers                        map[string]any // for JSON sessions

	mu        sync.Mutex
	begun, ok int
	failed    map[string]int // why, how often
	latencies []time.Duration
}

func (b *bench) started() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.begun++
	return b.begun
}

// done records a session; one cut short by an interrupt is not a
// failure (and, if the server stored it, shows as a mismatch only when
// the count read back says so).
func (b *bench) done(d time.Duration, err error, late bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case err == nil:
		b.ok++
		b.latencies = append(b.latencies, d)
	case late:
	default:
		if b.failed == nil {
			b.failed = map[string]int{}
		}
		b.failed[err.Error()]++
	}
}

// formSession is one citizen: a fresh cookie jar, the form, the answers,
// the thank-you page.
func (b *bench) formSession(ctx context.Context) error {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: b.client.Timeout}
	page, err := get(ctx, c, b.form)
	if err != nil {
		return err
	}
	values, err := fillForm(page)
	if err != nil {
		return err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, b.form, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req) // follows the 303 to the thank-you page
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "/thanks") {
		return fmt.Errorf("form: %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
	if !bytes.Contains(body, []byte("感谢")) {
		return errors.New("form: no thank-you page")
	}
	return nil
}

// jsonSession submits the sample answers under a fresh submission id.
func (b *bench) jsonSession(ctx context.Context) error {
	body, _ := json.Marshal(map[string]any{"sid": survey.NewSID(), "answers": b.answers})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost,
		b.base+"/api/v1/rounds/"+url.PathEscape(b.round)+"/units/"+url.PathEscape(b.unit)+"/responses", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("json: %d", resp.StatusCode)
	}
	return nil
}

// sampleAnswers reads the form once and turns its filled-in values into
// the API's answers.
func (b *bench) sampleAnswers() (map[string]any, error) {
	page, err := get(context.Background(), b.client, b.form)
	if err != nil {
		return nil, err
	}
	values, err := fillForm(page)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for k, v := range values {
		switch k {
		case "sid", "issued", "channel", "tag", "code", "website":
		default:
			out[k] = v[0]
		}
	}
	return out, nil
}

// stored is the unit's count from the progress API (-1 without a token).
func (b *bench) stored() (int, error) {
	if b.token == "" {
		return -1, nil
	}
	req, _ := http.NewRequest(http.MethodGet, b.base+"/api/v1/rounds/"+url.PathEscape(b.round)+"/progress", nil)
	req.Header.Set("Authorization", "Bearer "+b.token)
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var p struct {
		Units []struct {
			Unit     string `json:"unit"`
			Received int    `json:"received"`
		} `json:"units"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&p) != nil {
		return 0, fmt.Errorf("progress: %d", resp.StatusCode)
	}
	for _, u := range p.Units {
		if u.Unit == b.unit {
			return u.Received, nil
		}
	}
	return 0, fmt.Errorf("unit %s is not in round %s", b.unit, b.round)
}

func (b *bench) report(w io.Writer, useJSON bool, clients int, elapsed time.Duration, before, after int) error {
	kind := "form sessions (GET, POST, thank-you page)"
	if useJSON {
		kind = "JSON submissions"
	}
	slices.Sort(b.latencies)
	pct := func(p float64) time.Duration {
		if len(b.latencies) == 0 {
			return 0
		}
		return b.latencies[min(len(b.latencies)-1, int(p*float64(len(b.latencies))))]
	}
	fmt.Fprintf(w, "%d clients, %s: %d %s, %.1f/s\n", clients, elapsed.Round(time.Millisecond), b.ok, kind,
		float64(b.ok)/elapsed.Seconds())
	fmt.Fprintf(w, "latency p50 %s, p99 %s\n", pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond))
	for why, n := range b.failed {
		fmt.Fprintf(w, "failed %d: %s\n", n, why)
	}
	if before < 0 {
		fmt.Fprintln(w, "stored: not read (give -token to read the count back)")
		return nil
	}
	fmt.Fprintf(w, "stored %d more (%d → %d); acknowledged %d", after-before, before, after, b.ok)
	if d := after - before - b.ok; d != 0 {
		// A session cut short at the end may have been stored unacknowledged.
		fmt.Fprintf(w, "; mismatch %+d", d)
	}
	fmt.Fprintln(w)
	return nil
}

func get(ctx context.Context, c *http.Client, link string) ([]byte, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("form page: %d", resp.StatusCode)
	}
	return body, err
}

// fillForm answers a survey page as a hurried respondent would: the hidden
// fields as given, the first option of every single-choice question and
// rating, the first of every multi-choice one, nothing typed, the honeypot
// left empty.
func fillForm(page []byte) (url.Values, error) {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, err
	}
	values := url.Values{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" {
			attr := map[string]string{}
			for _, a := range n.Attr {
				attr[a.Key] = a.Val
			}
			name := attr["name"]
			switch attr["type"] {
			case "hidden":
				values.Set(name, attr["value"])
			case "radio", "checkbox":
				if name != "" && !values.Has(name) {
					values.Set(name, attr["value"])
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if values.Get("sid") == "" {
		return nil, errors.New("form page: no submission id (is the round open?)")
	}
	return values, nil
}
