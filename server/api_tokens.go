package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (s *Server) listTokens(c echo.Context) error {
	p := principal(c)
	ts, err := s.auth.Tokens(c.Request().Context(), p.Name)
	return listJSON(c, "tokens", ts, err)
}

func (s *Server) revokeToken(c echo.Context) error {
	if err := s.auth.Revoke(c.Request().Context(), principal(c).Name, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
