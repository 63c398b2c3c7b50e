package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"pinggu"
	"pinggu/evidence"
)

// saveSelfForm saves one leaf from the page (its entry in "entry", an
// explanation, evidence files) or, with do=submit, submits the sheet. A
// mistake comes back on the page next to its leaf, with what was typed.
func (s *Server) saveSelfForm(c echo.Context) error {
	if err := unitOnly(c); err != nil {
		return err
	}
	ctx, round, unit := c.Request().Context(), c.Param("code"), c.Param("unit")
	back := "/admin/rounds/" + round + "/units/" + unit + "/self"
	if c.FormValue("do") == "submit" {
		_, err := s.assessment.SubmitSelf(ctx, round, unit)
		fe, msg, err := formErrors(err)
		if err != nil {
			return err
		}
		if msg != "" {
			return s.selfPage(c, http.StatusUnprocessableEntity, "", nil, &selfView{Error: msg, Errors: fe})
		}
		return s.redirectWith(c, back, "自评已提交")
	}
	leaf := c.FormValue("indicator")
	var e pinggu.SelfEntry
	e.Explanation = c.FormValue("explanation")
	err := readEntry(c, &e)
	if err == nil {
		var files []evidence.Upload
		if form, ferr := c.MultipartForm(); ferr == nil {
			files = evidenceUploads(form)
		}
		_, err = s.assessment.SaveSelf(ctx, round, unit, leaf, e, files)
	}
	if _, msg, ferr := formErrors(err); ferr != nil {
		return ferr
	} else if msg != "" {
		return s.selfPage(c, http.StatusUnprocessableEntity, leaf, err, &selfView{})
	}
	return s.redirectWith(c, back+"#leaf-"+leaf, "已保存指标"+leaf)
}

// readEntry reads the page's "entry" field as the number the leaf's
// rubric takes (its field is named in "field").
func readEntry(c echo.Context, e *pinggu.SelfEntry) error {
	raw := strings.TrimSpace(c.FormValue("entry"))
	field := c.FormValue("field")
	if raw == "" {
		return pinggu.FieldErrors{field: "请填写"}.Err("自评有误")
	}
	n, err := strconv.ParseFloat(strings.TrimSuffix(raw, "%"), 64)
	if err != nil {
		return pinggu.FieldErrors{field: "须为数字"}.Err("自评有误")
	}
	switch field {
	case "count":
		k := int(n)
		if float64(k) != n {
			return pinggu.FieldErrors{field: "次数须为整数"}.Err("自评有误")
		}
		e.Count = &k
	case "score":
		e.Score = &n
	default:
		e.Value = &n
	}
	return nil
}
