package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// consoleQuestionnaires lists the questionnaires.
func (s *Server) consoleQuestionnaires(c echo.Context) error {
	qs, err := s.catalog.Questionnaires(c.Request().Context())
	if err != nil {
		return err
	}
	return s.pageStatus(c, http.StatusOK, "questionnaires.html", map[string]any{"List": qs, "Done": s.takeNotice(c)})
}
