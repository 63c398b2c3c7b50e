package server

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"pinggu"
)

type userRow struct {
	Name, Role, Unit, Created, Locked string
	Disabled                          bool
	Tokens                            []pinggu.APIToken
}

// usersView lists the accounts with what an administrator may do to each:
// disable or enable, sign out everywhere, revoke an API token.
type usersView struct {
	consoleView
	Rows  []userRow
	Error string
}

// consoleUsers lists the console accounts.
func (s *Server) consoleUsers(c echo.Context) error {
	return s.usersPage(c, http.StatusOK, &usersView{consoleView: consoleView{Done: s.takeNotice(c)}})
}

func (s *Server) usersPage(c echo.Context, status int, v *usersView) error {
	ctx := c.Request().Context()
	users, err := s.auth.Users(ctx)
	if err != nil {
		return err
	}
	cst := time.FixedZone("CST", 8*3600)
	now := s.cfg.Now()
	for _, u := range users {
		row := userRow{Name: u.Name, Role: pinggu.RoleLabel(u.Role), Unit: u.Unit, Disabled: u.Disabled,
			Created: u.CreatedAt.In(cst).Format(consoleTimestamp)}
		if u.LockedUntil.After(now) {
			row.Locked = u.LockedUntil.In(cst).Format("15:04")
		}
		if row.Tokens, err = s.auth.Tokens(ctx, u.Name); err != nil {
			return err
		}
		v.Rows = append(v.Rows, row)
	}
	return s.pageStatus(c, status, "users.html", v)
}
