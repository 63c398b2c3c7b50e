package server_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"pinggu"
	"pinggu/jobs"
)

// sheetOf writes rows (the first is the header) as an .xlsx.
func sheetOf(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// admin signs in a fresh administrator and returns the session's CSRF token.
func (h *harness) admin() string {
	h.t.Helper()
	h.addUser("wang", "admin", "")
	_, csrf := h.signIn("wang", "correct-horse-1")
	return csrf
}

// notice follows a redirect and returns the one-time notice the page shows.
func (h *harness) notice(r reply) string {
	h.t.Helper()
	if r.status != http.StatusSeeOther {
		h.t.Fatalf("want a redirect, got %d: %s", r.status, r.body)
	}
	page := h.get(r.header.Get("Location"))
	m := regexp.MustCompile(`role="status">([^<]*)<`).FindStringSubmatch(string(page.body))
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func mustContain(t *testing.T, what string, r reply, status int, wants ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s = %d, want %d: %s", what, r.status, status, r.body)
	}
	page := html.UnescapeString(string(r.body))
	for _, w := range wants {
		if !strings.Contains(page, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestUnitPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	csrf := h.admin()
	// A bad form keeps what was typed and says what is wrong beside the field.
	r := h.postForm("/admin/units", url.Values{"csrf": {csrf}, "code": {"Bad Code"}, "name": {"通州区"}, "type": {"county"}, "peerGroup": {"县市区"}})
	mustContain(t, "bad unit", r, 422, `id="u-code-err"`, "编码须为", `value="通州区"`, `aria-invalid="true"`)
	if strings.Contains(string(h.get("/admin/units").body), "通州区") {
		t.Fatal("a refused unit was written")
	}
	r = h.postForm("/admin/units", url.Values{"csrf": {csrf}, "code": {"tongzhou"}, "name": {"通州区"}, "type": {"county"},
		"peerGroup": {"县市区"}, "aliases": {"通州、通州区政府"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("new unit = %d %s", r.status, r.body)
	}
	u := h.mustAPI("GET", "/api/v1/units/tongzhou", nil, 200).json(t)
	if fmt.Sprint(u["aliases"]) != "[通州 通州区政府]" {
		t.Fatalf("unit = %v", u)
	}
	mustContain(t, "edit form", h.get("/admin/units?edit=tongzhou"), 200, `name="editing" value="1"`, `value="通州、通州区政府"`)
	r = h.postForm("/admin/units", url.Values{"csrf": {csrf}, "editing": {"1"}, "code": {"tongzhou"}, "name": {"通州区（新）"},
		"type": {"county"}, "peerGroup": {"县市区"}})
	if r.status != http.StatusSeeOther || h.mustAPI("GET", "/api/v1/units/tongzhou", nil, 200).json(t)["name"] != "通州区（新）" {
		t.Fatalf("edit = %d %s", r.status, r.body)
	}

	// Import: a sheet with bad rows writes nothing and lists every bad row.
	bad := sheetOf(t, [][]any{
		{"编码", "名称", "类型", "考核类别", "上级单位编码", "别名"},
		{"sfj", "市司法局", "市级部门", "市级部门", "", "司法局"},
		{"X", "坏编码", "市级部门", "市级部门", "", ""},
		{"jd1", "某街道", "街道", "乡镇街道", "nowhere", ""},
		{"sfj", "重复", "市级部门", "市级部门", "", ""},
	})
	r = h.upload("/admin/units/import", map[string]string{"csrf": csrf}, "单位.xlsx", bad)
	mustContain(t, "bad import", r, 422, "第3行", "编码须为", "第5行", "与第2行重复")
	if h.api("GET", "/api/v1/units/sfj", nil).status != 404 {
		t.Fatal("a refused sheet wrote a unit")
	}
	r = h.upload("/admin/units/import", map[string]string{"csrf": csrf}, "单位.xlsx", sheetOf(t, [][]any{
		{"编码", "名称", "类型", "考核类别", "上级单位编码"}, {"jd1", "某街道", "街道", "乡镇街道", "nowhere"}}))
	mustContain(t, "unknown parent", r, 422, "第2行", "上级单位nowhere不存在")
	good := sheetOf(t, [][]any{
		{"编码", "名称", "类型", "考核类别", "上级单位编码", "别名"},
		{"hj1", "和平街道", "乡镇（街道）", "乡镇街道", "xq1", ""}, // its parent is a later row
		{"xq1", "新区", "县（市、区）", "县市区", "", ""},
		{"chongchuan", "崇川区", "county", "县市区", "", "崇川"}, // an update
	})
	r = h.upload("/admin/units/import", map[string]string{"csrf": csrf}, "单位.xlsx", good)
	if n := h.notice(r); !strings.Contains(n, "新增2个，更新1个") {
		t.Fatalf("import notice = %q", n)
	}
	// The notice is shown once, and a link cannot put one on the page.
	if page := string(h.get("/admin/units?done=" + url.QueryEscape("伪造的提示")).body); strings.Contains(page, "新增2个") || strings.Contains(page, "伪造") {
		t.Fatal("a notice was shown twice, or taken from the URL")
	}
	if u := h.mustAPI("GET", "/api/v1/units/hj1", nil, 200).json(t); u["parent"] != "xq1" || u["type"] != "town" {
		t.Fatalf("imported = %v", u)
	}
}

func TestQuestionnaireEditor(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	csrf := h.admin()
	mustContain(t, "editor", h.get("/admin/questionnaires/edit?code=fz2024"), 200, `"title": "法治政府建设满意度测评"`)
	// A syntax error names the line and column.
	r := h.postForm("/admin/questionnaires/edit", url.Values{"csrf": {csrf}, "do": {"save"}, "json": {"{\n  \"code\": \"q2\",\n  \"title\" \"x\"\n}"}})
	mustContain(t, "syntax error", r, 422, "第3行第11列", "请检查是否缺少或多了逗号", `"title" "x"`)
	if strings.Contains(string(r.body), "invalid character") {
		t.Error("the syntax error is in the decoder's English")
	}
	r = h.postForm("/admin/questionnaires/edit", url.Values{"csrf": {csrf}, "do": {"save"}, "json": {`{"code": "q2", "titel": "x"}`}})
	mustContain(t, "unknown field", r, 422, "没有字段“titel”，请检查拼写")
	// A validation error is listed by field, with the text kept.
	bad := `{"code": "q2", "title": "测试", "questions": [{"code": "Q1", "type": "single", "text": "选择", "options": []}]}`
	r = h.postForm("/admin/questionnaires/edit", url.Values{"csrf": {csrf}, "do": {"save"}, "json": {bad}})
	mustContain(t, "invalid questionnaire", r, 422, "第1题「选择」选项", bad)
	// The message points at the question's line in the text.
	multi := "{\n  \"code\": \"q2\",\n  \"title\": \"测试\",\n  \"questions\": [\n    {\"code\": \"Q1\", \"type\": \"text\", \"text\": \"意见\"},\n" +
		"    {\"code\": \"Q2\", \"type\": \"single\", \"text\": \"选择\", \"options\": []}\n  ]\n}"
	r = h.postForm("/admin/questionnaires/edit", url.Values{"csrf": {csrf}, "do": {"save"}, "json": {multi}})
	mustContain(t, "error with its line", r, 422, "第2题「选择」选项（第6行起）")
	if h.api("GET", "/api/v1/questionnaires/q2", nil).status != 404 {
		t.Fatal("an invalid questionnaire was saved")
	}
	// Preview renders the survey page itself, framed at phone width.
	good := `{"code": "q2", "title": "测试问卷", "questions": [{"code": "Q1", "type": "scale", "text": "窗口服务态度", "required": true,
	  "options": [{"code": "5", "label": "很满意", "score": 100}, {"code": "1", "label": "不满意", "score": 0}]}]}`
	r = h.postForm("/admin/questionnaires/edit", url.Values{"csrf": {csrf}, "do": {"preview"}, "json": {good}})
	mustContain(t, "preview", r, 200, `class="phone"`, "窗口服务态度", "（示例单位）", "sandbox srcdoc=")
	if !strings.Contains(string(r.body), "&lt;fieldset") { // the page's own markup, escaped into the attribute
		t.Error("the preview lost the survey page's markup")
	}
	if h.api("GET", "/api/v1/questionnaires/q2", nil).status != 404 {
		t.Fatal("a preview saved the questionnaire")
	}
	if r = h.postForm("/admin/questionnaires/edit", url.Values{"csrf": {csrf}, "do": {"save"}, "json": {good}}); r.status != 303 {
		t.Fatalf("save = %d %s", r.status, r.body)
	}
	// Editing an existing one makes a new version.
	r = h.postForm("/admin/questionnaires/edit", url.Values{"csrf": {csrf}, "do": {"save"}, "code": {"q2"},
		"json": {strings.Replace(good, "测试问卷", "测试问卷（修订）", 1)}})
	if r.status != 303 || h.mustAPI("GET", "/api/v1/questionnaires/q2", nil, 200).json(t)["version"] != 2.0 {
		t.Fatalf("revise = %d %s", r.status, r.body)
	}
	mustContain(t, "list", h.get("/admin/questionnaires"), 200, "测试问卷（修订）")
}

func TestRoundEditorUsesTheRoundsTimeZone(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	csrf := h.admin()
	mustContain(t, "new round", h.get("/admin/rounds/new"), 200, `type="datetime-local"`, "崇川区", "Asia/Shanghai")
	form := url.Values{"csrf": {csrf}, "code": {"r2025"}, "title": {"2025年度测评"}, "kind": {"satisfaction"},
		"questionnaire": {"fz2024"}, "timezone": {"Asia/Shanghai"}, "opensAt": {"2025-10-10T09:00"}, "closesAt": {"2025-10-09T09:00"},
		"units": {"chongchuan", "rudong"}, "quota.chongchuan": {"200"}, "quota.rudong": {"abc"}, "quotaMode": {"close"}, "device": {"flag"},
		"mode.rudong": {"open"}, "mode.haimen": {"close"}} // haimen is not in the round: its mode is ignored
	r := h.postForm("/admin/rounds/new", form)
	mustContain(t, "bad round", r, 422, "结束时间须晚于开始时间", `value="2025-10-09T09:00"`, "须为整数", `value="abc"`)
	if h.api("GET", "/api/v1/rounds/r2025", nil).status != 404 {
		t.Fatal("a refused round was written")
	}
	form.Set("closesAt", "2025-10-31T18:00")
	form.Set("quota.rudong", "80")
	if r = h.postForm("/admin/rounds/new", form); r.status != 303 {
		t.Fatalf("create = %d %s", r.status, r.body)
	}
	rd := h.mustAPI("GET", "/api/v1/rounds/r2025", nil, 200).json(t)
	if rd["opensAt"] != "2025-10-10T01:00:00Z" || rd["closesAt"] != "2025-10-31T10:00:00Z" || rd["quotaMode"] != "close" ||
		fmt.Sprint(rd["quotas"]) != "map[chongchuan:200 rudong:80]" || fmt.Sprint(rd["quotaModes"]) != "map[rudong:open]" {
		t.Fatalf("round = %v", rd)
	}
	// Scheduling shows what happens next, in the round's time zone; editing
	// the times moves it.
	h.postForm("/admin/rounds/r2025/action", url.Values{"csrf": {csrf}, "do": {"schedule"}})
	mustContain(t, "dashboard", h.get("/admin/rounds/r2025"), 200, "将于 2025-10-10 09:00 开放")
	mustContain(t, "edit form", h.get("/admin/rounds/r2025/edit"), 200, `value="2025-10-10T09:00"`, `value="200"`, "将于 2025-10-10 09:00 开放")
	form.Del("code")
	form.Set("opensAt", "2025-10-12T08:30")
	r = h.postForm("/admin/rounds/r2025/edit", form)
	if n := h.notice(r); !strings.Contains(n, "将于 2025-10-12 08:30 开放") {
		t.Fatalf("edit notice = %q", n)
	}
	if rd := h.mustAPI("GET", "/api/v1/rounds/r2025", nil, 200).json(t); rd["opensAt"] != "2025-10-12T00:30:00Z" || rd["status"] != "scheduled" {
		t.Fatalf("edited = %v", rd)
	}
}

func TestIndicatorAndPlanUploads(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	csrf := h.admin()
	head := []any{"编码", "上级编码", "层级", "名称", "分值", "评分方法", "评分参数", "适用单位类型"}
	rows := [][]any{head,
		{"A", "", 1, "依法履职", 60, "", "", ""},
		{"A1", "A", 2, "权责清单公开", "三十", "达标", "", ""},
	}
	r := h.upload("/admin/indicator-systems", map[string]string{"csrf": csrf, "code": "fzzf", "name": "考核指标"}, "指标.xlsx", sheetOf(t, rows))
	mustContain(t, "bad indicators", r, 422, "第3行", `value="fzzf"`)
	rows[2] = []any{"A1", "A", 2, "权责清单公开", 60, "达标", "", ""}
	r = h.upload("/admin/indicator-systems", map[string]string{"csrf": csrf, "code": "fzzf", "name": "考核指标"}, "指标.xlsx", sheetOf(t, rows))
	if r.status != 303 {
		t.Fatalf("indicators = %d %s", r.status, r.body)
	}
	mustContain(t, "tree", h.get("/admin/indicator-systems?code=fzzf"), 200, "考核指标（fzzf 第1版）", "└ 权责清单公开", "达标得满分")

	r = h.postForm("/admin/plans", url.Values{"csrf": {csrf}, "code": {"fzgh"}, "name": {"法治政府建设规划"}, "kind": {"plan"},
		"start": {"2021-01-01"}, "end": {"2020-12-31"}})
	mustContain(t, "bad plan", r, 422, `value="法治政府建设规划"`, `id="p-end-err"`)
	r = h.postForm("/admin/plans", url.Values{"csrf": {csrf}, "code": {"fzgh"}, "name": {"法治政府建设规划"}, "kind": {"plan"},
		"start": {"2021-01-01"}, "end": {"2025-12-31"}})
	if r.status != 303 {
		t.Fatalf("plan = %d %s", r.status, r.body)
	}
	tasks := [][]any{{"序号", "具体任务", "牵头单位", "完成时限"},
		{"1", "公布权责清单", "崇川区", "2022年底"},
		{"2", "无人牵头的任务", "不存在的单位", "2023年"},
	}
	r = h.upload("/admin/plans/fzgh/tasks", map[string]string{"csrf": csrf}, "任务.xlsx", sheetOf(t, tasks))
	mustContain(t, "bad tasks", r, 422, "第3行", "不存在的单位")
	r = h.upload("/admin/plans/fzgh/tasks", map[string]string{"csrf": csrf, "validOnly": "1"}, "任务.xlsx", sheetOf(t, tasks))
	mustContain(t, "valid rows only", r, 200, "已导入1项任务", "跳过1行", "第3行")
	mustContain(t, "tasks", h.get("/admin/plans?plan=fzgh"), 200, "公布权责清单", "chongchuan")
}

// TestDashboardQualityAndScores: the round page shows flags per unit, a
// flagged list to exclude from, and the latest compile's scores with their
// intervals; a link tag is carried to the stored response.
func TestDashboardQualityAndScores(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	up := roundJSON()
	up["integrity"] = map[string]any{"minSeconds": 30, "burstLimit": -1}
	up["scoring"] = map[string]any{"minSample": 3, "minEffective": 1}
	h.mustAPI("PUT", "/api/v1/rounds/r2024", up, 200)
	csrf := h.admin()
	send := func(path, q1 string, wait time.Duration) {
		form := h.openForm(path)
		h.clock.Advance(wait)
		form.Set("Q1", q1)
		form.Set("D1", "1")
		if r := h.postForm("/s/r2024/chongchuan", form); r.status != 303 {
			t.Fatalf("submit = %d %s", r.status, r.body)
		}
	}
	send("/s/r2024/chongchuan?tag="+url.QueryEscape("政务大厅"), "5", time.Minute)
	send("/s/r2024/chongchuan", "4", 5*time.Second) // too fast
	send("/s/r2024/chongchuan?tag=%3Cscript%3E", "4", time.Minute)
	if _, err := jobs.NewCompiler(h.store, h.clock.Now).Compile(context.Background(), "r2024", false, 0, nil); err != nil {
		t.Fatal(err)
	}
	// Scores 100, 80, 80: mean 86.7; the interval is the report's own.
	mustContain(t, "dashboard", h.get("/admin/rounds/r2024?tag="+url.QueryEscape("微信公众号")), 200,
		"作答过快 1", "阶段性得分", "均值 86.7（", "n=3", "组内第1名（95%区间 第1–1名）", "渠道：网页 3", "tag=%E5%BE%AE%E4%BF%A1%E5%85%AC%E4%BC%97%E5%8F%B7", "/flagged")
	tags := map[string]int{}
	if err := h.store.EachResponse(context.Background(), "r2024", func(r *pinggu.Response) error {
		tags[r.Tag]++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(tags) != 2 || tags["政务大厅"] != 1 || tags[""] != 2 { // the bad tag was dropped, not refused
		t.Fatalf("tags = %v", tags)
	}

	page := h.get("/admin/rounds/r2024/units/chongchuan/flagged")
	mustContain(t, "flagged list", page, 200, "作答过快", "计入")
	m := regexp.MustCompile(`name="ids" value="([^"]+)"`).FindStringSubmatch(string(page.body))
	if m == nil {
		t.Fatalf("no response to tick: %s", page.body)
	}
	id := m[1]
	r := h.postForm("/admin/rounds/r2024/units/chongchuan/flagged", url.Values{"csrf": {csrf}, "do": {"exclude"}, "ids": {id}})
	mustContain(t, "no reason", r, 422, `id="x-reason-err"`, "须说明排除原因")
	r = h.postForm("/admin/rounds/r2024/units/chongchuan/flagged", url.Values{"csrf": {csrf}, "do": {"exclude"}, "ids": {id}, "reason": {"用时5秒"}})
	mustContain(t, "exclusion asks first", r, 200, "确认排除答卷", "可以恢复", `value="用时5秒"`)
	r = h.postForm("/admin/rounds/r2024/units/chongchuan/flagged", url.Values{"csrf": {csrf}, "do": {"exclude"}, "ids": {id}, "reason": {"用时5秒"}, "confirm": {"1"}})
	if r.status != 303 {
		t.Fatalf("exclude = %d %s", r.status, r.body)
	}
	mustContain(t, "after exclusion", h.get("/admin/rounds/r2024/units/chongchuan/flagged"), 200, "已排除：用时5秒", "恢复")
	mustContain(t, "dashboard after exclusion", h.get("/admin/rounds/r2024"), 200, "已排除 1")

	r = h.postForm("/admin/rounds/r2024/units/chongchuan/flagged", url.Values{"csrf": {csrf}, "restore": {id}})
	if r.status != 303 || strings.Contains(string(h.get("/admin/rounds/r2024").body), "已排除 1") {
		t.Fatalf("restore = %d", r.status)
	}
	// A whole batch by its flag: the one too_fast response again.
	r = h.postForm("/admin/rounds/r2024/units/chongchuan/flagged", url.Values{"csrf": {csrf}, "do": {"exclude-flag"}, "flag": {"too_fast"}, "reason": {"过快一批"}, "confirm": {"1"}})
	if n := h.notice(r); !strings.Contains(n, "已排除1份") {
		t.Fatalf("exclude by flag notice = %q", n)
	}
	mustContain(t, "after the batch", h.get("/admin/rounds/r2024/units/chongchuan/flagged"), 200, "已排除：过快一批")
	mustContain(t, "reports page", h.get("/admin/reports"), 200, "2024年度测评", "结果表", "阶段性")
}

// TestManagementFormsNeedAdminAndCSRF: an assessor's valid session cannot
// post to the administrator's forms, and no form is taken without its token.
func TestManagementFormsNeedAdminAndCSRF(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	h.addUser("liu", "assessor", "")
	_, csrf := h.signIn("liu", "correct-horse-1")
	unit := url.Values{"code": {"tongzhou"}, "name": {"通州区"}, "type": {"county"}, "peerGroup": {"县市区"}}
	adminOnly := []string{"/admin/units", "/admin/units/import", "/admin/rounds/new", "/admin/rounds/r2024/edit", "/admin/plans",
		"/admin/plans/fa/tasks", "/admin/questionnaires/edit", "/admin/indicator-systems", "/admin/rounds/r2024/invitations"}
	for _, path := range adminOnly {
		unit.Set("csrf", csrf)
		if r := h.postForm(path, unit); r.status != http.StatusForbidden {
			t.Errorf("assessor POST %s = %d", path, r.status)
		}
	}
	// A unit reporter may post none of the staff's forms either.
	rep := newHarnessSharing(t, h)
	rep.addUser("cc1", "reporter", "chongchuan")
	_, rcsrf := rep.signIn("cc1", "correct-horse-1")
	staffOnly := []string{"/admin/rounds/r2024/action", "/admin/rounds/r2024/units/chongchuan/flagged",
		"/admin/rounds/r2024/units/chongchuan/review", "/admin/rounds/r2024/import", "/admin/plans/fa/tasks/1/review"}
	for _, path := range append(adminOnly, staffOnly...) {
		if r := rep.postForm(path, url.Values{"csrf": {rcsrf}, "do": {"compile"}}); r.status != http.StatusForbidden {
			t.Errorf("reporter POST %s = %d", path, r.status)
		}
	}
	a := newHarnessSharing(t, h)
	a.addUser("wang", "admin", "")
	a.signIn("wang", "correct-horse-1")
	unit.Set("csrf", "forged")
	if r := a.postForm("/admin/units", unit); r.status != http.StatusForbidden {
		t.Errorf("forged CSRF = %d", r.status)
	}
	if h.api("GET", "/api/v1/units/tongzhou", nil).status != 404 {
		t.Fatal("a refused form wrote a unit")
	}
}

// TestAssessorReviewSheet: an assessor enters review scores by rubric and
// registers events from the console; a wrong entry is refused beside its row.
func TestAssessorReviewSheet(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	head := []any{"编码", "上级编码", "层级", "名称", "分值", "评分方法", "评分参数", "适用单位类型"}
	sheet := sheetOf(t, [][]any{head,
		{"A", "", 1, "依法履职", 60, "", "", ""},
		{"A1", "A", 2, "权责清单公开", 20, "达标", "", ""},
		{"A2", "A", 2, "执法案卷不合格", 20, "扣分", "perInstance=2;cap=10", ""},
		{"A3", "A", 2, "政务服务满意度", 20, "满意度", "dimension=zwfw", ""},
	})
	if r := h.upload("/api/v1/indicator-systems/fzzf/import", map[string]string{"name": "考核指标"}, "指标.xlsx", sheet); r.status != 201 {
		t.Fatalf("indicators = %d %s", r.status, r.body)
	}
	kh := roundJSON()
	kh["code"], kh["kind"] = "kh", "assessment"
	kh["assessment"] = map[string]any{"indicatorSystem": "fzzf", "bonusCap": 3, "deductionCap": 5,
		"vetoes": []any{map[string]any{"code": "aq", "name": "重大安全事故", "effect": "fail"}}}
	h.mustAPI("POST", "/api/v1/rounds", kh, 201)
	h.addUser("liu", "assessor", "")
	_, csrf := h.signIn("liu", "correct-horse-1")
	path := "/admin/rounds/kh/units/chongchuan/review"
	page := h.get(path)
	mustContain(t, "review sheet", page, 200, "权责清单公开", "发生次数", "重大安全事故")
	if strings.Contains(string(page.body), "政务服务满意度") {
		t.Error("a survey leaf is offered for entry")
	}
	r := h.postForm(path, url.Values{"csrf": {csrf}, "do": {"input"}, "indicator": {"A1"}, "rubric": {"binary"}, "entry": {"2"}})
	mustContain(t, "bad entry", r, 422, `id="e-A1"`, "达标类指标须录入1（达标）或0（未达标）", `value="2"`)
	r = h.postForm(path, url.Values{"csrf": {csrf}, "do": {"input"}, "indicator": {"A2"}, "rubric": {"deduction"}, "entry": {"3"}, "comment": {"抽查3件"}})
	if r.status != 303 {
		t.Fatalf("entry = %d %s", r.status, r.body)
	}
	ins := h.mustAPI("GET", "/api/v1/rounds/kh/units/chongchuan/inputs", nil, 200).json(t)["inputs"].([]any)
	if len(ins) != 1 || ins[0].(map[string]any)["count"] != 3.0 || ins[0].(map[string]any)["by"] != "user:liu" {
		t.Fatalf("inputs = %v", ins)
	}
	r = h.postForm(path, url.Values{"csrf": {csrf}, "do": {"adjust"}, "kind": {"bonus"}, "points": {"1.5"}})
	mustContain(t, "event without basis", r, 422, `id="a-basis-err"`)
	if r = h.postForm(path, url.Values{"csrf": {csrf}, "do": {"adjust"}, "kind": {"bonus"}, "points": {"1.5"}, "basis": {"省级表彰"}}); r.status != 303 {
		t.Fatalf("event = %d %s", r.status, r.body)
	}
	mustContain(t, "sheet after", h.get(path), 200, "3（liu，", "省级表彰")
}

// TestReporterFilesProgressAssessorReviews: a unit's reporter files
// progress with evidence on its own task only; an assessor returns it with
// a reason and the reporter sees why.
func TestReporterFilesProgressAssessorReviews(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	h.mustAPI("POST", "/api/v1/plans", map[string]any{"code": "fa", "name": "实施方案", "kind": "scheme", "start": "2021-01-01", "end": "2025-12-31"}, 201)
	tasks := sheetOf(t, [][]any{{"序号", "具体任务", "牵头单位", "完成时限"}, {"1", "公布权责清单", "崇川区", "2022年底"}, {"2", "规范执法", "海门区", "2023年"}})
	if r := h.upload("/api/v1/plans/fa/tasks/import", nil, "任务.xlsx", tasks); r.status != 200 {
		t.Fatalf("tasks = %d %s", r.status, r.body)
	}
	h.addUser("cc1", "reporter", "chongchuan")
	h.addUser("liu", "assessor", "")
	_, csrf := h.signIn("cc1", "correct-horse-1")
	mustContain(t, "reporter home", h.get("/admin"), 200, `href="/admin/plans/fa/tasks/1"`)
	if r := h.get("/admin/plans/fa/tasks/2"); r.status != 403 {
		t.Fatalf("another unit's task = %d", r.status)
	}
	r := h.upload("/admin/plans/fa/tasks/1/progress", map[string]string{"csrf": csrf, "asOf": "2024-10-01", "progress": "120", "narrative": "已完成"}, "清单.pdf", []byte("%PDF-1.4 test"))
	mustContain(t, "bad progress", r, 422, `id="f-progress-err"`, "已完成")
	r = h.uploadAs("/admin/plans/fa/tasks/1/progress", map[string]string{"csrf": csrf, "asOf": "2024-10-01", "progress": "100", "narrative": "已在门户公开"}, "evidence", "清单.pdf", []byte("%PDF-1.4 test"))
	if r.status != 303 {
		t.Fatalf("file = %d %s", r.status, r.body)
	}
	page := h.get("/admin/plans/fa/tasks/1")
	mustContain(t, "task page", page, 200, "已在门户公开", "待审核", "清单.pdf")
	link := regexp.MustCompile(`href="(/admin/progress/[^"]+)"`).FindStringSubmatch(string(page.body))
	if link == nil {
		t.Fatal("no evidence link")
	}
	if ev := h.get(link[1]); ev.status != 200 || string(ev.body) != "%PDF-1.4 test" {
		t.Fatalf("evidence = %d %q", ev.status, ev.body)
	}

	a := newHarnessSharing(t, h)
	_, acsrf := a.signIn("liu", "correct-horse-1")
	id := regexp.MustCompile(`name="id" value="([^"]+)"`).FindStringSubmatch(string(a.get("/admin/plans/fa/tasks/1").body))
	if id == nil {
		t.Fatal("the assessor has nothing to review")
	}
	r = a.postForm("/admin/plans/fa/tasks/1/review", url.Values{"csrf": {acsrf}, "id": {id[1]}, "decision": {"return"}})
	mustContain(t, "return without reason", r, 422, "退回时须说明原因")
	if r = a.postForm("/admin/plans/fa/tasks/1/review", url.Values{"csrf": {acsrf}, "id": {id[1]}, "decision": {"return"}, "comment": {"缺少公开截图"}}); r.status != 303 {
		t.Fatalf("review = %d %s", r.status, r.body)
	}
	mustContain(t, "reporter sees the return", h.get("/admin/plans/fa/tasks/1"), 200, "已退回：缺少公开截图")
	if r := h.postForm("/admin/plans/fa/tasks/1/review", url.Values{"csrf": {csrf}, "id": {id[1]}, "decision": {"accept"}}); r.status != 403 {
		t.Fatalf("a reporter reviewing = %d", r.status)
	}
}

// TestConsoleOfflineImportAndInvitations: an assessor imports a CATI sheet
// from the round page (bad rows listed, nothing stored, then valid rows
// only, once); an administrator makes invitation codes and downloads them.
func TestConsoleOfflineImportAndInvitations(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	h.addUser("liu", "assessor", "")
	_, csrf := h.signIn("liu", "correct-horse-1")
	mustContain(t, "import page", h.get("/admin/rounds/r2024/import"), 200, "电话调查（CATI）", "崇川区")
	sheet := sheetOf(t, [][]any{{"受访者编号", "Q1", "D1"}, {"T001", "满意", "1"}, {"T002", "7", "1"}})
	r := h.upload("/admin/rounds/r2024/import", map[string]string{"csrf": csrf, "unit": "chongchuan", "channel": "cati"}, "电话.xlsx", sheet)
	mustContain(t, "bad sheet", r, 422, "未导入", "T002", "所选选项不存在")
	if h.count("r2024") != 0 {
		t.Fatal("a refused sheet stored answers")
	}
	for i := 0; i < 2; i++ {
		r = h.upload("/admin/rounds/r2024/import", map[string]string{"csrf": csrf, "unit": "chongchuan", "channel": "cati", "validOnly": "1"}, "电话.xlsx", sheet)
		want := []string{"已导入1份，此前已导入0份", "跳过1处"}
		if i == 1 {
			want = []string{"已导入0份，此前已导入1份"}
		}
		mustContain(t, "valid rows", r, 200, want...)
	}
	if h.count("r2024") != 1 {
		t.Fatalf("stored %d", h.count("r2024"))
	}
	if r := h.postForm("/admin/rounds/r2024/invitations", url.Values{"csrf": {csrf}, "unit": {"chongchuan"}, "count": {"5"}}); r.status != 403 {
		t.Fatalf("assessor making codes = %d", r.status)
	}
	a := newHarnessSharing(t, h)
	a.addUser("wang", "admin", "")
	_, acsrf := a.signIn("wang", "correct-horse-1")
	up := roundJSON()
	up["integrity"] = map[string]any{"invitations": true}
	a.mustAPI("PUT", "/api/v1/rounds/r2024", up, 200)
	mustContain(t, "dashboard", a.get("/admin/rounds/r2024"), 200, "生成邀请码", "invitations.xlsx")
	if r := a.postForm("/admin/rounds/r2024/invitations", url.Values{"csrf": {acsrf}, "unit": {"chongchuan"}, "count": {"5"}}); r.status != 303 {
		t.Fatalf("codes = %d %s", r.status, r.body)
	}
	x := h.get("/admin/rounds/r2024/units/chongchuan/invitations.xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(x.body))
	if err != nil {
		t.Fatalf("invitations.xlsx: %v (%d)", err, x.status)
	}
	defer f.Close()
	rows, _ := f.GetRows(f.GetSheetName(0))
	if len(rows) != 6 { // a header and five codes
		t.Fatalf("rows = %v", rows)
	}
}

// TestConsoleTokenRevoke: a person sees their API tokens and revokes one;
// it stops working at once, and nobody else's token can be revoked.
func TestConsoleTokenRevoke(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	h.addUser("liu", "assessor", "")
	tok := issueToken(t, h, "liu")
	b := newHarnessSharing(t, h)
	_, csrf := b.signIn("liu", "correct-horse-1")
	home := b.get("/admin")
	m := regexp.MustCompile(`action="/admin/tokens/([^"]+)/revoke"`).FindStringSubmatch(string(home.body))
	if m == nil || !strings.Contains(string(home.body), "测试") {
		t.Fatalf("no token listed: %s", home.body)
	}
	h.addUser("zhao", "assessor", "")
	o := newHarnessSharing(t, h)
	_, ocsrf := o.signIn("zhao", "correct-horse-1")
	if r := o.postForm("/admin/tokens/"+m[1]+"/revoke", url.Values{"csrf": {ocsrf}}); r.status != 404 {
		t.Fatalf("revoking another's token = %d", r.status)
	}
	if r := b.postForm("/admin/tokens/"+m[1]+"/revoke", url.Values{"csrf": {csrf}}); r.status != 303 {
		t.Fatalf("revoke = %d %s", r.status, r.body)
	}
	req, _ := http.NewRequest("GET", h.url+"/api/v1/rounds", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("revoked token = %d", resp.StatusCode)
	}
}

// TestRoundSettingsForms: scoring constants, the baseline, the assessment
// and the mid-term settings have inputs of their own, showing the values
// in force (defaults included); what has none stays in a smaller JSON box;
// errors name the setting in words and keep what was typed.
func TestRoundSettingsForms(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	csrf := h.admin()
	mustContain(t, "defaults shown", h.get("/admin/rounds/new"), 200, `name="threshold" value="60"`, `name="z" value="1.96"`,
		`name="minSample" value="30"`, `name="replicates" value="1000"`, `name="seed" value="20240601"`)
	h.mustAPI("POST", "/api/v1/indicator-systems", map[string]any{"code": "kh", "name": "考核指标", "indicators": []any{
		map[string]any{"code": "A1", "level": 1, "name": "权责清单公开", "points": 100, "rubric": "binary"}}}, 201)
	form := url.Values{"csrf": {csrf}, "code": {"kh2025"}, "title": {"2025年度考核"}, "kind": {"assessment"},
		"questionnaire": {"fz2024"}, "timezone": {"Asia/Shanghai"}, "opensAt": {"2025-10-10T09:00"}, "closesAt": {"2025-10-31T18:00"},
		"units": {"chongchuan"}, "device": {"flag"}, "threshold": {"70"}, "z": {"1.96"}, "minSample": {"二十"}, "minEffective": {"10"},
		"replicates": {"500"}, "seed": {"7"}, "baseline": {"r2024"}, "system": {"kh"}, "bonusCap": {"3"}, "deductionCap": {"5"},
		"vetoRank": {"unranked"}, "rectifyLoss": {"0.2"}, "rectifyDays": {"30"},
		"advanced": {`{"grades": {"*": [{"name": "优秀", "min": 90}, {"name": "合格", "min": 0}]}}`}}
	r := h.postForm("/admin/rounds/new", form)
	mustContain(t, "a number in words", r, 422, "<li>最低样本量：须为数字</li>", `name="minSample" value="二十"`, `name="threshold" value="70"`)
	form.Set("minSample", "20")
	if r = h.postForm("/admin/rounds/new", form); r.status != 303 {
		t.Fatalf("create = %d %s", r.status, r.body)
	}
	rd := h.mustAPI("GET", "/api/v1/rounds/kh2025", nil, 200).json(t)
	sc, as := rd["scoring"].(map[string]any), rd["assessment"].(map[string]any)
	if sc["satisfiedThreshold"] != 70.0 || sc["minSample"] != 20.0 || fmt.Sprint(sc["bootstrap"]) != "map[replicates:500 seed:7]" ||
		rd["baseline"] != "r2024" || as["indicatorSystem"] != "kh" || as["bonusCap"] != 3.0 || as["vetoRank"] != "unranked" ||
		fmt.Sprint(as["grades"]) != "map[*:[map[min:90 name:优秀] map[min:0 name:合格]]]" {
		t.Fatalf("round = %v", rd)
	}
	// The editor shows them again; the JSON box holds only the grades.
	page := string(h.get("/admin/rounds/kh2025/edit").body)
	for _, want := range []string{`name="threshold" value="70"`, `<option value="kh" selected>`, `<option value="r2024" selected>`, `&#34;grades&#34;`} {
		if !strings.Contains(page, want) {
			t.Errorf("edit page lacks %s", want)
		}
	}
	if strings.Contains(page, "satisfiedThreshold") || strings.Contains(page, "bonusCap&#34;") {
		t.Error("settings with inputs are also in the JSON box")
	}
	// A mid-term round is set with its plans and date.
	h.mustAPI("POST", "/api/v1/plans", map[string]any{"code": "fzzf", "name": "法治政府建设实施方案", "kind": "scheme", "start": "2021-01-01", "end": "2025-12-31"}, 201)
	mid := url.Values{"csrf": {csrf}, "code": {"zq"}, "title": {"中期评估"}, "kind": {"midterm"}, "timezone": {"Asia/Shanghai"},
		"opensAt": {"2025-10-10T09:00"}, "closesAt": {"2025-10-31T18:00"}, "device": {"flag"}, "threshold": {"60"},
		"plans": {"fzzf"}, "asOf": {"2023-06-30"}, "delta": {"0.15"}}
	if r = h.postForm("/admin/rounds/new", mid); r.status != 303 {
		t.Fatalf("mid-term = %d %s", r.status, r.body)
	}
	if m := h.mustAPI("GET", "/api/v1/rounds/zq", nil, 200).json(t)["midterm"]; fmt.Sprint(m) != "map[asOf:2023-06-30 delta:0.15 plans:[fzzf]]" {
		t.Fatalf("midterm = %v", m)
	}
}

// TestWeightingAndStrataTables: the weighting and the stratum quotas are
// tables of the questionnaire's own questions and options: ticking a
// question and 更新表格 draws its cells without saving; saved values come
// back in the tables; raking takes each option's share.
func TestWeightingAndStrataTables(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	csrf := h.admin()
	form := url.Values{"csrf": {csrf}, "code": {"r2025"}, "title": {"2025年度测评"}, "kind": {"satisfaction"},
		"questionnaire": {"fz2024"}, "timezone": {"Asia/Shanghai"}, "opensAt": {"2025-10-10T09:00"}, "closesAt": {"2025-10-31T18:00"},
		"units": {"chongchuan"}, "device": {"flag"}, "threshold": {"60"}, "weighting": {"cells"}, "wcells": {"D1"}, "scells": {"D1"}, "refresh": {"1"}}
	r := h.postForm("/admin/rounds/new", form)
	mustContain(t, "tables drawn", r, 200, `name="share.1"`, `aria-label="企业经营者的人口占比"`, `name="stratum.2"`)
	if h.api("GET", "/api/v1/rounds/r2025", nil).status != 404 {
		t.Fatal("更新表格 saved the round")
	}
	form.Del("refresh")
	form.Set("share.1", "0.6")
	form.Set("share.2", "四成")
	r = h.postForm("/admin/rounds/new", form)
	mustContain(t, "a share in words", r, 422, "<li>加权：须为数字</li>", `name="share.2" value="四成"`)
	form.Set("share.2", "0.4")
	form.Set("stratum.1", "20")
	if r = h.postForm("/admin/rounds/new", form); r.status != 303 {
		t.Fatalf("create = %d %s", r.status, r.body)
	}
	rd := h.mustAPI("GET", "/api/v1/rounds/r2025", nil, 200).json(t)
	if w := rd["scoring"].(map[string]any)["weighting"]; fmt.Sprint(w) != "map[cells:[D1] method:cells shares:map[1:0.6 2:0.4]]" ||
		fmt.Sprint(rd["strata"]) != "map[questions:[D1] quotas:map[1:20]]" {
		t.Fatalf("weighting %v, strata %v", w, rd["strata"])
	}
	page := string(h.get("/admin/rounds/r2025/edit").body)
	if !strings.Contains(page, `name="share.1" value="0.6"`) || !strings.Contains(page, `name="stratum.1" value="20"`) || strings.Contains(page, "&#34;weighting&#34;") {
		t.Fatal("the edit page does not show the tables' values, or shows them as JSON")
	}
	// Raking on the same question: each option's share.
	edit := formFields(page)
	edit.Set("weighting", "raking")
	edit.Set("margin.D1.1", "0.55")
	edit.Set("margin.D1.2", "0.45")
	if r = h.postForm("/admin/rounds/r2025/edit", edit); r.status != 303 {
		t.Fatalf("raking = %d %s", r.status, r.body)
	}
	if w := h.mustAPI("GET", "/api/v1/rounds/r2025", nil, 200).json(t)["scoring"].(map[string]any)["weighting"]; fmt.Sprint(w) !=
		"map[cells:[D1] margins:map[D1:map[1:0.55 2:0.45]] method:raking]" {
		t.Fatalf("raking = %v", w)
	}
	// Its trimming shows at the values in force.
	mustContain(t, "trim", h.get("/admin/rounds/r2025/edit"), 200, `name="margin.D1.1" value="0.55"`, `name="trimMin" value="0.3"`, `name="trimMax" value="3"`)
}
