package server

import (
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"pinggu"
	"strings"

	"github.com/labstack/echo/v4"
)

const (
	sessionCookie    = "pg_session"
	loginCSRFCookie  = "pg_login_csrf"
	sessionKey       = "session"
	consoleTimestamp = "2006-01-02 15:04"
)

// navView is the console's top bar: who is signed in, and which parts of
// the console their role opens.
type navView struct {
	User, RoleLabel, Unit, CSRF string
	Staff, Admin                bool
}

func nav(se *pinggu.Session) navView {
	return navView{User: se.User, RoleLabel: pinggu.RoleLabel(se.Role), Unit: se.Unit, CSRF: se.CSRF,
		Staff: staffAccess.allows(se.Role), Admin: adminAccess.allows(se.Role)}
}

// requireSession admits a signed-in person whose role the access level
// admits — the role read from the account on this request, so a changed
// role counts at once. Without a session the browser goes to the login
// page; with the wrong role it gets 403. Every POST must carry the
// session's CSRF token.
func (s *Server) requireSession(a access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			se, err := s.sessionOf(c)
			if pinggu.ErrorCode(err) == pinggu.Unauthorized {
				return c.Redirect(http.StatusSeeOther, "/admin/login")
			}
			if err != nil {
				return err
			}
			c.Set(sessionKey, se) // also for a refusal: it is shown inside the console
			if !a.allows(se.Role) {
				return pinggu.Errorf(pinggu.Forbidden, "您的角色（%s）无权访问此页面", pinggu.RoleLabel(se.Role))
			}
			if c.Request().Method == http.MethodPost && subtle.ConstantTimeCompare([]byte(csrfToken(c)), []byte(se.CSRF)) != 1 {
				return pinggu.Errorf(pinggu.Forbidden, "页面已过期，请刷新后重试")
			}
			c.SetRequest(c.Request().WithContext(pinggu.WithActor(c.Request().Context(), "user:"+se.User)))
			return next(c)
		}
	}
}

// sessionOf reads the request's console session from its cookie
// (Unauthorized without one, or with one that has ended).
func (s *Server) sessionOf(c echo.Context) (*pinggu.Session, error) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil {
		return nil, errUnauthorized
	}
	return s.auth.Session(c.Request().Context(), ck.Value)
}

func session(c echo.Context) *pinggu.Session { se, _ := c.Get(sessionKey).(*pinggu.Session); return se }

func bearer(c echo.Context) (string, bool) {
	token, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	return strings.TrimSpace(token), ok
}

func (s *Server) isAdminToken(token string) bool {
	want, _ := hex.DecodeString(s.cfg.AdminTokenHash)
	got, _ := hex.DecodeString(pinggu.HashToken(token))
	return len(want) > 0 && subtle.ConstantTimeCompare(got, want) == 1
}

// apiAuth resolves the bearer token to who is calling: the bootstrap admin
// token, a person's API token ("p_…", with their role), or a unit's
// reporter token ("u_…"). Anything else is 401.
func (s *Server) apiAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		token, ok := bearer(c)
		var p *pinggu.Principal
		var err error
		actor := "" // the principal's name unless set
		switch {
		case !ok || token == "":
			err = errUnauthorized
		case s.isAdminToken(token):
			p = &pinggu.Principal{Name: "admin", Role: pinggu.RoleAdmin}
		case strings.HasPrefix(token, "u_"):
			var unit string
			if unit, err = s.midterm.UnitOfToken(ctx, token); err == nil {
				p = &pinggu.Principal{Name: "unit:" + unit, Role: pinggu.RoleReporter, Unit: unit}
			}
		case strings.HasPrefix(token, "p_"):
			if p, err = s.auth.PrincipalOfToken(ctx, token); err == nil {
				actor = "user:" + p.Name // a person is the same actor on the console and the API
			}
		default:
			err = errUnauthorized
		}
		if err != nil {
			if pinggu.ErrorCode(err) == pinggu.Unauthorized {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="pinggu"`)
			}
			return err
		}
		c.Set(principalKey, p)
		if actor == "" {
			actor = p.Name
		}
		c.SetRequest(c.Request().WithContext(pinggu.WithActor(ctx, actor)))
		return next(c)
	}
}

// allow admits the roles of an access level (after apiAuth): 403 for the
// others.
func (s *Server) allow(a access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p := principal(c)
			if p == nil || !a.allows(p.Role) {
				return pinggu.Errorf(pinggu.Forbidden, "当前身份无权执行此操作")
			}
			return next(c)
		}
	}
}

const principalKey = "principal"

func principal(c echo.Context) *pinggu.Principal {
	p, _ := c.Get(principalKey).(*pinggu.Principal)
	return p
}

// reporterUnit is the unit of a reporter's request (a token's or a
// console session's), "" for everyone else.
func reporterUnit(c echo.Context) string {
	if p := principal(c); p != nil && p.Role == pinggu.RoleReporter {
		return p.Unit
	}
	if se := session(c); se != nil && se.Role == pinggu.RoleReporter {
		return se.Unit
	}
	return ""
}

// HashToken is how administrator tokens are kept (see pinggu.HashToken).
func HashToken(token string) string { return pinggu.HashToken(token) }

// csrfToken is the CSRF token a POST carries: in its body or in the
// X-CSRF-Token header, never in the query string (where it would leak
// into logs, history and Referer headers).
func csrfToken(c echo.Context) string {
	if t := c.Request().Header.Get("X-CSRF-Token"); t != "" {
		return t
	}
	return c.Request().PostFormValue("csrf")
}
