package server

import (
	"net/http"
	"pinggu"
	"pinggu/evidence"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

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
		files = evidenceUploads(form)
	}
	if err == nil {
		err = s.midterm.FileProgress(c.Request().Context(), c.Param("plan"), c.Param("no"), se.Unit, &r, files)
	}
	fe, msg, err := formErrors(err)
	if err != nil {
		return err
	}
	if msg != "" {
		return s.taskPage(c, http.StatusUnprocessableEntity, &taskView{Error: msg, Errors: fe, AsOf: c.FormValue("asOf"),
			Progress: c.FormValue("progress"), Narrative: r.Narrative, DelayReason: r.DelayReason})
	}
	return s.redirectWith(c, taskURL(c.Param("plan"), c.Param("no")), "已报送，等待审核")
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
		return s.taskPage(c, http.StatusUnprocessableEntity, &taskView{ReviewError: msg, ReviewErrors: fe, ReviewID: c.FormValue("id")})
	}
	done := "已退回"
	if accept {
		done = "已采纳"
	}
	return s.redirectWith(c, taskURL(c.Param("plan"), c.Param("no")), done)
}
