package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"pinggu"
	"pinggu/scoring"
)

// localLayout is what <input type="datetime-local"> sends and shows; the
// time is read in the round's time zone, never the browser's or server's.
const localLayout = "2006-01-02T15:04"

// roundForm is the round editor's state: the round and the texts typed
// into it, so a mistake re-renders exactly what was entered.
type roundForm struct {
	Round                      pinggu.Round
	Editing                    bool
	Opens, Closes, CompileAt   string
	Quotas                     map[string]string
	Modes                      map[string]string // per-unit quota mode overrides
	Selected                   map[string]bool
	Advanced                   string
	MinSeconds, BurstLimit     string
	SpeederShare               string
	Units                      []pinggu.Unit
	Questionnaires             []*pinggu.Questionnaire
	Errors                     pinggu.FieldErrors
	Error                      string
	Next                       string
	Kinds, QuotaModes, Devices []option
	// Margins says per unit the margin of error of a satisfaction rate
	// its quota will give and the one its responses so far give.
	Margins map[string]string
}

type option struct{ Value, Label string }

// advancedSettings are the round settings edited as JSON: scoring
// constants, stratum quotas, and the assessment and mid-term settings.
type advancedSettings struct {
	Scoring    pinggu.Scoring             `json:"scoring"`
	Strata     *pinggu.Strata             `json:"strata,omitempty"`
	Assessment *pinggu.AssessmentSettings `json:"assessment,omitempty"`
	Midterm    *pinggu.MidtermSettings    `json:"midterm,omitempty"`
	Baseline   string                     `json:"baseline,omitempty"`
}

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
	return s.roundFormPage(c, http.StatusOK, f)
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
	if r.Integrity.BurstLimit != 0 {
		f.BurstLimit = strconv.Itoa(r.Integrity.BurstLimit)
	}
	if r.Integrity.SpeederShare != 0 {
		f.SpeederShare = strconv.FormatFloat(r.Integrity.SpeederShare, 'f', -1, 64)
	}
	adv, _ := json.MarshalIndent(advancedSettings{Scoring: r.Scoring, Strata: r.Strata, Assessment: r.Assessment, Midterm: r.Midterm, Baseline: r.Baseline}, "", "  ")
	f.Advanced = string(adv)
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
	return s.pageStatus(c, status, "round_form.html", map[string]any{"F": f})
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

// saveRound creates or updates a round from the editor. Settings the form
// does not show are kept from the stored round.
func (s *Server) saveRound(c echo.Context) error {
	ctx := c.Request().Context()
	f := &roundForm{Editing: c.Param("code") != ""}
	if f.Editing {
		r, err := s.catalog.Round(ctx, c.Param("code"))
		if err != nil {
			return err
		}
		f.Round = *r
	}
	fe := f.read(c)
	var err error
	if len(fe) > 0 {
		// Say everything at once: the round's own checks too.
		f.Round.Normalize()
		for k, v := range pinggu.ErrorFields(f.Round.Validate()) {
			fe.Add(k, v)
		}
		err = fe.Err("评估轮次设置有误")
	} else if f.Editing {
		err = s.rounds.Update(ctx, f.Round.Code, &f.Round)
	} else {
		err = s.rounds.Create(ctx, &f.Round)
	}
	fe, msg, err := formErrors(err)
	if err != nil {
		return err
	}
	if msg != "" {
		f.Errors, f.Error = fe, msg
		return s.roundFormPage(c, http.StatusUnprocessableEntity, f)
	}
	done := "已保存"
	if next := nextStep(&f.Round); next != "" {
		done += "，" + next
	}
	return s.redirectWith(c, "/admin/rounds/"+url.PathEscape(f.Round.Code), done)
}

// read takes the posted fields into the form and its round; it returns
// the problems only the form can see (unreadable times and numbers).
func (f *roundForm) read(c echo.Context) pinggu.FieldErrors {
	fe := pinggu.FieldErrors{}
	r := &f.Round
	if !f.Editing {
		r.Code = c.FormValue("code")
	}
	r.Title, r.Intro, r.Kind = c.FormValue("title"), c.FormValue("intro"), pinggu.RoundKind(c.FormValue("kind"))
	r.Questionnaire = c.FormValue("questionnaire")
	r.Timezone = strings.TrimSpace(c.FormValue("timezone"))
	r.QuotaMode = c.FormValue("quotaMode")
	r.Integrity.Device = c.FormValue("device")
	r.Integrity.Invitations = c.FormValue("invitations") == "1"
	f.Opens, f.Closes, f.CompileAt = c.FormValue("opensAt"), c.FormValue("closesAt"), c.FormValue("compileAt")
	f.MinSeconds, f.BurstLimit, f.Advanced = c.FormValue("minSeconds"), c.FormValue("burstLimit"), c.FormValue("advanced")
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil || r.Timezone == "" || r.Timezone == "Local" {
		fe.Add("timezone", "时区无效，例如 Asia/Shanghai")
		loc = time.FixedZone("CST", 8*3600)
	}
	at := func(field, text string, required bool) time.Time {
		if text == "" {
			if required {
				fe.Add(field, "须填写时间")
			}
			return time.Time{}
		}
		t, err := time.ParseInLocation(localLayout, text, loc)
		if err != nil {
			fe.Add(field, "时间格式应为 2024-10-10T09:00")
		}
		return t.UTC()
	}
	r.OpensAt, r.ClosesAt = at("opensAt", f.Opens, true), at("closesAt", f.Closes, true)
	r.Schedule.CompileAt = at("compileAt", f.CompileAt, false)
	number := func(field, text string) int {
		if text == "" {
			return 0
		}
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			fe.Add(field, "须为整数")
		}
		return n
	}
	r.Integrity.MinSeconds = number("integrity.minSeconds", f.MinSeconds)
	r.Integrity.BurstLimit = number("integrity.burstLimit", f.BurstLimit)
	f.SpeederShare = strings.TrimSpace(c.FormValue("speederShare"))
	r.Integrity.SpeederShare = 0
	if f.SpeederShare != "" {
		x, err := strconv.ParseFloat(f.SpeederShare, 64)
		if err != nil {
			fe.Add("integrity.speederShare", "须为小数，如0.33")
		}
		r.Integrity.SpeederShare = x
	}
	form, _ := c.FormParams()
	r.Units, r.Quotas, r.QuotaModes = form["units"], map[string]int{}, map[string]string{}
	f.Quotas, f.Selected, f.Modes = map[string]string{}, map[string]bool{}, r.QuotaModes
	for _, u := range r.Units {
		f.Selected[u] = true
		text := strings.TrimSpace(c.FormValue("quota." + u))
		f.Quotas[u] = text
		if n := number("quotas."+u, text); n != 0 {
			r.Quotas[u] = n
		}
		if m := c.FormValue("mode." + u); m != "" { // "" follows the round's mode
			r.QuotaModes[u] = m
		}
	}
	var adv advancedSettings
	if strings.TrimSpace(f.Advanced) != "" {
		dec := json.NewDecoder(strings.NewReader(f.Advanced))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&adv); err != nil {
			fe.Add("advanced", "JSON格式有误："+err.Error())
		}
	}
	r.Scoring, r.Strata, r.Assessment, r.Midterm, r.Baseline = adv.Scoring, adv.Strata, adv.Assessment, adv.Midterm, adv.Baseline
	return fe
}
