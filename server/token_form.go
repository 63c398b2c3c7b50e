package server

import (
	"net/http"
	"pinggu"

	"github.com/labstack/echo/v4"
)

// issueToken creates a personal API token from the console and shows it once.
func (s *Server) issueToken(c echo.Context) error {
	se := session(c)
	token, err := s.auth.IssueToken(c.Request().Context(), se.User, c.FormValue("name"))
	if err != nil {
		return err
	}
	s.notice(c, http.StatusCreated, noticePage{Title: "API令牌", Heading: "新的API令牌（只显示这一次，请妥善保存）",
		Lines: []string{token, "使用方法：Authorization: Bearer <令牌>；权限与您的账户相同（" + pinggu.RoleLabel(se.Role) + "）。"}})
	return nil
}

// revokeTokenForm revokes one of the signed-in person's tokens.
func (s *Server) revokeTokenForm(c echo.Context) error {
	if err := s.auth.Revoke(c.Request().Context(), session(c).User, c.Param("id")); err != nil {
		return err
	}
	return s.redirectWith(c, "/admin", "已撤销API令牌")
}
