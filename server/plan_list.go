package server

import (
	"net/http"
	"pinggu"

	"github.com/labstack/echo/v4"
)

// consolePlans lists the plans with a form to add one and, per plan, a
// task-list upload; ?plan= shows that plan's tasks.
func (s *Server) consolePlans(c echo.Context) error {
	return s.plansPage(c, http.StatusOK, &plansView{consoleView: consoleView{Done: s.takeNotice(c)}})
}

// plansView lists the plans (with one's tasks, ?plan=), the form to add a
// plan and what a task upload did.
type plansView struct {
	consoleView
	List        []*pinggu.Plan
	IsAdmin     bool
	Shown       string // the plan whose tasks are listed
	Tasks       []pinggu.PlanTask
	Plan        pinggu.Plan // the new-plan form
	Error       string
	Errors      pinggu.FieldErrors
	UploadError string
	RowErrors   []fieldError
}

func (s *Server) plansPage(c echo.Context, status int, v *plansView) error {
	if v.Plan.Kind == "" {
		v.Plan.Kind = pinggu.KindPlan
	}
	ctx := c.Request().Context()
	list, err := s.midterm.Plans(ctx)
	if err != nil {
		return err
	}
	v.List, v.IsAdmin = list, adminAccess.allows(session(c).Role)
	if code := c.QueryParam("plan"); code != "" {
		tasks, err := s.midterm.Tasks(ctx, code, "")
		if err != nil {
			return err
		}
		v.Shown, v.Tasks = code, tasks
	}
	return s.pageStatus(c, status, "plans.html", v)
}
