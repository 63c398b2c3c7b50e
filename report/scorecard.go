package report

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"pinggu"
	"pinggu/scoring"
)

// Scorecard is everything a satisfaction scorecard shows.
type Scorecard struct {
	Round         *pinggu.Round
	Questionnaire *pinggu.Questionnaire
	Units         []pinggu.Unit        // the round's units, in its order
	Results       []scoring.UnitResult // one per unit, same order
	Final         bool
	// Assessment rounds only: the frozen indicator system, each unit's
	// score (same order as Units), and the reviewers' entries and events.
	System      *pinggu.IndicatorSystem
	Assessments []scoring.UnitAssessment
	Inputs      map[string]map[string]pinggu.Input // unit → indicator → entry
	Adjustments map[string][]pinggu.Adjustment     // unit → events
	Responses   int
	// Excluded counts responses left out, unit → reason → n; Flags counts
	// quality flags over all responses, unit → flag → n.
	Excluded map[string]map[string]int
	Flags    map[string]map[string]int
	// Channels are each unit's results by channel and source tag.
	Channels map[string][]ChannelResult
	// Reliability and Importance are the instrument's α per dimension and
	// the importance–performance placing of each dimension.
	Reliability []scoring.Reliability
	Importance  []scoring.Importance
	IDsHash     string
	Fingerprint string
	// Baseline, when the round names one, is the round it is compared with.
	Baseline *Baseline
	// AsOf is the latest input counted (the close for a final result): the
	// only time the workbook shows, so the same inputs give the same bytes.
	AsOf    time.Time
	ranking *Ranking
}

// ChannelResult is a unit's result among the responses of one channel
// and source tag.
type ChannelResult struct {
	Channel pinggu.Channel
	Tag     string
	Result  scoring.UnitResult
}

// Label names the channel and its tag, e.g. "扫码·政务大厅".
func (c ChannelResult) Label() string {
	l := pinggu.ChannelLabel(c.Channel)
	if c.Tag != "" {
		l += "·" + c.Tag
	}
	return l
}

// Ranked is one unit's place in its peer group by overall mean score.
type Ranked struct {
	Unit   pinggu.Unit
	Result scoring.UnitResult
	scoring.Placing
}

// Ranking is every peer group's placings and pairwise tests.
type Ranking struct {
	Groups []string            // in order of first appearance
	Units  map[string][]Ranked // group → units by rank, unranked last in round order
	Tests  map[string][]scoring.PairTest
	ByUnit map[string]Ranked
}

// Rank places the units within each peer group (scoring.RankGroup): the
// bootstrap runs once per compile, so the result is kept.
func (sc *Scorecard) Rank() *Ranking {
	if sc.ranking != nil {
		return sc.ranking
	}
	s := sc.Round.Scoring.WithDefaults()
	rk := &Ranking{Units: map[string][]Ranked{}, Tests: map[string][]scoring.PairTest{}, ByUnit: map[string]Ranked{}}
	members := map[string][]int{}
	for i, u := range sc.Units {
		if _, ok := members[u.PeerGroup]; !ok {
			rk.Groups = append(rk.Groups, u.PeerGroup)
		}
		members[u.PeerGroup] = append(members[u.PeerGroup], i)
	}
	for _, g := range rk.Groups {
		results := make([]scoring.UnitResult, len(members[g]))
		for k, i := range members[g] {
			results[k] = sc.Results[i]
		}
		placings, tests := scoring.RankGroup(results, s.Bootstrap, scoring.ConfidenceLevel(s.Z))
		rs := make([]Ranked, len(placings))
		for k, i := range members[g] {
			rs[k] = Ranked{Unit: sc.Units[i], Result: sc.Results[i], Placing: placings[k]}
			rk.ByUnit[sc.Units[i].Code] = rs[k]
		}
		sort.SliceStable(rs, func(a, b int) bool {
			ra, rb := rs[a].Rank, rs[b].Rank
			if ra == 0 || rb == 0 {
				return rb == 0 && ra != 0
			}
			return ra < rb
		})
		rk.Units[g], rk.Tests[g] = rs, tests
	}
	sc.ranking = rk
	return rk
}

// names lists units' names by code, joined for a cell.
func (sc *Scorecard) names(codes []string) string {
	names := pinggu.UnitNames(sc.Units)
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = names[c]
	}
	return strings.Join(out, "、")
}

// WriteScorecard writes the scorecard workbook: 总表 with a chart, one
// ranking sheet per peer group, one sheet per unit, 满意度明细 and 说明.
func WriteScorecard(w io.Writer, sc *Scorecard) error {
	b, err := newBook()
	if err != nil {
		return err
	}
	defer b.f.Close()
	rk := sc.Rank()
	b.summary(sc, rk)
	for _, g := range rk.Groups {
		if sc.Assessments != nil {
			b.assessmentRanking(g, sc)
		}
		b.ranking(sc, g, rk)
	}
	for i, u := range sc.Units {
		b.unitSheet(sc, u, sc.Results[i])
	}
	b.detail(sc)
	b.channels(sc)
	b.changes(sc)
	b.reliability(sc)
	b.importance(sc)
	b.quality(sc)
	b.method(sc)
	return b.write(w)
}

// book carries the first error, so the sheet writers read as straight lines.
type book struct {
	f     *excelize.File
	st    styles
	taken map[string]bool
	err   error
}

// newBook starts a workbook with the Chinese default font and the styles.
func newBook() (*book, error) {
	f := excelize.NewFile()
	// Before any style: the theme must not override it (see pitfalls).
	if err := f.SetDefaultFont("等线"); err != nil {
		f.Close()
		return nil, err
	}
	st, err := newStyles(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &book{f: f, st: st, taken: map[string]bool{}}, nil
}

// write saves the workbook unless a sheet writer failed, with its parts in
// a fixed order (excelize writes them in map order), so the same contents
// give the same bytes.
func (b *book) write(w io.Writer) error {
	if b.err != nil {
		return b.err
	}
	b.f.SetActiveSheet(0)
	var buf bytes.Buffer
	if _, err := b.f.WriteTo(&buf); err != nil {
		return err
	}
	return canonicalZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()), w)
}

