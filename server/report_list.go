package server

import (
	"net/http"
	"pinggu"

	"github.com/labstack/echo/v4"
)

type reportsRound struct {
	Code, Title, Status string
	Survey              bool
	Reports             []reportRow
	Jobs                []jobRow
}

// consoleReports lists every round's reports and latest jobs, with
// buttons to compile or export; it refreshes itself while a job runs.
func (s *Server) consoleReports(c echo.Context) error {
	ctx := c.Request().Context()
	rounds, err := s.catalog.Rounds(ctx)
	if err != nil {
		return err
	}
	running := false
	out := make([]reportsRound, 0, len(rounds))
	for _, r := range rounds {
		rr := reportsRound{Code: r.Code, Title: r.Title, Status: pinggu.StatusLabel(r.Status), Survey: r.Midterm == nil}
		if rr.Reports, err = s.reportRows(ctx, r); err != nil {
			return err
		}
		if rr.Jobs, err = s.jobRows(ctx, r, 3); err != nil {
			return err
		}
		for _, j := range rr.Jobs {
			running = running || j.Running
		}
		out = append(out, rr)
	}
	if running {
		c.Response().Header().Set("Refresh", "5")
	}
	return s.pageStatus(c, http.StatusOK, "reports.html", &reportsView{consoleView{Done: s.takeNotice(c)}, out, running})
}

// reportsView is every round's reports and latest jobs.
type reportsView struct {
	consoleView
	Rounds  []reportsRound
	Running bool // a job runs: the page refreshes itself
}
