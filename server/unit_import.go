package server

import (
	"fmt"
	"net/http"
	"pinggu"
	"pinggu/report"

	"github.com/labstack/echo/v4"
)

// importUnits creates or updates units from an .xlsx; a sheet with any bad
// row is refused whole with every bad row listed.
func (s *Server) importUnits(c echo.Context) error {
	f, _, err := uploaded(c, "请选择要上传的.xlsx文件")
	if err == nil {
		defer f.Close()
		var rows []pinggu.UnitRow
		var fe pinggu.RowErrors
		if rows, fe, err = report.ReadUnits(f); err == nil {
			err = fe.Err("单位表有误，未导入")
		}
		if err == nil {
			var created, updated int
			created, updated, err = s.catalog.ImportUnits(c.Request().Context(), rows)
			if err == nil {
				return s.redirectWith(c, "/admin/units", fmt.Sprintf("已导入：新增%d个，更新%d个单位", created, updated))
			}
		}
	}
	_, msg, ferr := formErrors(err)
	if ferr != nil {
		return ferr
	}
	return s.unitsPage(c, http.StatusUnprocessableEntity, &unitsView{ImportError: msg, RowErrors: rowErrors(err)})
}
