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

// confirmInput is a second assessor's confirmation (复核): as entered, or
// changed to the value in the body with a reason.
func (s *Server) confirmInput(c echo.Context) error {
	var body struct {
		Value  *float64 `json:"value"`
		Count  *int     `json:"count"`
		Score  *float64 `json:"score"`
		Reason string   `json:"reason"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	var v *pinggu.InputValue
	if body.Value != nil || body.Count != nil || body.Score != nil {
		v = &pinggu.InputValue{Value: body.Value, Count: body.Count, Score: body.Score}
	}
	in, err := s.assessment.ConfirmInput(c.Request().Context(), c.Param("code"), c.Param("unit"), c.Param("indicator"), v, body.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, in)
}

// importData fills reviewers' entries of all units from an objective-data
// sheet (.xlsx in "file"): all or nothing, every bad row reported.
func (s *Server) importData(c echo.Context) error {
	f, _, err := uploaded(c, "请在file字段上传.xlsx文件")
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := s.assessment.ImportData(c.Request().Context(), c.Param("code"), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"entries": n})
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
