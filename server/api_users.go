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
