package server

import (
	"fmt"
	"net/http"
	"pinggu"
	"pinggu/assessment"
	"strconv"

	"github.com/labstack/echo/v4"
)

type reviewRow struct {
	pinggu.Indicator
	Rubric, Current, Entry, Field, Error string
}

// consoleReview is a unit's review sheet in an assessment round.
func (s *Server) consoleReview(c echo.Context) error {
	return s.reviewPage(c, http.StatusOK, &reviewView{consoleView: consoleView{Done: s.takeNotice(c)}}, nil)
}

// reviewView is a unit's review sheet: a row per leaf to enter, and the
// events.
type reviewView struct {
	consoleView
	Sheet     *assessment.ReviewSheet
	Rows      []reviewRow
	Error     string
	AdjErrors pinggu.FieldErrors // the event form's mistakes
}

func (s *Server) reviewPage(c echo.Context, status int, v *reviewView, errs pinggu.FieldErrors) error {
	sh, err := s.assessment.Review(c.Request().Context(), c.Param("code"), c.Param("unit"))
	if err != nil {
		return err
	}
	loc := sh.Round.Location()
	rows := make([]reviewRow, len(sh.Leaves))
	for i, in := range sh.Leaves {
		row := reviewRow{Indicator: in, Rubric: pinggu.RubricLabel(in.Rubric), Field: entryField(in.Rubric), Error: errs[in.Code]}
		if e, ok := sh.Inputs[in.Code]; ok {
			row.Entry = entryText(e.InputValue)
			row.Current = fmt.Sprintf("%s（%s，%s）", row.Entry, e.By, e.At.In(loc).Format(consoleTimestamp))
		}
		if errs[in.Code] != "" {
			row.Entry = c.FormValue("entry")
		}
		rows[i] = row
	}
	v.Sheet, v.Rows, v.AdjErrors = sh, rows, errs
	return s.pageStatus(c, status, "review.html", v)
}

// entryField names what a rubric's entry is.
func entryField(r pinggu.Rubric) string {
	switch r {
	case pinggu.RubricBinary:
		return "是否达标（1达标，0未达标）"
	case pinggu.RubricProportional:
		return "完成值"
	case pinggu.RubricDeduction:
		return "发生次数"
	}
	return "得分"
}

func entryText(v pinggu.InputValue) string {
	switch {
	case v.Value != nil:
		return strconv.FormatFloat(*v.Value, 'f', -1, 64)
	case v.Count != nil:
		return strconv.Itoa(*v.Count)
	case v.Score != nil:
		return strconv.FormatFloat(*v.Score, 'f', -1, 64)
	}
	return ""
}
