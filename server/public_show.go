package server

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"pinggu"
)

// publicView is the public results page (/p/{round}): what the notice
// (公示) publishes, and later the final result. Only units' figures: nothing
// about respondents or the people who entered anything.
type publicView struct {
	Title, Status, AsOf string
	Final, Assessment   bool
	Notice, Appeals     string // the periods, in the round's zone; "" when not set
	Groups              []publicGroup
	Method              []string
}

type publicGroup struct {
	Name string
	Rows []publicRow
}

type publicRow struct {
	Rank, Unit, Total, Grade, Mean, Rate, N string
	rank                                    int
}

// publicResults serves the public page: the provisional results from the
// opening of the round's notice phase, the final ones once the final
// compile has run (or the round is published); before that it is not
// found. Cacheable for a few minutes: it
// changes only with a compile.
func (s *Server) publicResults(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := s.catalog.Round(ctx, c.Param("round"))
	if err != nil {
		return err
	}
	// The final compile fixes the result (定稿); publishing it is the
	// administrators' release of the workbooks, not of this page.
	final := r.Status == pinggu.StatusCompiled || r.Status == pinggu.StatusPublished || r.Status == pinggu.StatusArchived
	var notice, appeals *pinggu.Window
	if r.Assessment != nil {
		notice, appeals = r.Assessment.Phases.Notice, r.Assessment.Phases.Appeals
	}
	if !final && (notice == nil || s.cfg.Now().Before(notice.Opens)) {
		return pinggu.Errorf(pinggu.NotFound, "%s的结果尚未公示", r.Title)
	}
	reps, err := s.reports.Reports(ctx, r.Code)
	if err != nil {
		return err
	}
	var rep *pinggu.Report
	for i := range reps { // newest first
		if reps[i].Kind == pinggu.ReportScorecard && reps[i].Final == final && rep == nil {
			rep = &reps[i]
		}
	}
	if rep == nil {
		return pinggu.Errorf(pinggu.NotFound, "%s的结果尚未生成", r.Title)
	}
	units, err := s.catalog.Units(ctx)
	if err != nil {
		return err
	}
	loc := r.Location()
	v := publicView{Title: r.Title, Final: final, Assessment: r.Assessment != nil, Status: "公示稿",
		AsOf: rep.CreatedAt.In(loc).Format("2006年1月2日 15:04"), Notice: period(notice, loc), Appeals: period(appeals, loc)}
	if final {
		v.Status = "正式结果"
	}
	v.Groups = publicGroups(pinggu.RoundUnits(units, r.Units), rep.Scores)
	v.Method = publicMethod(r)
	body, err := s.renderPage("public.html", v)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=300")
	return c.HTMLBlob(http.StatusOK, body)
}

// period is a window in words.
func period(w *pinggu.Window, loc *time.Location) string {
	if w == nil {
		return ""
	}
	return w.Opens.In(loc).Format("2006年1月2日 15:04") + " 至 " + w.Closes.In(loc).Format("2006年1月2日 15:04")
}

// publicGroups puts each unit's figures in its peer group, ranked first.
func publicGroups(units []pinggu.Unit, scores []pinggu.UnitScore) []publicGroup {
	byUnit := map[string]pinggu.UnitScore{}
	for _, sc := range scores {
		byUnit[sc.Unit] = sc
	}
	var groups []publicGroup
	index := map[string]int{}
	for _, u := range units {
		sc, ok := byUnit[u.Code]
		if !ok {
			continue
		}
		i, seen := index[u.PeerGroup]
		if !seen {
			i = len(groups)
			index[u.PeerGroup] = i
			groups = append(groups, publicGroup{Name: u.PeerGroup})
		}
		groups[i].Rows = append(groups[i].Rows, publicRowOf(u, sc))
	}
	for _, g := range groups {
		sort.SliceStable(g.Rows, func(a, b int) bool {
			ra, rb := g.Rows[a].rank, g.Rows[b].rank
			return ra > 0 && (rb == 0 || ra < rb)
		})
	}
	return groups
}

func publicRowOf(u pinggu.Unit, sc pinggu.UnitScore) publicRow {
	row := publicRow{Unit: u.Name, N: strconv.Itoa(sc.Respondents), rank: sc.Rank, Mean: "样本不足", Rate: "—"}
	if !sc.Insufficient && sc.Respondents > 0 {
		row.Mean = fmt.Sprintf("%.2f（%.2f–%.2f）", sc.Mean, sc.MeanLow, sc.MeanHigh)
		row.Rate = fmt.Sprintf("%.1f%%（%.1f%%–%.1f%%）", sc.Rate*100, sc.RateLow*100, sc.RateHigh*100)
	}
	if a := sc.Assessment; a != nil {
		row.rank, row.Total, row.Grade = a.Rank, fmt.Sprintf("%.2f", a.Total), a.Grade
		switch {
		case a.Incomplete:
			row.Grade = "数据不完整"
		case a.Vetoed && a.Rank == 0:
			row.Grade += "（一票否决）"
		}
	}
	row.Rank = "—"
	if row.rank > 0 {
		row.Rank = strconv.Itoa(row.rank)
	}
	return row
}

// publicMethod says in plain words how the published figures are made.
func publicMethod(r *pinggu.Round) []string {
	lines := []string{
		"满意度得分是受访群众对各题评价的平均分（百分制），括号内为95%置信区间：样本越少，区间越宽；满意率是给出“满意”及以上评价的受访者比例。",
		"样本量不足的单位不计满意度得分、不参加排名；排名只在同一考核类别内进行，得分相同的名次并列。",
	}
	if r.Assessment != nil {
		lines = append(lines,
			"总分由各项指标得分相加（只考核部分指标的单位按适用指标折算），再计入加分和扣分（均设上限）；等次按总分对照等次标准确定，一票否决事项按规则降等。",
			"各项指标由单位自评、评估人员初审、另一名评估人员复核后确定；客观数据来自有关部门。")
	}
	return lines
}

// publicQR is the QR code of a round's public page, for notices and posters.
func (s *Server) publicQR(c echo.Context) error {
	r, err := s.catalog.Round(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(s.cfg.BaseURL+"/p/"+url.PathEscape(r.Code), qrcode.Medium, 512)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, ContentDisposition(r.Title+"-结果公示二维码.png", "public-qr.png"))
	return c.Blob(http.StatusOK, "image/png", png)
}

// publicPoster is a printable A4 notice of a round's results with the
// public page's QR code, for notice boards.
func (s *Server) publicPoster(c echo.Context) error {
	r, err := s.catalog.Round(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	link := s.cfg.BaseURL + "/p/" + url.PathEscape(r.Code)
	png, err := qrcode.Encode(link, qrcode.Medium, 512)
	if err != nil {
		return err
	}
	v := posterView{Title: r.Title, Subject: "结果公示", URL: link, QR: inlinePNG(png),
		Scan: "请用手机扫描二维码查看结果", Note: "结果公示期内，被评估单位如有异议，可通过评估系统提出申诉。"}
	if r.Assessment != nil && r.Assessment.Phases.Notice != nil {
		v.Period = "公示期：" + period(r.Assessment.Phases.Notice, r.Location())
	}
	return s.page(c, "poster.html", v)
}
