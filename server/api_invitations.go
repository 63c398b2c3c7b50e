package server

import (
	"bytes"
	"net/http"
	"pinggu/report"

	"github.com/labstack/echo/v4"
)

func (s *Server) newInvitations(c echo.Context) error {
	var body struct {
		Count int `json:"count"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	codes, err := s.survey.NewInvitations(c.Request().Context(), c.Param("code"), c.Param("unit"), body.Count)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"codes": codes})
}

// invitationsXLSX is a unit's codes with their personal links, and which are used.
func (s *Server) invitationsXLSX(c echo.Context) error {
	ctx := c.Request().Context()
	f, err := s.survey.Form(ctx, c.Param("code"), c.Param("unit"))
	if err != nil {
		return err
	}
	codes, used, err := s.reports.Invitations(ctx, f.Round.Code, f.Unit.Code)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	link := func(code string) string { return s.surveyURL(f.Round.Code, f.Unit.Code, "", "") + "?code=" + code }
	if err := report.WriteInvitations(&buf, f.Unit.Name, codes, used, link); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, ContentDisposition(f.Unit.Name+"-邀请码.xlsx", "invitations.xlsx"))
	return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}