// canonicalZip copies a zip archive with its entries sorted by name
// ([Content_Types].xml first, as Office writes it), compressed bytes and
// headers unchanged.
func canonicalZip(src io.ReaderAt, size int64, dst io.Writer) error {
	zr, err := zip.NewReader(src, size)
	if err != nil {
		return err
	}
	files := append([]*zip.File(nil), zr.File...)
	sort.Slice(files, func(i, j int) bool {
		a, b := files[i].Name, files[j].Name
		if (a == "[Content_Types].xml") != (b == "[Content_Types].xml") {
			return a == "[Content_Types].xml"
		}
		return a < b
	})
	zw := zip.NewWriter(dst)
	for _, f := range files {
		if f.Name == "[Content_Types].xml" {
			if err := sortedContentTypes(zw, f); err != nil {
				return err
			}
			continue
		}
		if err := zw.Copy(f); err != nil {
			return err
		}
	}
	return zw.Close()
}

// contentTypes is [Content_Types].xml, whose defaults excelize lists in
// map order.
type contentTypes struct {
	XMLName   xml.Name          `xml:"http://schemas.openxmlformats.org/package/2006/content-types Types"`
	Defaults  []contentDefault  `xml:"Default"`
	Overrides []contentOverride `xml:"Override"`
}

type contentDefault struct {
	Extension   string `xml:"Extension,attr"`
	ContentType string `xml:"ContentType,attr"`
}

type contentOverride struct {
	PartName    string `xml:"PartName,attr"`
	ContentType string `xml:"ContentType,attr"`
}

// sortedContentTypes writes [Content_Types].xml with its entries sorted.
func sortedContentTypes(zw *zip.Writer, f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	var ct contentTypes
	if err := xml.NewDecoder(rc).Decode(&ct); err != nil {
		return err
	}
	sort.Slice(ct.Defaults, func(i, j int) bool { return ct.Defaults[i].Extension < ct.Defaults[j].Extension })
	sort.Slice(ct.Overrides, func(i, j int) bool { return ct.Overrides[i].PartName < ct.Overrides[j].PartName })
	w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	return xml.NewEncoder(w).Encode(ct)
}

func (b *book) check(err error) {
	if b.err == nil && err != nil {
		b.err = err
	}
}

func (b *book) newSheet(name string) string {
	name = sheetName(name, b.taken)
	if len(b.taken) == 1 {
		b.check(b.f.SetSheetName("Sheet1", name))
	} else {
		_, err := b.f.NewSheet(name)
		b.check(err)
	}
	return name
}

// row writes values from column 1 of row, with a style per column (0 = none).
func (b *book) row(sheet string, row int, values []any, style []int) {
	b.check(b.f.SetSheetRow(sheet, cell(1, row), &values))
	for i, s := range style {
		if s != 0 && i < len(values) {
			b.check(b.f.SetCellStyle(sheet, cell(i+1, row), cell(i+1, row), s))
		}
	}
}

// header writes a frozen, styled header row and sizes columns to fit it
// (or the widths given, which win when larger).
func (b *book) header(sheet string, row int, titles []string, widths []int) {
	vals := make([]any, len(titles))
	for i, t := range titles {
		vals[i] = t
		w := displayWidth(t)
		if i < len(widths) && widths[i] > w {
			w = widths[i]
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		b.check(b.f.SetColWidth(sheet, col, col, columnWidth(w)))
	}
	b.check(b.f.SetSheetRow(sheet, cell(1, row), &vals))
	b.check(b.f.SetCellStyle(sheet, cell(1, row), cell(len(titles), row), b.st.header))
	b.check(b.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: row, TopLeftCell: cell(1, row+1), ActivePane: "bottomLeft"}))
}

// statValues are an estimate's published columns (statTitles); an
// insufficient one shows its counts and 样本不足, never a score.
func statValues(s scoring.Stat) []any {
	if s.Insufficient {
		return []any{s.NScored, "样本不足", "", "", "", "", "", ""}
	}
	return []any{s.NScored, s.Mean, s.MeanLow, s.MeanHigh, s.Margin(), s.Rate, s.RateLow, s.RateHigh}
}

func (b *book) statStyles(prefix ...int) []int {
	return append(prefix, b.st.integer, b.st.score, b.st.score, b.st.score, b.st.score, b.st.rate, b.st.rate, b.st.rate)
}

var statTitles = []string{"有效样本", "满意度得分", "得分下限(95%)", "得分上限(95%)", "误差范围(±分)", "满意率", "满意率下限(95%)", "满意率上限(95%)"}

// rankCell is a unit's rank, or why it has none.
func rankCell(r Ranked) any {
	if r.Rank == 0 {
		return "样本不足"
	}
	return r.Rank
}

// rankInterval is the bootstrap rank interval, e.g. "1–3".
func rankInterval(r Ranked) string {
	if r.Rank == 0 {
		return ""
	}
	if r.RankLow == r.RankHigh {
		return strconv.Itoa(r.RankLow)
	}
	return fmt.Sprintf("%d–%d", r.RankLow, r.RankHigh)
}

// significance says which units of its group a unit is significantly above
// and below (pairwise tests, Holm-adjusted).
func (sc *Scorecard) significance(r Ranked) string {
	if r.Rank == 0 {
		return "样本不足，不参与排名和比较"
	}
	var parts []string
	if len(r.Below) > 0 {
		parts = append(parts, "显著高于："+sc.names(r.Below))
	}
	if len(r.Above) > 0 {
		parts = append(parts, "显著低于："+sc.names(r.Above))
	}
	if len(parts) == 0 {
		return "与组内其他单位差异均不显著"
	}
	return strings.Join(parts, "；")
}

