package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"pinggu"
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

func (s *Server) listInputs(c echo.Context) error {
	ins, adj, err := s.assessment.Inputs(c.Request().Context(), c.Param("code"), c.Param("unit"))
	if err != nil {
		return err
	}
	if ins == nil {
		ins = []pinggu.Input{}
	}
	if adj == nil {
		adj = []pinggu.Adjustment{}
	}
	return c.JSON(http.StatusOK, map[string]any{"inputs": ins, "adjustments": adj})
}

func (s *Server) setInput(c echo.Context) error {
	var v pinggu.InputValue
	if err := decodeJSON(c, &v); err != nil {
		return err
	}
	in, err := s.assessment.SetInput(c.Request().Context(), c.Param("code"), c.Param("unit"), c.Param("indicator"), v)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, in)
}

func (s *Server) addAdjustment(c echo.Context) error {
	var a pinggu.Adjustment
	if err := decodeJSON(c, &a); err != nil {
		return err
	}
	if err := s.assessment.AddAdjustment(c.Request().Context(), c.Param("code"), c.Param("unit"), &a); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, a)
}

func (s *Server) deleteAdjustment(c echo.Context) error {
	if err := s.assessment.DeleteAdjustment(c.Request().Context(), c.Param("code"), c.Param("unit"), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
