package server

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"pinggu"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// flashCookie carries a one-time notice ("已保存…") to the page a change
// redirects to. A cookie rather than the URL, so a link cannot make the
// console say something it did not do.
const flashCookie = "pg_notice"

// redirectWith redirects after a change with a notice for the next page.
func (s *Server) redirectWith(c echo.Context, path, notice string) error {
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: url.QueryEscape(notice), Path: "/admin", MaxAge: 60,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusSeeOther, path)
}

// takeNotice returns the pending notice, once.
func (s *Server) takeNotice(c echo.Context) string {
	ck, err := c.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: "", Path: "/admin", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	notice, _ := url.QueryUnescape(ck.Value)
	return notice
}

func (s *Server) page(c echo.Context, name string, data any) error {
	body, err := s.renderPage(name, data)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.HTMLBlob(http.StatusOK, body)
}

// formErrors splits an error for a form: field messages, or the error
// itself when it is not about the input (it then goes to the error page).
func formErrors(err error) (pinggu.FieldErrors, string, error) {
	if err == nil {
		return nil, "", nil
	}
	code := pinggu.ErrorCode(err)
	if code != pinggu.Invalid && code != pinggu.Conflict && code != pinggu.Malformed && code != pinggu.NotFound {
		return nil, "", err
	}
	fe := pinggu.ErrorFields(err)
	if fe == nil {
		fe = pinggu.FieldErrors{}
	}
	return fe, pinggu.ErrorMessage(err), nil
}

// consoleView is what every console page shows around its content: the
// navigation for who is signed in, and a one-time notice ("已保存…").
// Each page's view embeds it.
type consoleView struct {
	Nav  navView
	Done string
}

func (v *consoleView) chrome() *consoleView { return v }

// consolePage is the view of a console page.
type consolePage interface{ chrome() *consoleView }

// pageStatus renders a console page with a status (422 for a form error).
func (s *Server) pageStatus(c echo.Context, status int, name string, v consolePage) error {
	v.chrome().Nav = nav(session(c))
	if n := &v.chrome().Nav; n.Unit != "" {
		// A reporter's unit by its name, not its code.
		if u, err := s.catalog.Unit(c.Request().Context(), n.Unit); err == nil {
			n.Unit = u.Name
		}
	}
	body, err := s.renderPage(name, v)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.HTMLBlob(status, body)
}

// rowErrors lists an upload's problems: a sheet's by row (the sheet's own
// first), anything else (a missing file) by field.
func rowErrors(err error) []fieldError {
	if rows := pinggu.ErrorRows(err); rows != nil {
		return sheetRows(rows)
	}
	return sortedFields(pinggu.ErrorFields(err))
}

// sheetRows lists a sheet's problems in row order, named as people read them.
func sheetRows(rows pinggu.RowErrors) []fieldError {
	out := make([]fieldError, 0, len(rows))
	for _, e := range rows.Sorted() {
		out = append(out, fieldError{Code: e.Place(), No: e.Row, Message: e.Message})
	}
	return out
}

// sortedFields lists field errors by field name.
func sortedFields(fe pinggu.FieldErrors) []fieldError {
	out := make([]fieldError, 0, len(fe))
	for k, v := range fe {
		out = append(out, fieldError{Code: k, Message: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// pages parses every embedded template once; a template that fails to parse
// fails start-up, not a request.
func parsePages(files fs.FS) (*template.Template, error) {
	// Times not tied to a round show in the installation's zone, 北京时间.
	beijing, err := time.LoadLocation(pinggu.DefaultTimezone)
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"bj":      func(t time.Time) string { return t.In(beijing).Format("2006-01-02 15:04") },
		"actor":   pinggu.ActorLabel,
		"adjKind": pinggu.AdjustmentLabel,
		// field is one labelled input of a form, with the error under its key.
		"field": func(fe pinggu.FieldErrors, key, id, name, value, label string) inputField {
			return inputField{ID: id, Name: name, Value: value, Label: label, Err: fe[key]}
		},
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
		"units.html", "questionnaires.html", "questionnaire.html", "builder.html", "indicators.html", "plans.html", "round_form.html", "flagged.html", "reports.html", "review.html", "task.html", "import.html", "users.html", "public.html", "self.html", "followup.html", "confirm.html", "console_error.html", "start.html"} {
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

// inputField is what the "num" template needs to draw one input.
type inputField struct{ ID, Name, Value, Label, Err string }

type fieldError struct {
	Code    string
	No      int
	Message string
}
