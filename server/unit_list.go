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
	return s.unitsPage(c, http.StatusOK, &unitsView{consoleView: consoleView{Done: s.takeNotice(c)}, Unit: u,
		Aliases: strings.Join(u.Aliases, "、"), Editing: editing})
}

// unitsView lists the units with the form to add or edit one and the
// sheet import.
type unitsView struct {
	consoleView
	Units []pinggu.Unit
	Types []struct {
		Type  pinggu.UnitType
		Label string
	}
	Unit        pinggu.Unit // the form
	Aliases     string
	Editing     bool
	Error       string
	Errors      pinggu.FieldErrors
	ImportError string
	RowErrors   []fieldError
}

func (s *Server) unitsPage(c echo.Context, status int, v *unitsView) error {
	if v.Unit.Type == "" {
		v.Unit.Type = pinggu.County
	}
	units, err := s.catalog.Units(c.Request().Context())
	if err != nil {
		return err
	}
	v.Units, v.Types = units, pinggu.UnitTypes
	return s.pageStatus(c, status, "units.html", v)
}
