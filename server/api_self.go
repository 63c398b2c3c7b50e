package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"pinggu"
	"pinggu/evidence"
)

// A unit's self-assessment over the API: the unit's reporters (its
// reporter accounts and its tokens) fill and submit it; assessors read it
// and return leaves. A reporter reaches only its own unit.

// ownUnit refuses a reporter acting for another unit than the route's.
func ownUnit(c echo.Context) error {
	if u := reporterUnit(c); u != "" && u != c.Param("unit") {
		return pinggu.Errorf(pinggu.Forbidden, "只能查看和填报本单位的自评")
	}
	return nil
}

// unitOnly admits only the unit's own reporters: a self-assessment is the
// unit's word, never entered for it by an assessor.
func unitOnly(c echo.Context) error {
	if reporterUnit(c) == "" {
		return pinggu.Errorf(pinggu.Forbidden, "自评须由单位使用本单位的填报账户或令牌填报")
	}
	return ownUnit(c)
}

// selfLeafView is one leaf of the sheet as the API shows it.
type selfLeafView struct {
	Indicator   string            `json:"indicator"`
	Name        string            `json:"name"`
	Path        []string          `json:"path"`
	Points      float64           `json:"points"`
	Rubric      pinggu.Rubric     `json:"rubric"`
	RubricWords string            `json:"rubricWords"`
	State       pinggu.EntryState `json:"state,omitempty"`
	StateLabel  string            `json:"stateLabel"`
	Entry       *pinggu.SelfEntry `json:"entry,omitempty"`
	Review      *pinggu.Input     `json:"review,omitempty"`
}

func (s *Server) getSelf(c echo.Context) error {
	if err := ownUnit(c); err != nil {
		return err
	}
	f, err := s.assessment.Self(c.Request().Context(), c.Param("code"), c.Param("unit"))
	if err != nil {
		return err
	}
	leaves := make([]selfLeafView, len(f.Leaves))
	for i, l := range f.Leaves {
		v := selfLeafView{Indicator: l.Indicator.Code, Name: l.Indicator.Name, Path: l.Path, Points: l.Indicator.Points,
			Rubric: l.Indicator.Rubric, RubricWords: l.Indicator.RubricWords(), Entry: l.Entry, StateLabel: "未填", Review: l.Input}
		if l.Entry != nil {
			v.State, v.StateLabel = l.Entry.State, pinggu.EntryStateLabel(l.Entry.State)
		}
		leaves[i] = v
	}
	missing := []string{}
	for _, in := range f.Missing() {
		missing = append(missing, in.Code)
	}
	return c.JSON(http.StatusOK, map[string]any{"sheet": f.Sheet, "stage": f.Stage(), "stateLabel": pinggu.SheetStateLabel(f.Stage()),
		"leaves": leaves, "missing": missing})
}

// saveSelf takes one leaf's self-assessment as JSON, or as a multipart
// form with the same fields and evidence files in "evidence".
func (s *Server) saveSelf(c echo.Context) error {
	if err := unitOnly(c); err != nil {
		return err
	}
	var e pinggu.SelfEntry
	var files []evidence.Upload
	if form, err := c.MultipartForm(); err == nil {
		fe := pinggu.FieldErrors{}
		e.Value, e.Score = formFloat(c, fe, "value"), formFloat(c, fe, "score")
		if n := formFloat(c, fe, "count"); n != nil {
			count := int(*n)
			if float64(count) != *n {
				fe.Add("count", "次数须为整数")
			}
			e.Count = &count
		}
		if err := fe.Err("自评有误"); err != nil {
			return err
		}
		e.Explanation = c.FormValue("explanation")
		files = evidenceUploads(form)
	} else {
		var body struct {
			Value       *float64 `json:"value"`
			Count       *int     `json:"count"`
			Score       *float64 `json:"score"`
			Explanation string   `json:"explanation"`
		}
		if err := decodeJSON(c, &body); err != nil {
			return err
		}
		e.InputValue = pinggu.InputValue{Value: body.Value, Count: body.Count, Score: body.Score}
		e.Explanation = body.Explanation
	}
	saved, err := s.assessment.SaveSelf(c.Request().Context(), c.Param("code"), c.Param("unit"), c.Param("indicator"), e, files)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, saved)
}

// formFloat reads an optional number field of a form.
func formFloat(c echo.Context, fe pinggu.FieldErrors, name string) *float64 {
	v := strings.TrimSpace(c.FormValue(name))
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		fe.Add(name, "须为数字")
		return nil
	}
	return &f
}

func (s *Server) submitSelf(c echo.Context) error {
	if err := unitOnly(c); err != nil {
		return err
	}
	sheet, err := s.assessment.SubmitSelf(c.Request().Context(), c.Param("code"), c.Param("unit"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sheet)
}

func (s *Server) returnSelf(c echo.Context) error {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	e, err := s.assessment.ReturnSelf(c.Request().Context(), c.Param("code"), c.Param("unit"), c.Param("indicator"), body.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

// selfEvidence streams one evidence file of a leaf, as an attachment.
func (s *Server) selfEvidence(c echo.Context) error {
	if err := ownUnit(c); err != nil {
		return err
	}
	ev, rc, err := s.assessment.SelfEvidence(c.Request().Context(), c.Param("code"), c.Param("unit"), c.Param("indicator"), c.Param("eid"))
	return streamEvidence(c, ev, rc, err)
}
