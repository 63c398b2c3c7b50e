package server

import (
	"fmt"
	"net/http"
	"net/url"
	"pinggu"
	"strings"

	"github.com/labstack/echo/v4"
)

// uploadIndicators imports an indicator system sheet as a new version.
func (s *Server) uploadIndicators(c echo.Context) error {
	code, name := strings.TrimSpace(c.FormValue("code")), strings.TrimSpace(c.FormValue("name"))
	f, _, err := uploaded(c, "请选择要上传的.xlsx文件")
	if err == nil {
		defer f.Close()
		var sys *pinggu.IndicatorSystem
		if sys, err = s.assessment.ImportIndicatorSystem(c.Request().Context(), code, name, f); err == nil {
			return s.redirectWith(c, "/admin/indicator-systems?code="+url.QueryEscape(sys.Code),
				fmt.Sprintf("已导入指标体系 %s 第%d版", sys.Name, sys.Version))
		}
	}
	_, msg, ferr := formErrors(err)
	if ferr != nil {
		return ferr
	}
	return s.indicatorsPage(c, http.StatusUnprocessableEntity, &indicatorsView{UpCode: code, UpName: name,
		Error: msg, RowErrors: rowErrors(err)})
}
