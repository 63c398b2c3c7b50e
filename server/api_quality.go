package server

import (
	"net/http"
	"pinggu/quality"

	"github.com/labstack/echo/v4"
)

func (s *Server) listFlagged(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := s.catalog.Round(ctx, c.Param("code")); err != nil {
		return err
	}
	list, err := s.quality.Flagged(ctx, c.Param("code"), c.QueryParam("unit"))
	return listJSON(c, "responses", list, err)
}

// excludeResponses takes {"ids": [...]} or {"unit": "…", "flag": "…"} and a reason.
func (s *Server) excludeResponses(c echo.Context) error {
	var body struct {
		quality.Target
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.catalog.Round(ctx, c.Param("code")); err != nil {
		return err
	}
	n, err := s.quality.Exclude(ctx, c.Param("code"), body.Target, body.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"excluded": n})
}

func (s *Server) restoreResponse(c echo.Context) error {
	if err := s.quality.Restore(c.Request().Context(), c.Param("code"), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
