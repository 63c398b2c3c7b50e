package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"pinggu"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

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
	q, err := s.roundQuestionnaire(ctx, &f.Round)
	if err != nil {
		return err
	}
	f.readPopulation(c, fe, q)
	if c.FormValue("refresh") != "" {
		// 更新表格: the tables for the questions now ticked, nothing saved.
		return s.roundFormPage(c, http.StatusOK, f)
	}
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
	r.Listed = c.FormValue("listed") == "1"
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
			fe.Add("advanced", jsonWords(f.Advanced, err))
		}
	}
	f.readSettings(c, fe, adv)
	return fe
}
