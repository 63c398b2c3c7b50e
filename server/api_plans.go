package server

import (
	"net/http"
	"pinggu"
	"strconv"

	"github.com/labstack/echo/v4"
)

func (s *Server) listPlans(c echo.Context) error {
	ps, err := s.midterm.Plans(c.Request().Context())
	return listJSON(c, "plans", ps, err)
}

func (s *Server) createPlan(c echo.Context) error {
	var p pinggu.Plan
	if err := decodeJSON(c, &p); err != nil {
		return err
	}
	if err := s.midterm.CreatePlan(c.Request().Context(), &p); err != nil {
		return err
	}
	return created(c, "/api/v1/plans/"+p.Code, p)
}

func (s *Server) getPlan(c echo.Context) error {
	p, err := s.midterm.Plan(c.Request().Context(), c.Param("plan"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// importTasks takes the sheet in the multipart field "file"; validOnly=true
// imports the good rows of a file with bad ones.
func (s *Server) importTasks(c echo.Context) error {
	f, _, err := uploaded(c, "请在file字段上传.xlsx文件")
	if err != nil {
		return err
	}
	defer f.Close()
	validOnly, _ := strconv.ParseBool(c.FormValue("validOnly"))
	res, err := s.midterm.ImportTasks(c.Request().Context(), c.Param("plan"), f, validOnly)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (s *Server) listTasks(c echo.Context) error {
	tasks, err := s.midterm.Tasks(c.Request().Context(), c.Param("plan"), reporterUnit(c))
	return listJSON(c, "tasks", tasks, err)
}