// placeValues are the rank interval, P(rank 1) and significance columns.
func (sc *Scorecard) placeValues(r Ranked) []any {
	if r.Rank == 0 {
		return []any{"", "", sc.significance(r)}
	}
	return []any{rankInterval(r), r.PFirst, sc.significance(r)}
}

var placeTitles = []string{"排名区间(95%)", "位列第一的概率", "组内显著差异(Holm校正)"}

// summary is 总表: every unit with its rank in its peer group, and a chart.
func (b *book) summary(sc *Scorecard, rk *Ranking) {
	sheet := b.newSheet("总表")
	title := sc.Round.Title + " 满意度测评结果"
	if !sc.Final {
		title += "（阶段性，未定稿）"
	}
	b.check(b.f.SetCellStr(sheet, "A1", title))
	b.check(b.f.SetCellStyle(sheet, "A1", "A1", b.st.title))
	var extra []string
	if sc.Assessments != nil {
		extra = []string{"总分", "等次", "考核组内排名", "基础分(折算)", "加分", "扣分", "一票否决"}
	}
	titles := append(append([]string{"序号", "单位", "考核类别"}, extra...), "满意度组内排名", "答卷数")
	titles = append(append(titles, statTitles...), placeTitles...)
	scoreCol, _ := excelize.ColumnNumberToName(3 + len(extra) + 4)
	rateCol, _ := excelize.ColumnNumberToName(3 + len(extra) + 8)
	nameWidth := 8
	for _, u := range sc.Units {
		nameWidth = max(nameWidth, displayWidth(u.Name))
	}
	b.header(sheet, 2, titles, []int{4, nameWidth})
	for i, u := range sc.Units {
		r := rk.ByUnit[u.Code]
		vals := []any{i + 1, u.Name, u.PeerGroup}
		styles := []int{0, 0, 0}
		if sc.Assessments != nil {
			a := sc.Assessments[i]
			vals = append(vals, a.Total, a.Grade, assessmentRank(a), a.Base, a.Bonus, a.Deduct, strings.Join(a.Vetoes, "；"))
			styles = append(styles, b.st.score, 0, 0, b.st.score, b.st.score, b.st.score, 0)
		}
		vals = append(append(vals, rankCell(r), r.Result.Respondents), statValues(r.Result.Overall)...)
		vals = append(vals, sc.placeValues(r)...)
		b.row(sheet, i+3, vals, append(b.statStyles(append(styles, 0, b.st.integer)...), 0, b.st.rate, b.st.wrap))
	}
	last := len(sc.Units) + 2
	if len(sc.Units) == 0 {
		return
	}
	// Colour the rate from red through yellow to green, and the grades.
	b.check(b.f.SetConditionalFormat(sheet, fmt.Sprintf("%s3:%s%d", rateCol, rateCol, last), []excelize.ConditionalFormatOptions{{
		Type: "3_color_scale", Criteria: "=", MinType: "min", MidType: "percentile", MidValue: "50", MaxType: "max",
		MinColor: "#F8696B", MidColor: "#FFEB84", MaxColor: "#63BE7B"}}))
	if sc.Assessments != nil {
		b.gradeColours(sheet, fmt.Sprintf("E3:E%d", last), sc)
	}
	b.check(b.f.AddChart(sheet, cell(len(titles)+2, 2), &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{{Name: fmt.Sprintf("'%s'!$%s$2", sheet, scoreCol),
			Categories: fmt.Sprintf("'%s'!$B$3:$B$%d", sheet, last), Values: fmt.Sprintf("'%s'!$%s$3:$%s$%d", sheet, scoreCol, scoreCol, last),
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"A31515"}}}},
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "各单位满意度得分"}}},
		Dimension:  excelize.ChartDimension{Width: 640, Height: uint(160 + 22*len(sc.Units))},
		Legend:     excelize.ChartLegend{Position: "none"},
		VaryColors: ptr(false),
		YAxis:      excelize.ChartAxis{Minimum: ptr(0.0), Maximum: ptr(100.0), MajorGridLines: true},
		XAxis:      excelize.ChartAxis{ReverseOrder: true, Font: excelize.Font{Size: 9, Color: "333333"}},
	}))
}

func ptr[T any](v T) *T { return &v }

// assessmentRank is a unit's assessment rank, or why it has none.
func assessmentRank(a scoring.UnitAssessment) any {
	switch {
	case a.Rank > 0:
		return a.Rank
	case a.Incomplete():
		return "数据不完整"
	default:
		return "不排名（一票否决）"
	}
}

// overallText says in words what the overall score is.
func overallText(s pinggu.Scoring) string {
	o := s.Overall
	switch {
	case o == nil || o.Method == pinggu.OverallItems || o.Method == "":
		return "受访者所答各量表题得分的平均"
	case o.Method == pinggu.OverallQuestion:
		return "受访者对综合满意度题" + o.Question + "的得分"
	default:
		if len(o.Weights) == 0 {
			return "受访者各维度得分的平均（各维度权重相同）"
		}
		w, _ := json.Marshal(o.Weights)
		return "受访者各维度得分按权重" + string(w) + "的加权平均（未列出的维度权重为1）"
	}
}

