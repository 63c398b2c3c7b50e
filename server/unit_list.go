package server

import (
	"net/http"
	"pinggu"
	"strings"

	"github.com/labstack/echo/v4"
)

// consoleUnits lists the units with a form to add or edit one (?edit=code)
// and an .xlsx import.
func (s *Server) consoleUnits(c echo.Context) error {
	u := pinggu.Unit{Type: pinggu.County}
	editing := false
	if code := c.QueryParam("edit"); code != "" {
		found, err := s.catalog.Unit(c.Request().Context(), code)
		if err != nil {
			return err
		}
		u, editing = *found, true
	}
	return s.unitsPage(c, http.StatusOK, map[string]any{"Unit": u, "Aliases": strings.Join(u.Aliases, "、"),
		"Editing": editing, "Done": s.takeNotice(c)})
}

func (s *Server) unitsPage(c echo.Context, status int, data map[string]any) error {
	units, err := s.catalog.Units(c.Request().Context())
	if err != nil {
		return err
	}
	data["Units"], data["Types"] = units, pinggu.UnitTypes
	return s.pageStatus(c, status, "units.html", data)
}
