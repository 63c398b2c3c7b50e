package server

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"pinggu"
	"pinggu/evidence"
	"strconv"

	"github.com/labstack/echo/v4"
)

// uploaded opens the multipart file field "file" and says its name; when
// there is none, missing says what to upload.
func uploaded(c echo.Context, missing string) (multipart.File, string, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, "", pinggu.FieldErrors{"file": missing}.Err("缺少文件")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", pinggu.Wrap(pinggu.Malformed, err, "无法读取上传的文件")
	}
	return f, fh.Filename, nil
}

// listJSON answers {key: items}: [] rather than null when there are none.
func listJSON[T any](c echo.Context, key string, items []T, err error) error {
	if err != nil {
		return err
	}
	if items == nil {
		items = []T{}
	}
	return c.JSON(http.StatusOK, map[string]any{key: items})
}

// versionParam reads ?version=N (0 when absent: the latest).
func versionParam(c echo.Context) (int, error) {
	v := c.QueryParam("version")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, pinggu.FieldErrors{"version": "版本号须为正整数"}.Err("查询参数有误")
	}
	return n, nil
}

// checkPathCode rejects a body whose code disagrees with the URL.
func checkPathCode(path, body string) error {
	if body != "" && body != path {
		return pinggu.FieldErrors{"code": fmt.Sprintf("与地址中的编码%s不一致", path)}.Err("编码不一致")
	}
	return nil
}

func created(c echo.Context, location string, v any) error {
	c.Response().Header().Set(echo.HeaderLocation, location)
	return c.JSON(http.StatusCreated, v)
}

// evidenceUploads are the files of a form's "evidence" field, for the
// evidence package's checks and storage (progress reports today; self-
// assessments and appeals next).
func evidenceUploads(form *multipart.Form) []evidence.Upload {
	var files []evidence.Upload
	for _, fh := range form.File["evidence"] {
		files = append(files, evidence.Upload{Name: fh.Filename, Size: fh.Size,
			Open: func() (io.ReadCloser, error) { return fh.Open() }})
	}
	return files
}
