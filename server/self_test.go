package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"pinggu"
)

// as sends a request with a bearer token (none when token is "").
func (h *harness) as(token, method, path, contentType string, body io.Reader) reply {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// asJSON sends v as JSON with a bearer token.
func (h *harness) asJSON(token, method, path string, v any) reply {
	h.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.as(token, method, path, "application/json", bytes.NewReader(b))
}

// assessmentHarness is a seeded server with an assessment round "kh" over
// 崇川区 and 海门区 on an indicator system with all five rubrics, one leaf
// only for city departments, and reporter tokens for both units.
func assessmentHarness(t *testing.T) (h *harness, chongchuan, haimen string) {
	t.Helper()
	h = newHarness(t)
	h.seed()
	h.mustAPI("POST", "/api/v1/indicator-systems", map[string]any{"code": "fzzf", "name": "法治政府建设考核指标", "indicators": []any{
		map[string]any{"code": "A", "level": 1, "name": "依法履职", "points": 60},
		map[string]any{"code": "A1", "parent": "A", "level": 2, "name": "权责清单公开", "points": 20, "rubric": "binary"},
		map[string]any{"code": "A2", "parent": "A", "level": 2, "name": "执法案卷不合格", "points": 20, "rubric": "deduction", "perInstance": 2, "cap": 10},
		map[string]any{"code": "A3", "parent": "A", "level": 2, "name": "行政复议纠错率", "points": 20, "rubric": "proportional", "target": 100},
		map[string]any{"code": "B", "level": 1, "name": "群众满意", "points": 40},
		map[string]any{"code": "B1", "parent": "B", "level": 2, "name": "政务服务满意度", "points": 15, "rubric": "survey", "dimension": "zwfw"},
		map[string]any{"code": "B2", "parent": "B", "level": 2, "name": "法治宣传", "points": 15, "rubric": "manual"},
		map[string]any{"code": "B3", "parent": "B", "level": 2, "name": "部门普法责任", "points": 10, "rubric": "manual", "appliesTo": []string{"department"}},
	}}, http.StatusCreated)
	r := roundJSON()
	r["code"], r["kind"], r["title"] = "kh", "assessment", "2024年度法治政府建设考核"
	r["assessment"] = map[string]any{"indicatorSystem": "fzzf", "bonusCap": 3, "deductionCap": 5}
	delete(r, "quotas")
	h.mustAPI("POST", "/api/v1/rounds", r, http.StatusCreated)
	h.mustAPI("POST", "/api/v1/rounds/kh/schedule", nil, http.StatusOK)
	return h, h.unitToken("chongchuan"), h.unitToken("haimen")
}

// submitSheet fills 崇川区's four leaves as its reporter (token) and
// submits the sheet.
func submitSheet(t *testing.T, h *harness, token string) {
	t.Helper()
	const sheet = "/api/v1/rounds/kh/units/chongchuan/self"
	for code, v := range map[string]map[string]any{"A1": {"value": 1}, "A2": {"count": 3}, "A3": {"value": 92.5}, "B2": {"score": 13}} {
		h.asJSON(token, "PUT", sheet+"/"+code, v)
	}
	if r := h.as(token, "POST", sheet+"/submit", "", nil); r.status != 200 {
		t.Fatalf("submit = %d %s", r.status, r.body)
	}
}

// selfUpload is a multipart self-assessment with one evidence file.
func selfUpload(t *testing.T, fields map[string]string, name string, content []byte) (string, io.Reader) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("evidence", name)
	fw.Write(content)
	w.Close()
	return w.FormDataContentType(), &buf
}

