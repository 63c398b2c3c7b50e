package server

import (
	"net/http"
	"pinggu"

	"github.com/labstack/echo/v4"
)

// consoleQuestionnaires lists the questionnaires.
func (s *Server) consoleQuestionnaires(c echo.Context) error {
	qs, err := s.catalog.Questionnaires(c.Request().Context())
	if err != nil {
		return err
	}
	return s.pageStatus(c, http.StatusOK, "questionnaires.html", &questionnairesView{consoleView{Done: s.takeNotice(c)}, qs})
}

// questionnairesView lists the questionnaires (latest versions).
type questionnairesView struct {
	consoleView
	List []*pinggu.Questionnaire
}
