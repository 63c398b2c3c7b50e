package server

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"pinggu"
)

// startView is the public start page: the open rounds an administrator
// chose to list, each with its units' survey links.
type startView struct {
	Rounds []listedRound
}

type listedRound struct {
	Title, Closes string
	Units         []listedUnit
}

type listedUnit struct{ Name, Link string }

// startPage answers the bare address: the listed open rounds, or, when
// none is listed, the console.
func (s *Server) startPage(c echo.Context) error {
	ctx := c.Request().Context()
	rounds, err := s.catalog.Rounds(ctx)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	var v startView
	var names map[string]string
	for _, r := range rounds {
		if !r.Listed || r.Questionnaire == "" || !r.Status.Collecting() || r.PhaseAt(now) != pinggu.Open {
			continue
		}
		if names == nil {
			units, err := s.catalog.Units(ctx)
			if err != nil {
				return err
			}
			names = pinggu.UnitNames(units)
		}
		lr := listedRound{Title: r.Title, Closes: r.ClosesAt.In(r.Location()).Format(cnTime) + "（" + pinggu.ZoneLabel(r.Timezone) + "）"}
		for _, u := range r.Units {
			lr.Units = append(lr.Units, listedUnit{Name: names[u], Link: "/s/" + url.PathEscape(r.Code) + "/" + url.PathEscape(u)})
		}
		v.Rounds = append(v.Rounds, lr)
	}
	if len(v.Rounds) == 0 {
		return c.Redirect(http.StatusSeeOther, "/admin")
	}
	body, err := s.renderPage("start.html", &v)
	if err != nil {
		return err
	}
	// The list changes as rounds open and close; a short cache spares the
	// store a read per visit without showing a closed round for long.
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=60")
	return c.HTMLBlob(http.StatusOK, body)
}
