package server

import (
	"net/http"
	"pinggu"
	"strings"

	"github.com/labstack/echo/v4"
)

func splitList(s string) []string {
	var out []string
	for _, a := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、，,;；\n\r", r) }) {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// saveUnit creates a unit, or updates it when the form is an edit.
func (s *Server) saveUnit(c echo.Context) error {
	u := pinggu.Unit{Code: c.FormValue("code"), Name: c.FormValue("name"), Type: pinggu.UnitType(c.FormValue("type")),
		PeerGroup: c.FormValue("peerGroup"), Parent: c.FormValue("parent"), Aliases: splitList(c.FormValue("aliases"))}
	editing := c.FormValue("editing") == "1"
	var err error
	if editing {
		err = s.catalog.UpdateUnit(c.Request().Context(), u.Code, &u)
	} else {
		err = s.catalog.CreateUnit(c.Request().Context(), &u)
	}
	fe, msg, err := formErrors(err)
	if err != nil {
		return err
	}
	if msg != "" {
		return s.unitsPage(c, http.StatusUnprocessableEntity, &unitsView{Unit: u, Aliases: c.FormValue("aliases"),
			Editing: editing, Errors: fe, Error: msg})
	}
	return s.redirectWith(c, "/admin/units", "已保存单位 "+u.Name)
}
