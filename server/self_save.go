package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"pinggu"
	"pinggu/evidence"
)

// saveSelfForm saves one leaf from the page (its entry in "entry", read
// by the leaf's rubric, an explanation, evidence files) or, with do=submit, submits the sheet. A
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
	v, err := s.readEntry(c)
	e := pinggu.SelfEntry{InputValue: v, Explanation: c.FormValue("explanation")}
	e.Comment = ""
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
