package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"pinggu"
	"pinggu/quality"
	"pinggu/report"
)

// The administrator's management pages: units, questionnaires, indicator
// systems and plans. Each form posts back to its page; a mistake
// re-renders the page with 422, every input kept and each message beside
// its field, and nothing written.

// formErrors splits an error for a form: field messages, or the error
// itself when it is not about the input (it then goes to the error page).
func formErrors(err error) (pinggu.FieldErrors, string, error) {
	if err == nil {
		return nil, "", nil
	}
	code := pinggu.ErrorCode(err)
	if code != pinggu.Invalid && code != pinggu.Conflict && code != pinggu.Malformed && code != pinggu.NotFound {
		return nil, "", err
	}
	fe := pinggu.ErrorFields(err)
	if fe == nil {
		fe = pinggu.FieldErrors{}
	}
	return fe, pinggu.ErrorMessage(err), nil
}

// pageStatus renders a console page with a status (422 for a form error).
func (s *Server) pageStatus(c echo.Context, status int, name string, data map[string]any) error {
	data["Nav"] = nav(session(c))
	body, err := s.renderPage(name, data)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.HTMLBlob(status, body)
}

// rowErrors lists an upload's problems: a sheet's by row (the sheet's own
// first), anything else (a missing file) by field.
func rowErrors(err error) []fieldError {
	if rows := pinggu.ErrorRows(err); rows != nil {
		return sheetRows(rows)
	}
	return sortedFields(pinggu.ErrorFields(err))
}

// sheetRows lists a sheet's problems in row order, named as people read them.
func sheetRows(rows pinggu.RowErrors) []fieldError {
	out := make([]fieldError, 0, len(rows))
	for _, e := range rows.Sorted() {
		name := e.Field
		if e.Row > 0 {
			name = fmt.Sprintf("第%d行", e.Row)
			if e.Field != "" {
				name += "." + e.Field
			}
		}
		out = append(out, fieldError{Code: name, No: e.Row, Message: e.Message})
	}
	return out
}