// gradeColours fills grade cells: the top band green, the bottom red, the
// ones between yellow.
func (b *book) gradeColours(sheet, ref string, sc *Scorecard) {
	colour := map[string]string{}
	for _, u := range sc.Units {
		bands := sc.Round.Assessment.GradesFor(u.PeerGroup)
		for i, g := range bands {
			switch {
			case i == 0:
				colour[g.Name] = "C6EFCE"
			case i == len(bands)-1:
				colour[g.Name] = "FFC7CE"
			default:
				colour[g.Name] = "FFEB9C"
			}
		}
	}
	names := make([]string, 0, len(colour))
	for n := range colour {
		names = append(names, n)
	}
	sort.Strings(names)
	var opts []excelize.ConditionalFormatOptions
	for _, n := range names {
		style, err := b.f.NewConditionalStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour[n]}}})
		b.check(err)
		opts = append(opts, excelize.ConditionalFormatOptions{Type: "cell", Criteria: "==", Value: strconv.Quote(n), Format: &style})
	}
	b.check(b.f.SetConditionalFormat(sheet, ref, opts))
}

// scoreRate is 得分率 = score / points of one indicator, empty where it
// does not apply to the unit.
func scoreRate(a scoring.UnitAssessment, code string) any {
	for _, n := range a.Nodes {
		if n.Code == code && n.Max > 0 {
			return n.Score / n.Max
		}
	}
	return ""
}

