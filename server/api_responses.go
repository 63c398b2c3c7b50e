package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"pinggu"
	"pinggu/report"
	"pinggu/survey"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// submitBody is a JSON submission. Answers are a string, a number (ratings)
// or an array of strings (multi) per question code.
type submitBody struct {
	SID     string                     `json:"sid"`
	Answers map[string]json.RawMessage `json:"answers"`
	Channel pinggu.Channel             `json:"channel"`
	Tag     string                     `json:"tag,omitempty"`  // where the link was posted, optional
	Code    string                     `json:"code,omitempty"` // an invitation code, where required
	// Device is the token the reply gave this client before; a client
	// without one is a new device, as a browser without its cookie is.
	Device string `json:"device,omitempty"`
}

func (s *Server) apiSubmit(c echo.Context) error {
	var b submitBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	answers, err := decodeAnswers(b.Answers)
	if err != nil {
		return err
	}
	if b.Channel == "" {
		b.Channel = pinggu.ChannelWeb
	}
	// Anyone may call this: the answers of interviews and paper come only
	// through an authenticated import, and the device rule holds as on the
	// form.
	if b.Channel.Offline() {
		return pinggu.FieldErrors{"channel": "匿名提交只能使用网页渠道（web、qr、link、invite）；电话、面访和纸质问卷的答卷请由评估人员导入"}.Err("提交内容有误")
	}
	if !pinggu.ValidSID(b.Device) {
		b.Device = survey.NewDeviceToken()
	}
	rec, err := s.submit(c, survey.Submission{
		SID: b.SID, Round: c.Param("round"), Unit: c.Param("unit"), Answers: answers,
		Channel: b.Channel, Tag: b.Tag, IP: c.RealIP(), Code: b.Code, Device: b.Device,
	})
	if err != nil {
		return err
	}
	if !rec.Created {
		return c.JSON(http.StatusOK, map[string]any{"id": rec.ID, "duplicate": true, "device": b.Device})
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": rec.ID, "device": b.Device})
}

func decodeAnswers(raw map[string]json.RawMessage) (pinggu.Answers, error) {
	a := make(pinggu.Answers, len(raw))
	fe := pinggu.FieldErrors{}
	for code, msg := range raw {
		var str string
		var list []string
		var num json.Number
		switch {
		case json.Unmarshal(msg, &str) == nil:
			a[code] = []string{str}
		case json.Unmarshal(msg, &list) == nil:
			a[code] = list
		case json.Unmarshal(msg, &num) == nil:
			a[code] = []string{num.String()}
		case string(msg) == "null":
		default:
			fe.Add(code, "回答应为字符串、数字或字符串数组")
		}
	}
	if err := fe.Err("部分题目的回答格式有误"); err != nil {
		err.(*pinggu.Error).Code = pinggu.Malformed
		return nil, err
	}
	return a, nil
}

// importResponses takes offline answers: an .xlsx or .csv (multipart
// "file"), or JSON lines (Content-Type application/x-ndjson, one
// {"respondent", "answers"} per line), with "channel" and "validOnly".
// With errors and ?report=xlsx the answer is the row-by-row error workbook.
func (s *Server) importResponses(c echo.Context) error {
	var rows []pinggu.ResponseRow
	var err error
	if ct := c.Request().Header.Get(echo.HeaderContentType); strings.HasPrefix(ct, "application/x-ndjson") ||
		strings.HasPrefix(ct, "application/jsonl") {
		rows, err = readJSONLines(c.Request().Body)
	} else {
		rows, err = s.readUploadedResponses(c, c.Param("code"), c.Param("unit"), "请在file字段上传.xlsx或.csv文件，或以application/x-ndjson提交JSON行")
	}
	if err != nil {
		return err
	}
	validOnly, _ := strconv.ParseBool(c.FormValue("validOnly"))
	res, err := s.survey.Import(c.Request().Context(), c.Param("code"), c.Param("unit"), pinggu.Channel(c.FormValue("channel")), rows, validOnly)
	if res != nil && len(res.Errors) > 0 && c.QueryParam("report") == "xlsx" {
		var buf bytes.Buffer
		if werr := report.WriteImportErrors(&buf, res.Errors); werr != nil {
			return werr
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, ContentDisposition("导入错误报告.xlsx", "import-errors.xlsx"))
		status := http.StatusOK
		if err != nil {
			status = http.StatusUnprocessableEntity
		}
		return c.Blob(status, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
	}
	if err != nil {
		if res != nil && pinggu.ErrorCode(err) == pinggu.Invalid {
			return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": errorDetail{Code: pinggu.Invalid,
				Message: pinggu.ErrorMessage(err)}, "result": res})
		}
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// readUploadedResponses reads the uploaded sheet of a unit's offline
// answers, refusing one wider than the unit's form can mean.
func (s *Server) readUploadedResponses(c echo.Context, round, unit, noFile string) ([]pinggu.ResponseRow, error) {
	form, err := s.survey.Form(c.Request().Context(), round, unit)
	if err != nil {
		return nil, err
	}
	f, name, err := uploaded(c, noFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return report.ReadResponses(f, name, form.ImportColumns())
}

// readJSONLines reads one respondent per line; answers take the shapes of
// a JSON submission. A line that cannot be read is kept as a row with its
// problem, so it is reported with the others, never stored.
func readJSONLines(r io.Reader) ([]pinggu.ResponseRow, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxBody)
	var rows []pinggu.ResponseRow
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if len(rows) == report.MaxUploadRows {
			return nil, pinggu.FieldErrors{"file": fmt.Sprintf("数据超过%d行，请分批上传", report.MaxUploadRows)}.Err("文件有误")
		}
		var rec struct {
			Respondent string                     `json:"respondent"`
			Answers    map[string]json.RawMessage `json:"answers"`
		}
		row := pinggu.ResponseRow{Row: n}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			row.Problem = "这一行不是有效的JSON对象：" + err.Error()
		} else if row.Answers, err = decodeAnswers(rec.Answers); err != nil {
			row.Problem = pinggu.ErrorFields(err).String()
		}
		row.Respondent = rec.Respondent
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, pinggu.Wrap(pinggu.Malformed, err, fmt.Sprintf("无法读取JSON行（每行不超过%dKB）", MaxBody>>10))
	}
	if len(rows) == 0 {
		return nil, pinggu.FieldErrors{"body": "没有任何一行"}.Err("导入内容为空")
	}
	return rows, nil
}

// submit stores a submission and records its outcome.
func (s *Server) submit(c echo.Context, sub survey.Submission) (survey.Receipt, error) {
	rec, err := s.survey.Submit(c.Request().Context(), sub)
	switch {
	case err != nil:
		s.cfg.Metrics.Submission(string(pinggu.ErrorCode(err)))
	case rec.Created:
		s.cfg.Metrics.Submission("created")
	default:
		s.cfg.Metrics.Submission("duplicate")
	}
	return rec, err
}
