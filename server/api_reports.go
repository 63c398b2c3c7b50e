package server

import (
	"fmt"
	"net/http"
	"pinggu"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

func (s *Server) listReports(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := s.catalog.Round(ctx, c.Param("code")); err != nil {
		return err
	}
	reps, err := s.reports.Reports(ctx, c.Param("code"))
	return listJSON(c, "reports", reps, err)
}

// downloadReport serves /reports/{id}.xlsx (or .csv) with its Chinese file
// name in RFC 5987 form and an ASCII fallback for old clients.
func (s *Server) downloadReport(c echo.Context) error {
	file := c.Param("file")
	if !strings.Contains(file, ".") {
		return pinggu.Errorf(pinggu.NotFound, "报表地址须以文件格式结尾，如%s.xlsx", file)
	}
	ext := file[strings.LastIndex(file, ".")+1:]
	id := strings.TrimSuffix(file, "."+ext)
	rep, body, err := s.reports.OpenReport(c.Request().Context(), id)
	if err != nil {
		return err
	}
	defer body.Close()
	if !strings.HasSuffix(rep.FileName, "."+ext) {
		return pinggu.Errorf(pinggu.NotFound, "报表%s没有.%s格式", id, ext)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, ContentDisposition(rep.FileName, id+"."+ext))
	h.Set("X-Content-SHA256", rep.SHA256)
	h.Set(echo.HeaderContentLength, strconv.FormatInt(rep.Size, 10))
	return c.Stream(http.StatusOK, rep.ContentType, body)
}

// ContentDisposition names a download: an ASCII fallback for old clients,
// then the real (Chinese) name percent-encoded as RFC 5987 says.
func ContentDisposition(name, fallback string) string {
	var b strings.Builder
	for _, c := range []byte(name) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, fallback, b.String())
}

func (s *Server) listJobs(c echo.Context) error {
	jobs, err := s.reports.Jobs(c.Request().Context(), c.QueryParam("round"), 100)
	return listJSON(c, "jobs", jobs, err)
}