// assessmentRanking is one peer group's sheet of totals and grades, by rank.
func (b *book) assessmentRanking(group string, sc *Scorecard) {
	sheet := b.newSheet("考核排名-" + group)
	titles := []string{"组内排名", "单位", "总分", "等次", "基础分(折算)", "加分", "扣分", "一票否决", "缺项"}
	var tops []pinggu.Indicator
	for _, in := range sc.System.Indicators {
		if in.Parent == "" {
			tops = append(tops, in)
			titles = append(titles, in.Name+"得分率")
		}
	}
	b.header(sheet, 1, titles, []int{0, 16})
	var idx []int
	for i, u := range sc.Units {
		if u.PeerGroup == group {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(x, y int) bool {
		rx, ry := sc.Assessments[idx[x]].Rank, sc.Assessments[idx[y]].Rank
		if rx == 0 || ry == 0 {
			return ry == 0 && rx != 0
		}
		return rx < ry
	})
	for k, i := range idx {
		a := sc.Assessments[i]
		vals := []any{assessmentRank(a), sc.Units[i].Name, a.Total, a.Grade, a.Base, a.Bonus, a.Deduct, strings.Join(a.Vetoes, "；"), strings.Join(a.Missing, "、")}
		styles := []int{0, 0, b.st.score, 0, b.st.score, b.st.score, b.st.score, 0, b.st.wrap}
		for _, top := range tops {
			vals = append(vals, scoreRate(a, top.Code))
			styles = append(styles, b.st.rate)
		}
		b.row(sheet, k+2, vals, styles)
	}
	if len(idx) > 0 {
		b.gradeColours(sheet, fmt.Sprintf("D2:D%d", len(idx)+1), sc)
	}
}

// ranking is one peer group's sheet, by rank, then every pair's test.
func (b *book) ranking(sc *Scorecard, group string, rk *Ranking) {
	sheet := b.newSheet("排名-" + group)
	titles := append([]string{"组内排名", "单位", "答卷数"}, statTitles...)
	titles = append(titles, "设计效应", "排名区间(95%)", "位列第一的概率", "显著高于", "显著低于")
	b.header(sheet, 1, titles, []int{0, 16})
	row := 2
	for _, r := range rk.Units[group] {
		vals := append([]any{rankCell(r), r.Unit.Name, r.Result.Respondents}, statValues(r.Result.Overall)...)
		if r.Rank > 0 {
			vals = append(vals, r.Result.DesignEffect, rankInterval(r), r.PFirst, sc.names(r.Below), sc.names(r.Above))
		}
		b.row(sheet, row, vals, append(b.statStyles(0, 0, b.st.integer), b.st.score, 0, b.st.rate, b.st.wrap, b.st.wrap))
		row++
	}
	tests := rk.Tests[group]
	if len(tests) == 0 {
		return
	}
	row++
	b.row(sheet, row, []any{"两两比较", "单位A", "单位B", "得分差(A−B)", "标准误", "自由度", "p值", "Holm校正p值", "是否显著"},
		[]int{b.st.header, b.st.header, b.st.header, b.st.header, b.st.header, b.st.header, b.st.header, b.st.header, b.st.header})
	row++
	names := pinggu.UnitNames(sc.Units)
	for _, t := range tests {
		verdict := "不显著"
		if t.Significant {
			verdict = "显著"
		}
		df := any(t.DF)
		if math.IsInf(t.DF, 0) {
			df = "∞"
		}
		b.row(sheet, row, []any{"", names[t.A], names[t.B], t.Diff, t.SE, df, t.P, t.PHolm, verdict},
			[]int{0, 0, 0, b.st.score, b.st.score, b.st.score, b.st.pvalue, b.st.pvalue})
		row++
	}
}

// unitSheet is one unit: its overall result, then every dimension and scale question.
func (b *book) unitSheet(sc *Scorecard, u pinggu.Unit, r scoring.UnitResult) {
	sheet := b.newSheet(u.Name)
	b.check(b.f.SetCellStr(sheet, "A1", fmt.Sprintf("%s（%s，%s）", u.Name, u.Code, u.PeerGroup)))
	b.check(b.f.SetCellStyle(sheet, "A1", "A1", b.st.title))
	titles := append([]string{"项目", "内容", "回答数"}, statTitles...)
	titles = append(titles, "有效样本量n_eff")
	b.header(sheet, 2, titles, []int{10, 40})
	row := 3
	put := func(kind, name string, answered int, s scoring.Stat) {
		vals := append([]any{kind, name, answered}, statValues(s)...)
		if s.NScored > 0 {
			vals = append(vals, s.NEff)
		}
		b.row(sheet, row, vals, append(b.statStyles(0, b.st.wrap, b.st.integer), b.st.score))
		row++
	}
	put("综合", "综合满意度（"+overallText(sc.Round.Scoring)+"）", r.Respondents, r.Overall)
	for _, d := range r.Dimensions {
		put("维度", d.Dimension+"（"+strings.Join(d.Questions, "、")+"）", d.Stat.N, d.Stat)
	}
	for _, q := range r.Questions {
		if q.Stat == nil {
			continue
		}
		qq := sc.Questionnaire.Question(q.Code)
		put("题目 "+q.Code, qq.Text, q.Answered, *q.Stat)
	}
	for _, ch := range sc.Channels[u.Code] {
		put("渠道", ch.Label(), ch.Result.Respondents, ch.Result.Overall)
	}
	if r.Unweighted > 0 {
		b.check(b.f.SetCellStr(sheet, cell(1, row), fmt.Sprintf("注：%d份答卷缺少加权分层信息，未计入加权估计。", r.Unweighted)))
		row++
	}
	if sc.Assessments != nil {
		b.indicatorLines(sheet, row+1, sc, u)
	}
}

// indicatorLines lists a unit's indicator tree with points, entries and
// scores, then its bonus, deduction and veto events with their basis, then
// how the total and grade follow.
func (b *book) indicatorLines(sheet string, row int, sc *Scorecard, u pinggu.Unit) {
	var a scoring.UnitAssessment
	for i, x := range sc.Units {
		if x.Code == u.Code {
			a = sc.Assessments[i]
		}
	}
	b.row(sheet, row, []any{"指标编码", "指标", "层级", "分值", "得分", "评分依据", "录入说明", "录入人"},
		[]int{b.st.header, b.st.header, b.st.header, b.st.header, b.st.header, b.st.header, b.st.header, b.st.header})
	row++
	for _, n := range a.Nodes {
		in := sc.Inputs[u.Code][n.Code]
		name := strings.Repeat("　", n.Level-1) + n.Name
		b.row(sheet, row, []any{n.Code, name, n.Level, n.Max, n.Score, n.Input, in.Comment, in.By},
			[]int{0, b.st.wrap, 0, b.st.score, b.st.score, b.st.wrap, b.st.wrap})
		row++
	}
	row++
	kinds := map[pinggu.AdjustmentKind]string{pinggu.Bonus: "加分", pinggu.DeductionEvent: "扣分", pinggu.Veto: "一票否决"}
	for _, x := range sc.Adjustments[u.Code] {
		what := any(x.Points)
		if x.Kind == pinggu.Veto {
			if v := sc.Round.Assessment.Veto(x.Rule); v != nil {
				what = v.Name
			}
		}
		b.row(sheet, row, []any{kinds[x.Kind], x.Basis, "", what, "", "", "", x.By}, []int{0, b.st.wrap, 0, b.st.score})
		row++
	}
	full := sc.System.FullScale()
	set := sc.Round.Assessment
	for _, l := range [][2]any{
		{"基础分（原始）", fmt.Sprintf("%.2f / %.2f", a.BaseRaw, a.BaseMax)},
		{"基础分（折算到" + strconv.FormatFloat(full, 'f', -1, 64) + "分）", a.Base},
		{fmt.Sprintf("加分（合计%.2f，上限%g）", a.BonusRaw, set.BonusCap), a.Bonus},
		{fmt.Sprintf("扣分（合计%.2f，上限%g）", a.DeductRaw, set.DeductionCap), a.Deduct},
		{"总分", a.Total},
		{"等次", a.Grade},
		{"考核组内排名", assessmentRank(a)},
	} {
		b.row(sheet, row, []any{l[0], "", "", "", l[1]}, []int{b.st.header, 0, 0, 0, b.st.score})
		row++
	}
}

// streamSheet starts a streamed sheet with sized columns, a frozen header
// row and the header, in the order a stream requires (widths and panes
// before the first row). It returns nil after recording an error.
func (b *book) streamSheet(name string, titles []string, widths []int) *excelize.StreamWriter {
	sw, err := b.f.NewStreamWriter(b.newSheet(name))
	if err != nil {
		b.check(err)
		return nil
	}
	for i, wd := range widths {
		b.check(sw.SetColWidth(i+1, i+1, columnWidth(max(wd, displayWidth(titles[i])))))
	}
	b.check(sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	head := make([]any, len(titles))
	for i, t := range titles {
		head[i] = excelize.Cell{StyleID: b.st.header, Value: t}
	}
	b.check(sw.SetRow("A1", head))
	return sw
}

// detail is 满意度明细: for every unit and choice question, each option's
// count and share. It can be long, so it is streamed.
func (b *book) detail(sc *Scorecard) {
	sw := b.streamSheet("满意度明细", []string{"单位", "题号", "题目", "选项编码", "选项", "人数", "占比"}, []int{16, 6, 50, 8, 14, 6, 8})
	if sw == nil {
		return
	}
	row := 2
	for i, u := range sc.Units {
		for _, q := range sc.Results[i].Questions {
			qq := sc.Questionnaire.Question(q.Code)
			if qq.Type == pinggu.Text {
				continue
			}
			for _, o := range q.Options {
				b.check(sw.SetRow(cell(1, row), []any{u.Name, q.Code, qq.Text, o.Code, o.Label,
					excelize.Cell{StyleID: b.st.integer, Value: o.Count}, excelize.Cell{StyleID: b.st.rate, Value: o.Share}}))
				row++
			}
		}
	}
	b.check(sw.Flush())
}

// channels is 分渠道: every unit's overall result per channel and source
// tag, so a unit's score can be read apart from how its sample came in.
func (b *book) channels(sc *Scorecard) {
	sheet := b.newSheet("分渠道")
	b.header(sheet, 1, append([]string{"单位", "渠道", "来源标记", "答卷数"}, statTitles...), []int{16, 10, 14})
	row := 2
	for _, u := range sc.Units {
		for _, ch := range sc.Channels[u.Code] {
			b.row(sheet, row, append([]any{u.Name, pinggu.ChannelLabel(ch.Channel), Neutralize(ch.Tag), ch.Result.Respondents}, statValues(ch.Result.Overall)...),
				b.statStyles(0, 0, 0, b.st.integer))
			row++
		}
	}
}

// reliability is 信度: Cronbach's α per dimension over the round's
// respondents who scored every item of it, and each item's correlation
// with the rest of its dimension.
func (b *book) reliability(sc *Scorecard) {
	if len(sc.Reliability) == 0 {
		return
	}
	sheet := b.newSheet("信度")
	b.header(sheet, 1, []string{"维度", "题目", "完整作答人数", "Cronbach α", "校正的题总相关（与维度内其余题之和）"}, []int{12, 50, 0, 0, 20})
	row := 2
	for _, r := range sc.Reliability {
		b.row(sheet, row, []any{r.Dimension, strings.Join(r.Items, "、"), r.N, finite(r.Alpha)}, []int{0, b.st.wrap, b.st.integer, b.st.ratio})
		row++
		for i, code := range r.Items {
			text := code
			if q := sc.Questionnaire.Question(code); q != nil {
				text = code + " " + q.Text
			}
			b.row(sheet, row, []any{"", text, "", "", finite(r.ItemRest[i])}, []int{0, b.st.wrap, 0, 0, b.st.ratio})
			row++
		}
	}
	b.check(b.f.SetCellStr(sheet, cell(1, row+1), "只有一个题目或没有差异的维度不计算α（留空）；α ≥ 0.7 通常视为内部一致性可以接受。"))
}

// finite leaves a cell empty for a statistic that is not defined.
func finite(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return x
}

// importance is 重要性-表现: each dimension's round-wide mean
// (performance) against its correlation with the overall criterion
// (importance), with the quadrant and a scatter chart.
func (b *book) importance(sc *Scorecard) {
	if len(sc.Importance) == 0 {
		return
	}
	sheet := b.newSheet("重要性-表现")
	b.header(sheet, 1, []string{"维度", "表现（平均得分）", "重要性（与综合得分的相关系数）", "人数", "象限"}, []int{12, 0, 0, 0, 10})
	for i, im := range sc.Importance {
		b.row(sheet, i+2, []any{im.Dimension, im.Mean, finite(im.Correlation), im.N, im.Quadrant}, []int{0, b.st.score, b.st.ratio, b.st.integer})
	}
	last := len(sc.Importance) + 1
	note := "重要性 = 受访者维度得分与其综合得分（不含该维度）的相关系数；若本轮以综合满意度题定义综合得分，则为与该题的相关。" +
		"象限以各维度表现和重要性的平均值为界：优势区（重要、表现好）、维持区（次要、表现好）、改进区（重要、表现差，优先改进）、机会区（次要、表现差）。"
	b.check(b.f.SetCellStr(sheet, cell(1, last+2), note))
	var series []excelize.ChartSeries
	for i := range sc.Importance {
		series = append(series, excelize.ChartSeries{Name: fmt.Sprintf("'%s'!$A$%d", sheet, i+2),
			Categories: fmt.Sprintf("'%s'!$B$%d", sheet, i+2), Values: fmt.Sprintf("'%s'!$C$%d", sheet, i+2),
			Marker: excelize.ChartMarker{Symbol: "circle", Size: 8}})
	}
	b.check(b.f.AddChart(sheet, "G2", &excelize.Chart{
		Type: excelize.Scatter, Series: series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "重要性–表现分析"}}},
		Dimension: excelize.ChartDimension{Width: 560, Height: 400},
		Legend:    excelize.ChartLegend{Position: "right"},
		XAxis:     excelize.ChartAxis{Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "表现（平均得分）"}}}},
		YAxis:     excelize.ChartAxis{Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "重要性（相关系数）"}}}},
	}))
}

