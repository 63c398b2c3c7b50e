package server

import (
	"pinggu"
	"pinggu/store"
	"time"

	"github.com/labstack/echo/v4"
)

// auditFilter reads ?actor=&action=&object=&from=YYYY-MM-DD&to=YYYY-MM-DD.
func auditFilter(c echo.Context) (store.AuditFilter, error) {
	f := store.AuditFilter{Actor: c.QueryParam("actor"), ActionPrefix: c.QueryParam("action"), Object: c.QueryParam("object")}
	fe := pinggu.FieldErrors{}
	for _, d := range []struct {
		name string
		to   *time.Time
		add  time.Duration
	}{{"from", &f.From, 0}, {"to", &f.To, 24 * time.Hour}} {
		if v := c.QueryParam(d.name); v != "" {
			t, err := time.ParseInLocation(pinggu.DateLayout, v, time.FixedZone("CST", 8*3600))
			if err != nil {
				fe.Add(d.name, "日期须为YYYY-MM-DD")
				continue
			}
			*d.to = t.Add(d.add).UTC()
		}
	}
	return f, fe.Err("筛选条件有误")
}

func (s *Server) apiAudit(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	entries, err := s.reports.AuditLog(c.Request().Context(), f)
	return listJSON(c, "entries", entries, err)
}
