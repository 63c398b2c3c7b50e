package server

import (
	"fmt"
	"net/http"
	"pinggu"
	"pinggu/assessment"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

type reviewRow struct {
	pinggu.Indicator
	Rubric, Current, Entry, Field, Error string
	// The unit's self-assessment of the leaf, its evidence and a return.
	Self, SelfNote, Returned string
	Files                    []evidenceLink
	CanReturn                bool
	// The confirmation (复核): done, or offered to another assessor.
	Confirmed  string
	CanConfirm bool
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
	Stage     string // the unit's self-assessment, in words
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
			row.Current = fmt.Sprintf("%s（%s，%s）", row.Entry, pinggu.ActorLabel(e.By), e.At.In(loc).Format(consoleTimestamp))
		}
		if errs[in.Code] != "" {
			row.Entry = c.FormValue("entry")
		}
		s.reviewSelf(&row, sh, in.Code, pinggu.Actor(c.Request().Context()), loc)
		rows[i] = row
	}
	v.Sheet, v.Rows, v.AdjErrors, v.Stage = sh, rows, errs, pinggu.SheetStateLabel(sh.SelfSheet.State)
	return s.pageStatus(c, status, "review.html", v)
}

// reviewSelf adds to a leaf's row what the unit self-assessed (with a
// return to make while the sheet is submitted) and the confirmation, which
// the one who made the entry is not offered.
func (s *Server) reviewSelf(row *reviewRow, sh *assessment.ReviewSheet, code, me string, loc *time.Location) {
	if e, ok := sh.Self[code]; ok {
		row.Self, row.SelfNote = assessment.ValueWords(row.Indicator.Rubric, e.InputValue), e.Explanation
		for _, ev := range e.Evidence {
			row.Files = append(row.Files, evidenceLink{Name: ev.Name,
				URL: "/admin/rounds/" + sh.Round.Code + "/units/" + sh.Unit.Code + "/self/" + code + "/evidence/" + ev.ID})
		}
		if e.Return != nil {
			row.Returned = e.Return.Text
		}
		st := sh.SelfSheet.State
		row.CanReturn = st == pinggu.SheetSubmitted || st == pinggu.SheetReturned && e.State != pinggu.EntryReturned
	}
	in, ok := sh.Inputs[code]
	switch {
	case !ok:
	case in.Confirmed != nil:
		row.Confirmed = "已复核（" + pinggu.ActorLabel(in.Confirmed.By) + "，" + in.Confirmed.At.In(loc).Format(consoleTimestamp) + "）"
		if in.Confirmed.Was != nil {
			row.Confirmed += "，由" + entryText(*in.Confirmed.Was) + "改为" + entryText(in.InputValue) + "：" + in.Confirmed.Reason
		}
	default:
		row.CanConfirm = in.By != me
	}
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
