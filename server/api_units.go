package server

import (
	"net/http"
	"pinggu"

	"github.com/labstack/echo/v4"
)

func (s *Server) listUnits(c echo.Context) error {
	units, err := s.catalog.Units(c.Request().Context())
	return listJSON(c, "units", units, err)
}

func (s *Server) createUnit(c echo.Context) error {
	var u pinggu.Unit
	if err := decodeJSON(c, &u); err != nil {
		return err
	}
	if err := s.catalog.CreateUnit(c.Request().Context(), &u); err != nil {
		return err
	}
	return created(c, "/api/v1/units/"+u.Code, u)
}

func (s *Server) getUnit(c echo.Context) error {
	u, err := s.catalog.Unit(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (s *Server) updateUnit(c echo.Context) error {
	var u pinggu.Unit
	if err := decodeJSON(c, &u); err != nil {
		return err
	}
	if err := checkPathCode(c.Param("code"), u.Code); err != nil {
		return err
	}
	if err := s.catalog.UpdateUnit(c.Request().Context(), c.Param("code"), &u); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (s *Server) issueUnitToken(c echo.Context) error {
	token, err := s.midterm.IssueUnitToken(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{"unit": c.Param("code"), "token": token})
}

// listUnitTokens lists a unit's reporter tokens (their hashes).
func (s *Server) listUnitTokens(c echo.Context) error {
	ts, err := s.midterm.UnitTokens(c.Request().Context(), c.Param("code"))
	return listJSON(c, "tokens", ts, err)
}

// revokeUnitToken ends a unit reporter's token at once.
func (s *Server) revokeUnitToken(c echo.Context) error {
	if err := s.midterm.RevokeUnitToken(c.Request().Context(), c.Param("code"), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
