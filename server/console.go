package server

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"

	"github.com/labstack/echo/v4"

	"pinggu"
	"pinggu/survey"
)

const (
	sessionCookie    = "pg_session"
	loginCSRFCookie  = "pg_login_csrf"
	sessionKey       = "session"
	consoleTimestamp = "2006-01-02 15:04"
)

// navView is the console's top bar: who is signed in, and which parts of
// the console their role opens.
type navView struct {
	User, RoleLabel, Unit, CSRF string
	Staff, Admin                bool
}

func nav(se *pinggu.Session) navView {
	return navView{User: se.User, RoleLabel: pinggu.RoleLabel(se.Role), Unit: se.Unit, CSRF: se.CSRF,
		Staff: staffAccess.allows(se.Role), Admin: adminAccess.allows(se.Role)}
}

// requireSession admits a signed-in person whose role the access level
// admits — the role read from the account on this request, so a changed
// role counts at once. Without a session the browser goes to the login
// page; with the wrong role it gets 403. Every POST must carry the
// session's CSRF token.
func (s *Server) requireSession(a access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ck, err := c.Cookie(sessionCookie)
			if err != nil {
				return c.Redirect(http.StatusSeeOther, "/admin/login")
			}
			se, err := s.auth.Session(c.Request().Context(), ck.Value)
			if pinggu.ErrorCode(err) == pinggu.Unauthorized {
				return c.Redirect(http.StatusSeeOther, "/admin/login")
			}
			if err != nil {
				return err
			}
			if !a.allows(se.Role) {
				return pinggu.Errorf(pinggu.Forbidden, "您的角色（%s）无权访问此页面", pinggu.RoleLabel(se.Role))
			}
			if c.Request().Method == http.MethodPost && subtle.ConstantTimeCompare([]byte(c.FormValue("csrf")), []byte(se.CSRF)) != 1 {
				return pinggu.Errorf(pinggu.Forbidden, "页面已过期，请刷新后重试")
			}
			c.Set(sessionKey, se)
			c.SetRequest(c.Request().WithContext(pinggu.WithActor(c.Request().Context(), "user:"+se.User)))
			return next(c)
		}
	}
}

func session(c echo.Context) *pinggu.Session { se, _ := c.Get(sessionKey).(*pinggu.Session); return se }

type loginPage struct {
	CSRF, Name, Error string
}

// loginForm shows the sign-in form. Before a session exists, CSRF is a
// double-submit token: a cookie and the same value in the form.
func (s *Server) loginForm(c echo.Context) error {
	return s.renderLogin(c, http.StatusOK, loginPage{})
}

func (s *Server) renderLogin(c echo.Context, status int, p loginPage) error {
	p.CSRF = survey.NewSID()
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Value: p.CSRF, Path: "/admin/login", HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode})
	body, err := s.renderPage("login.html", p)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.HTMLBlob(status, body)
}

func (s *Server) login(c echo.Context) error {
	ck, err := c.Cookie(loginCSRFCookie)
	if err != nil || ck.Value == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(c.FormValue("csrf"))) != 1 {
		return s.renderLogin(c, http.StatusForbidden, loginPage{Error: "页面已过期，请重新登录"})
	}
	name := strings.TrimSpace(c.FormValue("name"))
	token, _, err := s.auth.Login(c.Request().Context(), name, c.FormValue("password"))
	if code := pinggu.ErrorCode(err); code == pinggu.Unauthorized || code == pinggu.Forbidden {
		return s.renderLogin(c, statusOf(code), loginPage{Name: name, Error: pinggu.ErrorMessage(err)})
	} else if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: token, Path: "/admin", HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusSeeOther, "/admin")
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.auth.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/admin", MaxAge: -1, HttpOnly: true, Secure: s.cfg.SecureCookies})
	return c.Redirect(http.StatusSeeOther, "/admin/login")
}

type roundRow struct {
	Code, Title, Kind, Status, Opens, Closes string
}

