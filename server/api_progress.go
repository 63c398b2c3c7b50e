package server

import (
	"io"
	"net/http"
	"pinggu"
	"pinggu/evidence"
	"strconv"

	"github.com/labstack/echo/v4"
)

// fileProgress takes a report as JSON, or as a multipart form with the
// same fields and evidence files in "evidence".
func (s *Server) fileProgress(c echo.Context) error {
	unit := reporterUnit(c)
	if unit == "" {
		return pinggu.Errorf(pinggu.Forbidden, "进展须由单位使用本单位的填报令牌报送")
	}
	var r pinggu.ProgressReport
	var files []evidence.Upload
	if form, err := c.MultipartForm(); err == nil {
		r.AsOf, r.Narrative, r.DelayReason = pinggu.Date(c.FormValue("asOf")), c.FormValue("narrative"), c.FormValue("delayReason")
		p, perr := strconv.ParseFloat(c.FormValue("progress"), 64)
		if perr != nil {
			return pinggu.FieldErrors{"progress": "进度须为0–100之间的数字"}.Err("进展报送有误")
		}
		r.Progress = p
		files = evidenceUploads(form)
	} else {
		var body struct {
			AsOf        pinggu.Date `json:"asOf"`
			Progress    float64     `json:"progress"`
			Narrative   string      `json:"narrative"`
			DelayReason string      `json:"delayReason"`
		}
		if err := decodeJSON(c, &body); err != nil {
			return err
		}
		r = pinggu.ProgressReport{AsOf: body.AsOf, Progress: body.Progress, Narrative: body.Narrative, DelayReason: body.DelayReason}
	}
	if err := s.midterm.FileProgress(c.Request().Context(), c.Param("plan"), c.Param("no"), unit, &r, files); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

// taskProgress lists a task's reports; a reporter sees only tasks of its unit.
func (s *Server) taskProgress(c echo.Context) error {
	ctx := c.Request().Context()
	if unit := reporterUnit(c); unit != "" {
		if _, err := s.task(c, unit); err != nil {
			return err
		}
	}
	hist, err := s.midterm.History(ctx, c.Param("plan"), c.Param("no"), reporterUnit(c))
	return listJSON(c, "reports", hist, err)
}

// task finds the task of the route's plan and number; for a reporter
// (unit set) only among its unit's tasks, so another unit's task is 403.
func (s *Server) task(c echo.Context, unit string) (*pinggu.PlanTask, error) {
	tasks, err := s.midterm.Tasks(c.Request().Context(), c.Param("plan"), unit)
	if err != nil {
		return nil, err
	}
	for i := range tasks {
		if tasks[i].No == c.Param("no") {
			return &tasks[i], nil
		}
	}
	if unit != "" {
		return nil, pinggu.Errorf(pinggu.Forbidden, "本单位不是该任务的牵头或配合单位")
	}
	return nil, pinggu.Errorf(pinggu.NotFound, "任务%s不存在", c.Param("no"))
}

func (s *Server) reviewProgress(c echo.Context) error {
	var body struct {
		Decision string `json:"decision"`
		Comment  string `json:"comment"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Decision != "accept" && body.Decision != "return" {
		return pinggu.FieldErrors{"decision": "须为accept（采纳）或return（退回）"}.Err("审核意见有误")
	}
	r, err := s.midterm.Review(c.Request().Context(), c.Param("id"), body.Decision == "accept", body.Comment)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) downloadEvidence(c echo.Context) error { return s.serveEvidence(c, reporterUnit(c)) }

// serveEvidence streams an evidence file as an attachment, never shown in
// the browser, with the type read from its content at upload; a reporter
// (unit set) only its own unit's.
func (s *Server) serveEvidence(c echo.Context, unit string) error {
	ev, rc, err := s.midterm.Evidence(c.Request().Context(), c.Param("id"), c.Param("eid"), unit)
	return streamEvidence(c, ev, rc, err)
}

// streamEvidence sends an evidence file as an attachment, never shown in
// the browser, with the type read from its content at upload.
func streamEvidence(c echo.Context, ev *pinggu.Evidence, rc io.ReadCloser, err error) error {
	if err != nil {
		return err
	}
	defer rc.Close()
	c.Response().Header().Set(echo.HeaderContentDisposition, ContentDisposition(ev.Name, "evidence"))
	return c.Stream(http.StatusOK, ev.ContentType, rc)
}
