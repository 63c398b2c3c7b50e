package server

import (
	"net/http"
	"net/url"
	"pinggu"
	"pinggu/survey"

	"github.com/labstack/echo/v4"
)

// noticePage is what notice.html shows: a round not open yet, closed, a
// thank-you, or an error.
type noticePage struct {
	Title   string
	Unit    string
	Heading string
	Lines   []string
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
	rec, err := s.submit(c, sub)
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
	// What happens next, and no receipt number: the answers are anonymous,
	// so nobody could look one up, and a long code only puzzles.
	loc := f.Round.Location()
	lines := []string{"您的答卷已成功提交，感谢您对法治政府建设的关注与支持！",
		"本次测评截至" + f.Round.ClosesAt.In(loc).Format(cnTime) + "，结果由第三方评估机构汇总分析后公布。",
		"每人只需填写一次，无需重复提交。"}
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
