package server

import (
	"net/http"
	"pinggu"

	"github.com/labstack/echo/v4"
)

func (s *Server) listQuestionnaires(c echo.Context) error {
	qs, err := s.catalog.Questionnaires(c.Request().Context())
	return listJSON(c, "questionnaires", qs, err)
}

func (s *Server) createQuestionnaire(c echo.Context) error {
	var q pinggu.Questionnaire
	if err := decodeJSON(c, &q); err != nil {
		return err
	}
	if err := s.catalog.CreateQuestionnaire(c.Request().Context(), &q); err != nil {
		return err
	}
	return created(c, "/api/v1/questionnaires/"+q.Code, q)
}

func (s *Server) getQuestionnaire(c echo.Context) error {
	version, err := versionParam(c)
	if err != nil {
		return err
	}
	q, err := s.catalog.Questionnaire(c.Request().Context(), c.Param("code"), version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, q)
}

func (s *Server) reviseQuestionnaire(c echo.Context) error {
	var q pinggu.Questionnaire
	if err := decodeJSON(c, &q); err != nil {
		return err
	}
	if err := checkPathCode(c.Param("code"), q.Code); err != nil {
		return err
	}
	if err := s.catalog.ReviseQuestionnaire(c.Request().Context(), c.Param("code"), &q); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, q)
}