// TestSelfAssessment: a unit fills its sheet per leaf (with evidence),
// cannot submit it incomplete, submits, is held to it, gets a leaf
// returned, answers that leaf only and resubmits; another unit and the
// assessors stay out of what is not theirs.
func TestSelfAssessment(t *testing.T) {
	t.Parallel()
	h, cc, hm := assessmentHarness(t)
	const sheet = "/api/v1/rounds/kh/units/chongchuan/self"

	r := h.as(cc, "GET", sheet, "", nil)
	if r.status != 200 {
		t.Fatalf("sheet = %d %s", r.status, r.body)
	}
	var got struct {
		StateLabel string
		Missing    []string
		Leaves     []struct {
			Indicator, RubricWords, StateLabel string
			Path                               []string
			Entry                              *struct {
				State    string
				Evidence []struct{ ID, Name string }
			}
		}
	}
	decode := func(r reply) {
		t.Helper()
		got.Leaves = nil
		if err := json.Unmarshal(r.body, &got); err != nil {
			t.Fatal(err)
		}
	}
	decode(r)
	// The survey leaf is computed and the department leaf does not apply.
	if got.StateLabel != "未填报" || strings.Join(got.Missing, ",") != "A1,A2,A3,B2" || len(got.Leaves) != 4 {
		t.Fatalf("a new sheet: %s", r.body)
	}
	if got.Leaves[1].RubricWords != "每发生一次扣2分，最多扣10分（满分20分）：填发生次数" || strings.Join(got.Leaves[1].Path, "›") != "依法履职" {
		t.Fatalf("rubric in words: %+v", got.Leaves[1])
	}

	bad := []struct {
		indicator string
		body      map[string]any
		status    int
		field     string
	}{
		{"A1", map[string]any{"value": 0.5}, 422, "value"},
		{"A2", map[string]any{"count": -1}, 422, "count"},
		{"B2", map[string]any{"score": 16}, 422, "score"},
		{"A1", map[string]any{"value": 1, "explanation": strings.Repeat("很", 2001)}, 422, "explanation"},
		{"B1", map[string]any{"value": 1}, 422, "indicator"},
		{"B3", map[string]any{"score": 5}, 422, "indicator"},
		{"Z9", map[string]any{"value": 1}, 404, ""},
	}
	for _, b := range bad {
		r := h.asJSON(cc, "PUT", sheet+"/"+b.indicator, b.body)
		if r.status != b.status || (b.field != "" && r.errorFields(t)[b.field] == nil) {
			t.Errorf("%s %v = %d %s, want %d on %s", b.indicator, b.body, r.status, r.body, b.status, b.field)
		}
	}
	// A page renamed .pdf is refused and nothing is stored.
	ct, body := selfUpload(t, map[string]string{"value": "1", "explanation": "已公开"}, "清单.pdf", []byte("<html>not a pdf</html>"))
	if r := h.as(cc, "PUT", sheet+"/A1", ct, body); r.status != 422 || r.errorFields(t)["evidence"] == nil {
		t.Fatalf("fake pdf = %d %s", r.status, r.body)
	}
	pdf := []byte("%PDF-1.4 权责清单")
	ct, body = selfUpload(t, map[string]string{"value": "1", "explanation": "已在门户网站公开"}, "权责清单.pdf", pdf)
	if r := h.as(cc, "PUT", sheet+"/A1", ct, body); r.status != 200 {
		t.Fatalf("A1 with evidence = %d %s", r.status, r.body)
	}
	if r := h.asJSON(cc, "PUT", sheet+"/A2", map[string]any{"count": 3, "explanation": "抽查3件不合格"}); r.status != 200 {
		t.Fatalf("A2 = %d %s", r.status, r.body)
	}
	// Incomplete: the list of what is missing.
	r = h.as(cc, "POST", sheet+"/submit", "", nil)
	if f := r.errorFields(t); r.status != 422 || len(f) != 2 || f["A3"] == nil || f["B2"] == nil {
		t.Fatalf("incomplete submit = %d %s", r.status, r.body)
	}
	decode(h.as(cc, "GET", sheet, "", nil))
	if got.StateLabel != "填报中" || strings.Join(got.Missing, ",") != "A3,B2" {
		t.Fatalf("after two leaves: %+v", got)
	}
	h.asJSON(cc, "PUT", sheet+"/A3", map[string]any{"value": 92.5})
	h.asJSON(cc, "PUT", sheet+"/B2", map[string]any{"score": 13, "explanation": "开展宣传活动12场"})

	// Only the unit's own reporters fill or read it.
	if r := h.asJSON(hm, "PUT", sheet+"/B2", map[string]any{"score": 1}); r.status != 403 {
		t.Fatalf("another unit's reporter = %d", r.status)
	}
	if r := h.as(hm, "GET", sheet, "", nil); r.status != 403 {
		t.Fatalf("another unit reads = %d", r.status)
	}
	if r := h.api("PUT", sheet+"/B2", map[string]any{"score": 1}); r.status != 403 {
		t.Fatalf("an administrator fills a unit's self-assessment = %d", r.status)
	}
	if r := h.as(cc, "POST", sheet+"/submit", "", nil); r.status != 200 {
		t.Fatalf("submit = %d %s", r.status, r.body)
	}
	if r := h.asJSON(cc, "PUT", sheet+"/B2", map[string]any{"score": 15}); r.status != 409 {
		t.Fatalf("a change after submission = %d %s", r.status, r.body)
	}
	if r := h.as(cc, "POST", sheet+"/submit", "", nil); r.status != 409 {
		t.Fatalf("a second submit = %d", r.status)
	}

	// An assessor returns A2 with a reason; a reporter cannot.
	if r := h.asJSON(cc, "POST", sheet+"/A2/return", map[string]any{"reason": "x"}); r.status != 403 {
		t.Fatalf("a reporter returns = %d", r.status)
	}
	if r := h.api("POST", sheet+"/A2/return", map[string]any{"reason": " "}); r.status != 422 {
		t.Fatalf("a return without reason = %d", r.status)
	}
	h.mustAPI("POST", sheet+"/A2/return", map[string]any{"reason": "请附不合格案卷清单"}, 200)
	decode(h.as(cc, "GET", sheet, "", nil))
	if got.StateLabel != "退回补充" || got.Leaves[1].StateLabel != "退回补充" || got.Leaves[0].StateLabel != "已提交" {
		t.Fatalf("after the return: %+v", got)
	}
	if r := h.as(cc, "POST", sheet+"/submit", "", nil); r.status != 422 || r.errorFields(t)["A2"] == nil ||
		!strings.Contains(string(r.body), "请附不合格案卷清单") {
		t.Fatalf("resubmit before answering = %d %s", r.status, r.body)
	}
	if r := h.asJSON(cc, "PUT", sheet+"/B2", map[string]any{"score": 15}); r.status != 409 {
		t.Fatalf("a leaf not returned = %d", r.status)
	}
	ct, body = selfUpload(t, map[string]string{"count": "3", "explanation": "附清单"}, "案卷清单.pdf", []byte("%PDF-1.4 清单"))
	if r := h.as(cc, "PUT", sheet+"/A2", ct, body); r.status != 200 {
		t.Fatalf("answering the return = %d %s", r.status, r.body)
	}
	if r := h.as(cc, "POST", sheet+"/submit", "", nil); r.status != 200 {
		t.Fatalf("resubmit = %d %s", r.status, r.body)
	}
	decode(h.as(cc, "GET", sheet, "", nil))
	if got.StateLabel != "已提交" || got.Leaves[1].StateLabel != "已提交" || len(got.Leaves[0].Entry.Evidence) != 1 {
		t.Fatalf("resubmitted: %+v", got)
	}

	// Evidence: the unit and assessors, not another unit.
	ev := sheet + "/A1/evidence/" + got.Leaves[0].Entry.Evidence[0].ID
	if r := h.as(cc, "GET", ev, "", nil); r.status != 200 || !bytes.Equal(r.body, pdf) ||
		!strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("evidence = %d %q", r.status, r.header.Get("Content-Disposition"))
	}
	if r := h.do("GET", ev, "", nil, true); r.status != 200 {
		t.Fatalf("assessor's evidence = %d", r.status)
	}
	if r := h.as(hm, "GET", ev, "", nil); r.status != 403 {
		t.Fatalf("another unit's evidence = %d", r.status)
	}
	// Every step is in the audit log, a change with its old and new value.
	audit := string(h.mustAPI("GET", "/api/v1/audit?limit=100", nil, 200).body)
	for _, want := range []string{"self.save", "self.submit", "self.return", "自评：3次 → 3次，新增1个佐证材料", "退回补充：请附不合格案卷清单"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit lacks %q", want)
		}
	}
}

