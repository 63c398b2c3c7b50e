package server_test

import (
	"fmt"
	"html"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"pinggu"
)

// formFields reads a page's form as a browser would submit it: inputs
// (checkboxes only when checked), each select's selected option, textareas.
func formFields(page string) url.Values {
	v := url.Values{}
	attr := func(tag, name string) (string, bool) {
		m := regexp.MustCompile(`\s` + name + `="([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return "", false
		}
		return html.UnescapeString(m[1]), true
	}
	for _, tag := range regexp.MustCompile(`<input[^>]*>`).FindAllString(page, -1) {
		name, ok := attr(tag, "name")
		typ, _ := attr(tag, "type")
		if !ok || typ == "checkbox" && !strings.Contains(tag, " checked") {
			continue
		}
		val, _ := attr(tag, "value")
		if typ == "checkbox" && val == "" {
			val = "on"
		}
		v.Add(name, val)
	}
	for _, m := range regexp.MustCompile(`(?s)<select[^>]*name="([^"]*)"[^>]*>(.*?)</select>`).FindAllStringSubmatch(page, -1) {
		opts := regexp.MustCompile(`<option value="([^"]*)"( selected)?`).FindAllStringSubmatch(m[2], -1)
		val := ""
		if len(opts) > 0 {
			val = opts[0][1]
		}
		for _, o := range opts {
			if o[2] != "" {
				val = o[1]
			}
		}
		v.Set(m[1], html.UnescapeString(val))
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea[^>]*name="([^"]*)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(page, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// TestQuestionnaireBuilder edits a questionnaire with forms only, as a
// browser without script would: add, fill in, reorder, delete, see errors
// in words, save; then paste a Word questionnaire of 14 questions.
func TestQuestionnaireBuilder(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	h.admin()
	page := string(h.get("/admin/questionnaires/build").body)
	if !strings.Contains(page, "共 1 题") || !strings.Contains(page, `class="phone"`) {
		t.Fatalf("a new questionnaire starts with one question and a preview:\n%s", page)
	}
	post := func(form url.Values, act string, want int) string {
		t.Helper()
		form.Set("act", act)
		r := h.postForm("/admin/questionnaires/build", form)
		if r.status != want {
			t.Fatalf("%s = %d, want %d: %s", act, r.status, want, r.body)
		}
		return string(r.body)
	}
	f := formFields(page)
	f.Set("code", "jd2025")
	f.Set("title", "街道满意度")
	f.Set("d.0.code", "fuwu")
	f.Set("d.0.name", "窗口服务")
	f.Set("q.0.text", "您对窗口服务是否满意？")
	f.Set("newtype", "single")
	page = post(f, "add", 200)
	if !strings.Contains(page, "共 2 题") || !strings.Contains(page, `name="q.1.type"`) {
		t.Fatal("add did not add a second question")
	}
	f = formFields(page)
	f.Set("q.1.text", "您的性别")
	f.Set("q.1.o.0.label", "男")
	f.Set("q.1.o.1.label", "女")
	f.Set("q.0.dimension", "fuwu")
	page = post(f, "up:1", 200)
	f = formFields(page)
	if f.Get("q.0.text") != "您的性别" || f.Get("q.1.text") != "您对窗口服务是否满意？" || f.Get("q.1.dimension") != "fuwu" {
		t.Fatalf("after moving up: %v", f)
	}
	// The preview shows the draft as citizens will see it.
	if !strings.Contains(page, "您的性别") || !strings.Contains(page, "srcdoc=") {
		t.Fatal("no preview of the draft")
	}
	// A score on 不清楚 of a choice question, and a score that is no number: errors name the question and the option in words.
	f.Set("q.1.o.5.score", "abc")
	page = post(f, "save", 422)
	if !strings.Contains(page, "第2题「您对窗口服务是否满意？」选项「不清楚」：分值须是数字") {
		t.Fatalf("error not in words:\n%s", page)
	}
	f.Set("q.1.o.5.score", "")
	f.Set("q.0.o.1.code", "1") // the same code twice
	page = post(f, "save", 422)
	if !strings.Contains(page, "第1题「您的性别」选项「女」的编码：选项编码&#34;1&#34;重复") {
		t.Fatalf("validation error not in words:\n%s", page)
	}
	if h.api("GET", "/api/v1/questionnaires/jd2025", nil).status != 404 {
		t.Fatal("an invalid draft was saved")
	}
	f.Set("q.0.o.1.code", "2")
	post(f, "add", 200)
	f.Set("newtype", "text")
	f = formFields(post(f, "add", 200))
	page = post(f, "del:2", 200)
	f = formFields(page)
	if !strings.Contains(page, "共 2 题") {
		t.Fatal("delete did not delete")
	}
	if r := h.postForm("/admin/questionnaires/build", withAct(f, "save")); r.status != 303 {
		t.Fatalf("save = %d %s", r.status, r.body)
	}
	q := h.mustAPI("GET", "/api/v1/questionnaires/jd2025", nil, 200).json(t)
	qs := q["questions"].([]any)
	if len(qs) != 2 || qs[0].(map[string]any)["text"] != "您的性别" || qs[1].(map[string]any)["dimension"] != "fuwu" ||
		q["dimensions"].([]any)[0].(map[string]any)["name"] != "窗口服务" {
		t.Fatalf("saved = %v", q)
	}

	// Pasting a Word questionnaire of 14 questions gives a draft of 14,
	// with the guesses listed; saving it stores 14 questions.
	f = formFields(string(h.get("/admin/questionnaires/build").body))
	word, err := os.ReadFile("../testdata/word-questionnaire.txt")
	if err != nil {
		t.Fatal(err)
	}
	f.Set("paste", string(word))
	page = post(f, "import", 200)
	if !strings.Contains(page, "共 14 题") || !strings.Contains(page, "识别为满意度量表") {
		t.Fatalf("import:\n%s", page)
	}
	f = formFields(page)
	f.Set("code", "fz2025")
	if r := h.postForm("/admin/questionnaires/build", withAct(f, "save")); r.status != 303 {
		t.Fatalf("save import = %d %s", r.status, r.body)
	}
	if got := h.mustAPI("GET", "/api/v1/questionnaires/fz2025", nil, 200).json(t)["questions"].([]any); len(got) != 14 {
		t.Fatalf("imported %d questions", len(got))
	}
}

// TestBuilderKeepsWhatItDoesNotShow: the seeded questionnaire (every
// question type, a show-if, a dimension without a name) goes through the
// builder unchanged once its dimension is named.
func TestBuilderKeepsWhatItDoesNotShow(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	h.admin()
	f := formFields(string(h.get("/admin/questionnaires/build?code=fz2024").body))
	if f.Get("d.0.code") != "zwfw" || f.Get("q.0.dimension") != "zwfw" {
		t.Fatalf("the unnamed dimension is not listed to be named: %v", f)
	}
	if r := h.postForm("/admin/questionnaires/build", withAct(f, "save")); r.status != 422 || !strings.Contains(string(r.body), "第1个维度「」的名称") {
		t.Fatalf("saving without naming the dimension = %d %s", r.status, r.body)
	}
	f.Set("d.0.name", "政务服务")
	if r := h.postForm("/admin/questionnaires/build", withAct(f, "save")); r.status != 303 {
		t.Fatalf("save = %d %s", r.status, r.body)
	}
	got := h.mustAPI("GET", "/api/v1/questionnaires/fz2024", nil, 200).json(t)
	want := questionnaireJSON()
	for i, wq := range want["questions"].([]map[string]any) {
		gq := got["questions"].([]any)[i].(map[string]any)
		for _, k := range []string{"code", "type", "text", "dimension", "maxPicks", "maxLength", "required"} {
			if fmt.Sprint(gq[k]) != fmt.Sprint(wq[k]) && (wq[k] != nil || gq[k] != nil) {
				t.Errorf("question %d %s = %v, want %v", i+1, k, gq[k], wq[k])
			}
		}
		if len(asSlice(gq["options"])) != len(asSlice(wq["options"])) {
			t.Errorf("question %d has %d options, want %d", i+1, len(asSlice(gq["options"])), len(asSlice(wq["options"])))
		}
	}
	if s := got["questions"].([]any)[2].(map[string]any)["showIf"]; fmt.Sprint(s) != "map[in:[2] question:D1]" {
		t.Errorf("show-if = %v", s)
	}
	if got["version"] != 2.0 || got["dimensions"].([]any)[0].(map[string]any)["name"] != "政务服务" {
		t.Errorf("saved = %v", got)
	}
}

func asSlice(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case []pinggu.Option:
		out := make([]any, len(v))
		for i := range v {
			out[i] = v[i]
		}
		return out
	case []map[string]any:
		out := make([]any, len(v))
		for i := range v {
			out[i] = v[i]
		}
		return out
	}
	return nil
}

func withAct(f url.Values, act string) url.Values {
	f.Set("act", act)
	return f
}
