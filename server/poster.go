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

// posterView is a unit's printable poster.
type posterView struct {
	Title, Unit, URL, Opens, Closes string
	QR                              template.URL
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
	return s.page(c, "poster.html", posterView{Title: f.Round.Title, Unit: f.Unit.Name, URL: link,
		// Inline, so the poster prints on a closed network with nothing else to fetch.
		QR:    template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)),
		Opens: f.Round.OpensAt.In(loc).Format("2006年1月2日"), Closes: f.Round.ClosesAt.In(loc).Format("2006年1月2日")})
}
