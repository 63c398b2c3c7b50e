package pinggu

import (
	"errors"
	"fmt"
	"testing"
)

// The words of errors raised without any (by the store), made from their
// object and reason where they are shown.
func TestErrorWordsFromObjects(t *testing.T) {
	round := &Object{Kind: ObjRound, ID: "r2024"}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{Missing(ObjUnit, "chongchuan"), "单位chongchuan不存在"},
		{Missing(ObjAPIToken, ""), "API令牌不存在"},
		{Missing(ObjExclusion, "sid-1"), "答卷sid-1未被排除"},
		{&Error{Code: Conflict, Object: &Object{Kind: ObjQuestionnaire, ID: "q", Version: 2}}, "问卷q的第2版已存在"},
		{Clash(ObjRound, "r2024", ReasonChanged), "评估轮次r2024已被他人修改，请刷新后重试"},
		{&Error{Code: Conflict, Object: round, Reason: ReasonBusy}, "评估轮次r2024正被同时修改，请重试"},
		{&Error{Code: Conflict, Object: &Object{Kind: ObjPlan, ID: "fzzf"}, Reason: ReasonBusy}, "规划fzzf的任务正被同时导入，请稍后重试"},
		{&Error{Code: Conflict, Object: &Object{Kind: ObjProgress, ID: "p1"}, Reason: ReasonReviewed}, "进展报送p1已审核"},
		{&Error{Code: Conflict, Object: round, Err: &StatusConflict{Round: "r2024", From: StatusPublished, To: StatusOpen}},
			"评估轮次r2024当前状态为" + StatusLabel(StatusPublished) + "，不能变为" + StatusLabel(StatusOpen)},
		{&Error{Code: Unavailable, Err: errors.New("dial tcp: refused")}, "数据库暂时不可用，请稍后重试"},
		{&Error{Code: Unavailable, Reason: ReasonCancelled}, "请求已取消"},
		{&Error{Code: Internal, Object: round, Err: errors.New("boom")}, "服务器内部错误，请稍后重试"},
		{&Error{Code: NotFound, Message: "自己的话", Object: round}, "自己的话"},
		{fmt.Errorf("wrapped: %w", Missing(ObjRound, "r1")), "评估轮次r1不存在"},
	} {
		if got := ErrorMessage(tc.err); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
}
