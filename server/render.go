package server

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"strconv"
	"strings"

	"pinggu"
)

// pages parses every embedded template once; a template that fails to parse
// fails start-up, not a request.
func parsePages(files fs.FS) (*template.Template, error) {
	funcs := template.FuncMap{
		"inc":       func(i int) int { return i + 1 },
		"f1":        func(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) },
		"neg":       func(x int) int { return -x },
		"pp":        func(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) }, // a rate change in percentage points
		"typeLabel": pinggu.UnitTypeLabel,
		"hasPrefix": strings.HasPrefix,
		"err":       func(fe pinggu.FieldErrors, k string) string { return fe[k] },
		"pct":       func(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) + "%" },
		"checked": func(a pinggu.Answers, q, v string) bool {
			for _, x := range a[q] {
				if x == v {
					return true
				}
			}
			return false
		},
		"value": func(a pinggu.Answers, q string) string {
			if len(a[q]) == 0 {
				return ""
			}
			return a[q][0]
		},
		"ratings": func() []string {
			out := make([]string, 0, pinggu.RatingMax-pinggu.RatingMin+1)
			for i := pinggu.RatingMin; i <= pinggu.RatingMax; i++ {
				out = append(out, strconv.Itoa(i))
			}
			return out
		},
		"meta": func(p *surveyPage, q pinggu.Question) questionMeta {
			return questionMeta{Q: q, Err: p.Errors[q.Code], Cond: p.condition(q)}
		},
	}
	t, err := template.New("").Funcs(funcs).ParseFS(files, "*.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	for _, name := range []string{"survey.html", "notice.html", "login.html", "home.html", "round.html", "poster.html", "audit.html",
		"units.html", "questionnaires.html", "questionnaire.html", "indicators.html", "plans.html", "round_form.html", "flagged.html", "reports.html", "review.html", "task.html", "import.html"} {
		if t.Lookup(name) == nil {
			return nil, fmt.Errorf("template %s is missing", name)
		}
	}
	return t, nil
}

func (s *Server) renderPage(name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// surveyPage is what survey.html shows.
type surveyPage struct {
	Form      *formView
	Intro     string
	Action    string
	SID       string
	Stamp     string
	Channel   string
	Tag       string // the link's source tag, carried to the response
	Values    pinggu.Answers
	Errors    pinggu.FieldErrors
	ErrorList []fieldError
	Notice    string // a problem that is not about any answer
	NeedCode  bool   // the round requires an invitation code
	Code      string
	CondCSS   template.CSS
}

type formView struct {
	Round         *pinggu.Round
	Unit          *pinggu.Unit
	Questionnaire *pinggu.Questionnaire
}

type fieldError struct {
	Code    string
	No      int
	Message string
}

type questionMeta struct {
	Q    pinggu.Question
	Err  string
	Cond string
}

// condition describes a question's showIf in words, e.g.
// 第5题选择“企业经营者”, shown where a browser cannot hide the question.
func (p *surveyPage) condition(q pinggu.Question) string {
	if q.ShowIf == nil {
		return ""
	}
	qs := p.Form.Questionnaire.Questions
	for i := range qs {
		if qs[i].Code != q.ShowIf.Question {
			continue
		}
		labels := make([]string, 0, len(q.ShowIf.In))
		for _, c := range q.ShowIf.In {
			if o := qs[i].Option(c); o != nil {
				labels = append(labels, "“"+o.Label+"”")
			}
		}
		return fmt.Sprintf("第%d题选择%s", i+1, strings.Join(labels, "或"))
	}
	return ""
}

// conditionalCSS hides each showIf question until its condition is ticked,
// with CSS alone (:has), so skip logic works live without JavaScript.
// Browsers without :has show the question with its condition in words, and
// the server drops answers to questions whose condition is not met.
func conditionalCSS(q *pinggu.Questionnaire) template.CSS {
	var b strings.Builder
	for _, qq := range q.Questions {
		if qq.ShowIf == nil {
			continue
		}
		sel := make([]string, len(qq.ShowIf.In))
		for i, c := range qq.ShowIf.In {
			sel[i] = "#" + qq.ShowIf.Question + "-" + c + ":checked"
		}
		fmt.Fprintf(&b, "#q-%s{display:none}form:has(%s) #q-%s{display:block}", qq.Code, strings.Join(sel, ","), qq.Code)
	}
	if b.Len() == 0 {
		return ""
	}
	// Codes are restricted to [A-Za-z0-9_-], so they are safe in selectors.
	return template.CSS("@supports selector(:has(a)){" + b.String() + "}")
}

// noticePage is what notice.html shows: a round not open yet, closed, a
// thank-you, or an error.
type noticePage struct {
	Title   string
	Unit    string
	Heading string
	Lines   []string
}