// quality is 质量控制: per unit, how many responses carry each flag and
// how many were excluded.
func (b *book) quality(sc *Scorecard) {
	titles := []string{"单位", "答卷数(计入)", "排除数"}
	for _, f := range pinggu.QualityFlags {
		titles = append(titles, f.Label)
	}
	sheet := b.newSheet("质量控制")
	b.header(sheet, 1, titles, []int{16})
	for i, u := range sc.Units {
		excluded := 0
		for _, n := range sc.Excluded[u.Code] {
			excluded += n
		}
		vals := []any{u.Name, sc.Results[i].Respondents, excluded}
		for _, f := range pinggu.QualityFlags {
			vals = append(vals, sc.Flags[u.Code][f.Flag])
		}
		b.row(sheet, i+2, vals, nil)
	}
}

// exclusionsText says per unit how many responses were excluded and why.
func exclusionsText(sc *Scorecard) string {
	var parts []string
	for _, u := range sc.Units {
		reasons := sc.Excluded[u.Code]
		if len(reasons) == 0 {
			continue
		}
		keys := make([]string, 0, len(reasons))
		for r := range reasons {
			keys = append(keys, r)
		}
		sort.Strings(keys)
		var rs []string
		for _, r := range keys {
			rs = append(rs, fmt.Sprintf("%s %d份", r, reasons[r]))
		}
		parts = append(parts, u.Name+"："+strings.Join(rs, "，"))
	}
	if len(parts) == 0 {
		return "无"
	}
	return strings.Join(parts, "；")
}