// TestReviewAndConfirmation: an assessor's entries (初审) next to the
// unit's self-assessment, a second assessor's confirmation (复核) as
// entered or changed with a reason, never by the one who entered it, and
// every step kept with who, when, old and new value.
func TestReviewAndConfirmation(t *testing.T) {
	t.Parallel()
	h, cc, _ := assessmentHarness(t)
	h.addUser("li.na", "assessor", "")
	li := issueToken(t, h, "li.na")
	const sheet = "/api/v1/rounds/kh/units/chongchuan/self"
	submitSheet(t, h, cc)
	stage := func() string {
		t.Helper()
		var s struct{ StateLabel string }
		json.Unmarshal(h.as(cc, "GET", sheet, "", nil).body, &s)
		return s.StateLabel
	}
	const inputs = "/api/v1/rounds/kh/units/chongchuan/inputs/"
	// The administrator reviews three leaves: not yet 已初审.
	h.mustAPI("PUT", inputs+"A1", map[string]any{"value": 1}, 200)
	h.mustAPI("PUT", inputs+"A2", map[string]any{"count": 4, "comment": "另查出1件"}, 200)
	h.mustAPI("PUT", inputs+"A3", map[string]any{"value": 90}, 200)
	if got := stage(); got != "已提交" {
		t.Fatalf("three of four reviewed: %s", got)
	}
	if r := h.asJSON(li, "POST", inputs+"B2/confirm", map[string]any{}); r.status != 409 {
		t.Fatalf("confirming a leaf not reviewed = %d", r.status)
	}
	h.mustAPI("PUT", inputs+"B2", map[string]any{"score": 12}, 200)
	if got := stage(); got != "已初审" {
		t.Fatalf("all reviewed: %s", got)
	}
	// Four eyes: the administrator entered it, so cannot confirm it.
	if r := h.api("POST", inputs+"A1/confirm", map[string]any{}); r.status != 403 {
		t.Fatalf("confirming one's own entry = %d %s", r.status, r.body)
	}
	h.asJSON(li, "POST", inputs+"A1/confirm", map[string]any{})
	h.asJSON(li, "POST", inputs+"A2/confirm", map[string]any{"count": 4})
	h.asJSON(li, "POST", inputs+"A3/confirm", map[string]any{"reason": "核对无误"})
	if r := h.asJSON(li, "POST", inputs+"B2/confirm", map[string]any{"score": 14}); r.status != 422 || r.errorFields(t)["reason"] == nil {
		t.Fatalf("a change without reason = %d %s", r.status, r.body)
	}
	if r := h.asJSON(li, "POST", inputs+"B2/confirm", map[string]any{"score": 16}); r.status != 422 || r.errorFields(t)["score"] == nil {
		t.Fatalf("a change beyond the points = %d %s", r.status, r.body)
	}
	r := h.asJSON(li, "POST", inputs+"B2/confirm", map[string]any{"score": 14, "reason": "宣传台账补充2场"})
	var b2 struct {
		Score     float64
		Confirmed struct {
			By  string
			Was struct{ Score float64 }
		}
		History []struct {
			Action, By, Reason string
			Old                *struct{ Score float64 }
			New                struct{ Score float64 }
		}
	}
	if err := json.Unmarshal(r.body, &b2); err != nil || r.status != 200 {
		t.Fatalf("change on confirmation = %d %s", r.status, r.body)
	}
	if b2.Score != 14 || b2.Confirmed.By != "user:li.na" || b2.Confirmed.Was.Score != 12 || len(b2.History) != 2 ||
		b2.History[0].Action != "entered" || b2.History[1].Action != "changed" || b2.History[1].Old.Score != 12 ||
		b2.History[1].New.Score != 14 || b2.History[1].Reason != "宣传台账补充2场" {
		t.Fatalf("B2 after the change: %s", r.body)
	}
	if got := stage(); got != "已复核" {
		t.Fatalf("all confirmed: %s", got)
	}
	// A new entry needs confirming again, and keeps the history.
	r = h.mustAPI("PUT", inputs+"A1", map[string]any{"value": 0, "comment": "清单未更新"}, 200)
	if strings.Contains(string(r.body), `"confirmed":{`) || strings.Count(string(r.body), `"action"`) != 3 {
		t.Fatalf("re-entry: %s", r.body)
	}
	if got := stage(); got != "已初审" {
		t.Fatalf("after a re-entry: %s", got)
	}
	// The unit sees its reviewers' entries next to its own.
	if r := h.as(cc, "GET", sheet, "", nil); !strings.Contains(string(r.body), `"review":{`) {
		t.Fatalf("sheet without reviews: %s", r.body)
	}
	audit := string(h.mustAPI("GET", "/api/v1/audit?limit=100", nil, 200).body)
	for _, want := range []string{"input.confirm", "复核改为：12分 → 14分，理由：宣传台账补充2场", "达标 → 未达标，说明：清单未更新"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit lacks %q", want)
		}
	}
}

// TestObjectiveDataImport: one sheet fills a leaf for every unit — refused
// whole, with every bad header, row and cell named, while anything is
// wrong; then written, each cell an ordinary entry.
func TestObjectiveDataImport(t *testing.T) {
	t.Parallel()
	h, _, _ := assessmentHarness(t)
	const path = "/api/v1/rounds/kh/inputs/import"
	entries := func() map[string]string {
		var body struct {
			Inputs []struct {
				Unit, Indicator string
				Value, Score    *float64
				Count           *int
			}
		}
		out := map[string]string{}
		for _, u := range []string{"chongchuan", "haimen"} {
			json.Unmarshal(h.mustAPI("GET", "/api/v1/rounds/kh/units/"+u+"/inputs", nil, 200).body, &body)
			for _, in := range body.Inputs {
				v := ""
				switch {
				case in.Value != nil:
					v = fmt.Sprint(*in.Value)
				case in.Count != nil:
					v = fmt.Sprint(*in.Count)
				case in.Score != nil:
					v = fmt.Sprint(*in.Score)
				}
				out[in.Unit+"/"+in.Indicator] = v
			}
		}
		return out
	}
	head := []any{"单位", "A1", "A3 行政复议纠错率", "执法案卷不合格", "B2"}
	badHead := h.upload(path, nil, "客观数据.xlsx", sheetOf(t, [][]any{{"单位", "A1", "B1", "Z9 不存在", "A"}, {"崇川区", 1, 1, 1, 1}}))
	if badHead.status != 422 || !strings.Contains(string(badHead.body), "由满意度测评结果计算") ||
		!strings.Contains(string(badHead.body), "Z9 不存在") || !strings.Contains(string(badHead.body), "不是末级指标") {
		t.Fatalf("bad headers = %d %s", badHead.status, badHead.body)
	}
	bad := h.upload(path, nil, "客观数据.xlsx", sheetOf(t, [][]any{head,
		{"崇川区", "达标", "92.5%", 3, 14},
		{"haimen", 0.5, "很高", 2.5, 16},
		{"如皋市", 1, 90, 0, 10},
		{"崇川区", 1, 90, 0, 10},
	}))
	var refused struct {
		Error struct {
			Rows []struct {
				Row     int
				Field   string
				Message string
			}
		}
	}
	json.Unmarshal(bad.body, &refused)
	got := []string{}
	for _, r := range refused.Error.Rows {
		got = append(got, fmt.Sprintf("%d %s", r.Row, r.Field))
	}
	if bad.status != 422 || strings.Join(got, ",") != "3 A1,3 A2,3 A3,3 B2,4 单位,5 单位" {
		t.Fatalf("bad rows = %d %v %s", bad.status, got, bad.body)
	}
	if e := entries(); len(e) != 0 {
		t.Fatalf("a refused sheet wrote %v", e)
	}
	ok := h.upload(path, nil, "客观数据.xlsx", sheetOf(t, [][]any{head,
		{"崇川区", "达标", "92.5%", 3, 14},
		{"haimen", "否", 100, 0, ""},
	}))
	if ok.status != 200 || !strings.Contains(string(ok.body), `"entries":7`) {
		t.Fatalf("import = %d %s", ok.status, ok.body)
	}
	want := map[string]string{"chongchuan/A1": "1", "chongchuan/A3": "92.5", "chongchuan/A2": "3", "chongchuan/B2": "14",
		"haimen/A1": "0", "haimen/A3": "100", "haimen/A2": "0"}
	if e := entries(); fmt.Sprint(e) != fmt.Sprint(want) {
		t.Fatalf("entries %v, want %v", e, want)
	}
}

