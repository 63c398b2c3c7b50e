package server

import (
	"net/url"
	"strings"

	"pinggu"

	"github.com/labstack/echo/v4"
)

// roundAction runs a button of the round page: schedule, cancel and
// publish for administrators; compile and export for assessors too.
func (s *Server) roundAction(c echo.Context) error {
	ctx, code, se := c.Request().Context(), c.Param("code"), session(c)
	do := c.FormValue("do")
	if (do == "schedule" || do == "cancel" || do == "publish") && !adminAccess.allows(se.Role) {
		return pinggu.Errorf(pinggu.Forbidden, "只有管理员可以排期、取消或发布")
	}
	back := "/admin/rounds/" + url.PathEscape(code)
	switch do {
	case "cancel":
		if ok, err := s.confirmed(c, "取消排期", "取消后本轮回到草稿：问卷链接不再接受答卷，已排好的开放、结束和汇总任务全部撤销；已收到的答卷保留。", back); !ok {
			return err
		}
	case "publish":
		if ok, err := s.confirmed(c, "发布结果", "发布后本轮结果定为正式发布，结果表和原始数据供下载，本轮不能再修改设置。", back); !ok {
			return err
		}
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
	case "ledger":
		done, err = s.sched.LedgerNow(ctx, code)
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
	// A job id starts with its type: round:compile:r2024:now-….
	parts := strings.SplitN(done, ":", 3)
	return "已提交后台任务“" + jobLabel(strings.Join(parts[:min(2, len(parts))], ":")) + "”，进度见“后台任务”"
}