// weightingText says how respondents were weighted.
func weightingText(s pinggu.Scoring) string {
	w := s.Weighting
	switch {
	case w == nil:
		return "不加权（每位受访者权重为1）"
	case w.Raking():
		m, _ := json.Marshal(w.Margins)
		t := w.TrimOrDefault()
		return fmt.Sprintf("边际迭代加权（raking，迭代比例拟合）：按%s各自的人口边际占比 %s，在每个单位内迭代调整，直到各边际与目标之差小于1e-10；"+
			"权重截尾：每个权重限定在该单位平均权重的%g–%g倍之间，截尾后对其余权重重新迭代，最多50轮；缺少分层信息的答卷不计入加权估计；"+
			"单位内没有受访者的类别，其占比无法拟合，其余类别按比例放大并在“权重提示”中列出", strings.Join(w.Cells, "、"), m, t.Min, t.Max)
	default:
		m, _ := json.Marshal(w.Shares)
		return fmt.Sprintf("事后分层加权：按%s分层，w = N_h / n_h，人口占比 %s；缺少分层信息或所在分层无人口占比的答卷不计入加权估计；"+
			"单位内没有受访者的分层，其占比缺失，估计相当于在其余分层上按比例放大，并在“权重提示”中列出", strings.Join(w.Cells, "×"), m)
	}
}

// baselineText says what the scorecard is compared with.
func baselineText(sc *Scorecard) string {
	switch {
	case sc.Round.Baseline == "":
		return "本轮未指定对比轮次"
	case sc.Baseline == nil:
		return "对比轮次" + sc.Round.Baseline + "尚无最终结果，本表不作同比比较"
	default:
		return fmt.Sprintf("与%s（%s）的最终结果比较，见“同比变化”（其报告%s，输入指纹%s）", sc.Baseline.Title, sc.Baseline.Round, sc.Baseline.Report, sc.Baseline.Fingerprint)
	}
}

// weightWarnings lists every unit with a share but no respondents, and
// every unit whose weights were trimmed.
func weightWarnings(sc *Scorecard) string {
	var parts []string
	for i, u := range sc.Units {
		r := sc.Results[i]
		if len(r.EmptyCells) > 0 {
			parts = append(parts, fmt.Sprintf("%s：分层%s有人口占比但无受访者", u.Name, strings.Join(r.EmptyCells, "、")))
		}
		if r.Trimmed {
			parts = append(parts, fmt.Sprintf("%s：权重经过截尾（设计效应%.3f）", u.Name, r.DesignEffect))
		}
	}
	if len(parts) == 0 {
		return "无"
	}
	return strings.Join(parts, "；")
}

// insufficientText lists the units below the minimum sample with their counts.
func insufficientText(sc *Scorecard) string {
	var parts []string
	for i, u := range sc.Units {
		if o := sc.Results[i].Overall; o.Insufficient {
			parts = append(parts, fmt.Sprintf("%s（答卷%d份，计入估计%d人，n_eff %.1f）", u.Name, sc.Results[i].Respondents, o.NScored, o.NEff))
		}
	}
	if len(parts) == 0 {
		return "无"
	}
	return strings.Join(parts, "；")
}

// dimensionsText is the dimension → questions map.
func dimensionsText(q *pinggu.Questionnaire) string {
	var order []string
	items := map[string][]string{}
	for _, qq := range q.Questions {
		if qq.Type == pinggu.Scale && qq.Dimension != "" {
			if _, ok := items[qq.Dimension]; !ok {
				order = append(order, qq.Dimension)
			}
			items[qq.Dimension] = append(items[qq.Dimension], qq.Code)
		}
	}
	if len(order) == 0 {
		return "问卷未设测评维度"
	}
	parts := make([]string, len(order))
	for i, d := range order {
		parts[i] = d + "：" + strings.Join(items[d], "、")
	}
	return strings.Join(parts, "；")
}

func vetoRankText(rule string) string {
	switch rule {
	case pinggu.VetoRankUnranked:
		return "被一票否决的单位不参与排名"
	case pinggu.VetoRankKeep:
		return "被一票否决的单位仍按总分参与排名"
	default:
		return "被一票否决的单位排在本组其他单位之后，相互之间按总分排名"
	}
}

func gapsText(a *pinggu.AssessmentSettings) string {
	if a.AllowGaps {
		return "本轮允许带缺项定稿：有指标未录入的单位标注“数据不完整”，不参与排名；未录入的指标不计分"
	}
	return "最终结果要求每个适用指标都已录入，否则拒绝定稿；阶段性结果中有缺项的单位标注“数据不完整”，不参与排名"
}

