package server

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"github.com/skip2/go-qrcode"
)

// surveyURL is the public link of a unit's survey, with its channel and an
// optional source tag (政务大厅, 微信公众号…) recorded with each response.
func (s *Server) surveyURL(round, unit, channel, tag string) string {
	u := s.cfg.BaseURL + "/s/" + url.PathEscape(round) + "/" + url.PathEscape(unit)
	q := url.Values{}
	if channel != "" {
		q.Set("ch", channel)
	}
	if tag != "" {
		q.Set("tag", tag)
	}
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// qrPNG is the QR code of a unit's survey link (channel qr), for offices
// to print or put on screens.
func (s *Server) qrPNG(c echo.Context) error {
	f, err := s.survey.Form(c.Request().Context(), c.Param("code"), c.Param("unit"))
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(s.surveyURL(f.Round.Code, f.Unit.Code, "qr", linkTag(c.QueryParam("tag"))), qrcode.Medium, 512)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, ContentDisposition(f.Unit.Name+"-问卷二维码.png", "qr.png"))
	return c.Blob(http.StatusOK, "image/png", png)
}

// posterView is a printable poster: a unit's survey, or a round's
// public results.
type posterView struct {
	Title, Subject, URL, Scan, Period, Note string
	QR                                      template.URL
}

// poster is a printable A4 page with the QR code, for service halls.
func (s *Server) poster(c echo.Context) error {
	f, err := s.survey.Form(c.Request().Context(), c.Param("code"), c.Param("unit"))
	if err != nil {
		return err
	}
	link := s.surveyURL(f.Round.Code, f.Unit.Code, "qr", linkTag(c.QueryParam("tag")))
	png, err := qrcode.Encode(link, qrcode.Medium, 512)
	if err != nil {
		return err
	}
	loc := f.Round.Location()
	return s.page(c, "poster.html", posterView{Title: f.Round.Title, Subject: "测评对象：" + f.Unit.Name, URL: link, QR: inlinePNG(png),
		Scan:   "请用手机微信或浏览器扫描二维码参与测评",
		Period: "测评时间：" + f.Round.OpensAt.In(loc).Format("2006年1月2日") + " 至 " + f.Round.ClosesAt.In(loc).Format("2006年1月2日"),
		Note:   "本测评由第三方评估机构独立开展，匿名填写，不收集姓名、电话等个人信息，结果仅用于统计分析。"})
}

// inlinePNG is an image in the page itself, so a poster prints on a closed
// network with nothing else to fetch.
func inlinePNG(png []byte) template.URL {
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}
