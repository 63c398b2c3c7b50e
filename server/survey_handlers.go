package server

import (
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/labstack/echo/v4"

	"pinggu"
	"pinggu/survey"
)

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

// surveySubmit takes the posted form. Success redirects to the thank-you
// page (so a reload does not resubmit); a wrong answer re-renders the form
// with every answer kept and the message beside the question.
func (s *Server) surveySubmit(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return pinggu.Wrap(pinggu.Malformed, err, "表单编码有误，请重新填写")
	}
	round, unit := c.Param("round"), c.Param("unit")
	sub := survey.Submission{
		SID: form.Get("sid"), Round: round, Unit: unit, Answers: answersOf(form),
		Channel: pinggu.Channel(form.Get("channel")), Device: s.device(c), IP: c.RealIP(), Stamp: form.Get("issued"),
		Trap: form.Get(trapField), Code: form.Get("code"), Tag: linkTag(form.Get("tag")),
	}
	if !formChannels[string(sub.Channel)] {
		sub.Channel = pinggu.ChannelWeb
	}
	if !pinggu.ValidSID(sub.SID) {
		// A form that lost its id (an old cached page, a tampered field)
		// gets a new one rather than an error the respondent cannot fix.
		sub.SID, sub.Stamp = survey.NewSID(), ""
	}
	rec, err := s.survey.Submit(c.Request().Context(), sub)
	switch pinggu.ErrorCode(err) {
	case "":
	case pinggu.Invalid:
		f, ferr := s.survey.Form(c.Request().Context(), round, unit)
		if ferr != nil {
			return ferr
		}
		return s.renderSurvey(c, http.StatusUnprocessableEntity, f, &surveyPage{
			SID: sub.SID, Stamp: sub.Stamp, Channel: string(sub.Channel), Tag: sub.Tag, Values: sub.Answers, Code: sub.Code,
			Errors: pinggu.ErrorFields(err)})
	case pinggu.Unavailable:
		// Nothing was stored: say so, keep every answer in the page, and
		// tell the browser when to try again.
		f, ferr := s.survey.Form(c.Request().Context(), round, unit)
		if ferr != nil {
			return err
		}
		c.Response().Header().Set("Retry-After", "30")
		return s.renderSurvey(c, http.StatusServiceUnavailable, f, &surveyPage{
			SID: sub.SID, Stamp: sub.Stamp, Channel: string(sub.Channel), Tag: sub.Tag, Values: sub.Answers,
			Notice: "系统繁忙，您的答卷尚未提交成功。答案已保留，请稍等片刻后再次点击“提交”。"})
	case pinggu.Conflict:
		s.notice(c, http.StatusConflict, noticePage{Title: "满意度测评", Heading: "您已参加过本次测评", Lines: []string{pinggu.ErrorMessage(err)}})
		return nil
	case pinggu.QuotaFull:
		f, ferr := s.survey.Form(c.Request().Context(), round, unit)
		if ferr != nil {
			return ferr
		}
		s.notice(c, http.StatusOK, noticePage{Title: f.Round.Title, Unit: f.Unit.Name, Heading: "本单位样本已满",
			Lines: []string{pinggu.ErrorMessage(err)}})
		return nil
	case pinggu.NotYetOpen, pinggu.Closed:
		f, ferr := s.survey.Form(c.Request().Context(), round, unit)
		if ferr != nil {
			return ferr
		}
		// Nothing was stored: a submit before opening is a conflict, after closing gone.
		s.phaseNotice(c, f, statusOf(pinggu.ErrorCode(err)))
		return nil
	default:
		if err != nil {
			return err
		}
	}
	return c.Redirect(http.StatusSeeOther, "/s/"+url.PathEscape(round)+"/"+url.PathEscape(unit)+"/thanks?id="+url.QueryEscape(rec.ID))
}

// surveyThanks is the same page for a first submission and for every retry of it.
func (s *Server) surveyThanks(c echo.Context) error {
	f, err := s.survey.Form(c.Request().Context(), c.Param("round"), c.Param("unit"))
	if err != nil {
		return err
	}
	lines := []string{"您的答卷已成功提交，感谢您对法治政府建设的关注与支持！"}
	if id := c.QueryParam("id"); pinggu.ValidSID(id) {
		lines = append(lines, "回执编号："+id)
	}
	s.notice(c, http.StatusOK, noticePage{Title: f.Round.Title, Unit: f.Unit.Name, Heading: "提交成功", Lines: lines})
	return nil
}

// phaseNotice says when a round opens or that it has closed.
func (s *Server) phaseNotice(c echo.Context, f *survey.Form, status int) {
	loc := f.Round.Location()
	p := noticePage{Title: f.Round.Title, Unit: f.Unit.Name}
	if f.Phase == pinggu.Upcoming {
		p.Heading = "本次测评尚未开始"
		p.Lines = []string{"将于 " + f.Round.OpensAt.In(loc).Format(cnTime) + " 开始，欢迎届时参与。",
			"截止时间：" + f.Round.ClosesAt.In(loc).Format(cnTime)}
	} else {
		p.Heading = "本次测评已结束"
		p.Lines = []string{"已于 " + f.Round.ClosesAt.In(loc).Format(cnTime) + " 截止，感谢您的关注。"}
	}
	s.notice(c, status, p)
}

const cnTime = "2006年1月2日 15:04"

func (s *Server) renderSurvey(c echo.Context, status int, f *survey.Form, p *surveyPage) error {
	p.Form = &formView{Round: f.Round, Unit: f.Unit, Questionnaire: f.Questionnaire}
	p.Intro = f.Round.Intro
	if p.Intro == "" {
		p.Intro = f.Questionnaire.Intro
	}
	p.Action = "/s/" + url.PathEscape(f.Round.Code) + "/" + url.PathEscape(f.Unit.Code)
	p.CondCSS = conditionalCSS(f.Questionnaire)
	p.NeedCode = f.Round.Integrity.Invitations
	p.ErrorList = orderedErrors(f.Questionnaire, p.Errors)
	body, err := s.renderPage("survey.html", p)
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

// answersOf takes the question fields of a posted form.
func answersOf(form url.Values) pinggu.Answers {
	a := pinggu.Answers{}
	for k, v := range form {
		switch k {
		case "sid", "issued", "channel", "code", "tag", trapField:
		default:
			a[k] = v
		}
	}
	return a
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
