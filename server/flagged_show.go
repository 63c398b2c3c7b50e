package server

import (
	"fmt"
	"net/http"
	"pinggu"
	"strings"

	"github.com/labstack/echo/v4"
)

type flaggedRow struct {
	ID, At, Seconds, Channel, Flags, Excluded string
}

// flaggedView is a unit's flagged responses with the exclusion form.
type flaggedView struct {
	consoleView
	Round, Unit, UnitName string
	Rows                  []flaggedRow
	Flags                 []struct{ Flag, Label string }
	Error, ReasonError    string // the exclusion form's mistake
	Reason                string // kept after a mistake
}

// consoleFlagged lists a unit's flagged or excluded responses, with
// exclusion and restore; an assessor decides, the flags only point.
func (s *Server) consoleFlagged(c echo.Context) error {
	return s.flaggedPage(c, http.StatusOK, &flaggedView{consoleView: consoleView{Done: s.takeNotice(c)}})
}

func (s *Server) flaggedPage(c echo.Context, status int, v *flaggedView) error {
	ctx := c.Request().Context()
	f, err := s.survey.Form(ctx, c.Param("code"), c.Param("unit"))
	if err != nil {
		return err
	}
	list, err := s.quality.Flagged(ctx, f.Round.Code, f.Unit.Code)
	if err != nil {
		return err
	}
	labels := map[string]string{}
	for _, q := range pinggu.QualityFlags {
		labels[q.Flag] = q.Label
	}
	rows := make([]flaggedRow, len(list))
	for i, x := range list {
		names := make([]string, len(x.Flags))
		for j, fl := range x.Flags {
			names[j] = labels[fl]
		}
		secs := "—"
		if x.DurationMs >= 0 {
			secs = fmt.Sprintf("%.0f", float64(x.DurationMs)/1000)
		}
		rows[i] = flaggedRow{ID: x.ID, At: x.SubmittedAt.In(f.Round.Location()).Format(consoleTimestamp), Seconds: secs,
			Channel: pinggu.ChannelLabel(pinggu.Channel(x.Channel)), Flags: strings.Join(names, "、"), Excluded: x.Excluded}
	}
	v.Round, v.Unit, v.UnitName, v.Rows, v.Flags = f.Round.Code, f.Unit.Code, f.Unit.Name, rows, pinggu.QualityFlags
	return s.pageStatus(c, status, "flagged.html", v)
}
