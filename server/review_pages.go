package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"pinggu"
	"pinggu/evidence"
)

// Pages where people who are not administrators do their part: assessors
// enter review scores and events of an assessment round and review
// progress reports; unit reporters file their tasks' progress.

type reviewRow struct {
	pinggu.Indicator
	Rubric, Current, Entry, Field, Error string
}

// consoleReview is a unit's review sheet in an assessment round.
func (s *Server) consoleReview(c echo.Context) error {
	return s.reviewPage(c, http.StatusOK, map[string]any{"Done": s.takeNotice(c)}, nil)
}

func (s *Server) reviewPage(c echo.Context, status int, data map[string]any, errs pinggu.FieldErrors) error {
	sh, err := s.assessment.Review(c.Request().Context(), c.Param("code"), c.Param("unit"))
	if err != nil {
		return err
	}
	loc := sh.Round.Location()
	rows := make([]reviewRow, len(sh.Leaves))
	for i, in := range sh.Leaves {
		row := reviewRow{Indicator: in, Rubric: pinggu.RubricLabel(in.Rubric), Field: entryField(in.Rubric), Error: errs[in.Code]}
		if e, ok := sh.Inputs[in.Code]; ok {
			row.Entry = entryText(e.InputValue)
			row.Current = fmt.Sprintf("%s（%s，%s）", row.Entry, e.By, e.At.In(loc).Format(consoleTimestamp))
		}
		if errs[in.Code] != "" {
			row.Entry = c.FormValue("entry")
		}
		rows[i] = row
	}
	data["Sheet"], data["Rows"], data["AdjErrors"] = sh, rows, errs
	return s.pageStatus(c, status, "review.html", data)
}

// entryField names what a rubric's entry is.
func entryField(r pinggu.Rubric) string {
	switch r {
	case pinggu.RubricBinary:
		return "是否达标（1达标，0未达标）"
	case pinggu.RubricProportional:
		return "完成值"
	case pinggu.RubricDeduction:
		return "发生次数"
	}
	return "得分"
}

func entryText(v pinggu.InputValue) string {
	switch {
	case v.Value != nil:
		return strconv.FormatFloat(*v.Value, 'f', -1, 64)
	case v.Count != nil:
		return strconv.Itoa(*v.Count)
	case v.Score != nil:
		return strconv.FormatFloat(*v.Score, 'f', -1, 64)
	}
	return ""
}

// reviewAction records an entry (do=input), adds an event (do=adjust) or
// removes one (do=delete).
func (s *Server) reviewAction(c echo.Context) error {
	ctx, round, unit := c.Request().Context(), c.Param("code"), c.Param("unit")
	var err error
	var errKey func(pinggu.FieldErrors) pinggu.FieldErrors
	done := ""
	switch c.FormValue("do") {
	case "input":
		code := c.FormValue("indicator")
		var v pinggu.InputValue
		if v, err = s.readEntry(c); err == nil {
			_, err = s.assessment.SetInput(ctx, round, unit, code, v)
		}
		// Every message of an entry goes beside its row.
		errKey = func(fe pinggu.FieldErrors) pinggu.FieldErrors {
			msgs := make([]string, 0, len(fe))
			for _, m := range fe {
				msgs = append(msgs, m)
			}
			return pinggu.FieldErrors{code: strings.Join(msgs, "；")}
		}
		done = "已保存指标" + code + "的录入"
	case "adjust":
		points, _ := strconv.ParseFloat(strings.TrimSpace(c.FormValue("points")), 64)
		a := pinggu.Adjustment{Kind: pinggu.AdjustmentKind(c.FormValue("kind")), Points: points, Rule: c.FormValue("rule"), Basis: c.FormValue("basis")}
		err = s.assessment.AddAdjustment(ctx, round, unit, &a)
		done = "已登记事项"
	case "delete":
		err = s.assessment.DeleteAdjustment(ctx, round, unit, c.FormValue("id"))
		done = "已删除事项"
	default:
		err = pinggu.FieldErrors{"do": "未知操作"}.Err("操作有误")
	}
	fe, msg, err := formErrors(err)
	if err != nil {
		return err
	}
	if msg != "" {
		if errKey != nil {
			fe = errKey(fe)
		}
		return s.reviewPage(c, http.StatusUnprocessableEntity, map[string]any{"Error": msg}, fe)
	}
	return s.redirectWith(c, "/admin/rounds/"+url.PathEscape(round)+"/units/"+url.PathEscape(unit)+"/review", done)
}

// readEntry reads the posted entry as the leaf's rubric wants it.
func (s *Server) readEntry(c echo.Context) (pinggu.InputValue, error) {
	v := pinggu.InputValue{Comment: strings.TrimSpace(c.FormValue("comment"))}
	text := strings.TrimSpace(c.FormValue("entry"))
	switch pinggu.Rubric(c.FormValue("rubric")) {
	case pinggu.RubricDeduction:
		n, err := strconv.Atoi(text)
		if err != nil {
			return v, pinggu.FieldErrors{"count": "发生次数须为整数"}.Err("录入内容有误")
		}
		v.Count = &n
	default:
		x, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return v, pinggu.FieldErrors{"value": "须录入数字"}.Err("录入内容有误")
		}
		if pinggu.Rubric(c.FormValue("rubric")) == pinggu.RubricManual {
			v.Score = &x
		} else {
			v.Value = &x
		}
	}
	return v, nil
}

