package server

import (
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"
)

// confirmView asks once more before an action that cannot simply be
// undone, saying what it will do; the form posts the same fields again
// with confirm=1. It needs no script.
type confirmView struct {
	consoleView
	Title, Consequence, Action, Back string
	Fields                           []confirmField
}

type confirmField struct{ Name, Value string }

// confirmed reports whether the posted action was confirmed; when not, it
// has answered with the confirmation page (and the caller returns err).
func (s *Server) confirmed(c echo.Context, title, consequence, back string) (ok bool, err error) {
	if c.FormValue("confirm") == "1" {
		return true, nil
	}
	form, err := c.FormParams()
	if err != nil {
		return false, err
	}
	v := &confirmView{Title: title, Consequence: consequence, Action: c.Request().URL.Path, Back: back}
	names := make([]string, 0, len(form))
	for k := range form {
		if k != "csrf" && k != "confirm" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		for _, x := range form[k] {
			v.Fields = append(v.Fields, confirmField{k, x})
		}
	}
	return false, s.pageStatus(c, http.StatusOK, "confirm.html", v)
}
