package server

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"pinggu"

	"github.com/labstack/echo/v4"
)

type flagCount struct {
	Label string
	N     int
}

// flagCounts lists the flags that fired, in the reports' order.
func flagCounts(m map[string]int) []flagCount {
	var out []flagCount
	for _, f := range pinggu.QualityFlags {
		if n := m[f.Flag]; n > 0 {
			out = append(out, flagCount{f.Label, n})
		}
	}
	return out
}

type dayRow struct {
	Day     string
	Count   int
	Percent int
}

// channelCounts says how a unit's responses came in, in a fixed order.
func channelCounts(m map[string]int) string {
	var parts []string
	for _, ch := range pinggu.Channels {
		if n := m[string(ch)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", pinggu.ChannelLabel(ch), n))
		}
	}
	return strings.Join(parts, " · ")
}

// dayRows lists responses per day, oldest first, scaled for a bar chart.
func dayRows(days map[string]int) []dayRow {
	keys := make([]string, 0, len(days))
	top := 0
	for d, n := range days {
		keys = append(keys, d)
		top = max(top, n)
	}
	sort.Strings(keys)
	out := make([]dayRow, len(keys))
	for i, d := range keys {
		out[i] = dayRow{Day: d, Count: days[d], Percent: days[d] * 100 / max(1, top)}
	}
	return out
}

// progressJSON feeds the round page's live update.
func (s *Server) progressJSON(c echo.Context) error {
	ps, err := s.survey.Progress(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"units": ps})
}
