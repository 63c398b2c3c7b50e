package pinggu

import (
	"context"
	"strings"
	"time"
)

// AuditEntry records one change made by a person or a job. Entries are only
// ever inserted: nothing in the product edits or deletes them.
type AuditEntry struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`   // "admin", "user:wang", "unit:sfj", "job:round:close"
	Action  string    `json:"action"`  // e.g. "round.schedule"
	Object  string    `json:"object"`  // e.g. "round/r2024"
	Summary string    `json:"summary"` // what changed, in words
}

// Auditor records changes.
type Auditor interface {
	Audit(ctx context.Context, e *AuditEntry) error
}

// Audit records a change by the actor of ctx; a failure to record is
// returned so the caller can decide (changes already made are not undone).
func Audit(ctx context.Context, a Auditor, action, object, summary string) error {
	if a == nil {
		return nil
	}
	return a.Audit(ctx, &AuditEntry{At: time.Now().UTC().Truncate(time.Millisecond), Actor: Actor(ctx),
		Action: action, Object: object, Summary: summary})
}

// ActorLabel is an actor as a page or a workbook names it: a person by
// their user name, the bootstrap token and units' tokens in words.
func ActorLabel(actor string) string {
	switch {
	case actor == "admin":
		return "管理员令牌"
	case strings.HasPrefix(actor, "user:"):
		return strings.TrimPrefix(actor, "user:")
	case strings.HasPrefix(actor, "unit:"):
		return "单位填报令牌"
	case strings.HasPrefix(actor, "job:"):
		return "后台任务"
	case actor == "demo":
		return "演示数据"
	}
	return actor
}

// actionWords names the audited actions in the words of the UI; an action
// not listed shows as recorded.
var actionWords = map[string]string{
	"round.create": "新建轮次", "round.update": "修改轮次", "round.phase": "调整阶段", "round.scheduled": "排期",
	"round.draft": "取消排期", "round.open": "开放", "round.closed": "结束收集", "round.compiled": "汇总定稿",
	"round.published": "发布结果", "unit.create": "新建单位", "unit.update": "修改单位", "unit.token": "发放填报令牌",
	"unit.token.revoke": "撤销填报令牌", "questionnaire.create": "新建问卷", "questionnaire.revise": "修订问卷",
	"indicators.version": "新版指标体系", "input.set": "考核录入", "input.confirm": "复核", "adjustment.add": "登记加减分",
	"adjustment.delete": "删除加减分", "self.save": "单位自评", "self.submit": "提交自评", "self.return": "退回补充",
	"appeal.file": "提出申诉", "appeal.decide": "答复申诉", "rectification.add": "登记整改事项",
	"rectification.report": "报送整改", "rectification.accept": "认可整改", "rectification.return": "退回整改",
	"rectification.close": "整改销号", "plan.create": "新建规划", "plan.import": "导入任务", "progress.file": "报送进展",
	"progress.review": "审核进展", "user.add": "新建账户", "user.role": "修改角色", "user.signout": "结束会话",
	"token.issue": "发放API令牌", "token.revoke": "撤销API令牌", "login": "登录", "login.fail": "登录失败",
	"response.exclude": "排除答卷", "response.restore": "恢复答卷", "tally.repair": "更正计数",
}

// ActionLabel is an audited action in words.
func ActionLabel(action string) string {
	if w, ok := actionWords[action]; ok {
		return w
	}
	return action
}

// ZoneLabel names a round's time zone as people say it.
func ZoneLabel(tz string) string {
	if tz == DefaultTimezone || tz == "" {
		return "北京时间"
	}
	return tz
}
