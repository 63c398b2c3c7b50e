package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"pinggu"
	"pinggu/evidence"
)

// listRectifications lists a round's items: a reporter sees its own
// unit's, staff all (or one unit's with ?unit=), each with its days
// overdue in the round's zone.
func (s *Server) listRectifications(c echo.Context) error {
	ctx := c.Request().Context()
	unit := c.QueryParam("unit")
	if u := reporterUnit(c); u != "" {
		unit = u
	}
	r, err := s.catalog.Round(ctx, c.Param("code"))
	if err != nil {
		return err
	}
	items, err := s.assessment.Rectifications(ctx, r.Code, unit)
	if err != nil {
		return err
	}
	today := pinggu.Date(s.cfg.Now().In(r.Location()).Format(pinggu.DateLayout))
	type view struct {
		pinggu.Rectification
		StatusLabel string `json:"statusLabel"`
		DaysOverdue int    `json:"daysOverdue"`
	}
	out := make([]view, len(items))
	for i := range items {
		out[i] = view{items[i], pinggu.RectStatusLabel(items[i].Status), items[i].DaysOverdue(today)}
	}
	return listJSON(c, "rectifications", out, nil)
}

func (s *Server) addFinding(c echo.Context) error {
	var body struct {
		Unit      string      `json:"unit"`
		Indicator string      `json:"indicator"`
		Finding   string      `json:"finding"`
		Deadline  pinggu.Date `json:"deadline"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	item, err := s.assessment.AddFinding(c.Request().Context(), c.Param("code"), body.Unit, body.Indicator, body.Finding, body.Deadline)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, item)
}

// reportRectification takes a unit's report on its item as JSON
// {"text"} or as a multipart form with evidence files in "evidence".
func (s *Server) reportRectification(c echo.Context) error {
	unit := reporterUnit(c)
	if unit == "" {
		return pinggu.Errorf(pinggu.Forbidden, "整改情况须由责任单位使用本单位的填报账户或令牌报送")
	}
	var body struct {
		Text string `json:"text"`
	}
	var files []evidence.Upload
	if form, err := c.MultipartForm(); err == nil {
		body.Text, files = c.FormValue("text"), evidenceUploads(form)
	} else if err := decodeJSON(c, &body); err != nil {
		return err
	}
	item, err := s.assessment.ReportRect(c.Request().Context(), c.Param("id"), unit, body.Text, files)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, item)
}

// reviewRectification is an assessor's accept or return of the latest
// report; closeRectification closes (销号) the item.
func (s *Server) reviewRectification(c echo.Context) error {
	var body struct {
		Decision string `json:"decision"`
		Reason   string `json:"reason"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Decision == "close" {
		body.Decision = "" // closing has its own route
	}
	return s.rectDecision(c, body.Decision, body.Reason)
}

func (s *Server) closeRectification(c echo.Context) error {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	return s.rectDecision(c, "close", body.Reason)
}

func (s *Server) rectDecision(c echo.Context, decision, reason string) error {
	item, err := s.assessment.ReviewRect(c.Request().Context(), c.Param("id"), decision, reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, item)
}

func (s *Server) rectificationEvidence(c echo.Context) error {
	ev, rc, err := s.assessment.RectEvidence(c.Request().Context(), c.Param("id"), reporterUnit(c), c.Param("eid"))
	return streamEvidence(c, ev, rc, err)
}

// ledger queues the round's 整改台账 workbook.
func (s *Server) ledger(c echo.Context) error {
	id, err := s.sched.LedgerNow(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"job": id})
}
