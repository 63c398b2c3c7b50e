package server

import (
	"net/http"
	"pinggu"

	"github.com/labstack/echo/v4"
)

// consolePlans lists the plans with a form to add one and, per plan, a
// task-list upload; ?plan= shows that plan's tasks.
func (s *Server) consolePlans(c echo.Context) error {
	return s.plansPage(c, http.StatusOK, map[string]any{"Done": s.takeNotice(c), "Plan": pinggu.Plan{Kind: pinggu.KindPlan}})
}

func (s *Server) plansPage(c echo.Context, status int, data map[string]any) error {
	ctx := c.Request().Context()
	list, err := s.midterm.Plans(ctx)
	if err != nil {
		return err
	}
	data["List"], data["IsAdmin"] = list, adminAccess.allows(session(c).Role)
	if code := c.QueryParam("plan"); code != "" {
		tasks, err := s.midterm.Tasks(ctx, code, "")
		if err != nil {
			return err
		}
		data["Shown"], data["Tasks"] = code, tasks
	}
	return s.pageStatus(c, status, "plans.html", data)
}
