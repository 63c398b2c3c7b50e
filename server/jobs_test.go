package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"pinggu/jobs"
	"pinggu/server"
)

func TestScheduleCancelCompileOverHTTP(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed() // creates and schedules r2024
	h.mustAPI("POST", "/api/v1/rounds/nope/schedule", nil, http.StatusNotFound)

	tasks, err := h.sched.Tasks("r2024")
	if err != nil || len(tasks) == 0 {
		t.Fatalf("tasks = %v, %v", tasks, err)
	}
	// Moving the close moves its task.
	up := roundJSON()
	newClose := closesAt.Add(48 * time.Hour)
	up["closesAt"] = newClose.Format(time.RFC3339)
	h.mustAPI("PUT", "/api/v1/rounds/r2024", up, http.StatusOK)
	tasks, _ = h.sched.Tasks("r2024")
	var closeIDs []string
	for _, tk := range tasks {
		if tk.Type == jobs.TypeRoundClose {
			closeIDs = append(closeIDs, tk.ID)
		}
	}
	if len(closeIDs) != 1 || closeIDs[0] != jobs.TaskID(jobs.TypeRoundClose, "r2024", newClose) {
		t.Fatalf("close tasks = %v", closeIDs)
	}

	job := h.mustAPI("POST", "/api/v1/rounds/r2024/compile", nil, http.StatusAccepted).json(t)["job"].(string)
	if !strings.HasPrefix(job, "round:compile:r2024:now-") {
		t.Fatalf("job id %q", job)
	}
	list := h.mustAPI("GET", "/api/v1/jobs?round=r2024", nil, http.StatusOK).json(t)["jobs"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["id"] != job || list[0].(map[string]any)["state"] != "queued" {
		t.Fatalf("jobs = %v", list)
	}
	h.mustAPI("POST", "/api/v1/rounds/nope/compile", nil, http.StatusNotFound)
	h.mustAPI("POST", "/api/v1/rounds/r2024/export", nil, http.StatusAccepted)

	if reps := h.mustAPI("GET", "/api/v1/rounds/r2024/reports", nil, 200).json(t)["reports"].([]any); len(reps) != 0 {
		t.Fatalf("reports = %v", reps)
	}
	h.mustAPI("GET", "/api/v1/rounds/nope/reports", nil, http.StatusNotFound)
	h.mustAPI("GET", "/api/v1/reports/nope.xlsx", nil, http.StatusNotFound)

	r := h.mustAPI("POST", "/api/v1/rounds/r2024/cancel", nil, http.StatusOK).json(t)
	if r["status"] != "draft" {
		t.Fatalf("after cancel: %v", r["status"])
	}
	if tasks, _ := h.sched.Tasks("r2024"); len(tasks) != 0 {
		t.Fatalf("tasks after cancel = %v", tasks)
	}
	h.mustAPI("POST", "/api/v1/rounds/r2024/cancel", nil, http.StatusConflict)
	// A draft round takes no answers.
	if p := h.get("/s/r2024/chongchuan"); p.status != 200 || !strings.Contains(string(p.body), "尚未开始") {
		t.Fatalf("draft round page = %d", p.status)
	}
	if r := h.postJSON(responsesPath, `{"sid":"abcdefgh99","answers":{"Q1":"5","D1":"1"}}`); r.status != http.StatusConflict {
		t.Fatalf("submit to a draft round = %d", r.status)
	}
}

func TestContentDisposition(t *testing.T) {
	t.Parallel()
	got := server.ContentDisposition("2024年度测评-结果 (最终).xlsx", "r-1.xlsx")
	want := `attachment; filename="r-1.xlsx"; filename*=UTF-8''2024%E5%B9%B4%E5%BA%A6%E6%B5%8B%E8%AF%84-%E7%BB%93%E6%9E%9C%20%28%E6%9C%80%E7%BB%88%29.xlsx`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