// TestFinalCompileWaitsForAppeals: a closed round's final compile is
// refused (409, naming the unit and leaf) while an appeal is unanswered.
func TestFinalCompileWaitsForAppeals(t *testing.T) {
	t.Parallel()
	h, cc, _ := assessmentHarness(t)
	for path, want := range map[string]string{"/p/kh": "尚未公示", "/p/nosuch": "不存在"} {
		if r := h.get(path); r.status != 404 || !strings.Contains(string(r.body), want) {
			t.Fatalf("%s = %d %s", path, r.status, r.body)
		}
	}
	if r := h.asJSON(cc, "POST", "/api/v1/rounds/kh/units/chongchuan/appeals", map[string]any{"indicator": "A2", "reason": "案卷抽查有误"}); r.status != 201 {
		t.Fatalf("appeal = %d %s", r.status, r.body)
	}
	if r := h.asJSON(cc, "POST", "/api/v1/rounds/kh/units/chongchuan/appeals", map[string]any{"indicator": "B1", "reason": " "}); r.status != 422 {
		t.Fatalf("an appeal without reason = %d", r.status)
	}
	ctx := context.Background()
	r, err := h.store.Round(ctx, "kh")
	if err != nil {
		t.Fatal(err)
	}
	r.Assessment.AllowGaps = true // the sheet has no entries: only the appeal may hold the compile
	if err := h.store.UpdateRound(ctx, r, r.UpdatedAt); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.TransitionRound(ctx, "kh", []pinggu.RoundStatus{pinggu.StatusScheduled},
		pinggu.Transition{To: pinggu.StatusClosed, At: closesAt, By: "test"}); err != nil {
		t.Fatal(err)
	}
	if r := h.asJSON(cc, "POST", "/api/v1/rounds/kh/units/chongchuan/appeals", map[string]any{"reason": "总分有误"}); r.status != 409 {
		t.Fatalf("an appeal after the close = %d", r.status)
	}
	refused := h.api("POST", "/api/v1/rounds/kh/compile", nil)
	if refused.status != 409 || !strings.Contains(string(refused.body), "崇川区对指标A2的申诉") {
		t.Fatalf("final compile with an open appeal = %d %s", refused.status, refused.body)
	}
	var list struct{ Appeals []struct{ ID string } }
	json.Unmarshal(h.mustAPI("GET", "/api/v1/rounds/kh/appeals", nil, 200).body, &list)
	if len(list.Appeals) != 1 {
		t.Fatalf("appeals: %+v", list)
	}
	h.mustAPI("POST", "/api/v1/appeals/"+list.Appeals[0].ID+"/decision", map[string]any{"decision": "rejected", "reason": "抽查程序合规"}, 200)
	h.mustAPI("POST", "/api/v1/rounds/kh/compile", nil, 202)
}

