package server

import (
	"net/http"
	"pinggu"
	"time"

	"github.com/labstack/echo/v4"
)

func (s *Server) listRounds(c echo.Context) error {
	rs, err := s.catalog.Rounds(c.Request().Context())
	return listJSON(c, "rounds", rs, err)
}

func (s *Server) createRound(c echo.Context) error {
	var r pinggu.Round
	if err := decodeJSON(c, &r); err != nil {
		return err
	}
	if err := s.rounds.Create(c.Request().Context(), &r); err != nil {
		return err
	}
	return created(c, "/api/v1/rounds/"+r.Code, r)
}

func (s *Server) getRound(c echo.Context) error {
	r, err := s.catalog.Round(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) updateRound(c echo.Context) error {
	var r pinggu.Round
	if err := decodeJSON(c, &r); err != nil {
		return err
	}
	if err := checkPathCode(c.Param("code"), r.Code); err != nil {
		return err
	}
	if err := s.rounds.Update(c.Request().Context(), c.Param("code"), &r); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) roundProgress(c echo.Context) error {
	p, err := s.survey.Progress(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"round": c.Param("code"), "units": p})
}

func (s *Server) scheduleRound(c echo.Context) error {
	return roundJSON(c)(s.rounds.Schedule(c.Request().Context(), c.Param("code")))
}

func (s *Server) cancelRound(c echo.Context) error {
	return roundJSON(c)(s.rounds.Cancel(c.Request().Context(), c.Param("code")))
}

func (s *Server) publishRound(c echo.Context) error {
	return roundJSON(c)(s.rounds.Publish(c.Request().Context(), c.Param("code")))
}

// roundJSON answers a transition with the round as it now is.
func roundJSON(c echo.Context) func(*pinggu.Round, error) error {
	return func(r *pinggu.Round, err error) error {
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, r)
	}
}

// rebuildTallies counts a round's tallies again from its stored responses
// and says what it corrected (also in the audit log and on the dashboard).
func (s *Server) rebuildTallies(c echo.Context) error {
	res, err := s.survey.Rebuild(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// setPhase opens an assessment round's phase early, extends or moves it,
// with a reason (administrators only).
func (s *Server) setPhase(c echo.Context) error {
	var body struct {
		Opens  time.Time `json:"opens"`
		Closes time.Time `json:"closes"`
		Reason string    `json:"reason"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	r, err := s.rounds.SetPhase(c.Request().Context(), c.Param("code"), c.Param("phase"),
		pinggu.Window{Opens: body.Opens.UTC(), Closes: body.Closes.UTC()}, body.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
