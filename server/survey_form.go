package server

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"pinggu"
	"pinggu/survey"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

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
	Big       bool // the large-text page (适老化), asked for by ?size=large
}

// SizeQuery is the page's address with the other text size, keeping the
// link's channel, tag and code.
func (p *surveyPage) SizeQuery() string {
	v := url.Values{"ch": {p.Channel}}
	if !p.Big {
		v.Set("size", "large")
	}
	if p.Tag != "" {
		v.Set("tag", p.Tag)
	}
	if p.Code != "" {
		v.Set("code", p.Code)
	}
	return "?" + v.Encode()
}

// Conditional reports whether some questions are asked only after certain answers.
func (p *surveyPage) Conditional() bool {
	for _, q := range p.Form.Questionnaire.Questions {
		if q.ShowIf != nil {
			return true
		}
	}
	return false
}

type formView struct {
	Round         *pinggu.Round
	Unit          *pinggu.Unit
	Questionnaire *pinggu.Questionnaire
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

const deviceCookie = "pg_device"

// trapField is the honeypot: hidden from people (and screen readers), so
// only bots fill it in.
const trapField = "website"

// formChannels are the channel tags a survey link may carry (?ch=qr).
var formChannels = map[string]bool{"web": true, "qr": true, "link": true}

// surveyForm shows the questionnaire, or says when the round opens or that it closed.
func (s *Server) surveyForm(c echo.Context) error {
	f, err := s.survey.Form(c.Request().Context(), c.Param("round"), c.Param("unit"))
	if err != nil {
		return err
	}
	switch f.Phase {
	case pinggu.Upcoming:
		s.phaseNotice(c, f, http.StatusOK)
		return nil
	case pinggu.Over:
		s.phaseNotice(c, f, http.StatusGone)
		return nil
	}
	if full, err := s.survey.Full(c.Request().Context(), f); err != nil {
		return err
	} else if full {
		s.notice(c, http.StatusOK, noticePage{Title: f.Round.Title, Unit: f.Unit.Name, Heading: "样本已收集完毕",
			Lines: []string{f.Unit.Name + "的问卷已收满，无需再填写，感谢您的关注。"}})
		return nil
	}
	s.device(c)
	ch := c.QueryParam("ch")
	if !formChannels[ch] {
		ch = string(pinggu.ChannelWeb)
	}
	sid := survey.NewSID()
	return s.renderSurvey(c, http.StatusOK, f, &surveyPage{
		SID: sid, Stamp: s.survey.Stamp(sid, f.Round.Code, f.Unit.Code, s.cfg.Now()), Channel: ch, Code: c.QueryParam("code"),
		Tag: linkTag(c.QueryParam("tag"))})
}

const cnTime = "2006年1月2日 15:04"

func (s *Server) renderSurvey(c echo.Context, status int, f *survey.Form, p *surveyPage) error {
	p.Form = &formView{Round: f.Round, Unit: f.Unit, Questionnaire: f.Questionnaire}
	p.Intro = f.Round.Intro
	if p.Intro == "" {
		p.Intro = f.Questionnaire.Intro
	}
	p.Action = "/s/" + url.PathEscape(f.Round.Code) + "/" + url.PathEscape(f.Unit.Code)
	if p.Big = c.QueryParam("size") == "large"; p.Big {
		p.Action += "?size=large" // an answer sent back for a correction keeps the large text
	}
	p.CondCSS = conditionalCSS(f.Questionnaire)
	p.NeedCode = f.Round.Integrity.Invitations
	p.ErrorList = orderedErrors(f.Questionnaire, p.Errors)
	var body []byte
	var err error
	if len(p.Errors) == 0 && len(p.Values) == 0 && p.Notice == "" {
		// A fresh page is the same for every respondent of the unit but
		// for a few values: render it once, fill them in per request.
		body, err = s.fresh.page(pageKey(f, p.Tag != "", p.Code != "", p.Big), s.cfg.Now(), p,
			func(marked *surveyPage) ([]byte, error) { return s.renderPage("survey.html", marked) })
	} else {
		body, err = s.renderPage("survey.html", p)
	}
	if err != nil {
		return err
	}
	// Every page carries a fresh submission id: never serve it from a cache.
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.HTMLBlob(status, body)
}

// orderedErrors lists field errors in question order for the summary box.
func orderedErrors(q *pinggu.Questionnaire, fe pinggu.FieldErrors) []fieldError {
	var out []fieldError
	for i, qq := range q.Questions {
		if msg, ok := fe[qq.Code]; ok {
			out = append(out, fieldError{Code: qq.Code, No: i + 1, Message: msg})
		}
	}
	var rest []string
	for code := range fe {
		if q.Question(code) == nil {
			rest = append(rest, code)
		}
	}
	sort.Strings(rest)
	for _, code := range rest {
		out = append(out, fieldError{Code: code, Message: fe[code]})
	}
	return out
}

// linkTag keeps a link's source tag when it is valid. A citizen cannot fix
// a mangled link, so a bad tag is dropped rather than refused.
func linkTag(t string) string {
	if !pinggu.ValidTag(t) {
		return ""
	}
	return t
}

// device returns the respondent's long-lived device token, setting one on
// first visit. It identifies a browser, never a person.
func (s *Server) device(c echo.Context) string {
	if ck, err := c.Cookie(deviceCookie); err == nil && pinggu.ValidSID(ck.Value) {
		return ck.Value
	}
	tok := survey.NewDeviceToken()
	c.SetCookie(&http.Cookie{Name: deviceCookie, Value: tok, Path: "/s/", MaxAge: int((2 * 365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	return tok
}