// TestRectification: an administrator's finding for a unit, listed with
// its days overdue; the unit reports with evidence, an assessor returns
// it with a reason, accepts the second report and closes the item; other
// units neither see nor report on it.
func TestRectification(t *testing.T) {
	t.Parallel()
	h, cc, hm := assessmentHarness(t)
	const items = "/api/v1/rounds/kh/rectifications"
	if r := h.api("POST", items, map[string]any{"unit": "chongchuan", "finding": "重大决策未听证", "deadline": "9月25日"}); r.status != 422 || r.errorFields(t)["deadline"] == nil {
		t.Fatalf("a bad deadline = %d %s", r.status, r.body)
	}
	if r := h.asJSON(cc, "POST", items, map[string]any{"unit": "chongchuan", "finding": "x", "deadline": "2024-09-25"}); r.status != 403 {
		t.Fatalf("a unit adds a finding = %d", r.status)
	}
	var item struct{ ID string }
	json.Unmarshal(h.mustAPI("POST", items, map[string]any{"unit": "chongchuan", "finding": "督察发现：重大决策未履行听证程序", "deadline": "2024-09-25"}, 201).body, &item)
	list := func(token string) []map[string]any {
		t.Helper()
		var body struct{ Rectifications []map[string]any }
		json.Unmarshal(h.as(token, "GET", items, "", nil).body, &body)
		return body.Rectifications
	}
	// The harness's clock reads 2024-10-02 in Beijing: 7 days past the deadline.
	if l := list(cc); len(l) != 1 || l[0]["daysOverdue"] != 7.0 || l[0]["statusLabel"] != "整改中" {
		t.Fatalf("the unit's items: %v", l)
	}
	if l := list(hm); len(l) != 0 {
		t.Fatalf("another unit sees %v", l)
	}
	// The dashboard lists the overdue item against its unit.
	csrf := h.admin()
	page := string(h.get("/admin/rounds/kh").body)
	if !strings.Contains(page, "<td>崇川区</td><td>未填报</td><td class=\"num\">0</td><td class=\"num\">1</td>") ||
		!strings.Contains(page, "1（最长7天）") || !strings.Contains(page, "生成整改台账") {
		t.Fatalf("dashboard:\n%s", page)
	}
	if r := h.postForm("/admin/rounds/kh/action", url.Values{"csrf": {csrf}, "do": {"ledger"}}); r.status != http.StatusSeeOther {
		t.Fatalf("ledger from the dashboard = %d %s", r.status, r.body)
	}
	// The public page's QR code and poster, for notice boards.
	if got := decodeQR(t, h.get("/admin/rounds/kh/public-qr.png").body); got != "https://pg.example.cn/p/kh" {
		t.Fatalf("public QR reads %q", got)
	}
	if p := string(h.get("/admin/rounds/kh/public-poster").body); !strings.Contains(p, "结果公示") || !strings.Contains(p, "data:image/png;base64,") {
		t.Fatalf("public poster:\n%s", p)
	}
	progress := "/api/v1/rectifications/" + item.ID
	if r := h.asJSON(hm, "POST", progress+"/progress", map[string]any{"text": "x"}); r.status != 403 {
		t.Fatalf("another unit reports = %d", r.status)
	}
	if r := h.api("POST", progress+"/review", map[string]any{"decision": "accept"}); r.status != 409 {
		t.Fatalf("accepting before any report = %d", r.status)
	}
	ct, body := selfUpload(t, map[string]string{"text": "已补开听证会，修订决策程序规定"}, "听证会纪要.pdf", []byte("%PDF-1.4 纪要"))
	if r := h.as(cc, "POST", progress+"/progress", ct, body); r.status != 200 || !strings.Contains(string(r.body), `"status":"reported"`) {
		t.Fatalf("report = %d %s", r.status, r.body)
	}
	if r := h.api("POST", progress+"/review", map[string]any{"decision": "return"}); r.status != 422 {
		t.Fatalf("a return without reason = %d", r.status)
	}
	h.mustAPI("POST", progress+"/review", map[string]any{"decision": "return", "reason": "请附修订后的规定文本"}, 200)
	if l := list(cc); l[0]["statusLabel"] != "退回" {
		t.Fatalf("after the return: %v", l)
	}
	h.asJSON(cc, "POST", progress+"/progress", map[string]any{"text": "规定已印发，附文本"})
	h.mustAPI("POST", progress+"/review", map[string]any{"decision": "accept"}, 200)
	h.mustAPI("POST", progress+"/close", map[string]any{"reason": "整改到位，予以销号"}, 200)
	if l := list(cc); l[0]["statusLabel"] != "已销号" || l[0]["daysOverdue"] != 0.0 || len(l[0]["reports"].([]any)) != 2 {
		t.Fatalf("closed: %v", l)
	}
	if r := h.asJSON(cc, "POST", progress+"/progress", map[string]any{"text": "再报"}); r.status != 409 {
		t.Fatalf("a report after closing = %d", r.status)
	}
	audit := string(h.mustAPI("GET", "/api/v1/audit?limit=100", nil, 200).body)
	for _, want := range []string{"rectification.add", "rectification.report", "rectification.return", "rectification.close", "已销号：整改到位，予以销号"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit lacks %q", want)
		}
	}
}

