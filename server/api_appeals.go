package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"pinggu"
	"pinggu/evidence"
)

// fileAppeal takes a unit's appeal as JSON {"indicator", "reason"}, or as
// a multipart form with the same fields and evidence files in "evidence".
func (s *Server) fileAppeal(c echo.Context) error {
	if err := unitOnly(c); err != nil {
		return err
	}
	var body struct {
		Indicator string `json:"indicator"`
		Reason    string `json:"reason"`
	}
	var files []evidence.Upload
	if form, err := c.MultipartForm(); err == nil {
		body.Indicator, body.Reason, files = c.FormValue("indicator"), c.FormValue("reason"), evidenceUploads(form)
	} else if err := decodeJSON(c, &body); err != nil {
		return err
	}
	a, err := s.assessment.FileAppeal(c.Request().Context(), c.Param("code"), c.Param("unit"), body.Indicator, body.Reason, files)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, a)
}

// listAppeals lists a round's appeals: one unit's on the unit's route (a
// reporter only its own), all of them on the round's.
func (s *Server) listAppeals(c echo.Context) error {
	if err := ownUnit(c); err != nil {
		return err
	}
	as, err := s.assessment.Appeals(c.Request().Context(), c.Param("code"), c.Param("unit"))
	return listJSON(c, "appeals", as, err)
}

// decideAppeal answers an appeal; an upheld one recompiles the
// provisional results at once, so the unit sees its changed place.
func (s *Server) decideAppeal(c echo.Context) error {
	var body struct {
		Decision pinggu.Decision `json:"decision"`
		Reason   string          `json:"reason"`
		Value    *float64        `json:"value"`
		Count    *int            `json:"count"`
		Score    *float64        `json:"score"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	var change *pinggu.InputValue
	if body.Value != nil || body.Count != nil || body.Score != nil {
		change = &pinggu.InputValue{Value: body.Value, Count: body.Count, Score: body.Score}
	}
	ctx := c.Request().Context()
	a, err := s.assessment.DecideAppeal(ctx, c.Param("id"), body.Decision, body.Reason, change)
	if err != nil {
		return err
	}
	out := map[string]any{"appeal": a}
	if a.Decision == pinggu.Upheld {
		if out["job"], err = s.compileNow(ctx, a.Round); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) appealEvidence(c echo.Context) error {
	ev, rc, err := s.assessment.AppealEvidence(c.Request().Context(), c.Param("id"), reporterUnit(c), c.Param("eid"))
	return streamEvidence(c, ev, rc, err)
}
