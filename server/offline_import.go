package server

import (
	"fmt"
	"net/http"
	"net/url"
	"pinggu"
	"pinggu/survey"

	"github.com/labstack/echo/v4"
)

type unitOption struct{ Code, Name string }

func (s *Server) roundUnits(c echo.Context) (*pinggu.Round, []unitOption, error) {
	ctx := c.Request().Context()
	r, err := s.catalog.Round(ctx, c.Param("code"))
	if err != nil {
		return nil, nil, err
	}
	units, err := s.catalog.Units(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := pinggu.UnitNames(units)
	out := make([]unitOption, len(r.Units))
	for i, u := range r.Units {
		out[i] = unitOption{u, names[u]}
	}
	return r, out, nil
}

var importChannels = []option{{"cati", "电话调查（CATI）"}, {"capi", "入户面访（CAPI）"}, {"paper", "纸质问卷"}, {"import", "其他导入"}}

// consoleImport shows the offline import form of a round.
func (s *Server) consoleImport(c echo.Context) error {
	return s.importPage(c, http.StatusOK, &importView{consoleView: consoleView{Done: s.takeNotice(c)}, Channel: "cati"})
}

// importView is a round's offline import form, with what an upload did.
type importView struct {
	consoleView
	Round     *pinggu.Round
	Units     []unitOption
	Channels  []option
	Unit      string // the form's choices, kept
	Channel   string
	ValidOnly bool
	Error     string
	Fields    pinggu.FieldErrors
	Errors    []pinggu.ResponseRowError // the rows that were wrong
}

func (s *Server) importPage(c echo.Context, status int, v *importView) error {
	r, units, err := s.roundUnits(c)
	if err != nil {
		return err
	}
	v.Round, v.Units, v.Channels = r, units, importChannels
	return s.pageStatus(c, status, "import.html", v)
}

// importOffline stores an uploaded .xlsx or .csv of offline answers for a
// unit; a file with bad rows is refused whole (every bad row listed)
// unless only the valid rows are asked for.
func (s *Server) importOffline(c echo.Context) error {
	unit, ch, validOnly := c.FormValue("unit"), c.FormValue("channel"), c.FormValue("validOnly") == "1"
	v := &importView{Unit: unit, Channel: ch, ValidOnly: validOnly}
	var res *survey.ImportResult
	rows, err := s.readUploadedResponses(c, c.Param("code"), unit, "请选择要导入的.xlsx或.csv文件")
	if err == nil {
		res, err = s.survey.Import(c.Request().Context(), c.Param("code"), unit, pinggu.Channel(ch), rows, validOnly)
	}
	fe, msg, err := formErrors(err)
	if err != nil {
		return err
	}
	if res != nil {
		v.Errors = res.Errors
	}
	if msg != "" {
		v.Error, v.Fields = msg, fe
		return s.importPage(c, http.StatusUnprocessableEntity, v)
	}
	done := fmt.Sprintf("已导入%d份，此前已导入%d份", res.Imported, res.Duplicates)
	if len(res.Errors) > 0 {
		done += fmt.Sprintf("；跳过%d处有误的内容", len(res.Errors))
		v.Done = done
		return s.importPage(c, http.StatusOK, v)
	}
	return s.redirectWith(c, "/admin/rounds/"+url.PathEscape(c.Param("code"))+"/import", done)
}
