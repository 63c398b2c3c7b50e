package server

import (
	"net/http"
	"pinggu"

	"github.com/labstack/echo/v4"
)

// createUser adds a console account with the bootstrap admin token.
func (s *Server) createUser(c echo.Context) error {
	var body struct {
		Name     string      `json:"name"`
		Role     pinggu.Role `json:"role"`
		Unit     string      `json:"unit"`
		Password string      `json:"password"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	u, err := s.auth.AddUser(c.Request().Context(), body.Name, body.Role, body.Unit, body.Password)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

// setUserRole changes an account's role (and a reporter's unit); it counts
// from the account's next request.
func (s *Server) setUserRole(c echo.Context) error {
	var body struct {
		Role pinggu.Role `json:"role"`
		Unit string      `json:"unit"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	u, err := s.auth.SetRole(c.Request().Context(), c.Param("name"), body.Role, body.Unit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

// disableUser and enableUser: a disabled account's sessions end and its
// API tokens fail from the next request on.
func (s *Server) disableUser(c echo.Context) error { return s.setDisabled(c, true) }
func (s *Server) enableUser(c echo.Context) error  { return s.setDisabled(c, false) }

func (s *Server) setDisabled(c echo.Context, disabled bool) error {
	u, err := s.auth.SetDisabled(c.Request().Context(), c.Param("name"), disabled)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

// endUserSessions signs an account out everywhere.
func (s *Server) endUserSessions(c echo.Context) error {
	n, err := s.auth.EndSessions(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"ended": n})
}

// listUserTokens and revokeUserToken: an administrator's view of another
// person's API tokens.
func (s *Server) listUserTokens(c echo.Context) error {
	ts, err := s.auth.Tokens(c.Request().Context(), c.Param("name"))
	return listJSON(c, "tokens", ts, err)
}

func (s *Server) revokeUserToken(c echo.Context) error {
	if err := s.auth.Revoke(c.Request().Context(), c.Param("name"), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
