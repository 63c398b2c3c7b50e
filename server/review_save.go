package server

import (
	"net/http"
	"net/url"
	"pinggu"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// reviewAction records an entry (do=input), adds an event (do=adjust) or
// removes one (do=delete).
func (s *Server) reviewAction(c echo.Context) error {
	ctx, round, unit := c.Request().Context(), c.Param("code"), c.Param("unit")
	var err error
	var errKey func(pinggu.FieldErrors) pinggu.FieldErrors
	done := ""
	switch c.FormValue("do") {
	case "input":
		code := c.FormValue("indicator")
		var v pinggu.InputValue
		if v, err = s.readEntry(c); err == nil {
			_, err = s.assessment.SetInput(ctx, round, unit, code, v)
		}
		errKey = beside(code)
		done = "已保存指标" + code + "的录入"
	case "adjust":
		points, _ := strconv.ParseFloat(strings.TrimSpace(c.FormValue("points")), 64)
		a := pinggu.Adjustment{Kind: pinggu.AdjustmentKind(c.FormValue("kind")), Points: points, Rule: c.FormValue("rule"), Basis: c.FormValue("basis")}
		err = s.assessment.AddAdjustment(ctx, round, unit, &a)
		done = "已登记事项"
	case "return":
		code := c.FormValue("indicator")
		_, err = s.assessment.ReturnSelf(ctx, round, unit, code, c.FormValue("reason"))
		errKey = beside(code)
		done = "已退回指标" + code + "，等待单位补充"
	case "confirm":
		code := c.FormValue("indicator")
		var change *pinggu.InputValue
		if strings.TrimSpace(c.FormValue("entry")) != "" {
			v, verr := s.readEntry(c)
			if err = verr; err == nil {
				v.Comment, change = "", &v
			}
		}
		if err == nil {
			_, err = s.assessment.ConfirmInput(ctx, round, unit, code, change, c.FormValue("reason"))
		}
		errKey = beside(code)
		done = "已复核指标" + code
	case "delete":
		if ok, cerr := s.confirmed(c, "删除事项", "删除后该加分、扣分或否决事项不再计入总分；审计日志保留登记和删除的记录。",
			"/admin/rounds/"+url.PathEscape(round)+"/units/"+url.PathEscape(unit)+"/review"); !ok {
			return cerr
		}
		err = s.assessment.DeleteAdjustment(ctx, round, unit, c.FormValue("id"))
		done = "已删除事项"
	default:
		err = pinggu.FieldErrors{"do": "未知操作"}.Err("操作有误")
	}
	fe, msg, err := formErrors(err)
	if err != nil {
		return err
	}
	if msg != "" {
		if errKey != nil {
			fe = errKey(fe)
		}
		return s.reviewPage(c, http.StatusUnprocessableEntity, &reviewView{Error: msg}, fe)
	}
	return s.redirectWith(c, "/admin/rounds/"+url.PathEscape(round)+"/units/"+url.PathEscape(unit)+"/review", done)
}

// beside puts every message of an action on a leaf beside its row.
func beside(code string) func(pinggu.FieldErrors) pinggu.FieldErrors {
	return func(fe pinggu.FieldErrors) pinggu.FieldErrors {
		msgs := make([]string, 0, len(fe))
		for _, m := range fe {
			msgs = append(msgs, m)
		}
		return pinggu.FieldErrors{code: strings.Join(msgs, "；")}
	}
}

// readEntry reads the posted entry as the leaf's rubric wants it.
func (s *Server) readEntry(c echo.Context) (pinggu.InputValue, error) {
	v := pinggu.InputValue{Comment: strings.TrimSpace(c.FormValue("comment"))}
	text := strings.TrimSpace(c.FormValue("entry"))
	switch pinggu.Rubric(c.FormValue("rubric")) {
	case pinggu.RubricDeduction:
		n, err := strconv.Atoi(text)
		if err != nil {
			return v, pinggu.FieldErrors{"count": "发生次数须为整数"}.Err("录入内容有误")
		}
		v.Count = &n
	default:
		x, err := strconv.ParseFloat(strings.TrimSuffix(text, "%"), 64)
		if err != nil {
			return v, pinggu.FieldErrors{rubricField(pinggu.Rubric(c.FormValue("rubric"))): "须录入数字"}.Err("录入内容有误")
		}
		if pinggu.Rubric(c.FormValue("rubric")) == pinggu.RubricManual {
			v.Score = &x
		} else {
			v.Value = &x
		}
	}
	return v, nil
}
