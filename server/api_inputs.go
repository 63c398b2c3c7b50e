package server

import (
	"net/http"
	"pinggu"

	"github.com/labstack/echo/v4"
)

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