// sortedFields lists field errors by field name.
func sortedFields(fe pinggu.FieldErrors) []fieldError {
	out := make([]fieldError, 0, len(fe))
	for k, v := range fe {
		out = append(out, fieldError{Code: k, Message: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// consoleUnits lists the units with a form to add or edit one (?edit=code)
// and an .xlsx import.
func (s *Server) consoleUnits(c echo.Context) error {
	u := pinggu.Unit{Type: pinggu.County}
	editing := false
	if code := c.QueryParam("edit"); code != "" {
		found, err := s.catalog.Unit(c.Request().Context(), code)
		if err != nil {
			return err
		}
		u, editing = *found, true
	}
	return s.unitsPage(c, http.StatusOK, map[string]any{"Unit": u, "Aliases": strings.Join(u.Aliases, "、"),
		"Editing": editing, "Done": s.takeNotice(c)})
}

func (s *Server) unitsPage(c echo.Context, status int, data map[string]any) error {
	units, err := s.catalog.Units(c.Request().Context())
	if err != nil {
		return err
	}
	data["Units"], data["Types"] = units, pinggu.UnitTypes
	return s.pageStatus(c, status, "units.html", data)
}

func splitList(s string) []string {
	var out []string
	for _, a := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、，,;；\n\r", r) }) {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// saveUnit creates a unit, or updates it when the form is an edit.
func (s *Server) saveUnit(c echo.Context) error {
	u := pinggu.Unit{Code: c.FormValue("code"), Name: c.FormValue("name"), Type: pinggu.UnitType(c.FormValue("type")),
		PeerGroup: c.FormValue("peerGroup"), Parent: c.FormValue("parent"), Aliases: splitList(c.FormValue("aliases"))}
	editing := c.FormValue("editing") == "1"
	var err error
	if editing {
		err = s.catalog.UpdateUnit(c.Request().Context(), u.Code, &u)
	} else {
		err = s.catalog.CreateUnit(c.Request().Context(), &u)
	}
	fe, msg, err := formErrors(err)
	if err != nil {
		return err
	}
	if msg != "" {
		return s.unitsPage(c, http.StatusUnprocessableEntity, map[string]any{"Unit": u, "Aliases": c.FormValue("aliases"),
			"Editing": editing, "Errors": fe, "Error": msg})
	}
	return s.redirectWith(c, "/admin/units", "已保存单位 "+u.Name)
}

// importUnits creates or updates units from an .xlsx; a sheet with any bad
// row is refused whole with every bad row listed.
func (s *Server) importUnits(c echo.Context) error {
	data := map[string]any{"Unit": pinggu.Unit{Type: pinggu.County}}
	f, _, err := uploaded(c, "请选择要上传的.xlsx文件")
	if err == nil {
		defer f.Close()
		var rows []report.UnitRow
		var fe pinggu.RowErrors
		if rows, fe, err = report.ReadUnits(f); err == nil {
			err = fe.Err("单位表有误，未导入")
		}
		if err == nil {
			var created, updated int
			created, updated, err = s.catalog.ImportUnits(c.Request().Context(), rows)
			if err == nil {
				return s.redirectWith(c, "/admin/units", fmt.Sprintf("已导入：新增%d个，更新%d个单位", created, updated))
			}
		}
	}
	_, msg, ferr := formErrors(err)
	if ferr != nil {
		return ferr
	}
	data["ImportError"], data["RowErrors"] = msg, rowErrors(err)
	return s.unitsPage(c, http.StatusUnprocessableEntity, data)
}

// consoleQuestionnaires lists the questionnaires.
func (s *Server) consoleQuestionnaires(c echo.Context) error {
	qs, err := s.catalog.Questionnaires(c.Request().Context())
	if err != nil {
		return err
	}
	return s.pageStatus(c, http.StatusOK, "questionnaires.html", map[string]any{"List": qs, "Done": s.takeNotice(c)})
}

// questionnaireStarter is what a new questionnaire's editor starts from.
const questionnaireStarter = `{
  "code": "",
  "title": "",
  "intro": "",
  "questions": [
    {"code": "Q1", "type": "scale", "text": "您对该单位依法办事的总体评价", "required": true, "dimension": "overall",
     "options": [
       {"code": "5", "label": "很满意", "score": 100},
       {"code": "4", "label": "满意", "score": 80},
       {"code": "3", "label": "基本满意", "score": 60},
       {"code": "2", "label": "不太满意", "score": 40},
       {"code": "1", "label": "不满意", "score": 0}
     ]}
  ]
}`

// editQuestionnaire shows the JSON editor: a new questionnaire, or the
// latest version of ?code= (saving makes a new version).
func (s *Server) editQuestionnaire(c echo.Context) error {
	text, code := questionnaireStarter, c.QueryParam("code")
	if code != "" {
		q, err := s.catalog.Questionnaire(c.Request().Context(), code, 0)
		if err != nil {
			return err
		}
		b, err := json.MarshalIndent(q, "", "  ")
		if err != nil {
			return err
		}
		text = string(b)
	}
	return s.questionnairePage(c, http.StatusOK, map[string]any{"Code": code, "JSON": text})
}

func (s *Server) questionnairePage(c echo.Context, status int, data map[string]any) error {
	if fe, ok := data["Errors"].(pinggu.FieldErrors); ok {
		list := sortedFields(fe)
		lines := questionLines(data["JSON"].(string))
		for i, e := range list {
			// Point at the question in the text: "questions[2].options" → 第14行.
			var n int
			if _, err := fmt.Sscanf(e.Code, "questions[%d]", &n); err == nil && n < len(lines) {
				list[i].Code += fmt.Sprintf("（第%d行起）", lines[n])
			}
		}
		data["ErrorList"] = list
	}
	return s.pageStatus(c, status, "questionnaire.html", data)
}

// questionLines finds the line on which each question object of the
// editor's JSON starts.
func questionLines(text string) []int {
	dec := json.NewDecoder(strings.NewReader(text))
	var lines []int
	depth, inQuestions, key := 0, false, ""
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return lines
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if t == '{' && inQuestions && depth == 2 {
					// The offset before the token may sit before spaces and a comma.
					start := int(before) + strings.IndexByte(text[before:], '{')
					lines = append(lines, strings.Count(text[:start], "\n")+1)
				}
				if t == '[' && depth == 1 && key == "questions" {
					inQuestions = true
				}
				depth++
			default:
				depth--
				if depth == 1 {
					inQuestions = false
				}
			}
			key = ""
		case string:
			if depth == 1 && key == "" && dec.More() {
				key = t
			} else {
				key = ""
			}
		default:
			key = ""
		}
	}
}

// saveQuestionnaire checks the posted JSON and either shows a phone
// preview (do=preview) or saves it: a new questionnaire, or a new version
// of ?code=. Syntax errors name the line and column.
func (s *Server) saveQuestionnaire(c echo.Context) error {
	code, text := c.FormValue("code"), c.FormValue("json")
	data := map[string]any{"Code": code, "JSON": text}
	q, err := parseQuestionnaire(text)
	if err == nil {
		q.Normalize()
		err = q.Validate()
	}
	if err == nil && c.FormValue("do") == "preview" {
		html, err := s.previewHTML(q)
		if err != nil {
			return err
		}
		// A plain string: html/template escapes it into the srcdoc attribute
		// and the browser decodes it back (template.HTML would be stripped of
		// its tags in an attribute).
		data["Preview"] = html
		return s.questionnairePage(c, http.StatusOK, data)
	}
	if err == nil {
		if code == "" {
			err = s.catalog.CreateQuestionnaire(c.Request().Context(), q)
		} else if err = checkPathCode(code, q.Code); err == nil {
			err = s.catalog.ReviseQuestionnaire(c.Request().Context(), code, q)
		}
	}
	fe, msg, err := formErrors(err)
	if err != nil {
		return err
	}
	if msg != "" {
		data["Errors"], data["Error"] = fe, msg
		return s.questionnairePage(c, http.StatusUnprocessableEntity, data)
	}
	return s.redirectWith(c, "/admin/questionnaires", fmt.Sprintf("已保存问卷 %s 第%d版", q.Code, q.Version))
}

// parseQuestionnaire decodes the editor's text strictly, turning decoder
// errors into messages with a line and column.
func parseQuestionnaire(text string) (*pinggu.Questionnaire, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	var q pinggu.Questionnaire
	err := dec.Decode(&q)
	if err == nil && dec.More() {
		err = errors.New("JSON之后还有多余内容")
	}
	if err == nil {
		return &q, nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	where := ""
	switch {
	case errors.As(err, &syn):
		where = lineCol(text, syn.Offset)
	case errors.As(err, &typ):
		where = lineCol(text, typ.Offset) + "，字段 " + typ.Field + " 的类型应为 " + typ.Type.String()
	}
	msg := "JSON格式有误：" + err.Error()
	if where != "" {
		msg = "JSON格式有误（" + where + "）：" + err.Error()
	}
	return nil, pinggu.FieldErrors{"json": msg}.Err("问卷JSON无法解析")
}

// lineCol locates the byte the decoder stopped at (its offset counts the
// bytes read, the offending one included).
func lineCol(text string, offset int64) string {
	before := text[:max(0, min(int(offset)-1, len(text)))]
	line := strings.Count(before, "\n") + 1
	col := len([]rune(before[strings.LastIndex(before, "\n")+1:])) + 1
	return fmt.Sprintf("第%d行第%d列", line, col)
}

// previewHTML renders the questionnaire with the survey page's own
// template, as a phone shows it; the console frames it at phone width.
func (s *Server) previewHTML(q *pinggu.Questionnaire) (string, error) {
	r := &pinggu.Round{Code: "preview", Title: q.Title, Timezone: pinggu.DefaultTimezone}
	u := &pinggu.Unit{Code: "preview", Name: "（示例单位）"}
	p := &surveyPage{Form: &formView{Round: r, Unit: u, Questionnaire: q}, Intro: q.Intro, Action: "#",
		CondCSS: conditionalCSS(q), Channel: "web"}
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, "survey.html", p); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// consoleIndicators lists indicator systems with an upload form; ?code=
// shows one as a tree with points.
func (s *Server) consoleIndicators(c echo.Context) error {
	return s.indicatorsPage(c, http.StatusOK, map[string]any{"Done": s.takeNotice(c)})
}

type indicatorNode struct {
	pinggu.Indicator
	Depth  int
	Rubric string
}

func (s *Server) indicatorsPage(c echo.Context, status int, data map[string]any) error {
	ctx := c.Request().Context()
	list, err := s.assessment.IndicatorSystems(ctx)
	if err != nil {
		return err
	}
	data["List"] = list
	if code := c.QueryParam("code"); code != "" {
		sys, err := s.assessment.IndicatorSystem(ctx, code, 0)
		if err != nil {
			return err
		}
		data["System"], data["Tree"] = sys, indicatorTree(sys.Indicators)
	}
	return s.pageStatus(c, status, "indicators.html", data)
}

// indicatorTree orders indicators depth-first under their parents.
func indicatorTree(ins []pinggu.Indicator) []indicatorNode {
	children := map[string][]pinggu.Indicator{}
	for _, in := range ins {
		children[in.Parent] = append(children[in.Parent], in)
	}
	var out []indicatorNode
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, in := range children[parent] {
			out = append(out, indicatorNode{Indicator: in, Depth: depth, Rubric: pinggu.RubricLabel(in.Rubric)})
			if depth < 10 {
				walk(in.Code, depth+1)
			}
		}
	}
	walk("", 0)
	return out
}

// uploadIndicators imports an indicator system sheet as a new version.
func (s *Server) uploadIndicators(c echo.Context) error {
	code, name := strings.TrimSpace(c.FormValue("code")), strings.TrimSpace(c.FormValue("name"))
	f, _, err := uploaded(c, "请选择要上传的.xlsx文件")
	if err == nil {
		defer f.Close()
		var sys *pinggu.IndicatorSystem
		if sys, err = s.assessment.ImportIndicatorSystem(c.Request().Context(), code, name, f); err == nil {
			return s.redirectWith(c, "/admin/indicator-systems?code="+url.QueryEscape(sys.Code),
				fmt.Sprintf("已导入指标体系 %s 第%d版", sys.Name, sys.Version))
		}
	}
	_, msg, ferr := formErrors(err)
	if ferr != nil {
		return ferr
	}
	return s.indicatorsPage(c, http.StatusUnprocessableEntity, map[string]any{"UpCode": code, "UpName": name,
		"Error": msg, "RowErrors": rowErrors(err)})
}

// consolePlans lists the plans with a form to add one and, per plan, a
// task-list upload; ?plan= shows that plan's tasks.
func (s *Server) consolePlans(c echo.Context) error {
	return s.plansPage(c, http.StatusOK, map[string]any{"Done": s.takeNotice(c), "Plan": pinggu.Plan{Kind: pinggu.KindPlan}})
}

func (s *Server) plansPage(c echo.Context, status int, data map[string]any) error {
	ctx := c.Request().Context()
	list, err := s.midterm.Plans(ctx)
	if err != nil {
		return err
	}
	data["List"], data["IsAdmin"] = list, adminAccess.allows(session(c).Role)
	if code := c.QueryParam("plan"); code != "" {
		tasks, err := s.midterm.Tasks(ctx, code, "")
		if err != nil {
			return err
		}
		data["Shown"], data["Tasks"] = code, tasks
	}
	return s.pageStatus(c, status, "plans.html", data)
}

func (s *Server) savePlan(c echo.Context) error {
	p := pinggu.Plan{Code: c.FormValue("code"), Name: c.FormValue("name"), Kind: pinggu.PlanKind(c.FormValue("kind")),
		Start: pinggu.Date(c.FormValue("start")), End: pinggu.Date(c.FormValue("end"))}
	fe, msg, err := formErrors(s.midterm.CreatePlan(c.Request().Context(), &p))
	if err != nil {
		return err
	}
	if msg != "" {
		return s.plansPage(c, http.StatusUnprocessableEntity, map[string]any{"Plan": p, "Errors": fe, "Error": msg})
	}
	return s.redirectWith(c, "/admin/plans", "已创建 "+p.Name)
}

// uploadTasks imports a plan's task sheet; bad rows are listed by row.
func (s *Server) uploadTasks(c echo.Context) error {
	plan := c.Param("plan")
	validOnly := c.FormValue("validOnly") == "1"
	f, _, err := uploaded(c, "请选择要上传的.xlsx文件")
	if err == nil {
		defer f.Close()
		r, ierr := s.midterm.ImportTasks(c.Request().Context(), plan, f, validOnly)
		if err = ierr; err == nil {
			done := fmt.Sprintf("已导入%d项任务，该规划现有%d项", r.Imported, r.Total)
			if len(r.Skipped) > 0 {
				done += fmt.Sprintf("；跳过%d行有误的行", len(r.Skipped))
			}
			return s.plansPage(c, http.StatusOK, map[string]any{"Done": done, "RowErrors": sheetRows(r.SkippedRows),
				"UploadPlan": plan, "Plan": pinggu.Plan{Kind: pinggu.KindPlan}})
		}
	}
	_, msg, ferr := formErrors(err)
	if ferr != nil {
		return ferr
	}
	return s.plansPage(c, http.StatusUnprocessableEntity, map[string]any{"UploadError": msg, "RowErrors": rowErrors(err),
		"UploadPlan": plan, "Plan": pinggu.Plan{Kind: pinggu.KindPlan}})
}

type flaggedRow struct {
	ID, At, Seconds, Channel, Flags, Excluded string
}

// consoleFlagged lists a unit's flagged or excluded responses, with
// exclusion and restore; an assessor decides, the flags only point.
func (s *Server) consoleFlagged(c echo.Context) error {
	return s.flaggedPage(c, http.StatusOK, map[string]any{"Done": s.takeNotice(c)})
}

func (s *Server) flaggedPage(c echo.Context, status int, data map[string]any) error {
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
			Channel: x.Channel, Flags: strings.Join(names, "、"), Excluded: x.Excluded}
	}
	data["Round"], data["Unit"], data["UnitName"], data["Rows"] = f.Round.Code, f.Unit.Code, f.Unit.Name, rows
	data["Flags"] = pinggu.QualityFlags
	return s.pageStatus(c, status, "flagged.html", data)
}

