package server

import (
	"context"
	"fmt"
	"net/http"
	"pinggu"
	"pinggu/scoring"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// localLayout is what <input type="datetime-local"> sends and shows; the
// time is read in the round's time zone, never the browser's or server's.
const localLayout = "2006-01-02T15:04"

// roundForm is the round editor's state: the round and the texts typed
// into it, so a mistake re-renders exactly what was entered.
type roundForm struct {
	Round                    pinggu.Round
	Editing                  bool
	Opens, Closes, CompileAt string
	Quotas                   map[string]string
	Modes                    map[string]string // per-unit quota mode overrides
	Selected                 map[string]bool
	Advanced                 string
	MinSeconds, BurstLimit   string
	SpeederShare             string
	// The settings with forms of their own, as typed (the stored or
	// default values when the form opens).
	Scoring                    scoringFields
	Assess                     assessmentFields
	Mid                        midtermFields
	Pop                        populationFields
	Units                      []pinggu.Unit
	Questionnaires             []*pinggu.Questionnaire
	Systems                    []*pinggu.IndicatorSystem
	Plans                      []*pinggu.Plan
	Baselines                  []*pinggu.Round // rounds this one may be compared with
	VetoRanks                  []option
	Zones                      []option
	Errors                     pinggu.FieldErrors
	Error                      string
	Next                       string
	Kinds, QuotaModes, Devices []option
	// Margins says per unit the margin of error of a satisfaction rate
	// its quota will give and the one its responses so far give.
	Margins map[string]string
}

type option struct{ Value, Label string }

// editRound shows the round editor: empty for /admin/rounds/new, filled
// from the round for /admin/rounds/:code/edit.
func (s *Server) editRound(c echo.Context) error {
	f := &roundForm{Round: pinggu.Round{Kind: pinggu.Satisfaction, Timezone: pinggu.DefaultTimezone}}
	if code := c.Param("code"); code != "" {
		r, err := s.catalog.Round(c.Request().Context(), code)
		if err != nil {
			return err
		}
		f.Round, f.Editing = *r, true
	}
	f.fill()
	q, err := s.roundQuestionnaire(c.Request().Context(), &f.Round)
	if err != nil {
		return err
	}
	f.fillPopulation(q)
	return s.roundFormPage(c, http.StatusOK, f)
}

// roundQuestionnaire is the questionnaire a round's population tables
// are drawn from: the version it froze, else the latest; nil when it
// names none or one that does not exist (the round's check says so).
func (s *Server) roundQuestionnaire(ctx context.Context, r *pinggu.Round) (*pinggu.Questionnaire, error) {
	if r.Questionnaire == "" {
		return nil, nil
	}
	q, err := s.catalog.Questionnaire(ctx, r.Questionnaire, r.QuestionnaireVersion)
	if pinggu.ErrorCode(err) == pinggu.NotFound {
		return nil, nil
	}
	return q, err
}

// fill sets the form's texts from its round.
func (f *roundForm) fill() {
	r := &f.Round
	loc := r.Location()
	local := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format(localLayout)
	}
	f.Opens, f.Closes, f.CompileAt = local(r.OpensAt), local(r.ClosesAt), local(r.Schedule.CompileAt)
	f.Quotas, f.Selected, f.Modes = map[string]string{}, map[string]bool{}, r.QuotaModes
	for _, u := range r.Units {
		f.Selected[u] = true
		if n := r.Quotas[u]; n > 0 {
			f.Quotas[u] = strconv.Itoa(n)
		}
	}
	if r.Integrity.MinSeconds > 0 {
		f.MinSeconds = strconv.Itoa(r.Integrity.MinSeconds)
	}
	f.BurstLimit = strconv.Itoa(r.Integrity.BurstLimitOf())
	if r.Integrity.SpeederShare != 0 {
		f.SpeederShare = strconv.FormatFloat(r.Integrity.SpeederShare, 'f', -1, 64)
	}
	f.fillSettings()
}

func (s *Server) roundFormPage(c echo.Context, status int, f *roundForm) error {
	ctx := c.Request().Context()
	units, err := s.catalog.Units(ctx)
	if err != nil {
		return err
	}
	qs, err := s.catalog.Questionnaires(ctx)
	if err != nil {
		return err
	}
	f.Units, f.Questionnaires = units, qs
	if f.Systems, err = s.assessment.IndicatorSystems(ctx); err != nil {
		return err
	}
	if f.Plans, err = s.midterm.Plans(ctx); err != nil {
		return err
	}
	rounds, err := s.catalog.Rounds(ctx)
	if err != nil {
		return err
	}
	for _, r := range rounds {
		if r.Code != f.Round.Code && r.Kind != pinggu.Midterm {
			f.Baselines = append(f.Baselines, r)
		}
	}
	f.Zones = zoneOptions(f.Round.Timezone)
	f.VetoRanks = []option{{pinggu.VetoRankLast, "排在组内最后"}, {pinggu.VetoRankUnranked, "不参与排名"}, {pinggu.VetoRankKeep, "按总分正常排名"}}
	f.Kinds = []option{{"satisfaction", "满意度测评"}, {"assessment", "年度考核"}, {"midterm", "中期评估"}}
	f.QuotaModes = []option{{"open", "超出配额仍接收并标记"}, {"close", "达到配额即停止收集"}}
	f.Devices = []option{{"flag", "标记同一设备的重复答卷"}, {"refuse", "拒绝同一设备再次作答"}, {"off", "不检查"}}
	if f.Round.Status.Collecting() && !f.Round.OpensAt.IsZero() {
		f.Next = nextStep(&f.Round)
	}
	received := map[string]int{}
	if f.Editing {
		ps, err := s.survey.Progress(ctx, f.Round.Code)
		if err != nil {
			return err
		}
		for _, p := range ps {
			received[p.Unit] = p.Received
		}
	}
	f.Margins = marginTexts(f.Round, received)
	return s.pageStatus(c, status, "round_form.html", &roundFormView{F: f})
}

// roundFormView is the round editor.
type roundFormView struct {
	consoleView
	F *roundForm
}

// marginTexts are the planning figures of the round editor: with a quota
// of n, a satisfaction rate near 50% is known to ±z·√(0.25/n); the same
// for the responses received so far.
func marginTexts(r pinggu.Round, received map[string]int) map[string]string {
	z := r.Scoring.WithDefaults().Z
	out := map[string]string{}
	for u, n := range r.Quotas {
		if n <= 0 {
			continue
		}
		t := fmt.Sprintf("配额可达 ±%.1f个百分点", scoring.PlannedMargin(n, z)*100)
		if got := received[u]; got > 0 {
			t += fmt.Sprintf("；已收%d份，目前 ±%.1f个百分点", got, scoring.PlannedMargin(got, z)*100)
		}
		out[u] = t
	}
	return out
}

// nextStep says what will happen to a round next, in its time zone.
func nextStep(r *pinggu.Round) string {
	loc := r.Location()
	switch r.Status {
	case pinggu.StatusScheduled:
		return "将于 " + r.OpensAt.In(loc).Format(consoleTimestamp) + " 开放"
	case pinggu.StatusOpen:
		return "将于 " + r.ClosesAt.In(loc).Format(consoleTimestamp) + " 结束，" + r.CompileTime().In(loc).Format(consoleTimestamp) + " 汇总"
	case pinggu.StatusClosed:
		return "将于 " + r.CompileTime().In(loc).Format(consoleTimestamp) + " 汇总"
	}
	return ""
}
