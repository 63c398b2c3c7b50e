package server

import (
	"time"

	"github.com/labstack/echo/v4"
)

type auditRow struct {
	At, Actor, Action, Object, Summary string
}

// consoleAudit shows the audit log with filters; there is nothing on the
// page (or anywhere in the product) that edits it.
func (s *Server) consoleAudit(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	entries, err := s.reports.AuditLog(c.Request().Context(), f)
	if err != nil {
		return err
	}
	cst := time.FixedZone("CST", 8*3600)
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{At: e.At.In(cst).Format("2006-01-02 15:04:05"), Actor: e.Actor, Action: e.Action, Object: e.Object, Summary: e.Summary}
	}
	return s.page(c, "audit.html", map[string]any{"Nav": nav(session(c)), "Rows": rows,
		"Actor": c.QueryParam("actor"), "Action": c.QueryParam("action"), "Object": c.QueryParam("object"),
		"From": c.QueryParam("from"), "To": c.QueryParam("to")})
}