// consoleHome lists the rounds; a reporter also sees its unit's tasks.
func (s *Server) consoleHome(c echo.Context) error {
	ctx := c.Request().Context()
	se := session(c)
	rounds, err := s.catalog.Rounds(ctx)
	if err != nil {
		return err
	}
	var rows []roundRow
	for _, r := range rounds {
		loc := r.Location()
		rows = append(rows, roundRow{Code: r.Code, Title: r.Title, Kind: string(r.Kind), Status: pinggu.StatusLabel(r.Status),
			Opens: r.OpensAt.In(loc).Format(consoleTimestamp), Closes: r.ClosesAt.In(loc).Format(consoleTimestamp)})
	}
	var tasks []pinggu.PlanTask
	if se.Role == pinggu.RoleReporter {
		plans, err := s.midterm.Plans(ctx)
		if err != nil {
			return err
		}
		for _, p := range plans {
			mine, err := s.midterm.Tasks(ctx, p.Code, se.Unit)
			if err != nil {
				return err
			}
			tasks = append(tasks, mine...)
		}
	}
	tokens, err := s.auth.Tokens(ctx, se.User)
	if err != nil {
		return err
	}
	return s.page(c, "home.html", map[string]any{"Nav": nav(se), "Rounds": rows, "Tasks": tasks, "Tokens": tokens,
		"CanOpen": staffAccess.allows(se.Role), "IsAdmin": adminAccess.allows(se.Role), "Done": s.takeNotice(c)})
}

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

type flagCount struct {
	Label string
	N     int
}

// flagCounts lists the flags that fired, in the reports' order.
func flagCounts(m map[string]int) []flagCount {
	var out []flagCount
	for _, f := range pinggu.QualityFlags {
		if n := m[f.Flag]; n > 0 {
			out = append(out, flagCount{f.Label, n})
		}
	}
	return out
}

type dayRow struct {
	Day     string
	Count   int
	Percent int
}

type jobRow struct {
	ID, Type, State, Progress, Error, Note, At string
	Running                                    bool
}

type reportRow struct {
	Kind, Final, Created, Size, Fingerprint, Link string
	Responses                                     int
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
	se := session(c)
	return s.page(c, "round.html", map[string]any{"Nav": nav(se), "Round": r, "Status": pinggu.StatusLabel(r.Status),
		"Opens": r.OpensAt.In(loc).Format(consoleTimestamp), "Closes": r.ClosesAt.In(loc).Format(consoleTimestamp),
		"Next": nextStep(r), "Progress": prog, "Reports": rrows, "Days": dayRows(days), "Jobs": jrows,
		"IsAdmin": adminAccess.allows(se.Role), "Done": s.takeNotice(c), "Tag": tag,
		"BadTag": tag == "" && c.QueryParam("tag") != "", "ScoresFinal": scoresFinal(reps),
		"Finished": r.Status.Finished(), "CanSchedule": r.Status == pinggu.StatusDraft})
}

// doneText says what a button did: a transition, or the job it queued.
func doneText(done string) string {
	switch done {
	case "schedule":
		return "已排期"
	case "cancel":
		return "已取消排期"
	case "publish":
		return "已发布结果"
	}
	return "已提交后台任务 " + done + "，进度见“后台任务”"
}

