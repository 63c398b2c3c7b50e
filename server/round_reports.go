package server

import (
	"context"
	"fmt"
	"pinggu"
	"strings"
	"time"
)

type jobRow struct {
	ID, Type, State, Progress, Error, Note, At string
	Running                                    bool
}

type reportRow struct {
	Kind, Final, Created, Size, Fingerprint, Link string
	Responses                                     int
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
		return "结果表"
	case pinggu.ReportMidterm:
		return "中期评估报告"
	case pinggu.ReportLedger:
		return "整改台账"
	case pinggu.ReportMethod:
		return "方法说明（据此与原始数据可重算结果表）"
	case pinggu.ReportRawCSV:
		return "原始数据（CSV）"
	}
	return "原始数据（Excel）"
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
		"round:progress": "阶段性汇总", "round:remind": "进度提醒", "round:export": "导出原始数据", "round:ledger": "整改台账", "round:selfremind": "自评提醒"}[t]
	if !ok {
		return "后台任务"
	}
	return l
}
