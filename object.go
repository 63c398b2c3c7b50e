package pinggu

import "fmt"

// Errors raised below the layers that talk to people — by the store — carry
// no words: they say what they are about (an Object: a kind of stored
// object and its key) and, for a conflict, why (a Reason). The words are
// made where the error is shown (ErrorMessage), from the tables here.

// ObjectKind is a kind of stored object.
type ObjectKind string

// The kinds of stored objects errors name.
const (
	ObjUnit            ObjectKind = "unit"
	ObjQuestionnaire   ObjectKind = "questionnaire"
	ObjRound           ObjectKind = "round"
	ObjResponse        ObjectKind = "response"
	ObjTally           ObjectKind = "tally"
	ObjInvitation      ObjectKind = "invitation"
	ObjDevice          ObjectKind = "device"
	ObjUser            ObjectKind = "user"
	ObjSession         ObjectKind = "session"
	ObjAPIToken        ObjectKind = "apiToken"
	ObjUnitToken       ObjectKind = "unitToken"
	ObjPlan            ObjectKind = "plan"
	ObjTask            ObjectKind = "task"
	ObjProgress        ObjectKind = "progress"
	ObjEvidence        ObjectKind = "evidence"
	ObjIndicatorSystem ObjectKind = "indicatorSystem"
	ObjInput           ObjectKind = "input"
	ObjAdjustment      ObjectKind = "adjustment"
	ObjSelfEntry       ObjectKind = "selfEntry"
	ObjSelfSheet       ObjectKind = "selfSheet"
	ObjAppeal          ObjectKind = "appeal"
	ObjRectification   ObjectKind = "rectification"
	ObjReport          ObjectKind = "report"
	ObjReportFile      ObjectKind = "reportFile"
	ObjJob             ObjectKind = "job"
	ObjAudit           ObjectKind = "audit"
	ObjExclusion       ObjectKind = "exclusion"
	ObjFlagged         ObjectKind = "flagged"
	ObjSettings        ObjectKind = "settings"
	ObjDatabase        ObjectKind = "database"
)

var kindNouns = map[ObjectKind]string{
	ObjUnit: "单位", ObjQuestionnaire: "问卷", ObjRound: "评估轮次", ObjResponse: "答卷", ObjTally: "统计",
	ObjInvitation: "邀请码", ObjDevice: "设备", ObjUser: "用户", ObjSession: "会话", ObjAPIToken: "API令牌",
	ObjUnitToken: "填报令牌", ObjPlan: "规划", ObjTask: "任务", ObjProgress: "进展报送", ObjEvidence: "佐证材料",
	ObjIndicatorSystem: "指标体系", ObjInput: "录入", ObjAdjustment: "加减分事项", ObjSelfEntry: "自评", ObjSelfSheet: "自评表", ObjAppeal: "申诉", ObjRectification: "整改事项", ObjReport: "报表",
	ObjReportFile: "报表文件", ObjJob: "任务", ObjAudit: "审计日志", ObjExclusion: "排除记录",
	ObjFlagged: "质量标记", ObjSettings: "系统设置", ObjDatabase: "数据库",
}

// Noun is the kind in the words of the UI.
func (k ObjectKind) Noun() string {
	if n, ok := kindNouns[k]; ok {
		return n
	}
	return string(k)
}

// Object is what an error is about: a kind, and the key of one object of
// it when known (a version for versioned kinds).
type Object struct {
	Kind    ObjectKind
	ID      string
	Version int
}

func (o Object) String() string {
	s := o.Kind.Noun() + o.ID
	if o.Version > 0 {
		s += fmt.Sprintf("的第%d版", o.Version)
	}
	return s
}

// Reason says why an operation on an object failed, beyond its code.
type Reason string

// Reasons of conflicts and failures.
const (
	ReasonChanged   Reason = "changed"   // changed by someone else since it was read
	ReasonBusy      Reason = "busy"      // changed by a concurrent operation right now
	ReasonReviewed  Reason = "reviewed"  // reviewed already
	ReasonCancelled Reason = "cancelled" // the request went away
)

// StatusConflict is a round transition its current status does not allow.
type StatusConflict struct {
	Round    string
	From, To RoundStatus
}

func (c *StatusConflict) Error() string {
	return fmt.Sprintf("round %s is %s, cannot become %s", c.Round, c.From, c.To)
}

// Clash is the error of an operation that met the object in another state
// than it expected, and why.
func Clash(k ObjectKind, id string, why Reason) *Error {
	return &Error{Code: Conflict, Object: &Object{Kind: k, ID: id}, Reason: why}
}

// Missing is the error of an object that does not exist.
func Missing(k ObjectKind, id string) *Error {
	return &Error{Code: NotFound, Object: &Object{Kind: k, ID: id}}
}

// message makes the words of an error that carries none, from its object
// and reason; "" when there is nothing to say beyond the code.
func (e *Error) message() string {
	if e.Message != "" || e.Code == Internal {
		return e.Message
	}
	if c, ok := e.Err.(*StatusConflict); ok {
		return fmt.Sprintf("评估轮次%s当前状态为%s，不能变为%s", c.Round, StatusLabel(c.From), StatusLabel(c.To))
	}
	switch e.Code {
	case Unavailable:
		if e.Reason == ReasonCancelled {
			return "请求已取消"
		}
		return "数据库暂时不可用，请稍后重试"
	}
	if e.Object == nil {
		return ""
	}
	o := *e.Object
	switch {
	case e.Code == NotFound && o.Kind == ObjExclusion:
		return fmt.Sprintf("答卷%s未被排除", o.ID)
	case e.Code == NotFound:
		return o.String() + "不存在"
	case e.Reason == ReasonChanged:
		return o.String() + "已被他人修改，请刷新后重试"
	case e.Reason == ReasonBusy && o.Kind == ObjPlan:
		return o.String() + "的任务正被同时导入，请稍后重试"
	case e.Reason == ReasonBusy:
		return o.String() + "正被同时修改，请重试"
	case e.Reason == ReasonReviewed:
		return o.String() + "已审核"
	case e.Code == Conflict:
		return o.String() + "已存在"
	}
	return ""
}