// TestSelfAssessmentPage: a unit's reporter finds its sheet from the
// console's first page, fills a leaf with evidence on the page, sees a
// mistake next to its leaf with what was typed, and submits once every
// leaf is filled; another unit's page is refused and staff only read it.
func TestSelfAssessmentPage(t *testing.T) {
	t.Parallel()
	h, _, _ := assessmentHarness(t)
	h.addUser("cc.tianbao", "reporter", "chongchuan")
	rep := newHarnessSharing(t, h)
	_, csrf := rep.signIn("cc.tianbao", "correct-horse-1")
	const page = "/admin/rounds/kh/units/chongchuan/self"
	if home := string(rep.get("/admin").body); !strings.Contains(home, `href="`+page+`"`) {
		t.Fatalf("the home page has no link to the sheet:\n%s", home)
	}
	r := rep.get(page)
	if r.status != 200 || !strings.Contains(string(r.body), "每发生一次扣2分，最多扣10分") || strings.Count(string(r.body), "保存本项") != 4 {
		t.Fatalf("sheet = %d\n%s", r.status, r.body)
	}
	post := func(fields map[string]string, file string, content []byte) reply {
		t.Helper()
		fields["csrf"] = csrf
		var ct string
		var body io.Reader
		if file != "" {
			ct, body = selfUpload(t, fields, file, content)
		} else {
			v := url.Values{}
			for k, x := range fields {
				v.Set(k, x)
			}
			ct, body = "application/x-www-form-urlencoded", strings.NewReader(v.Encode())
		}
		return rep.do("POST", page, ct, body, false)
	}
	if r := post(map[string]string{"indicator": "B2", "rubric": "manual", "entry": "18"}, "", nil); r.status != 422 ||
		!strings.Contains(string(r.body), "须录入0–15之间的得分") || !strings.Contains(string(r.body), `value="18"`) {
		t.Fatalf("a score over the points = %d\n%s", r.status, r.body)
	}
	if r := post(map[string]string{"indicator": "A1", "rubric": "binary", "entry": "1", "explanation": "已公开"}, "清单.pdf", []byte("%PDF-1.4 x")); r.status != http.StatusSeeOther {
		t.Fatalf("save A1 = %d %s", r.status, r.body)
	}
	if body := string(rep.get(page).body); !strings.Contains(body, "本单位自评：达标") || !strings.Contains(body, ">清单.pdf</a>") {
		t.Fatalf("after saving A1:\n%s", body)
	}
	if r := post(map[string]string{"do": "submit"}, "", nil); r.status != 422 || !strings.Contains(string(r.body), "A2「执法案卷不合格」尚未自评") {
		t.Fatalf("an incomplete submit = %d\n%s", r.status, r.body)
	}
	for leaf, x := range map[string][2]string{"A2": {"deduction", "3"}, "A3": {"proportional", "92.5"}, "B2": {"manual", "13"}} {
		if r := post(map[string]string{"indicator": leaf, "rubric": x[0], "entry": x[1]}, "", nil); r.status != http.StatusSeeOther {
			t.Fatalf("save %s = %d %s", leaf, r.status, r.body)
		}
	}
	if r := post(map[string]string{"do": "submit"}, "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("submit = %d %s", r.status, r.body)
	}
	if body := string(rep.get(page).body); !strings.Contains(body, "（已提交）") || strings.Contains(body, "保存本项") {
		t.Fatalf("a submitted sheet still offers forms:\n%s", body)
	}
	if r := rep.get("/admin/rounds/kh/units/haimen/self"); r.status != 403 {
		t.Fatalf("another unit's sheet = %d", r.status)
	}
	csrfAdmin := h.admin()
	if r := h.get(page); r.status != 200 || strings.Contains(string(r.body), "保存本项") {
		t.Fatalf("staff's view = %d", r.status)
	}
	// On the review page: the self-assessment beside each leaf, a return
	// with its reason, an entry, and the confirmation offered only to
	// another assessor.
	const review = "/admin/rounds/kh/units/chongchuan/review"
	if body := string(h.get(review).body); !strings.Contains(body, "（已提交）") || !strings.Contains(body, ">清单.pdf</a>") || strings.Count(body, "退回补充</button>") != 4 {
		t.Fatalf("review page:\n%s", body)
	}
	if r := h.postForm(review, url.Values{"csrf": {csrfAdmin}, "do": {"return"}, "indicator": {"A1"}}); r.status != 422 || !strings.Contains(string(r.body), "请写明退回的理由") {
		t.Fatalf("a return without reason = %d", r.status)
	}
	if r := h.postForm(review, url.Values{"csrf": {csrfAdmin}, "do": {"return"}, "indicator": {"A1"}, "reason": {"请附网站截图"}}); r.status != http.StatusSeeOther {
		t.Fatalf("return = %d %s", r.status, r.body)
	}
	if body := string(rep.get(page).body); !strings.Contains(body, "退回补充：请附网站截图") || strings.Count(body, "保存本项") != 1 {
		t.Fatalf("the unit's page after the return:\n%s", body)
	}
	h.postForm(review, url.Values{"csrf": {csrfAdmin}, "do": {"input"}, "indicator": {"A2"}, "rubric": {"deduction"}, "entry": {"4"}})
	if body := string(h.get(review).body); strings.Contains(body, `value="confirm"`) {
		t.Fatal("the one who entered A2 is offered its confirmation")
	}
	h.addUser("li.na", "assessor", "")
	other := newHarnessSharing(t, h)
	_, csrfLi := other.signIn("li.na", "correct-horse-1")
	if body := string(other.get(review).body); strings.Count(body, `value="confirm"`) != 1 {
		t.Fatalf("another assessor is not offered the confirmation:\n%s", body)
	}
	if r := other.postForm(review, url.Values{"csrf": {csrfLi}, "do": {"confirm"}, "indicator": {"A2"}, "rubric": {"deduction"}, "entry": {"3"}, "reason": {"另1件不属实"}}); r.status != http.StatusSeeOther {
		t.Fatalf("confirm with a change = %d %s", r.status, r.body)
	}
	if body := string(other.get(review).body); !strings.Contains(body, "由4改为3：另1件不属实") {
		t.Fatalf("after the confirmation:\n%s", body)
	}
	// The same person on the console and with an API token is one actor:
	// an entry made on the page cannot be confirmed with the token.
	other.postForm(review, url.Values{"csrf": {csrfLi}, "do": {"input"}, "indicator": {"B2"}, "rubric": {"manual"}, "entry": {"12"}})
	if r := h.asJSON(issueToken(t, h, "li.na"), "POST", "/api/v1/rounds/kh/units/chongchuan/inputs/B2/confirm", map[string]any{}); r.status != 403 {
		t.Fatalf("confirming one's own page entry with one's token = %d %s", r.status, r.body)
	}
}

// TestFollowupPage: appeals and rectification on the console — a unit's
// reporter appeals with evidence and reports on its item, another unit
// sees neither, an administrator answers the appeal, registers a finding
// (a bad date comes back on the page) and closes the item.
func TestFollowupPage(t *testing.T) {
	t.Parallel()
	h, _, _ := assessmentHarness(t)
	h.addUser("cc.tianbao", "reporter", "chongchuan")
	h.addUser("hm.tianbao", "reporter", "haimen")
	cc, hm := newHarnessSharing(t, h), newHarnessSharing(t, h)
	_, csrfCC := cc.signIn("cc.tianbao", "correct-horse-1")
	hm.signIn("hm.tianbao", "correct-horse-1")
	const page = "/admin/rounds/kh/followup"
	ct, body := selfUpload(t, map[string]string{"csrf": csrfCC, "do": "appeal", "indicator": "A2", "reason": "抽查案卷中2件已整改"}, "整改台账.pdf", []byte("%PDF-1.4 x"))
	if r := cc.do("POST", page, ct, body, false); r.status != http.StatusSeeOther {
		t.Fatalf("appeal from the page = %d %s", r.status, r.body)
	}
	if p := string(cc.get(page).body); !strings.Contains(p, "抽查案卷中2件已整改") || !strings.Contains(p, ">整改台账.pdf</a>") || !strings.Contains(p, "待处理") {
		t.Fatalf("the unit's page:\n%s", p)
	}
	if p := string(hm.get(page).body); strings.Contains(p, "抽查案卷中2件已整改") {
		t.Fatal("another unit sees the appeal")
	}
	csrf := h.admin()
	if r := h.postForm(page, url.Values{"csrf": {csrf}, "do": {"finding"}, "unit": {"chongchuan"}, "finding": {"督察：未听证"}, "deadline": {"下月底"}}); r.status != 422 || !strings.Contains(string(r.body), "整改期限须为日期") {
		t.Fatalf("a finding with a bad date = %d", r.status)
	}
	h.postForm(page, url.Values{"csrf": {csrf}, "do": {"finding"}, "unit": {"chongchuan"}, "finding": {"督察：未听证"}, "deadline": {"2024-12-31"}})
	var appeals struct{ Appeals []struct{ ID string } }
	json.Unmarshal(h.mustAPI("GET", "/api/v1/rounds/kh/appeals", nil, 200).body, &appeals)
	if r := h.postForm(page, url.Values{"csrf": {csrf}, "do": {"decide"}, "id": {appeals.Appeals[0].ID}, "decision": {"rejected"}, "reason": {"整改不影响当期扣分"}}); r.status != http.StatusSeeOther {
		t.Fatalf("answer = %d %s", r.status, r.body)
	}
	var items struct{ Rectifications []struct{ ID string } }
	json.Unmarshal(h.mustAPI("GET", "/api/v1/rounds/kh/rectifications", nil, 200).body, &items)
	if r := cc.postForm(page, url.Values{"csrf": {csrfCC}, "do": {"report"}, "id": {items.Rectifications[0].ID}, "text": {"已补开听证会"}}); r.status != http.StatusSeeOther {
		t.Fatalf("report = %d %s", r.status, r.body)
	}
	if r := cc.postForm(page, url.Values{"csrf": {csrfCC}, "do": {"review"}, "id": {items.Rectifications[0].ID}, "decision": {"close"}}); r.status != 403 {
		t.Fatalf("a unit closes its own item = %d", r.status)
	}
	h.postForm(page, url.Values{"csrf": {csrf}, "do": {"review"}, "id": {items.Rectifications[0].ID}, "decision": {"close"}, "reason": {"到位"}})
	if p := string(cc.get(page).body); !strings.Contains(p, "申诉不成立：整改不影响当期扣分") || !strings.Contains(p, "已销号") || strings.Contains(p, `value="report"`) {
		t.Fatalf("the unit's page at the end:\n%s", p)
	}
}

