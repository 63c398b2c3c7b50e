package server

import (
	"net/http"
	"strings"
	"time"

	"pinggu"

	"github.com/labstack/echo/v4"
)

type auditRow struct {
	At, Actor, Action, Object, Summary string
}

// auditView is the audit log page: the entries and the filters in force.
type auditView struct {
	consoleView
	Rows                            []auditRow
	Actor, Action, Object, From, To string
}

// consoleAudit shows the audit log with filters; there is nothing on the
// page (or anywhere in the product) that edits it.
func (s *Server) consoleAudit(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	if a := f.Actor; a != "" && a != "admin" && !strings.Contains(a, ":") {
		f.Actor = "user:" + a // people are looked up by their account name
	}
	entries, err := s.reports.AuditLog(c.Request().Context(), f)
	if err != nil {
		return err
	}
	cst := time.FixedZone("CST", 8*3600)
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{At: e.At.In(cst).Format("2006-01-02 15:04:05"), Actor: pinggu.ActorLabel(e.Actor), Action: pinggu.ActionLabel(e.Action), Object: e.Object, Summary: e.Summary}
	}
	return s.pageStatus(c, http.StatusOK, "audit.html", &auditView{Rows: rows,
		Actor: c.QueryParam("actor"), Action: c.QueryParam("action"), Object: c.QueryParam("object"),
		From: c.QueryParam("from"), To: c.QueryParam("to")})
}
