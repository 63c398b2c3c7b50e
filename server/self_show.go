package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"pinggu"
	"pinggu/assessment"
)

// selfView is a unit's self-assessment page: every leaf with its rubric in
// words, the unit's entry and evidence, a return to answer, the reviewer's
// entry, and a form per leaf while the unit may change it.
type selfView struct {
	consoleView
	Round, Unit, Stage  string
	RoundCode, UnitCode string
	Window              string // the self-assessment phase, if set
	Leaves              []selfLeafRow
	Missing             []string
	CanSubmit, IsUnit   bool
	Error               string // a failed submission
	Errors              pinggu.FieldErrors
}

// selfLeafRow is one leaf on the page; Field is the input its rubric takes.
type selfLeafRow struct {
	Code, Name, Path, Rubric string
	RubricCode               pinggu.Rubric
	Points                   float64
	Field                    string // value, count or score
	Binary                   bool
	Current, Explanation     string // the unit's entry, as the form shows it
	Entered                  string // the unit's entry in words
	State                    string
	Files                    []evidenceLink
	Returned, Review         string
	Editable                 bool
	Error                    string
	Errors                   pinggu.FieldErrors
}

// consoleSelf shows a unit's sheet: to its reporters (their own unit only)
// and to staff, who read it.
func (s *Server) consoleSelf(c echo.Context) error {
	return s.selfPage(c, http.StatusOK, "", nil, &selfView{consoleView: consoleView{Done: s.takeNotice(c)}})
}

func (s *Server) selfPage(c echo.Context, status int, failedLeaf string, leafErr error, v *selfView) error {
	if err := ownUnit(c); err != nil {
		return err
	}
	f, err := s.assessment.Self(c.Request().Context(), c.Param("code"), c.Param("unit"))
	if err != nil {
		return err
	}
	loc := f.Round.Location()
	v.Round, v.Unit, v.RoundCode, v.UnitCode = f.Round.Title, f.Unit.Name, f.Round.Code, f.Unit.Code
	v.Stage, v.IsUnit = pinggu.SheetStateLabel(f.Stage()), reporterUnit(c) != ""
	if w := f.Round.Assessment.Phases.SelfAssessment; w != nil {
		v.Window = period(w, loc)
	}
	open := f.Sheet.State == pinggu.SheetEmpty || f.Sheet.State == pinggu.SheetDrafting
	v.CanSubmit = v.IsUnit && (open || f.Sheet.State == pinggu.SheetReturned)
	for _, m := range f.Missing() {
		v.Missing = append(v.Missing, m.Code+" "+m.Name)
	}
	base := "/admin/rounds/" + f.Round.Code + "/units/" + f.Unit.Code + "/self/"
	for _, l := range f.Leaves {
		row := selfLeafRow{Code: l.Indicator.Code, Name: l.Indicator.Name, Path: strings.Join(l.Path, " › "), Points: l.Indicator.Points,
			Rubric: l.Indicator.RubricWords(), RubricCode: l.Indicator.Rubric, Field: rubricField(l.Indicator.Rubric), Binary: l.Indicator.Rubric == pinggu.RubricBinary, State: "未填"}
		if e := l.Entry; e != nil {
			row.Current, row.Explanation, row.Entered = entryText(e.InputValue), e.Explanation, assessment.ValueWords(l.Indicator.Rubric, e.InputValue)
			row.State = pinggu.EntryStateLabel(e.State)
			for _, ev := range e.Evidence {
				row.Files = append(row.Files, evidenceLink{Name: ev.Name, URL: base + l.Indicator.Code + "/evidence/" + ev.ID})
			}
			if e.Return != nil {
				row.Returned = e.Return.Text + "（" + e.Return.At.In(loc).Format(consoleTimestamp) + "）"
			}
		}
		if in := l.Input; in != nil {
			row.Review = assessment.ValueWords(l.Indicator.Rubric, in.InputValue)
			if in.Confirmed != nil {
				row.Review += "，已复核"
			}
		}
		returned := l.Entry != nil && (l.Entry.State == pinggu.EntryReturned || l.Entry.State == pinggu.EntryAnswered)
		row.Editable = v.IsUnit && (open || f.Sheet.State == pinggu.SheetReturned && returned)
		if l.Indicator.Code == failedLeaf {
			row.Errors, row.Error, _ = formErrors(leafErr)
			row.Current, row.Explanation = c.FormValue("entry"), c.FormValue("explanation")
		}
		v.Leaves = append(v.Leaves, row)
	}
	return s.pageStatus(c, status, "self.html", v)
}

// rubricField is the entry a rubric takes.
func rubricField(r pinggu.Rubric) string {
	switch r {
	case pinggu.RubricDeduction:
		return "count"
	case pinggu.RubricManual:
		return "score"
	}
	return "value"
}
