package server

import (
	"net/http"
	"pinggu"

	"github.com/labstack/echo/v4"
)

type roundRow struct {
	Code, Title, Kind, Status, Opens, Closes string
}

// homeView is the console's first page: the rounds, a reporter's tasks and
// the person's API tokens.
type homeView struct {
	consoleView
	Rounds           []roundRow
	Tasks            []pinggu.PlanTask
	Tokens           []pinggu.APIToken
	Self             []selfLink // a reporter's self-assessments
	CanOpen, IsAdmin bool       // round pages; administration
}

type selfLink struct{ Title, URL, Followup string }

// consoleHome lists the rounds; a reporter also sees its unit's tasks.
func (s *Server) consoleHome(c echo.Context) error {
	ctx := c.Request().Context()
	se := session(c)
	rounds, err := s.catalog.Rounds(ctx)
	if err != nil {
		return err
	}
	var rows []roundRow
	var self []selfLink
	for _, r := range rounds {
		if se.Role == pinggu.RoleReporter && r.Assessment != nil && r.HasUnit(se.Unit) {
			self = append(self, selfLink{Title: r.Title, URL: "/admin/rounds/" + r.Code + "/units/" + se.Unit + "/self",
				Followup: "/admin/rounds/" + r.Code + "/followup"})
		}
		loc := r.Location()
		rows = append(rows, roundRow{Code: r.Code, Title: r.Title, Kind: pinggu.KindLabel(r.Kind), Status: pinggu.StatusLabel(r.Status),
			Opens: r.OpensAt.In(loc).Format(consoleTimestamp), Closes: r.ClosesAt.In(loc).Format(consoleTimestamp)})
	}
	var tasks []pinggu.PlanTask
	if se.Role == pinggu.RoleReporter {
		plans, err := s.midterm.Plans(ctx)
		if err != nil {
			return err
		}
		for _, p := range plans {
			mine, err := s.midterm.Tasks(ctx, p.Code, se.Unit)
			if err != nil {
				return err
			}
			tasks = append(tasks, mine...)
		}
	}
	tokens, err := s.auth.Tokens(ctx, se.User)
	if err != nil {
		return err
	}
	return s.pageStatus(c, http.StatusOK, "home.html", &homeView{consoleView: consoleView{Done: s.takeNotice(c)},
		Rounds: rows, Tasks: tasks, Tokens: tokens, Self: self, CanOpen: staffAccess.allows(se.Role), IsAdmin: adminAccess.allows(se.Role)})
}
