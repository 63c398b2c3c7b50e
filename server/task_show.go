package server

import (
	"net/http"
	"net/url"
	"pinggu"

	"github.com/labstack/echo/v4"
)

type progressView struct {
	pinggu.ProgressReport
	At, Status, Reviewed string
	UnitName             string
	Links                []evidenceLink
	CanReview            bool
}

type evidenceLink struct{ Name, URL string }

var reportStatusLabels = map[pinggu.ReportStatus]string{pinggu.ReportSubmitted: "待审核", pinggu.ReportAccepted: "已采纳", pinggu.ReportReturned: "已退回"}

// consoleTask is one task of a plan with its progress reports: a reporter
// of a lead or co-unit files progress here, assessors review it.
func (s *Server) consoleTask(c echo.Context) error {
	return s.taskPage(c, http.StatusOK, &taskView{consoleView: consoleView{Done: s.takeNotice(c)}})
}

// taskView is a task with its reports, the filing form (a reporter's,
// kept after a mistake) and the review form's mistakes.
type taskView struct {
	consoleView
	Task                   *pinggu.PlanTask
	Reports                []progressView
	CanFile, Staff         bool
	AsOf, Progress         string
	Narrative, DelayReason string
	Error                  string
	Errors                 pinggu.FieldErrors
	ReviewID, ReviewError  string
	ReviewErrors           pinggu.FieldErrors
}

func (s *Server) taskPage(c echo.Context, status int, tv *taskView) error {
	ctx, se := c.Request().Context(), session(c)
	task, err := s.task(c, se.Unit)
	if err != nil {
		return err
	}
	staff := staffAccess.allows(se.Role)
	mine := se.Unit // a reporter sees its own unit's reports only
	if staff {
		mine = ""
	}
	hist, err := s.midterm.History(ctx, task.Plan, task.No, mine)
	if err != nil {
		return err
	}
	loc := (&pinggu.Round{Timezone: pinggu.DefaultTimezone}).Location() // plans are dated in China time
	units, err := s.catalog.Units(ctx)
	if err != nil {
		return err
	}
	names := pinggu.UnitNames(units)
	var views []progressView
	for _, r := range hist {
		v := progressView{ProgressReport: r, UnitName: names[r.Unit], At: r.SubmittedAt.In(loc).Format(consoleTimestamp), Status: reportStatusLabels[r.Status],
			CanReview: staff && r.Status == pinggu.ReportSubmitted}
		if !r.ReviewedAt.IsZero() {
			v.Reviewed = pinggu.ActorLabel(r.ReviewedBy) + " " + r.ReviewedAt.In(loc).Format(consoleTimestamp)
		}
		for _, e := range r.Evidence {
			v.Links = append(v.Links, evidenceLink{Name: e.Name, URL: "/admin/progress/" + url.PathEscape(r.ID) + "/evidence/" + url.PathEscape(e.ID)})
		}
		views = append(views, v)
	}
	tv.Task, tv.Reports, tv.CanFile, tv.Staff = task, views, se.Role == pinggu.RoleReporter, staff
	if tv.AsOf == "" {
		tv.AsOf = s.cfg.Now().In(loc).Format(pinggu.DateLayout)
	}
	return s.pageStatus(c, status, "task.html", tv)
}

func taskURL(plan, no string) string {
	return "/admin/plans/" + url.PathEscape(plan) + "/tasks/" + url.PathEscape(no)
}

// consoleEvidence downloads an evidence file; a reporter only its own unit's.
func (s *Server) consoleEvidence(c echo.Context) error { return s.serveEvidence(c, session(c).Unit) }