// flaggedAction excludes the ticked responses with a reason, or restores one.
func (s *Server) flaggedAction(c echo.Context) error {
	ctx, round, unit := c.Request().Context(), c.Param("code"), c.Param("unit")
	back := "/admin/rounds/" + url.PathEscape(round) + "/units/" + url.PathEscape(unit) + "/flagged"
	if id := c.FormValue("restore"); id != "" {
		if err := s.quality.Restore(ctx, round, id); err != nil {
			return err
		}
		return s.redirectWith(c, back, "已恢复答卷 "+id)
	}
	form, _ := c.FormParams()
	target := quality.Target{IDs: form["ids"]}
	if flag := c.FormValue("flag"); c.FormValue("do") == "exclude-flag" {
		// A whole burst, say: every response of this unit with the flag.
		target = quality.Target{Unit: unit, Flag: flag}
	}
	var err error
	n := 0
	if len(target.IDs) == 0 && target.Flag == "" {
		err = pinggu.FieldErrors{"ids": "请至少选择一份答卷，或选择一种质量信号"}.Err("没有选择答卷")
	} else {
		n, err = s.quality.Exclude(ctx, round, target, c.FormValue("reason"))
	}
	fe, msg, err := formErrors(err)
	if err != nil {
		return err
	}
	if msg != "" {
		return s.flaggedPage(c, http.StatusUnprocessableEntity, map[string]any{"Error": msg, "ReasonError": fe["reason"],
			"Reason": c.FormValue("reason")})
	}
	return s.redirectWith(c, back, fmt.Sprintf("已排除%d份答卷，重新汇总后生效", n))
}

type reportsRound struct {
	Code, Title, Status string
	Survey              bool
	Reports             []reportRow
	Jobs                []jobRow
}

// consoleReports lists every round's reports and latest jobs, with
// buttons to compile or export; it refreshes itself while a job runs.
func (s *Server) consoleReports(c echo.Context) error {
	ctx := c.Request().Context()
	rounds, err := s.catalog.Rounds(ctx)
	if err != nil {
		return err
	}
	running := false
	out := make([]reportsRound, 0, len(rounds))
	for _, r := range rounds {
		rr := reportsRound{Code: r.Code, Title: r.Title, Status: pinggu.StatusLabel(r.Status), Survey: r.Midterm == nil}
		if rr.Reports, err = s.reportRows(ctx, r); err != nil {
			return err
		}
		if rr.Jobs, err = s.jobRows(ctx, r, 3); err != nil {
			return err
		}
		for _, j := range rr.Jobs {
			running = running || j.Running
		}
		out = append(out, rr)
	}
	if running {
		c.Response().Header().Set("Refresh", "5")
	}
	return s.pageStatus(c, http.StatusOK, "reports.html", map[string]any{"Rounds": out, "Running": running,
		"Done": s.takeNotice(c)})
}
