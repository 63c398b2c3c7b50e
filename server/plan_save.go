package server

import (
	"net/http"
	"pinggu"

	"github.com/labstack/echo/v4"
)

func (s *Server) savePlan(c echo.Context) error {
	p := pinggu.Plan{Code: c.FormValue("code"), Name: c.FormValue("name"), Kind: pinggu.PlanKind(c.FormValue("kind")),
		Start: pinggu.Date(c.FormValue("start")), End: pinggu.Date(c.FormValue("end"))}
	fe, msg, err := formErrors(s.midterm.CreatePlan(c.Request().Context(), &p))
	if err != nil {
		return err
	}
	if msg != "" {
		return s.plansPage(c, http.StatusUnprocessableEntity, &plansView{Plan: p, Errors: fe, Error: msg})
	}
	return s.redirectWith(c, "/admin/plans", "已创建 "+p.Name)
}
