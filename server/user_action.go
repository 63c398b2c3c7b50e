package server

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"pinggu"
)

// userAction disables or enables an account, signs it out everywhere, or
// revokes one of its API tokens; each counts from the account's next
// request and is audited.
func (s *Server) userAction(c echo.Context) error {
	ctx, name := c.Request().Context(), c.Param("name")
	var err error
	done := ""
	switch c.Request().PostFormValue("do") {
	case "disable":
		_, err = s.auth.SetDisabled(ctx, name, true)
		done = "已停用账户 " + name + "，其会话已结束"
	case "enable":
		_, err = s.auth.SetDisabled(ctx, name, false)
		done = "已启用账户 " + name
	case "signout":
		_, err = s.auth.EndSessions(ctx, name)
		done = "已结束账户 " + name + " 的全部会话"
	case "revoke":
		err = s.auth.Revoke(ctx, name, c.Request().PostFormValue("id"))
		done = "已撤销账户 " + name + " 的一个API令牌"
	default:
		err = pinggu.FieldErrors{"do": "未知操作"}.Err("操作有误")
	}
	if _, msg, ferr := formErrors(err); ferr != nil {
		return ferr
	} else if msg != "" {
		return s.usersPage(c, http.StatusUnprocessableEntity, &usersView{Error: msg})
	}
	return s.redirectWith(c, "/admin/users#u-"+url.PathEscape(name), done)
}