// TestPhaseChangesNeedAReason: a phase that has begun changes only
// through the phase route, by an administrator, with a reason, which the
// audit log keeps with the old and new times; an ordinary edit that would
// change it is refused.
func TestPhaseChangesNeedAReason(t *testing.T) {
	t.Parallel()
	h, _, _ := assessmentHarness(t)
	now := opensAt.Add(24 * time.Hour) // the harness's clock
	self := map[string]any{"opens": opensAt.Format(time.RFC3339), "closes": now.Add(time.Hour).Format(time.RFC3339)}
	r := roundJSON()
	r["code"], r["kind"], r["title"] = "kh", "assessment", "2024年度法治政府建设考核"
	r["assessment"] = map[string]any{"indicatorSystem": "fzzf", "phases": map[string]any{"selfAssessment": self}}
	delete(r, "quotas")
	h.mustAPI("PUT", "/api/v1/rounds/kh", r, 200) // giving a round a phase it did not have is an ordinary edit
	r["assessment"].(map[string]any)["phases"] = map[string]any{"selfAssessment": map[string]any{"opens": self["opens"], "closes": now.Add(48 * time.Hour).Format(time.RFC3339)}}
	if res := h.api("PUT", "/api/v1/rounds/kh", r); res.status != 409 || !strings.Contains(string(res.body), "自评期已经开始") {
		t.Fatalf("extending a begun phase by an edit = %d %s", res.status, res.body)
	}
	extend := map[string]any{"opens": self["opens"], "closes": now.Add(48 * time.Hour).Format(time.RFC3339)}
	if res := h.api("POST", "/api/v1/rounds/kh/phases/selfAssessment", extend); res.status != 422 || res.errorFields(t)["reason"] == nil {
		t.Fatalf("without a reason = %d %s", res.status, res.body)
	}
	extend["reason"] = "部分单位因防汛任务申请延期"
	h.mustAPI("POST", "/api/v1/rounds/kh/phases/selfAssessment", extend, 200)
	if res := h.api("POST", "/api/v1/rounds/kh/phases/nosuch", extend); res.status != 422 {
		t.Fatalf("an unknown phase = %d", res.status)
	}
	audit := string(h.mustAPI("GET", "/api/v1/audit?limit=20", nil, 200).body)
	if !strings.Contains(audit, "自评期：10月1日09:00至10月2日10:00 → 10月1日09:00至10月4日09:00，理由：部分单位因防汛任务申请延期") {
		t.Fatalf("audit:\n%s", audit)
	}
	// The same from the round page, in Beijing time; without a reason the
	// page says why nothing changed.
	csrf := h.admin()
	form := url.Values{"csrf": {csrf}, "phase": {"selfAssessment"}, "opens": {"2024-10-01T09:00"}, "closes": {"2024-10-05T17:00"}}
	h.postForm("/admin/rounds/kh/phase", form)
	if page := string(h.get("/admin/rounds/kh").body); !strings.Contains(page, "阶段未调整") || !strings.Contains(page, "请写明调整阶段的理由") {
		t.Fatalf("a change without reason from the page:\n%s", page)
	}
	form.Set("reason", "再延一天")
	h.postForm("/admin/rounds/kh/phase", form)
	if r, _ := h.store.Round(context.Background(), "kh"); !r.Assessment.Phases.SelfAssessment.Closes.Equal(time.Date(2024, 10, 5, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("self-assessment closes %v", r.Assessment.Phases.SelfAssessment.Closes)
	}
	// Deleting an event asks first, saying what it undoes.
	var adj struct{ ID string }
	json.Unmarshal(h.mustAPI("POST", "/api/v1/rounds/kh/units/chongchuan/adjustments", map[string]any{"kind": "bonus", "points": 1, "basis": "创新项目"}, 201).body, &adj)
	review := "/admin/rounds/kh/units/chongchuan/review"
	del := url.Values{"csrf": {csrf}, "do": {"delete"}, "id": {adj.ID}}
	if res := h.postForm(review, del); res.status != 200 || !strings.Contains(string(res.body), "确认删除事项") {
		t.Fatalf("delete, unconfirmed = %d %s", res.status, res.body)
	}
	del.Set("confirm", "1")
	if res := h.postForm(review, del); res.status != http.StatusSeeOther {
		t.Fatalf("delete = %d %s", res.status, res.body)
	}
	if body := string(h.mustAPI("GET", "/api/v1/rounds/kh/units/chongchuan/inputs", nil, 200).body); strings.Contains(body, "创新项目") {
		t.Fatalf("the event is still there: %s", body)
	}
}

// TestWorkflowPagesByRole: each new console page admits the roles it
// serves: a unit's sheet its own reporters and staff, the review page and
// the poster staff only, 申诉与整改 everyone signed in (each seeing their part).
func TestWorkflowPagesByRole(t *testing.T) {
	t.Parallel()
	h, _, _ := assessmentHarness(t)
	pages := map[string]map[string]int{
		"/admin/rounds/kh/units/chongchuan/self":   {"admin": 200, "assessor": 200, "cc": 200, "hm": 403},
		"/admin/rounds/kh/units/chongchuan/review": {"admin": 200, "assessor": 200, "cc": 403, "hm": 403},
		"/admin/rounds/kh/followup":                {"admin": 200, "assessor": 200, "cc": 200, "hm": 200},
		"/admin/rounds/kh/public-poster":           {"admin": 200, "assessor": 200, "cc": 403, "hm": 403},
	}
	for who, user := range map[string][3]string{"admin": {"wang.admin", "admin", ""}, "assessor": {"li.assessor", "assessor", ""},
		"cc": {"cc.tianbao", "reporter", "chongchuan"}, "hm": {"hm.tianbao", "reporter", "haimen"}} {
		h.addUser(user[0], user[1], user[2])
		b := newHarnessSharing(t, h)
		b.signIn(user[0], "correct-horse-1")
		for path, want := range pages {
			if got := b.get(path).status; got != want[who] {
				t.Errorf("%s %s = %d, want %d", who, path, got, want[who])
			}
		}
		if who != "cc" {
			continue
		}
		// Refusals and missing pages stay in the console, with its menu,
		// and a reporter's unit is named, not coded.
		for path, want := range map[string]string{"/admin/rounds/kh/units/haimen/self": "无权访问", "/admin/nosuch": "页面不存在"} {
			if page := string(b.get(path).body); !strings.Contains(page, want) || !strings.Contains(page, "退出") ||
				!strings.Contains(page, "填报人，崇川区") || strings.Contains(page, "chongchuan）") {
				t.Errorf("%s in the console:\n%s", path, page)
			}
		}
	}
}

// TestReturnedLeavesCloseWithTheReview: once the review phase has closed
// a unit can no longer answer a returned leaf.
func TestReturnedLeavesCloseWithTheReview(t *testing.T) {
	t.Parallel()
	h, cc, _ := assessmentHarness(t)
	const sheet = "/api/v1/rounds/kh/units/chongchuan/self"
	submitSheet(t, h, cc)
	h.mustAPI("POST", sheet+"/A1/return", map[string]any{"reason": "请附截图"}, 200)
	ctx := context.Background()
	r, _ := h.store.Round(ctx, "kh")
	r.Assessment.Phases.Review = &pinggu.Window{Opens: opensAt, Closes: opensAt.Add(12 * time.Hour)} // closed by the harness's clock
	if err := h.store.UpdateRound(ctx, r, r.UpdatedAt); err != nil {
		t.Fatal(err)
	}
	if res := h.asJSON(cc, "PUT", sheet+"/A1", map[string]any{"value": 1}); res.status != 409 || !strings.Contains(string(res.body), "评审已于2024年10月1日 21:00结束") {
		t.Fatalf("answering a return after the review = %d %s", res.status, res.body)
	}
}

// TestNoInternalCodesOnPages: the pages people read name kinds, zones,
// report kinds, actors and audited actions in words, never by code.
func TestNoInternalCodesOnPages(t *testing.T) {
	t.Parallel()
	h, cc, _ := assessmentHarness(t)
	h.asJSON(cc, "PUT", "/api/v1/rounds/kh/units/chongchuan/self/A1", map[string]any{"value": 1}) // something to audit by a unit
	h.admin()
	// Codes people must not read: kinds, statuses, channels, job types,
	// audit actions, actors, question types, weighting methods, zones.
	codes := []string{"satisfaction", "assessment", "midterm", "scheduled", "compiled", "published", "draft", "Asia/Shanghai",
		"round.create", "round.scheduled", "self.save", "user:wang", "unit:chongchuan", "scorecard", "method", "round:compile",
		"round:progress", "job:", "single", "multi", "scale", "rating", "cells", "raking", "web", "qr", "UTC", "county", "department",
		"binary", "proportional", "deduction", "manual", "survey", "bonus", "veto"}
	for _, path := range []string{"/admin", "/admin/rounds/kh", "/admin/rounds/r2024", "/admin/audit", "/admin/reports",
		"/admin/rounds/kh/followup", "/admin/rounds/kh/units/chongchuan/self", "/admin/rounds/kh/units/chongchuan/review",
		"/admin/questionnaires", "/admin/questionnaires/build?code=fz2024", "/admin/rounds/kh/edit", "/admin/rounds/new",
		"/admin/users", "/admin/units", "/s/r2024/chongchuan", "/admin/indicator-systems?code=fzzf", "/admin/plans"} {
		page := h.get(path)
		if page.status != 200 {
			t.Errorf("%s = %d", path, page.status)
			continue
		}
		text := visibleText(string(page.body))
		for _, code := range codes {
			if regexp.MustCompile(`(?i)(^|[^A-Za-z])` + regexp.QuoteMeta(code) + `($|[^A-Za-z])`).MatchString(text) {
				t.Errorf("%s shows %q", path, code)
			}
		}
	}
}

// visibleText is what a person reads of a page: no tags, attributes,
// scripts or styles; entities decoded; visible inputs' values kept, since
// they are read too. The JSON box of the advanced settings is left out:
// its keys are what it edits.
func visibleText(page string) string {
	page = regexp.MustCompile(`(?is)<(script|style)[^>]*>.*?</(script|style)>`).ReplaceAllString(page, " ")
	page = regexp.MustCompile(`(?is)<details class="card advanced".*?</details>`).ReplaceAllString(page, " ")
	page = regexp.MustCompile(`(?is)<input[^>]*type="hidden"[^>]*>`).ReplaceAllString(page, " ")
	page = regexp.MustCompile(`(?is)<input[^>]*\svalue="([^"]*)"[^>]*>`).ReplaceAllString(page, " $1 ")
	page = regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(page, " ")
	return html.UnescapeString(page)
}

// TestCitizensReadNoCodes: a link that leads nowhere says what to do, not
// which codes did not match.
func TestCitizensReadNoCodes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	for _, path := range []string{"/s/r2024/nosuchunit", "/s/nosuchround/chongchuan"} {
		r := h.get(path)
		if r.status != 404 || !strings.Contains(string(r.body), "没有找到这份问卷，请核对链接是否完整，或重新扫描二维码") ||
			strings.Contains(string(r.body), "nosuch") {
			t.Errorf("%s = %d\n%s", path, r.status, r.body)
		}
	}
}
