package server

import (
	"fmt"
	"net/http"
	"net/url"
	"pinggu"
	"pinggu/quality"
	"strings"

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
	if (len(target.IDs) > 0 || target.Flag != "") && strings.TrimSpace(c.FormValue("reason")) != "" {
		// Asked once the form is complete: a missing reason is said first.
		if ok, err := s.confirmed(c, "排除答卷", "排除后这些答卷不计入得分、满意率和排名，原始数据中保留并注明原因；排除可以恢复。", back); !ok {
			return err
		}
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
