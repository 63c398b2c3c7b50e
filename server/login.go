package server

import (
	"crypto/subtle"
	"net/http"
	"pinggu"
	"pinggu/survey"
	"strings"

	"github.com/labstack/echo/v4"
)

type loginPage struct {
	CSRF, Name, Error string
}

// loginForm shows the sign-in form. Before a session exists, CSRF is a
// double-submit token: a cookie and the same value in the form.
func (s *Server) loginForm(c echo.Context) error {
	return s.renderLogin(c, http.StatusOK, loginPage{})
}

func (s *Server) renderLogin(c echo.Context, status int, p loginPage) error {
	p.CSRF = survey.NewSID()
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Value: p.CSRF, Path: "/admin/login", HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode})
	body, err := s.renderPage("login.html", p)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.HTMLBlob(status, body)
}

func (s *Server) login(c echo.Context) error {
	ck, err := c.Cookie(loginCSRFCookie)
	if err != nil || ck.Value == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(csrfToken(c))) != 1 {
		return s.renderLogin(c, http.StatusForbidden, loginPage{Error: "页面已过期，请重新登录"})
	}
	name := strings.TrimSpace(c.FormValue("name"))
	token, _, err := s.auth.Login(c.Request().Context(), name, c.Request().PostFormValue("password"), s.survey.HashIP(c.RealIP()))
	if code := pinggu.ErrorCode(err); code == pinggu.Unauthorized || code == pinggu.Forbidden {
		return s.renderLogin(c, statusOf(code), loginPage{Name: name, Error: pinggu.ErrorMessage(err)})
	} else if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: token, Path: "/admin", HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusSeeOther, "/admin")
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.auth.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/admin", MaxAge: -1, HttpOnly: true, Secure: s.cfg.SecureCookies})
	return c.Redirect(http.StatusSeeOther, "/admin/login")
}
