package server

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
)

// uploadTasks imports a plan's task sheet; bad rows are listed by row.
func (s *Server) uploadTasks(c echo.Context) error {
	plan := c.Param("plan")
	validOnly := c.FormValue("validOnly") == "1"
	f, _, err := uploaded(c, "请选择要上传的.xlsx文件")
	if err == nil {
		defer f.Close()
		r, ierr := s.midterm.ImportTasks(c.Request().Context(), plan, f, validOnly)
		if err = ierr; err == nil {
			done := fmt.Sprintf("已导入%d项任务，该规划现有%d项", r.Imported, r.Total)
			if len(r.Skipped) > 0 {
				done += fmt.Sprintf("；跳过%d行有误的行", len(r.Skipped))
			}
			return s.plansPage(c, http.StatusOK, &plansView{consoleView: consoleView{Done: done}, RowErrors: sheetRows(r.SkippedRows)})
		}
	}
	_, msg, ferr := formErrors(err)
	if ferr != nil {
		return ferr
	}
	return s.plansPage(c, http.StatusUnprocessableEntity, &plansView{UploadError: msg, RowErrors: rowErrors(err)})
}
