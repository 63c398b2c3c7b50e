package server

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
)

func (s *Server) compileRound(c echo.Context) error {
	id, err := s.compileNow(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"job": id})
}

// compileNow queues a compile, refusing at once (409, with the list) a
// final one that the compile would refuse for missing entries or
// unanswered appeals.
func (s *Server) compileNow(ctx context.Context, code string) (string, error) {
	if err := s.assessment.FinalGaps(ctx, code); err != nil {
		return "", err
	}
	if err := s.assessment.OpenAppeals(ctx, code); err != nil {
		return "", err
	}
	return s.sched.CompileNow(ctx, code)
}

func (s *Server) exportRound(c echo.Context) error {
	id, err := s.sched.ExportNow(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"job": id})
}