// channelCounts says how a unit's responses came in, in a fixed order.
func channelCounts(m map[string]int) string {
	var parts []string
	for _, ch := range pinggu.Channels {
		if n := m[string(ch)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", pinggu.ChannelLabel(ch), n))
		}
	}
	return strings.Join(parts, " · ")
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

// latestScores are the unit scores of the newest scorecard, provisional
// or final (reports come newest first).
func latestScores(reps []pinggu.Report) map[string]*pinggu.UnitScore {
	for _, rep := range reps {
		if rep.Kind != pinggu.ReportScorecard || len(rep.Scores) == 0 {
			continue
		}
		m := make(map[string]*pinggu.UnitScore, len(rep.Scores))
		for i := range rep.Scores {
			m[rep.Scores[i].Unit] = &rep.Scores[i]
		}
		return m
	}
	return nil
}

// scoresFinal says whether latestScores come from a final scorecard.
func scoresFinal(reps []pinggu.Report) bool {
	for _, rep := range reps {
		if rep.Kind == pinggu.ReportScorecard && len(rep.Scores) > 0 {
			return rep.Final
		}
	}
	return false
}

// reportRowsOf formats reports for the console, newest first.
func reportRowsOf(reps []pinggu.Report, loc *time.Location) []reportRow {
	var out []reportRow
	for _, rep := range reps {
		final := pinggu.FinalLabel(rep.Final)
		ext := rep.FileName[strings.LastIndex(rep.FileName, ".")+1:]
		out = append(out, reportRow{Kind: reportKindLabel(rep.Kind), Final: final, Created: rep.CreatedAt.In(loc).Format(consoleTimestamp),
			Size: fmt.Sprintf("%.1f KB", float64(rep.Size)/1024), Fingerprint: rep.Fingerprint[:16], Responses: rep.Responses,
			Link: "/admin/reports/" + rep.ID + "." + ext})
	}
	return out
}

func reportKindLabel(k pinggu.ReportKind) string {
	switch k {
	case pinggu.ReportScorecard:
		return "结果表（" + string(k) + "）"
	case pinggu.ReportMidterm:
		return "中期评估报告（" + string(k) + "）"
	case pinggu.ReportMethod:
		return "方法说明（" + string(k) + "，据此与原始数据可重算结果表）"
	}
	return "原始数据（" + string(k) + "）"
}

func (s *Server) reportRows(ctx context.Context, r *pinggu.Round) ([]reportRow, error) {
	reps, err := s.reports.Reports(ctx, r.Code)
	return reportRowsOf(reps, r.Location()), err
}

// jobRows lists a round's latest jobs for the console.
func (s *Server) jobRows(ctx context.Context, r *pinggu.Round, n int) ([]jobRow, error) {
	jobs, err := s.reports.Jobs(ctx, r.Code, n)
	if err != nil {
		return nil, err
	}
	loc := r.Location()
	var out []jobRow
	for _, j := range jobs {
		out = append(out, jobRow{ID: j.ID, Type: jobLabel(j.Type), State: jobStateLabels[j.State], Progress: fmt.Sprintf("%.0f%%", j.Progress*100),
			Error: j.Error, Note: j.Note, At: j.CreatedAt.In(loc).Format(consoleTimestamp),
			Running: j.State == pinggu.JobQueued || j.State == pinggu.JobRunning || j.State == pinggu.JobRetrying})
	}
	return out, nil
}

var jobStateLabels = map[pinggu.JobState]string{pinggu.JobQueued: "排队中", pinggu.JobRunning: "进行中",
	pinggu.JobSucceeded: "已完成", pinggu.JobRetrying: "失败，将重试", pinggu.JobFailed: "失败"}

// jobLabel names a task type in words, keeping the type for reference.
func jobLabel(t string) string {
	l, ok := map[string]string{"round:open": "开放", "round:close": "结束收集", "round:compile": "汇总",
		"round:progress": "阶段性汇总", "round:remind": "进度提醒", "round:export": "导出原始数据"}[t]
	if !ok {
		return t
	}
	return l + "（" + t + "）"
}

// dayRows lists responses per day, oldest first, scaled for a bar chart.
func dayRows(days map[string]int) []dayRow {
	keys := make([]string, 0, len(days))
	top := 0
	for d, n := range days {
		keys = append(keys, d)
		top = max(top, n)
	}
	sort.Strings(keys)
	out := make([]dayRow, len(keys))
	for i, d := range keys {
		out[i] = dayRow{Day: d, Count: days[d], Percent: days[d] * 100 / max(1, top)}
	}
	return out
}

// roundAction runs a button of the round page: schedule, cancel and
// publish for administrators; compile and export for assessors too.
func (s *Server) roundAction(c echo.Context) error {
	ctx, code, se := c.Request().Context(), c.Param("code"), session(c)
	do := c.FormValue("do")
	if (do == "schedule" || do == "cancel" || do == "publish") && !adminAccess.allows(se.Role) {
		return pinggu.Errorf(pinggu.Forbidden, "只有管理员可以排期、取消或发布")
	}
	var err error
	done := do
	switch do {
	case "schedule":
		_, err = s.rounds.Schedule(ctx, code)
	case "cancel":
		_, err = s.rounds.Cancel(ctx, code)
	case "publish":
		_, err = s.rounds.Publish(ctx, code)
	case "compile":
		done, err = s.compileNow(ctx, code)
	case "export":
		done, err = s.sched.ExportNow(ctx, code)
	default:
		return pinggu.FieldErrors{"do": "未知操作"}.Err("操作有误")
	}
	if err != nil {
		return err
	}
	if c.FormValue("back") == "reports" {
		return s.redirectWith(c, "/admin/reports", doneText(done))
	}
	return s.redirectWith(c, "/admin/rounds/"+url.PathEscape(code), doneText(done))
}

// progressJSON feeds the round page's live update.
func (s *Server) progressJSON(c echo.Context) error {
	ps, err := s.survey.Progress(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"units": ps})
}

// flashCookie carries a one-time notice ("已保存…") to the page a change
// redirects to. A cookie rather than the URL, so a link cannot make the
// console say something it did not do.
const flashCookie = "pg_notice"

// redirectWith redirects after a change with a notice for the next page.
func (s *Server) redirectWith(c echo.Context, path, notice string) error {
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: url.QueryEscape(notice), Path: "/admin", MaxAge: 60,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusSeeOther, path)
}