// method is 说明: how the numbers were computed, with every constant and
// the fingerprint of the inputs, so a published number can be defended.
func (b *book) method(sc *Scorecard) {
	sheet := b.newSheet("说明")
	s := sc.Round.Scoring.WithDefaults()
	scoreMap := "问卷中各选项的分值"
	if len(s.ScoreMap) > 0 {
		m, _ := json.Marshal(s.ScoreMap)
		scoreMap = string(m)
	}
	weighting := weightingText(s)
	status := "最终结果"
	if !sc.Final {
		status = "阶段性结果（测评进行中，数字会变化）"
	}
	loc := sc.Round.Location()
	me := scoring.NewTally(sc.Questionnaire, sc.Round.Scoring).Method()
	level, lo, hi := me.Level, me.Low, me.High
	pct := strconv.FormatFloat(level*100, 'f', -1, 64) + "%"
	lines := [][2]string{
		{"评估轮次", fmt.Sprintf("%s（%s）", sc.Round.Title, sc.Round.Code)},
		{"结果性质", status},
		{"测评时间", sc.Round.OpensAt.In(loc).Format("2006-01-02 15:04") + " 至 " + sc.Round.ClosesAt.In(loc).Format("2006-01-02 15:04") + "（北京时间）"},
		{"数据截至", sc.AsOf.In(loc).Format("2006-01-02 15:04:05") + "（北京时间；最后一份计入的答卷或录入的时间，最终结果不早于测评结束时间）"},
		{"问卷", fmt.Sprintf("%s 第%d版", sc.Questionnaire.Code, sc.Questionnaire.Version)},
		{"计入答卷数", fmt.Sprint(sc.Responses)},
		{"排除的答卷", exclusionsText(sc)},
		{"选项分值", scoreMap},
		{"“不清楚”", "不计分，不进入任何分母"},
		{"分析单位", "受访者：每位受访者在一个维度上的得分是其在该维度所答量表题得分的平均；维度的样本量、有效样本量和区间都按人计"},
		{"综合满意度", overallText(s)},
		{"维度与题目", dimensionsText(sc.Questionnaire)},
		{"满意阈值", fmt.Sprintf("得分 ≥ %g 计为满意（满意率 P = Σw·1[y ≥ %g] / Σw）", s.SatisfiedThreshold, s.SatisfiedThreshold)},
		{"加权", weighting},
		{"满意度得分", "Ȳ = Σw·y / Σw（y为受访者得分，w为其权重）"},
		{"有效样本量", "n_eff = (Σw)² / Σw²，只计入有权重、有得分的受访者；设计效应 = 受访者数 / n_eff"},
		{"置信区间", fmt.Sprintf("置信水平%s。满意率：Wilson区间（n_eff，z = %g）。得分：Ȳ ± t·s/√n_eff，t取自由度 n_eff − 1 的t分布，s² = (Σw·y²/Σw − Ȳ²)·n_eff/(n_eff − 1)；"+
			"若该区间超出量表范围[%g, %g]或宽度为0（n_eff < 2或回答完全一致），改用有界区间：m = (Ȳ − %g)/(%g − %g)，n* = n_eff·m(1 − m)/s²ₘ（s² = 0时 n* = n_eff），"+
			"以同一t分位数代入Wilson公式后换算回得分。误差范围 = 区间宽度的一半", pct, s.Z, lo, hi, lo, hi, lo)},
		{"最低样本量", fmt.Sprintf("计入估计的受访者少于%d人，或有效样本量n_eff小于%g时，标注“样本不足”，不给出得分、等次、排名和显著性；本次样本不足的单位：%s",
			s.MinSample, s.MinEffective, insufficientText(sc))},
		{"排名", "仅在同一考核类别内排名；先将综合满意度得分按四舍五入保留两位小数，再排名，保留两位小数后相同的名次并列"},
		{"显著性", fmt.Sprintf("组内每两个参与排名的单位做两样本t检验（Welch，标准误按加权计算，自由度按Welch–Satterthwaite公式），"+
			"p值经Holm逐步校正（组内全部两两比较）后小于%g为显著；“显著高于/低于”据此列出；区间重叠与否不作为显著性判断", scoring.Round(1-level, 4))},
		{"排名区间", fmt.Sprintf("自助法（bootstrap）：在每个单位的每个加权分层内对受访者有放回抽样（保持分层样本量和权重），重复%d次，每次重算各单位得分并组内排名；"+
			"排名区间为各次名次的第2.5与第97.5百分位（第⌈0.025B⌉和第⌈0.975B⌉小的名次），位列第一的概率为名次为1的次数占比；随机数：PCG，种子 %d",
			s.Bootstrap.Replicates, s.Bootstrap.Seed)},
		{"权重提示", weightWarnings(sc)},
		{"同比比较", baselineText(sc)},
		{"答卷编号摘要", "各答卷编号SHA-256之和（模2^256）：" + sc.IDsHash},
		{"方法文件", "每次汇总和导出都另存一份方法说明（.json），列出本表用到的全部常数、权重、排除的答卷和输入摘要；据原始数据导出和方法说明即可重算本表每个数字"},
		{"输入指纹", sc.Fingerprint + "（即方法说明文件的SHA-256；同一输入的结果表、原始数据和方法说明指纹相同）"},
	}
	if a := sc.Round.Assessment; a != nil && sc.System != nil {
		var bands []string
		for g := range a.Grades {
			bands = append(bands, g)
		}
		sort.Strings(bands)
		grades := "默认：优秀 ≥ 90，良好 ≥ 80，一般 ≥ 70，其余为较差"
		if len(bands) > 0 {
			m, _ := json.Marshal(a.Grades)
			grades = string(m)
		}
		vetoes, _ := json.Marshal(a.Vetoes)
		lines = append(lines[:len(lines)-2], append([][2]string{
			{"指标体系", fmt.Sprintf("%s（%s）第%d版，满分%g", sc.System.Name, sc.System.Code, sc.System.Version, sc.System.FullScale())},
			{"指标得分", "末级指标 s = clamp(评分方法, 0, 分值)；上级指标 = 下级之和；扣分类 s = 分值 − min(上限, 次数×每次扣分)；满意度类 s = 分值 × Ȳ/100（或阈值表），该维度样本不足时视为缺项；各项得分四舍五入保留两位小数后再相加"},
			{"缺项", gapsText(a)},
			{"折算", "只考核部分指标的单位，基础分按 得分/适用指标分值 × 满分 折算"},
			{"总分", fmt.Sprintf("基础分 + min(%g, 加分合计) − min(%g, 扣分合计)，限定在[0, 满分+%g]", a.BonusCap, a.DeductionCap, a.BonusCap)},
			{"等次", grades + "；总分先四舍五入保留两位小数，再对照等次下限（总分 ≥ 下限）"},
			{"一票否决", string(vetoes) + "（fail：直接定为最低等次；cap：最高为指定等次）；排名：" + vetoRankText(a.VetoRankOrDefault())},
			{"考核排名", "同一考核类别内按总分（两位小数）排名，总分相同名次并列；数据不完整的单位不排名"},
		}, lines[len(lines)-2:]...)...)
	}
	b.check(b.f.SetColWidth(sheet, "A", "A", 16))
	b.check(b.f.SetColWidth(sheet, "B", "B", 90))
	for i, l := range lines {
		b.row(sheet, i+1, []any{l[0], l[1]}, []int{b.st.header, b.st.wrap})
	}
}
