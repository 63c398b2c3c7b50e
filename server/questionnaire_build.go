package server

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"pinggu"
)

// The questionnaire builder edits a questionnaire with forms, one question
// at a time, without script: the whole draft travels with every post, and
// each button (add, move, delete, import, preview, save) answers with the
// draft changed and a fresh phone preview. Nothing is stored until 保存.

// builderView is the builder's page.
type builderView struct {
	consoleView
	Orig    string // the questionnaire being revised ("" for a new one)
	Q       *pinggu.Questionnaire
	Types   []option
	Notes   []string // what the text import guessed
	Error   string
	Errors  []string // every problem, in words
	Preview string
	Paste   string
}

var questionTypes = []pinggu.QuestionType{pinggu.Scale, pinggu.Single, pinggu.Multi, pinggu.Rating, pinggu.Text}

// buildQuestionnaire shows the builder for ?code= (its latest version) or
// for a new questionnaire starting with one satisfaction question.
func (s *Server) buildQuestionnaire(c echo.Context) error {
	v := &builderView{Orig: c.QueryParam("code")}
	if v.Orig != "" {
		q, err := s.catalog.Questionnaire(c.Request().Context(), v.Orig, 0)
		if err != nil {
			return err
		}
		v.Q = q
	} else {
		v.Q = &pinggu.Questionnaire{Questions: []pinggu.Question{newQuestion(pinggu.Scale, "Q1")}}
	}
	return s.builderPage(c, http.StatusOK, v)
}

// postBuilder applies one button to the posted draft.
func (s *Server) postBuilder(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	q, problems := readDraft(form)
	v := &builderView{Orig: form.Get("orig"), Q: q, Paste: form.Get("paste")}
	act, arg, _ := strings.Cut(form.Get("act"), ":")
	i, _ := strconv.Atoi(arg)
	switch act {
	case "add":
		t := pinggu.QuestionType(form.Get("newtype"))
		q.Questions = append(q.Questions, newQuestion(t, nextCode(q)))
	case "up", "down", "del":
		moveQuestion(q, act, i)
	case "import":
		draft, notes := pinggu.ReadQuestionnaireText(v.Paste)
		if len(draft.Questions) == 0 {
			v.Error = "没有识别到题目：题目须以题号开头（如“1.”“2、”），选项以字母或方框开头（如“A. 很满意”“□很满意”）"
			return s.builderPage(c, http.StatusUnprocessableEntity, v)
		}
		draft.Code = q.Code
		q, v.Q, v.Notes, v.Paste = draft, draft, notes, ""
	case "save":
		if len(problems) == 0 {
			return s.saveDraft(c, v)
		}
	}
	if len(problems) > 0 {
		v.Error, v.Errors = "请改正以下问题", problems
		return s.builderPage(c, http.StatusUnprocessableEntity, v)
	}
	return s.builderPage(c, http.StatusOK, v)
}

// saveDraft stores the draft as a new questionnaire or a new version.
func (s *Server) saveDraft(c echo.Context, v *builderView) error {
	q := v.Q
	q.Normalize()
	err := q.Validate()
	if err == nil {
		if v.Orig == "" {
			err = s.catalog.CreateQuestionnaire(c.Request().Context(), q)
		} else if err = checkPathCode(v.Orig, q.Code); err == nil {
			err = s.catalog.ReviseQuestionnaire(c.Request().Context(), v.Orig, q)
		}
	}
	fe, msg, err := formErrors(err)
	if err != nil {
		return err
	}
	if msg != "" {
		v.Error, v.Errors = msg, fieldWords(q, fe)
		return s.builderPage(c, http.StatusUnprocessableEntity, v)
	}
	return s.redirectWith(c, "/admin/questionnaires", fmt.Sprintf("已保存问卷「%s」第%d版", q.Title, q.Version))
}

func (s *Server) builderPage(c echo.Context, status int, v *builderView) error {
	// A dimension a question uses but the list lacks (questionnaires from
	// before dimensions had names) is listed to be named, so no select
	// drops it.
	for _, q := range v.Q.Questions {
		if q.Dimension != "" && !slices.ContainsFunc(v.Q.Dimensions, func(d pinggu.Dimension) bool { return d.Code == q.Dimension }) {
			v.Q.Dimensions = append(v.Q.Dimensions, pinggu.Dimension{Code: q.Dimension})
		}
	}
	for _, t := range questionTypes {
		v.Types = append(v.Types, option{string(t), pinggu.TypeLabel(t)})
	}
	if len(v.Q.Questions) > 0 {
		html, err := s.previewHTML(v.Q)
		if err != nil {
			return err
		}
		v.Preview = html
	}
	return s.pageStatus(c, status, "builder.html", v)
}

// newQuestion is a question of type t as the builder adds it: a scale comes
// with the 5-point satisfaction options and 不清楚, a choice with two
// empty options to fill in.
func newQuestion(t pinggu.QuestionType, code string) pinggu.Question {
	q := pinggu.Question{Code: code, Type: t, Required: t == pinggu.Scale}
	switch t {
	case pinggu.Scale:
		for i, l := range []string{"很满意", "满意", "基本满意", "不满意", "很不满意"} {
			score := float64(100 - 20*i)
			q.Options = append(q.Options, pinggu.Option{Code: strconv.Itoa(5 - i), Label: l, Score: &score})
		}
		q.Options = append(q.Options, pinggu.Option{Code: "9", Label: "不清楚"})
	case pinggu.Single, pinggu.Multi:
		q.Options = []pinggu.Option{{Code: "1"}, {Code: "2"}}
	default:
		q.Type = pinggu.Text
		if t == pinggu.Rating {
			q.Type = t
		}
	}
	return q
}

// nextCode is the first free Q-number.
func nextCode(q *pinggu.Questionnaire) string {
	for n := len(q.Questions) + 1; ; n++ {
		if code := "Q" + strconv.Itoa(n); q.Question(code) == nil {
			return code
		}
	}
}

func moveQuestion(q *pinggu.Questionnaire, act string, i int) {
	qs := q.Questions
	switch {
	case i < 0 || i >= len(qs):
	case act == "del":
		q.Questions = append(qs[:i], qs[i+1:]...)
	case act == "up" && i > 0:
		qs[i-1], qs[i] = qs[i], qs[i-1]
	case act == "down" && i+1 < len(qs):
		qs[i], qs[i+1] = qs[i+1], qs[i]
	}
}

// Rows are a question's options as the builder lists them: a choice
// question gets two empty rows to add options in.
func (v *builderView) Rows(q pinggu.Question) []pinggu.Option {
	switch q.Type {
	case pinggu.Single, pinggu.Multi, pinggu.Scale:
		return append(append([]pinggu.Option(nil), q.Options...), pinggu.Option{}, pinggu.Option{})
	}
	return nil
}

// Earlier are the questions before the i-th that a show-if may name.
func (v *builderView) Earlier(i int) []pinggu.Question {
	var out []pinggu.Question
	for _, q := range v.Q.Questions[:i] {
		if q.Type == pinggu.Single || q.Type == pinggu.Scale {
			out = append(out, q)
		}
	}
	return out
}

// Score is an option's score as the form shows it ("" for none).
func (v *builderView) Score(o pinggu.Option) string {
	if o.Score == nil {
		return ""
	}
	return strconv.FormatFloat(*o.Score, 'f', -1, 64)
}

// DimensionRows are the dimensions and one empty row to add one in.
func (v *builderView) DimensionRows() []pinggu.Dimension {
	return append(append([]pinggu.Dimension(nil), v.Q.Dimensions...), pinggu.Dimension{})
}
