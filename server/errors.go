package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"pinggu"
	"strings"

	"github.com/labstack/echo/v4"
)

var errUnauthorized = pinggu.Errorf(pinggu.Unauthorized, "需要管理员令牌（Authorization: Bearer …）")

// statusOf is the one mapping from domain error codes to HTTP statuses.
func statusOf(code pinggu.Code) int {
	switch code {
	case pinggu.Invalid:
		return http.StatusUnprocessableEntity
	case pinggu.Malformed:
		return http.StatusBadRequest
	case pinggu.NotFound:
		return http.StatusNotFound
	case pinggu.Conflict, pinggu.NotYetOpen, pinggu.QuotaFull:
		return http.StatusConflict
	case pinggu.Closed:
		return http.StatusGone
	case pinggu.TooLarge:
		return http.StatusRequestEntityTooLarge
	case pinggu.Unauthorized:
		return http.StatusUnauthorized
	case pinggu.Forbidden:
		return http.StatusForbidden
	case pinggu.Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// fromEcho turns echo's own errors (unknown route, body limit, bad method)
// into domain errors so they share one rendering.
func fromEcho(err error) error {
	var he *echo.HTTPError
	if !errors.As(err, &he) {
		return err
	}
	switch he.Code {
	case http.StatusNotFound:
		return pinggu.Errorf(pinggu.NotFound, "页面不存在")
	case http.StatusRequestEntityTooLarge:
		return pinggu.Errorf(pinggu.TooLarge, "提交内容超过大小上限（表单和JSON为%dKB，上传文件为%dMB）", MaxBody>>10, MaxUpload>>20)
	case http.StatusMethodNotAllowed:
		return pinggu.Errorf(pinggu.Malformed, "不支持该请求方法")
	case http.StatusUnauthorized:
		return errUnauthorized
	default:
		return pinggu.Wrap(pinggu.Malformed, err, fmt.Sprint(he.Message))
	}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    pinggu.Code        `json:"code"`
	Message string             `json:"message"`
	Fields  pinggu.FieldErrors `json:"fields,omitempty"`
	Rows    pinggu.RowErrors   `json:"rows,omitempty"` // an upload's problems by sheet row
	Request string             `json:"requestId,omitempty"`
}

// handleError renders every error: JSON under /api and /healthz, a page
// elsewhere. Internal errors are logged with the request id and shown generically.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	err = fromEcho(err)
	code := pinggu.ErrorCode(err)
	status := statusOf(code)
	s.cfg.Metrics.Error(string(code))
	reqID := c.Response().Header().Get(echo.HeaderXRequestID)
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "30")
	}
	if status >= 500 {
		s.cfg.Logger.Error("request failed", "id", reqID, "method", c.Request().Method,
			"path", c.Request().URL.Path, "err", err)
	}
	msg := pinggu.ErrorMessage(err)
	path := c.Request().URL.Path
	if strings.HasPrefix(path, "/api/") || path == "/healthz" {
		_ = c.JSON(status, errorBody{errorDetail{Code: code, Message: msg, Fields: pinggu.ErrorFields(err),
			Rows: pinggu.ErrorRows(err), Request: reqID}})
		return
	}
	heading := map[int]string{404: "页面不存在", 410: "本次测评已结束", 413: "提交内容过大"}[status]
	if heading == "" {
		heading = "出错了"
	}
	if strings.HasPrefix(path, "/admin") && session(c) == nil {
		// A console address no route matched: no middleware read the session.
		if se, err := s.sessionOf(c); err == nil {
			c.Set(sessionKey, se)
		}
	}
	if strings.HasPrefix(path, "/admin") && session(c) != nil {
		// Signed in, a mistake stays inside the console, with its menu.
		if status == http.StatusForbidden {
			heading = "无权访问"
		}
		if s.pageStatus(c, status, "console_error.html", &consoleErrorView{Heading: heading, Message: msg}) == nil {
			return
		}
	}
	s.notice(c, status, noticePage{Title: "满意度测评", Heading: heading, Lines: []string{msg}})
}

// consoleErrorView is a console page saying what went wrong.
type consoleErrorView struct {
	consoleView
	Heading, Message string
}

// notice renders notice.html; a failure to render falls back to plain text.
func (s *Server) notice(c echo.Context, status int, p noticePage) {
	body, err := s.renderPage("notice.html", p)
	if err != nil {
		s.cfg.Logger.Error("render notice", "err", err)
		_ = c.String(status, p.Heading)
		return
	}
	_ = c.HTMLBlob(status, body)
}

// decodeJSON reads a JSON body strictly: unknown fields and wrong types are
// errors that name the field, so a typo in an admin's questionnaire is caught.
func decodeJSON(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return pinggu.Errorf(pinggu.Malformed, "请求体只能包含一个JSON对象")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return pinggu.Errorf(pinggu.TooLarge, "提交内容超过%dKB上限", MaxBody>>10)
	case errors.As(err, &syn):
		return pinggu.Wrap(pinggu.Malformed, err, fmt.Sprintf("JSON格式错误（第%d字节附近）", syn.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return &pinggu.Error{Code: pinggu.Malformed, Message: "JSON字段类型错误", Err: err,
			Fields: pinggu.FieldErrors{field: fmt.Sprintf("应为%s类型", jsonType(typ.Type.Kind().String()))}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &pinggu.Error{Code: pinggu.Malformed, Message: "JSON中有未知字段", Err: err,
			Fields: pinggu.FieldErrors{field: "未知字段"}}
	default:
		return pinggu.Wrap(pinggu.Malformed, err, "JSON格式错误")
	}
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "字符串"
	case "bool":
		return "布尔"
	case "slice", "array":
		return "数组"
	case "map", "struct":
		return "对象"
	case "int", "int64", "float64":
		return "数字"
	}
	return kind
}
