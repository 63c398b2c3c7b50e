package server

import (
	"fmt"
	"net/url"
	"pinggu"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// newInvitationsForm makes a batch of invitation codes for a unit.
func (s *Server) newInvitationsForm(c echo.Context) error {
	n, err := strconv.Atoi(strings.TrimSpace(c.FormValue("count")))
	if err != nil {
		return pinggu.FieldErrors{"count": "数量须为整数"}.Err("邀请码数量有误")
	}
	unit := c.FormValue("unit")
	codes, err := s.survey.NewInvitations(c.Request().Context(), c.Param("code"), unit, n)
	if err != nil {
		return err
	}
	return s.redirectWith(c, "/admin/rounds/"+url.PathEscape(c.Param("code")), fmt.Sprintf("已为%s生成%d个邀请码，可在表中下载", unit, len(codes)))
}