// takeNotice returns the pending notice, once.
func (s *Server) takeNotice(c echo.Context) string {
	ck, err := c.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: "", Path: "/admin", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	notice, _ := url.QueryUnescape(ck.Value)
	return notice
}

func (s *Server) page(c echo.Context, name string, data any) error {
	body, err := s.renderPage(name, data)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.HTMLBlob(http.StatusOK, body)
}

// createUser adds a console account with the bootstrap admin token.
func (s *Server) createUser(c echo.Context) error {
	var body struct {
		Name     string      `json:"name"`
		Role     pinggu.Role `json:"role"`
		Unit     string      `json:"unit"`
		Password string      `json:"password"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	u, err := s.auth.AddUser(c.Request().Context(), body.Name, body.Role, body.Unit, body.Password)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

// setUserRole changes an account's role (and a reporter's unit); it counts
// from the account's next request.
func (s *Server) setUserRole(c echo.Context) error {
	var body struct {
		Role pinggu.Role `json:"role"`
		Unit string      `json:"unit"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	u, err := s.auth.SetRole(c.Request().Context(), c.Param("name"), body.Role, body.Unit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

// surveyURL is the public link of a unit's survey, with its channel and an
// optional source tag (政务大厅, 微信公众号…) recorded with each response.
func (s *Server) surveyURL(round, unit, channel, tag string) string {
	u := s.cfg.BaseURL + "/s/" + url.PathEscape(round) + "/" + url.PathEscape(unit)
	q := url.Values{}
	if channel != "" {
		q.Set("ch", channel)
	}
	if tag != "" {
		q.Set("tag", tag)
	}
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// qrPNG is the QR code of a unit's survey link (channel qr), for offices
// to print or put on screens.
func (s *Server) qrPNG(c echo.Context) error {
	f, err := s.survey.Form(c.Request().Context(), c.Param("code"), c.Param("unit"))
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(s.surveyURL(f.Round.Code, f.Unit.Code, "qr", linkTag(c.QueryParam("tag"))), qrcode.Medium, 512)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, ContentDisposition(f.Unit.Name+"-问卷二维码.png", "qr.png"))
	return c.Blob(http.StatusOK, "image/png", png)
}

// poster is a printable A4 page with the QR code, for service halls.
func (s *Server) poster(c echo.Context) error {
	f, err := s.survey.Form(c.Request().Context(), c.Param("code"), c.Param("unit"))
	if err != nil {
		return err
	}
	link := s.surveyURL(f.Round.Code, f.Unit.Code, "qr", linkTag(c.QueryParam("tag")))
	png, err := qrcode.Encode(link, qrcode.Medium, 512)
	if err != nil {
		return err
	}
	loc := f.Round.Location()
	return s.page(c, "poster.html", map[string]any{"Title": f.Round.Title, "Unit": f.Unit.Name, "URL": link,
		// Inline, so the poster prints on a closed network with nothing else to fetch.
		"QR":    template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)),
		"Opens": f.Round.OpensAt.In(loc).Format("2006年1月2日"), "Closes": f.Round.ClosesAt.In(loc).Format("2006年1月2日")})
}

// issueToken creates a personal API token from the console and shows it once.
func (s *Server) issueToken(c echo.Context) error {
	se := session(c)
	token, err := s.auth.IssueToken(c.Request().Context(), se.User, c.FormValue("name"))
	if err != nil {
		return err
	}
	s.notice(c, http.StatusCreated, noticePage{Title: "API令牌", Heading: "新的API令牌（只显示这一次，请妥善保存）",
		Lines: []string{token, "使用方法：Authorization: Bearer <令牌>；权限与您的账户相同（" + pinggu.RoleLabel(se.Role) + "）。"}})
	return nil
}

// revokeTokenForm revokes one of the signed-in person's tokens.
func (s *Server) revokeTokenForm(c echo.Context) error {
	if err := s.auth.Revoke(c.Request().Context(), session(c).User, c.Param("id")); err != nil {
		return err
	}
	return s.redirectWith(c, "/admin", "已撤销API令牌")
}

func (s *Server) listTokens(c echo.Context) error {
	p := principal(c)
	ts, err := s.auth.Tokens(c.Request().Context(), p.Name)
	return listJSON(c, "tokens", ts, err)
}

func (s *Server) revokeToken(c echo.Context) error {
	if err := s.auth.Revoke(c.Request().Context(), principal(c).Name, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
