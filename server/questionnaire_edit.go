package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"pinggu"
	"strings"

	"github.com/labstack/echo/v4"
)

// questionnaireStarter is what a new questionnaire's editor starts from.
const questionnaireStarter = `{
  "code": "",
  "title": "",
  "intro": "",
  "questions": [
    {"code": "Q1", "type": "scale", "text": "您对该单位依法办事的总体评价", "required": true, "dimension": "overall",
     "options": [
       {"code": "5", "label": "很满意", "score": 100},
       {"code": "4", "label": "满意", "score": 80},
       {"code": "3", "label": "基本满意", "score": 60},
       {"code": "2", "label": "不太满意", "score": 40},
       {"code": "1", "label": "不满意", "score": 0}
     ]}
  ]
}`

// editQuestionnaire shows the JSON editor: a new questionnaire, or the
// latest version of ?code= (saving makes a new version).
func (s *Server) editQuestionnaire(c echo.Context) error {
	text, code := questionnaireStarter, c.QueryParam("code")
	if code != "" {
		q, err := s.catalog.Questionnaire(c.Request().Context(), code, 0)
		if err != nil {
			return err
		}
		b, err := json.MarshalIndent(q, "", "  ")
		if err != nil {
			return err
		}
		text = string(b)
	}
	return s.questionnairePage(c, http.StatusOK, &questionnaireView{Code: code, JSON: text}, nil, nil)
}

// questionnaireView is the questionnaire editor: the JSON, its mistakes
// pointing at their lines, and the phone preview.
type questionnaireView struct {
	consoleView
	Code, JSON string
	Error      string
	ErrorList  []fieldError
	Preview    string // the survey page, for the sandboxed iframe's srcdoc
}

// questionnairePage shows the editor; errors of a parsed questionnaire q
// name the question in words and the line it starts on.
func (s *Server) questionnairePage(c echo.Context, status int, v *questionnaireView, errs pinggu.FieldErrors, q *pinggu.Questionnaire) error {
	if errs != nil {
		list := sortedFields(errs)
		lines := questionLines(v.JSON)
		for i, e := range list {
			if q != nil {
				list[i].Code = fieldPlace(q, e.Code)
			}
			// Point at the question in the text: "questions[2].options" → 第14行.
			var n int
			if _, err := fmt.Sscanf(e.Code, "questions[%d]", &n); err == nil && n < len(lines) {
				list[i].Code += fmt.Sprintf("（第%d行起）", lines[n])
			}
		}
		v.ErrorList = list
	}
	return s.pageStatus(c, status, "questionnaire.html", v)
}

// questionLines finds the line on which each question object of the
// editor's JSON starts.
func questionLines(text string) []int {
	dec := json.NewDecoder(strings.NewReader(text))
	var lines []int
	depth, inQuestions, key := 0, false, ""
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return lines
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if t == '{' && inQuestions && depth == 2 {
					// The offset before the token may sit before spaces and a comma.
					start := int(before) + strings.IndexByte(text[before:], '{')
					lines = append(lines, strings.Count(text[:start], "\n")+1)
				}
				if t == '[' && depth == 1 && key == "questions" {
					inQuestions = true
				}
				depth++
			default:
				depth--
				if depth == 1 {
					inQuestions = false
				}
			}
			key = ""
		case string:
			if depth == 1 && key == "" && dec.More() {
				key = t
			} else {
				key = ""
			}
		default:
			key = ""
		}
	}
}

// previewHTML renders the questionnaire with the survey page's own
// template, as a phone shows it; the console frames it at phone width.
func (s *Server) previewHTML(q *pinggu.Questionnaire) (string, error) {
	r := &pinggu.Round{Code: "preview", Title: q.Title, Timezone: pinggu.DefaultTimezone}
	u := &pinggu.Unit{Code: "preview", Name: "（示例单位）"}
	p := &surveyPage{Form: &formView{Round: r, Unit: u, Questionnaire: q}, Intro: q.Intro, Action: "#",
		CondCSS: conditionalCSS(q), Channel: "web"}
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, "survey.html", p); err != nil {
		return "", err
	}
	return buf.String(), nil
}
