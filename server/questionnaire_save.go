package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"pinggu"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// saveQuestionnaire checks the posted JSON and either shows a phone
// preview (do=preview) or saves it: a new questionnaire, or a new version
// of ?code=. Syntax errors name the line and column.
func (s *Server) saveQuestionnaire(c echo.Context) error {
	code, text := c.FormValue("code"), c.FormValue("json")
	v := &questionnaireView{Code: code, JSON: text}
	q, err := parseQuestionnaire(text)
	if err == nil {
		q.Normalize()
		err = q.Validate()
	}
	if err == nil && c.FormValue("do") == "preview" {
		html, err := s.previewHTML(q)
		if err != nil {
			return err
		}
		// A plain string: html/template escapes it into the srcdoc attribute
		// and the browser decodes it back (template.HTML would be stripped of
		// its tags in an attribute).
		v.Preview = html
		return s.questionnairePage(c, http.StatusOK, v, nil, nil)
	}
	if err == nil {
		if code == "" {
			err = s.catalog.CreateQuestionnaire(c.Request().Context(), q)
		} else if err = checkPathCode(code, q.Code); err == nil {
			err = s.catalog.ReviseQuestionnaire(c.Request().Context(), code, q)
		}
	}
	fe, msg, err := formErrors(err)
	if err != nil {
		return err
	}
	if msg != "" {
		v.Error = msg
		return s.questionnairePage(c, http.StatusUnprocessableEntity, v, fe, q)
	}
	return s.redirectWith(c, "/admin/questionnaires", fmt.Sprintf("已保存问卷 %s 第%d版", q.Code, q.Version))
}

// parseQuestionnaire decodes the editor's text strictly, turning decoder
// errors into messages with a line and column.
func parseQuestionnaire(text string) (*pinggu.Questionnaire, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	var q pinggu.Questionnaire
	err := dec.Decode(&q)
	if err == nil && dec.More() {
		err = errors.New("JSON之后还有多余内容")
	}
	if err == nil {
		return &q, nil
	}
	msg := jsonWords(text, err)
	return nil, pinggu.FieldErrors{"json": msg}.Err("问卷JSON无法解析")
}

// jsonWords says in Chinese where and why a JSON text typed into the
// console does not read, instead of the decoder's English.
func jsonWords(text string, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "unexpected end"):
		return "JSON格式有误：内容不完整，缺少结尾的括号或引号"
	case errors.As(err, &syn):
		near := ""
		if i := int(syn.Offset) - 1; i >= 0 && i < len(text) {
			r, _ := utf8.DecodeRuneInString(text[i:])
			near = fmt.Sprintf("“%c”处", r)
		}
		return "JSON格式有误（" + lineCol(text, syn.Offset) + "）：" + near + "不合格式，请检查是否缺少或多了逗号、冒号、引号或括号"
	case errors.As(err, &typ):
		return "JSON格式有误（" + lineCol(text, typ.Offset) + "）：字段“" + typ.Field + "”的值应为" + jsonType(typ.Type.Kind().String())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "JSON格式有误：没有字段“" + strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`) + "”，请检查拼写"
	}
	return "JSON格式有误：" + err.Error()
}

// lineCol locates the byte the decoder stopped at (its offset counts the
// bytes read, the offending one included).
func lineCol(text string, offset int64) string {
	before := text[:max(0, min(int(offset)-1, len(text)))]
	line := strings.Count(before, "\n") + 1
	col := len([]rune(before[strings.LastIndex(before, "\n")+1:])) + 1
	return fmt.Sprintf("第%d行第%d列", line, col)
}