type progressView struct {
	pinggu.ProgressReport
	At, Status, Reviewed string
	Links                []evidenceLink
	CanReview            bool
}

type evidenceLink struct{ Name, URL string }

var reportStatusLabels = map[pinggu.ReportStatus]string{pinggu.ReportSubmitted: "待审核", pinggu.ReportAccepted: "已采纳", pinggu.ReportReturned: "已退回"}

// consoleTask is one task of a plan with its progress reports: a reporter
// of a lead or co-unit files progress here, assessors review it.
func (s *Server) consoleTask(c echo.Context) error {
	return s.taskPage(c, http.StatusOK, map[string]any{"Done": s.takeNotice(c)})
}

func (s *Server) taskPage(c echo.Context, status int, data map[string]any) error {
	ctx, se := c.Request().Context(), session(c)
	task, err := s.task(c, se.Unit)
	if err != nil {
		return err
	}
	hist, err := s.midterm.History(ctx, task.Plan, task.No)
	if err != nil {
		return err
	}
	staff := staffAccess.allows(se.Role)
	loc := (&pinggu.Round{Timezone: pinggu.DefaultTimezone}).Location() // plans are dated in China time
	var views []progressView
	for _, r := range hist {
		if !staff && r.Unit != se.Unit {
			continue // a reporter sees its own unit's reports only
		}
		v := progressView{ProgressReport: r, At: r.SubmittedAt.In(loc).Format(consoleTimestamp), Status: reportStatusLabels[r.Status],
			CanReview: staff && r.Status == pinggu.ReportSubmitted}
		if !r.ReviewedAt.IsZero() {
			v.Reviewed = r.ReviewedBy + " " + r.ReviewedAt.In(loc).Format(consoleTimestamp)
		}
		for _, e := range r.Evidence {
			v.Links = append(v.Links, evidenceLink{Name: e.Name, URL: "/admin/progress/" + url.PathEscape(r.ID) + "/evidence/" + url.PathEscape(e.ID)})
		}
		views = append(views, v)
	}
	data["Task"], data["Reports"], data["CanFile"], data["Staff"] = task, views, se.Role == pinggu.RoleReporter, staff
	if _, ok := data["AsOf"]; !ok {
		data["AsOf"] = s.cfg.Now().In(loc).Format(pinggu.DateLayout)
	}
	return s.pageStatus(c, status, "task.html", data)
}

// fileTaskProgress takes a reporter's progress report with evidence files.
func (s *Server) fileTaskProgress(c echo.Context) error {
	se := session(c)
	if se.Role != pinggu.RoleReporter {
		return pinggu.Errorf(pinggu.Forbidden, "进展由牵头或配合单位的填报人报送")
	}
	r := pinggu.ProgressReport{AsOf: pinggu.Date(c.FormValue("asOf")), Narrative: c.FormValue("narrative"), DelayReason: c.FormValue("delayReason")}
	var err error
	var files []evidence.Upload
	if r.Progress, err = strconv.ParseFloat(strings.TrimSpace(c.FormValue("progress")), 64); err != nil {
		err = pinggu.FieldErrors{"progress": "进度须为0–100之间的数字"}.Err("进展报送有误")
	} else if form, ferr := c.MultipartForm(); ferr == nil {
		for _, fh := range form.File["evidence"] {
			files = append(files, evidence.Upload{Name: fh.Filename, Size: fh.Size, Open: openFile(fh)})
		}
	}
	if err == nil {
		err = s.midterm.FileProgress(c.Request().Context(), c.Param("plan"), c.Param("no"), se.Unit, &r, files)
	}
	fe, msg, err := formErrors(err)
	if err != nil {
		return err
	}
	if msg != "" {
		return s.taskPage(c, http.StatusUnprocessableEntity, map[string]any{"Error": msg, "Errors": fe, "AsOf": c.FormValue("asOf"),
			"Progress": c.FormValue("progress"), "Narrative": r.Narrative, "DelayReason": r.DelayReason})
	}
	return s.redirectWith(c, taskURL(c.Param("plan"), c.Param("no")), "已报送，等待审核")
}

func taskURL(plan, no string) string {
	return "/admin/plans/" + url.PathEscape(plan) + "/tasks/" + url.PathEscape(no)
}

// reviewTaskProgress accepts or returns a report (a return needs a reason).
func (s *Server) reviewTaskProgress(c echo.Context) error {
	accept := c.FormValue("decision") == "accept"
	_, err := s.midterm.Review(c.Request().Context(), c.FormValue("id"), accept, c.FormValue("comment"))
	fe, msg, err := formErrors(err)
	if err != nil {
		return err
	}
	if msg != "" {
		return s.taskPage(c, http.StatusUnprocessableEntity, map[string]any{"ReviewError": msg, "ReviewErrors": fe, "ReviewID": c.FormValue("id")})
	}
	done := "已退回"
	if accept {
		done = "已采纳"
	}
	return s.redirectWith(c, taskURL(c.Param("plan"), c.Param("no")), done)
}

// consoleEvidence downloads an evidence file; a reporter only its own unit's.
func (s *Server) consoleEvidence(c echo.Context) error {
	ev, rc, err := s.midterm.Evidence(c.Request().Context(), c.Param("id"), c.Param("eid"), session(c).Unit)
	if err != nil {
		return err
	}
	defer rc.Close()
	c.Response().Header().Set(echo.HeaderContentDisposition, ContentDisposition(ev.Name, "evidence"))
	return c.Stream(http.StatusOK, ev.ContentType, rc)
}
