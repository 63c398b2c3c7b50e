package server

import (
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"pinggu"
)

// savePhase opens an assessment round's phase early, extends or moves it
// from the round page, with a reason; times are read in the round's zone.
// A refusal comes back as the page's notice.
func (s *Server) savePhase(c echo.Context) error {
	ctx, code := c.Request().Context(), c.Param("code")
	back := "/admin/rounds/" + url.PathEscape(code)
	r, err := s.catalog.Round(ctx, code)
	if err != nil {
		return err
	}
	loc := r.Location()
	opens, err1 := time.ParseInLocation(localLayout, c.FormValue("opens"), loc)
	closes, err2 := time.ParseInLocation(localLayout, c.FormValue("closes"), loc)
	if err1 != nil || err2 != nil {
		return s.redirectWith(c, back, "阶段未调整：开始和结束时间须填写完整，如 2025-03-01T09:00")
	}
	_, err = s.rounds.SetPhase(ctx, code, c.FormValue("phase"), pinggu.Window{Opens: opens.UTC(), Closes: closes.UTC()}, c.FormValue("reason"))
	if _, msg, ferr := formErrors(err); ferr != nil {
		return ferr
	} else if msg != "" {
		for _, m := range pinggu.ErrorFields(err) {
			msg += "：" + m
			break
		}
		return s.redirectWith(c, back, "阶段未调整："+msg)
	}
	return s.redirectWith(c, back, "已调整阶段，理由已记入审计日志")
}
