package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"pinggu"
	"pinggu/quality"
	"pinggu/report"
)

func (s *Server) scheduleRound(c echo.Context) error {
	return roundJSON(c)(s.rounds.Schedule(c.Request().Context(), c.Param("code")))
}

func (s *Server) cancelRound(c echo.Context) error {
	return roundJSON(c)(s.rounds.Cancel(c.Request().Context(), c.Param("code")))
}

func (s *Server) publishRound(c echo.Context) error {
	return roundJSON(c)(s.rounds.Publish(c.Request().Context(), c.Param("code")))
}

// roundJSON answers a transition with the round as it now is.
func roundJSON(c echo.Context) func(*pinggu.Round, error) error {
	return func(r *pinggu.Round, err error) error {
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, r)
	}
}

func (s *Server) compileRound(c echo.Context) error {
	id, err := s.compileNow(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"job": id})
}

// compileNow queues a compile, refusing at once (409, with the list) a
// final one that the compile would refuse for missing entries.
func (s *Server) compileNow(ctx context.Context, code string) (string, error) {
	if err := s.assessment.FinalGaps(ctx, code); err != nil {
		return "", err
	}
	return s.sched.CompileNow(ctx, code)
}

func (s *Server) exportRound(c echo.Context) error {
	id, err := s.sched.ExportNow(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"job": id})
}

func (s *Server) listReports(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := s.catalog.Round(ctx, c.Param("code")); err != nil {
		return err
	}
	reps, err := s.reports.Reports(ctx, c.Param("code"))
	return listJSON(c, "reports", reps, err)
}

// downloadReport serves /reports/{id}.xlsx (or .csv) with its Chinese file
// name in RFC 5987 form and an ASCII fallback for old clients.
func (s *Server) downloadReport(c echo.Context) error {
	file := c.Param("file")
	ext := file[strings.LastIndex(file, ".")+1:]
	id := strings.TrimSuffix(file, "."+ext)
	rep, body, err := s.reports.OpenReport(c.Request().Context(), id)
	if err != nil {
		return err
	}
	defer body.Close()
	if !strings.HasSuffix(rep.FileName, "."+ext) {
		return pinggu.Errorf(pinggu.NotFound, "报表%s没有.%s格式", id, ext)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, ContentDisposition(rep.FileName, id+"."+ext))
	h.Set("X-Content-SHA256", rep.SHA256)
	h.Set(echo.HeaderContentLength, strconv.FormatInt(rep.Size, 10))
	return c.Stream(http.StatusOK, rep.ContentType, body)
}

// ContentDisposition names a download: an ASCII fallback for old clients,
// then the real (Chinese) name percent-encoded as RFC 5987 says.
func ContentDisposition(name, fallback string) string {
	var b strings.Builder
	for _, c := range []byte(name) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, fallback, b.String())
}

func (s *Server) listJobs(c echo.Context) error {
	jobs, err := s.reports.Jobs(c.Request().Context(), c.QueryParam("round"), 100)
	return listJSON(c, "jobs", jobs, err)
}

func (s *Server) listFlagged(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := s.catalog.Round(ctx, c.Param("code")); err != nil {
		return err
	}
	list, err := s.quality.Flagged(ctx, c.Param("code"), c.QueryParam("unit"))
	return listJSON(c, "responses", list, err)
}

// excludeResponses takes {"ids": [...]} or {"unit": "…", "flag": "…"} and a reason.
func (s *Server) excludeResponses(c echo.Context) error {
	var body struct {
		quality.Target
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.catalog.Round(ctx, c.Param("code")); err != nil {
		return err
	}
	n, err := s.quality.Exclude(ctx, c.Param("code"), body.Target, body.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"excluded": n})
}

func (s *Server) restoreResponse(c echo.Context) error {
	if err := s.quality.Restore(c.Request().Context(), c.Param("code"), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// importResponses takes offline answers: an .xlsx or .csv (multipart
// "file"), or JSON lines (Content-Type application/x-ndjson, one
// {"respondent", "answers"} per line), with "channel" and "validOnly".
// With errors and ?report=xlsx the answer is the row-by-row error workbook.
func (s *Server) importResponses(c echo.Context) error {
	var rows []report.ImportRow
	var err error
	if ct := c.Request().Header.Get(echo.HeaderContentType); strings.HasPrefix(ct, "application/x-ndjson") ||
		strings.HasPrefix(ct, "application/jsonl") {
		rows, err = readJSONLines(c.Request().Body)
	} else {
		rows, err = readUploadedResponses(c)
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

func readUploadedResponses(c echo.Context) ([]report.ImportRow, error) {
	f, name, err := uploaded(c, "请在file字段上传.xlsx或.csv文件，或以application/x-ndjson提交JSON行")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return report.ReadResponses(f, name)
}

// readJSONLines reads one respondent per line; answers take the shapes of
// a JSON submission. A line that cannot be read is kept as a row with its
// problem, so it is reported with the others, never stored.
func readJSONLines(r io.Reader) ([]report.ImportRow, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxBody)
	var rows []report.ImportRow
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var rec struct {
			Respondent string                     `json:"respondent"`
			Answers    map[string]json.RawMessage `json:"answers"`
		}
		row := report.ImportRow{Row: n}
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

func (s *Server) newInvitations(c echo.Context) error {
	var body struct {
		Count int `json:"count"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	codes, err := s.survey.NewInvitations(c.Request().Context(), c.Param("code"), c.Param("unit"), body.Count)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"codes": codes})
}

// invitationsXLSX is a unit's codes with their personal links, and which are used.
func (s *Server) invitationsXLSX(c echo.Context) error {
	ctx := c.Request().Context()
	f, err := s.survey.Form(ctx, c.Param("code"), c.Param("unit"))
	if err != nil {
		return err
	}
	codes, used, err := s.reports.Invitations(ctx, f.Round.Code, f.Unit.Code)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	link := func(code string) string { return s.surveyURL(f.Round.Code, f.Unit.Code, "", "") + "?code=" + code }
	if err := report.WriteInvitations(&buf, f.Unit.Name, codes, used, link); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, ContentDisposition(f.Unit.Name+"-邀请码.xlsx", "invitations.xlsx"))
	return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}
