package server

import (
	"net/http"
	"pinggu"

	"github.com/labstack/echo/v4"
)

func (s *Server) listIndicatorSystems(c echo.Context) error {
	list, err := s.assessment.IndicatorSystems(c.Request().Context())
	return listJSON(c, "indicatorSystems", list, err)
}

func (s *Server) createIndicatorSystem(c echo.Context) error {
	var sys pinggu.IndicatorSystem
	if err := decodeJSON(c, &sys); err != nil {
		return err
	}
	if err := s.assessment.CreateIndicatorSystem(c.Request().Context(), &sys); err != nil {
		return err
	}
	return created(c, "/api/v1/indicator-systems/"+sys.Code, sys)
}

func (s *Server) getIndicatorSystem(c echo.Context) error {
	version, err := versionParam(c)
	if err != nil {
		return err
	}
	sys, err := s.assessment.IndicatorSystem(c.Request().Context(), c.Param("code"), version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sys)
}

func (s *Server) reviseIndicatorSystem(c echo.Context) error {
	var sys pinggu.IndicatorSystem
	if err := decodeJSON(c, &sys); err != nil {
		return err
	}
	if err := checkPathCode(c.Param("code"), sys.Code); err != nil {
		return err
	}
	if err := s.assessment.ReviseIndicatorSystem(c.Request().Context(), c.Param("code"), &sys, false); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sys)
}

// importIndicatorSystem takes an .xlsx in the multipart field "file".
func (s *Server) importIndicatorSystem(c echo.Context) error {
	f, _, err := uploaded(c, "请在file字段上传.xlsx文件")
	if err != nil {
		return err
	}
	defer f.Close()
	sys, err := s.assessment.ImportIndicatorSystem(c.Request().Context(), c.Param("code"), c.FormValue("name"), f)
	if err != nil {
		return err
	}
	return created(c, "/api/v1/indicator-systems/"+sys.Code, sys)
}
