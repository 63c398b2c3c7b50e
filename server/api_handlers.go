package server

import (
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"pinggu"
	"pinggu/survey"
)

// submitBody is a JSON submission. Answers are a string, a number (ratings)
// or an array of strings (multi) per question code.
type submitBody struct {
	SID     string                     `json:"sid"`
	Answers map[string]json.RawMessage `json:"answers"`
	Channel pinggu.Channel             `json:"channel"`
	Tag     string                     `json:"tag,omitempty"`  // where the link was posted, optional
	Code    string                     `json:"code,omitempty"` // an invitation code, where required
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
	rec, err := s.survey.Submit(c.Request().Context(), survey.Submission{
		SID: b.SID, Round: c.Param("round"), Unit: c.Param("unit"), Answers: answers,
		Channel: b.Channel, Tag: b.Tag, IP: c.RealIP(), Code: b.Code,
	})
	if err != nil {
		return err
	}
	if !rec.Created {
		return c.JSON(http.StatusOK, map[string]any{"id": rec.ID, "duplicate": true})
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": rec.ID})
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

// uploaded opens the multipart file field "file" and says its name; when
// there is none, missing says what to upload.
func uploaded(c echo.Context, missing string) (multipart.File, string, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, "", pinggu.FieldErrors{"file": missing}.Err("缺少文件")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", pinggu.Wrap(pinggu.Malformed, err, "无法读取上传的文件")
	}
	return f, fh.Filename, nil
}

// listJSON answers {key: items}: [] rather than null when there are none.
func listJSON[T any](c echo.Context, key string, items []T, err error) error {
	if err != nil {
		return err
	}
	if items == nil {
		items = []T{}
	}
	return c.JSON(http.StatusOK, map[string]any{key: items})
}

// versionParam reads ?version=N (0 when absent: the latest).
func versionParam(c echo.Context) (int, error) {
	v := c.QueryParam("version")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, pinggu.FieldErrors{"version": "版本号须为正整数"}.Err("查询参数有误")
	}
	return n, nil
}

// checkPathCode rejects a body whose code disagrees with the URL.
func checkPathCode(path, body string) error {
	if body != "" && body != path {
		return pinggu.FieldErrors{"code": fmt.Sprintf("与地址中的编码%s不一致", path)}.Err("编码不一致")
	}
	return nil
}

func created(c echo.Context, location string, v any) error {
	c.Response().Header().Set(echo.HeaderLocation, location)
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) listUnits(c echo.Context) error {
	units, err := s.catalog.Units(c.Request().Context())
	return listJSON(c, "units", units, err)
}

func (s *Server) createUnit(c echo.Context) error {
	var u pinggu.Unit
	if err := decodeJSON(c, &u); err != nil {
		return err
	}
	if err := s.catalog.CreateUnit(c.Request().Context(), &u); err != nil {
		return err
	}
	return created(c, "/api/v1/units/"+u.Code, u)
}

func (s *Server) getUnit(c echo.Context) error {
	u, err := s.catalog.Unit(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (s *Server) updateUnit(c echo.Context) error {
	var u pinggu.Unit
	if err := decodeJSON(c, &u); err != nil {
		return err
	}
	if err := checkPathCode(c.Param("code"), u.Code); err != nil {
		return err
	}
	if err := s.catalog.UpdateUnit(c.Request().Context(), c.Param("code"), &u); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (s *Server) listQuestionnaires(c echo.Context) error {
	qs, err := s.catalog.Questionnaires(c.Request().Context())
	return listJSON(c, "questionnaires", qs, err)
}

func (s *Server) createQuestionnaire(c echo.Context) error {
	var q pinggu.Questionnaire
	if err := decodeJSON(c, &q); err != nil {
		return err
	}
	if err := s.catalog.CreateQuestionnaire(c.Request().Context(), &q); err != nil {
		return err
	}
	return created(c, "/api/v1/questionnaires/"+q.Code, q)
}

func (s *Server) getQuestionnaire(c echo.Context) error {
	version, err := versionParam(c)
	if err != nil {
		return err
	}
	q, err := s.catalog.Questionnaire(c.Request().Context(), c.Param("code"), version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, q)
}

func (s *Server) reviseQuestionnaire(c echo.Context) error {
	var q pinggu.Questionnaire
	if err := decodeJSON(c, &q); err != nil {
		return err
	}
	if err := checkPathCode(c.Param("code"), q.Code); err != nil {
		return err
	}
	if err := s.catalog.ReviseQuestionnaire(c.Request().Context(), c.Param("code"), &q); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, q)
}

func (s *Server) listRounds(c echo.Context) error {
	rs, err := s.catalog.Rounds(c.Request().Context())
	return listJSON(c, "rounds", rs, err)
}

func (s *Server) createRound(c echo.Context) error {
	var r pinggu.Round
	if err := decodeJSON(c, &r); err != nil {
		return err
	}
	if err := s.rounds.Create(c.Request().Context(), &r); err != nil {
		return err
	}
	return created(c, "/api/v1/rounds/"+r.Code, r)
}

func (s *Server) getRound(c echo.Context) error {
	r, err := s.catalog.Round(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) updateRound(c echo.Context) error {
	var r pinggu.Round
	if err := decodeJSON(c, &r); err != nil {
		return err
	}
	if err := checkPathCode(c.Param("code"), r.Code); err != nil {
		return err
	}
	if err := s.rounds.Update(c.Request().Context(), c.Param("code"), &r); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) roundProgress(c echo.Context) error {
	p, err := s.survey.Progress(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"round": c.Param("code"), "units": p})
}
