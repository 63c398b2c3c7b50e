package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"pinggu"

	"github.com/labstack/echo/v4"
)

type progressRow struct {
	Unit, Name         string
	Received, Today    int
	Quota, Percent     int
	Last               string
	Survey, QR, Poster string
	Flags              []flagCount
	Strata             []string // "企业经营者 3/3" per cell with a quota
	Channels           string   // "网页 40 · 扫码 20"
	Excluded           int
	Score              *pinggu.UnitScore
}

// consoleRound is a round's dashboard: sample progress and reports.
func (s *Server) consoleRound(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := s.catalog.Round(ctx, c.Param("code"))
	if err != nil {
		return err
	}
	loc := r.Location()
	units, err := s.catalog.Units(ctx)
	if err != nil {
		return err
	}
	names := pinggu.UnitNames(units)
	reps, err := s.reports.Reports(ctx, r.Code)
	if err != nil {
		return err
	}
	scores := latestScores(reps)
	tag := linkTag(strings.TrimSpace(c.QueryParam("tag")))
	tagQuery := ""
	if tag != "" {
		tagQuery = "?tag=" + url.QueryEscape(tag)
	}
	var prog []progressRow
	days := map[string]int{}
	if len(r.Units) > 0 {
		ps, err := s.survey.Progress(ctx, r.Code)
		if err != nil {
			return err
		}
		excluded, err := s.quality.ExcludedByUnit(ctx, r.Code)
		if err != nil {
			return err
		}
		strata, err := s.strataLines(ctx, r)
		if err != nil {
			return err
		}
		for _, p := range ps {
			for d, n := range p.Days {
				days[d] += n
			}
			base := "/admin/rounds/" + r.Code + "/units/" + p.Unit
			row := progressRow{Unit: p.Unit, Name: names[p.Unit], Received: p.Received, Today: p.Today, Quota: p.Quota,
				Survey: s.surveyURL(r.Code, p.Unit, "", tag), QR: base + "/qr.png" + tagQuery, Poster: base + "/poster" + tagQuery,
				Flags: flagCounts(p.Flags), Excluded: excluded[p.Unit], Score: scores[p.Unit], Strata: strata(p.Strata),
				Channels: channelCounts(p.Channels)}
			if p.Quota > 0 {
				row.Percent = min(100, p.Received*100/p.Quota)
			}
			if !p.LastAt.IsZero() {
				row.Last = p.LastAt.In(loc).Format(consoleTimestamp)
			}
			prog = append(prog, row)
		}
	}
	rrows := reportRowsOf(reps, loc)
	jrows, err := s.jobRows(ctx, r, 10)
	if err != nil {
		return err
	}
	repairedAt, repair, err := s.survey.LastRepair(ctx, r.Code)
	if err != nil {
		return err
	}
	v := &roundView{consoleView: consoleView{Done: s.takeNotice(c)},
		Round: r, Status: pinggu.StatusLabel(r.Status), Zone: pinggu.ZoneLabel(r.Timezone),
		Opens: r.OpensAt.In(loc).Format(consoleTimestamp), Closes: r.ClosesAt.In(loc).Format(consoleTimestamp),
		Next: nextStep(r), Progress: prog, Reports: rrows, Days: dayRows(days), Jobs: jrows,
		IsAdmin: adminAccess.allows(session(c).Role), Tag: tag,
		BadTag: tag == "" && c.QueryParam("tag") != "", ScoresFinal: scoresFinal(reps),
		Finished: r.Status.Finished(), CanSchedule: r.Status == pinggu.StatusDraft}
	if v.Workflow, err = s.workflowRows(ctx, r, names); err != nil {
		return err
	}
	if !repairedAt.IsZero() {
		v.Repaired = "计数已于" + repairedAt.In(loc).Format(consoleTimestamp) + "核对答卷后更正：" + repair
	}
	return s.pageStatus(c, http.StatusOK, "round.html", v)
}

// roundView is a round's dashboard.
type roundView struct {
	consoleView
	Round                 *pinggu.Round
	Status, Opens, Closes string
	Next                  string // what happens next, in words
	Progress              []progressRow
	Reports               []reportRow
	Days                  []dayRow
	Jobs                  []jobRow
	IsAdmin               bool
	Tag                   string // the links' source tag
	BadTag                bool   // a tag was asked for but is not valid
	ScoresFinal           bool   // the scores shown are from a final compile
	Finished, CanSchedule bool
	Repaired              string // when and how the tallies were last corrected from the responses
	Workflow              []flowRow
	Zone                  string // the round's time zone in words
}

// flowRow is one unit's line of an assessment round's workflow.
type flowRow struct {
	Unit, Name, Stage       string
	Appeals, Items, Overdue int
	MaxOverdue              int
}

// workflowRows are an assessment round's units with their stage, open
// appeals and rectification items (overdue counted today in the round's
// zone); none for other rounds.
func (s *Server) workflowRows(ctx context.Context, r *pinggu.Round, names map[string]string) ([]flowRow, error) {
	if r.Assessment == nil {
		return nil, nil
	}
	today := pinggu.Date(s.cfg.Now().In(r.Location()).Format(pinggu.DateLayout))
	flows, err := s.assessment.Workflow(ctx, r.Code, today)
	if err != nil {
		return nil, err
	}
	rows := make([]flowRow, len(flows))
	for i, f := range flows {
		rows[i] = flowRow{Unit: f.Unit, Name: names[f.Unit], Stage: f.Stage, Appeals: f.Appeals, Items: f.Items, Overdue: f.Overdue, MaxOverdue: f.MaxOverdue}
	}
	return rows, nil
}

// strataLines formats a unit's stratum counts against their quotas.
func (s *Server) strataLines(ctx context.Context, r *pinggu.Round) (func(map[string]int) []string, error) {
	if r.Strata == nil || len(r.Strata.Quotas) == 0 {
		return func(map[string]int) []string { return nil }, nil
	}
	q, err := s.catalog.Questionnaire(ctx, r.Questionnaire, r.QuestionnaireVersion)
	if err != nil {
		return nil, err
	}
	cells := make([]string, 0, len(r.Strata.Quotas))
	for c := range r.Strata.Quotas {
		cells = append(cells, c)
	}
	sort.Strings(cells)
	return func(counts map[string]int) []string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = fmt.Sprintf("%s %d/%d", r.Strata.CellLabel(q, c), counts[c], r.Strata.Quotas[c])
		}
		return out
	}, nil
}
