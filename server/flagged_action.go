package server

import (
	"fmt"
	"net/http"
	"net/url"
	"pinggu"
	"pinggu/quality"

	"github.com/labstack/echo/v4"
)

// flaggedAction excludes the ticked responses with a reason, or restores one.
func (s *Server) flaggedAction(c echo.Context) error {
	ctx, round, unit := c.Request().Context(), c.Param("code"), c.Param("unit")
	back := "/admin/rounds/" + url.PathEscape(round) + "/units/" + url.PathEscape(unit) + "/flagged"
	if id := c.FormValue("restore"); id != "" {
		if err := s.quality.Restore(ctx, round, id); err != nil {
			return err
		}
		return s.redirectWith(c, back, "已恢复答卷 "+id)
	}
	form, _ := c.FormParams()
	target := quality.Target{IDs: form["ids"]}
	if flag := c.FormValue("flag"); c.FormValue("do") == "exclude-flag" {
		// A whole burst, say: every response of this unit with the flag.
		target = quality.Target{Unit: unit, Flag: flag}
	}
	var err error
	n := 0
	if len(target.IDs) == 0 && target.Flag == "" {
		err = pinggu.FieldErrors{"ids": "请至少选择一份答卷，或选择一种质量信号"}.Err("没有选择答卷")
	} else {
		n, err = s.quality.Exclude(ctx, round, target, c.FormValue("reason"))
	}
	fe, msg, err := formErrors(err)
	if err != nil {
		return err
	}
	if msg != "" {
		return s.flaggedPage(c, http.StatusUnprocessableEntity, &flaggedView{Error: msg, ReasonError: fe["reason"],
			Reason: c.FormValue("reason")})
	}
	return s.redirectWith(c, back, fmt.Sprintf("已排除%d份答卷，重新汇总后生效", n))
}
