package server

import (
	"net/http"
	"pinggu"

	"github.com/labstack/echo/v4"
)

// consoleIndicators lists indicator systems with an upload form; ?code=
// shows one as a tree with points.
func (s *Server) consoleIndicators(c echo.Context) error {
	return s.indicatorsPage(c, http.StatusOK, &indicatorsView{consoleView: consoleView{Done: s.takeNotice(c)}})
}

// indicatorsView lists the indicator systems, shows one as a tree, and
// keeps the upload form's input after a mistake.
type indicatorsView struct {
	consoleView
	List           []*pinggu.IndicatorSystem
	System         *pinggu.IndicatorSystem // shown (?code=)
	Tree           []indicatorNode
	UpCode, UpName string
	Error          string
	RowErrors      []fieldError
}

type indicatorNode struct {
	pinggu.Indicator
	Depth  int
	Rubric string
}

func (s *Server) indicatorsPage(c echo.Context, status int, v *indicatorsView) error {
	ctx := c.Request().Context()
	list, err := s.assessment.IndicatorSystems(ctx)
	if err != nil {
		return err
	}
	v.List = list
	if code := c.QueryParam("code"); code != "" {
		sys, err := s.assessment.IndicatorSystem(ctx, code, 0)
		if err != nil {
			return err
		}
		v.System, v.Tree = sys, indicatorTree(sys.Indicators)
	}
	return s.pageStatus(c, status, "indicators.html", v)
}

// indicatorTree orders indicators depth-first under their parents.
func indicatorTree(ins []pinggu.Indicator) []indicatorNode {
	children := map[string][]pinggu.Indicator{}
	for _, in := range ins {
		children[in.Parent] = append(children[in.Parent], in)
	}
	var out []indicatorNode
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, in := range children[parent] {
			out = append(out, indicatorNode{Indicator: in, Depth: depth, Rubric: pinggu.RubricLabel(in.Rubric)})
			if depth < 10 {
				walk(in.Code, depth+1)
			}
		}
	}
	walk("", 0)
	return out
}
