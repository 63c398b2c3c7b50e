package server_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"pinggu/demo"
)

// TestMobilePageIsSmallSelfContainedAndLabelled renders the demo
// questionnaire, the largest we ship, and checks it as a phone would get it.
func TestMobilePageIsSmallSelfContainedAndLabelled(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustAPI("POST", "/api/v1/units", map[string]any{"code": "chongchuan", "name": "崇川区", "type": "county", "peerGroup": "县市区"}, 201)
	h.mustAPI("POST", "/api/v1/questionnaires", demo.Questionnaire(), 201)
	round := roundJSON()
	round["questionnaire"], round["units"], round["quotas"] = "fz2024", []string{"chongchuan"}, map[string]int{}
	h.mustAPI("POST", "/api/v1/rounds", round, 201)
	h.mustAPI("POST", "/api/v1/rounds/r2024/schedule", nil, 200)

	r := h.get("/s/r2024/chongchuan")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	if len(r.body) >= 50<<10 {
		t.Errorf("page is %d bytes, want under 50 KB", len(r.body))
	}
	t.Logf("demo survey page: %d bytes", len(r.body))
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	doc, err := html.Parse(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	labelFor := map[string]bool{}
	var inputs []*html.Node
	var legends, scripts int
	var walk func(n *html.Node, inLabel bool)
	walk = func(n *html.Node, inLabel bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script":
				scripts++
			case "link", "img", "iframe", "object", "embed":
				t.Errorf("external resource element <%s>", n.Data)
			case "label":
				inLabel = true
				if f := attr(n, "for"); f != "" {
					labelFor[f] = true
				}
			case "legend":
				legends++
			case "input", "textarea", "select":
				if attr(n, "type") != "hidden" {
					if !inLabel {
						inputs = append(inputs, n)
					}
				}
			}
			for _, a := range n.Attr {
				if (a.Key == "src" || a.Key == "href" || a.Key == "action") && (strings.Contains(a.Val, "//") || strings.HasPrefix(a.Val, "http")) {
					t.Errorf("<%s %s=%q> points outside the page's host", n.Data, a.Key, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inLabel)
		}
	}
	walk(doc, false)
	if scripts > 0 {
		t.Errorf("page has %d scripts; it must work without JavaScript", scripts)
	}
	for _, in := range inputs {
		if !labelFor[attr(in, "id")] {
			t.Errorf("input %s=%s has no label", attr(in, "name"), attr(in, "value"))
		}
	}
	q := demo.Questionnaire()
	nonText := 0
	for _, qq := range q.Questions {
		if qq.Type != "text" {
			nonText++
		}
	}
	if legends != nonText {
		t.Errorf("%d legends for %d choice questions", legends, nonText)
	}
	body := string(r.body)
	if strings.Contains(body, "url(") || strings.Contains(body, "@import") {
		t.Error("CSS loads an external resource")
	}
	if !strings.Contains(body, `lang="zh-CN"`) || !strings.Contains(body, `name="viewport"`) {
		t.Error("page lacks lang or viewport")
	}
	// Scale items are one option per row (a label each), never a table.
	if strings.Contains(body, "<table") {
		t.Error("page uses a table")
	}
	// Skip logic works without JavaScript: Q15 is hidden by CSS until D5=3.
	if !strings.Contains(body, "form:has(#D5-3:checked) #q-Q15{display:block}") {
		t.Error("no CSS skip rule for Q15")
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
