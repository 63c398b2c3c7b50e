package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"pinggu"
	"pinggu/evidence"
)

// followupView is a round's appeals and rectification items on one page
// (申诉与整改): staff see every unit's and answer, review and close; a
// unit's reporter sees its own, files appeals and reports on its items.
type followupView struct {
	consoleView
	Round, RoundCode, Today string
	Staff, IsAdmin          bool
	Unit                    string // the reporter's unit, if a reporter
	Units                   []pinggu.Unit
	Leaves                  []pinggu.Indicator // what an appeal may name
	Appeals                 []appealRow
	Items                   []itemRow
	Error                   string
	Errors                  pinggu.FieldErrors
	Target                  string // the appeal or item a mistake belongs to
}

type appealRow struct {
	ID, Unit, On, Reason, At, Decision, Answer string
	Rubric                                     pinggu.Rubric // of the leaf appealed, for the corrected entry
	Files                                      []evidenceLink
	Open                                       bool
}

type itemRow struct {
	ID, Unit, Source, Finding, Deadline, Status, Review string
	Overdue                                             int
	Reports                                             []string
	Files                                               []evidenceLink
	CanReport, CanReview, CanClose                      bool
}

// consoleFollowup shows the page.
func (s *Server) consoleFollowup(c echo.Context) error {
	return s.followupPage(c, http.StatusOK, &followupView{consoleView: consoleView{Done: s.takeNotice(c)}})
}

func (s *Server) followupPage(c echo.Context, status int, v *followupView) error {
	ctx := c.Request().Context()
	r, err := s.catalog.Round(ctx, c.Param("code"))
	if err != nil {
		return err
	}
	if r.Assessment == nil {
		return pinggu.Errorf(pinggu.NotFound, "%s不是考核轮次，没有申诉和整改", r.Title)
	}
	sys, err := s.assessment.IndicatorSystem(ctx, r.Assessment.IndicatorSystem, r.Assessment.IndicatorVersion)
	if err != nil {
		return err
	}
	units, err := s.catalog.Units(ctx)
	if err != nil {
		return err
	}
	unit := reporterUnit(c)
	appeals, err := s.assessment.Appeals(ctx, r.Code, unit)
	if err != nil {
		return err
	}
	items, err := s.assessment.Rectifications(ctx, r.Code, unit)
	if err != nil {
		return err
	}
	loc, names := r.Location(), pinggu.UnitNames(units)
	v.Round, v.RoundCode, v.Unit = r.Title, r.Code, unit
	v.Staff, v.IsAdmin = unit == "" && staffAccess.allows(session(c).Role), adminAccess.allows(session(c).Role)
	v.Units = pinggu.RoundUnits(units, r.Units)
	today := pinggu.Date(s.cfg.Now().In(loc).Format(pinggu.DateLayout))
	v.Today = string(today)
	v.Leaves = sys.Leaves()
	for _, a := range appeals {
		row := appealRow{ID: a.ID, Unit: names[a.Unit], On: "总分", Reason: a.Reason, At: a.At.In(loc).Format(consoleTimestamp),
			Decision: pinggu.DecisionLabel(a.Decision), Open: a.Decision == ""}
		if in := sys.Indicator(a.Indicator); in != nil {
			row.On, row.Rubric = in.Code+" "+in.Name, in.Rubric
		}
		if a.Answer != nil {
			row.Answer = a.Answer.Text
		}
		for _, e := range a.Evidence {
			row.Files = append(row.Files, evidenceLink{Name: e.Name, URL: "/admin/appeals/" + a.ID + "/evidence/" + e.ID})
		}
		v.Appeals = append(v.Appeals, row)
	}
	for _, it := range items {
		row := itemRow{ID: it.ID, Unit: names[it.Unit], Source: "考核失分", Finding: it.Finding, Deadline: string(it.Deadline),
			Status: pinggu.RectStatusLabel(it.Status), Overdue: it.DaysOverdue(today)}
		if it.Source == pinggu.RectFinding {
			row.Source = "督察等发现"
		}
		if it.Review != nil {
			row.Review = it.Review.Text
		}
		for _, rep := range it.Reports {
			row.Reports = append(row.Reports, rep.At.In(loc).Format(consoleTimestamp)+"："+rep.Text)
			for _, e := range rep.Evidence {
				row.Files = append(row.Files, evidenceLink{Name: e.Name, URL: "/admin/rectifications/" + it.ID + "/evidence/" + e.ID})
			}
		}
		open := it.Status != pinggu.RectClosed
		row.CanReport, row.CanReview, row.CanClose = unit != "" && open, v.Staff && it.Status == pinggu.RectReported, v.Staff && open
		v.Items = append(v.Items, row)
	}
	return s.pageStatus(c, status, "followup.html", v)
}

// followupAction handles the page's forms: a unit files an appeal
// (do=appeal) or reports on an item (do=report); staff answer an appeal
// (do=decide), review or close an item (do=review), administrators add a
// finding (do=finding). A mistake comes back on the page.
func (s *Server) followupAction(c echo.Context) error {
	ctx, round := c.Request().Context(), c.Param("code")
	unit, staff := reporterUnit(c), staffAccess.allows(session(c).Role)
	form, _ := c.MultipartForm()
	uploads := func() []evidence.Upload {
		if form == nil {
			return nil
		}
		return evidenceUploads(form)
	}
	var err error
	target, done := c.FormValue("id"), ""
	switch do := c.FormValue("do"); {
	case do == "appeal" && unit != "":
		_, err = s.assessment.FileAppeal(ctx, round, unit, c.FormValue("indicator"), c.FormValue("reason"), uploads())
		target, done = "appeal", "申诉已提交，等待答复"
	case do == "report" && unit != "":
		_, err = s.assessment.ReportRect(ctx, c.FormValue("id"), unit, c.FormValue("text"), uploads())
		done = "整改情况已报送"
	case do == "decide" && staff && unit == "":
		var change *pinggu.InputValue
		if strings.TrimSpace(c.FormValue("entry")) != "" {
			var v pinggu.InputValue
			if v, err = s.readEntry(c); err == nil {
				v.Comment, change = "", &v
			}
		}
		if err == nil {
			var a *pinggu.Appeal
			if a, err = s.assessment.DecideAppeal(ctx, c.FormValue("id"), pinggu.Decision(c.FormValue("decision")), c.FormValue("reason"), change); err == nil && a.Decision == pinggu.Upheld {
				_, err = s.compileNow(ctx, round)
			}
		}
		done = "已答复申诉"
	case do == "review" && staff && unit == "":
		_, err = s.assessment.ReviewRect(ctx, c.FormValue("id"), c.FormValue("decision"), c.FormValue("reason"))
		done = "已处理整改事项"
	case do == "finding" && adminAccess.allows(session(c).Role):
		_, err = s.assessment.AddFinding(ctx, round, c.FormValue("unit"), "", c.FormValue("finding"), pinggu.Date(c.FormValue("deadline")))
		target, done = "finding", "已登记整改事项"
	default:
		return pinggu.Errorf(pinggu.Forbidden, "无权进行此操作")
	}
	fe, msg, err := formErrors(err)
	if err != nil {
		return err
	}
	if msg != "" {
		return s.followupPage(c, http.StatusUnprocessableEntity, &followupView{Error: msg, Errors: fe, Target: target})
	}
	return s.redirectWith(c, "/admin/rounds/"+round+"/followup", done)
}
