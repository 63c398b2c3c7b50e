package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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
	Inputs      map[string]map[string]pinggu.Input      // unit → indicator → entry, as entered (who, comment)
	Entries     map[string]map[string]pinggu.InputValue // the same values, as scoring takes them
	Adjustments map[string][]pinggu.Adjustment          // unit → events
	Appeals     []pinggu.Appeal                         // in the order filed
	Self        map[string]map[string]pinggu.SelfEntry  // unit → indicator → the unit's self-assessment
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
	AsOf time.Time
	// Method is the interval method and constants the results were
	// computed with (the tally's).
	Method scoring.Method
	// Org is the installation's organisation: the workbook's author.
	Org string
	// Computed once per scorecard, on first use.
	ranking   *Ranking
	scores    []pinggu.UnitScore
	unitNames map[string]string
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

// WriteScorecard writes the scorecard workbook: 封面, 总表, one ranking
// sheet per peer group with its chart, one sheet per unit, 满意度明细 … 说明.
func WriteScorecard(w io.Writer, sc *Scorecard) error {
	b, err := newBook(sc.print())
	if err != nil {
		return err
	}
	defer b.f.Close()
	rk := sc.Rank()
	b.cover(sc, rk)
	b.summary(sc, rk)
	// An assessment that asked no citizen has no survey to rank or break
	// down: its sheets would print pages of 样本不足 and zeros.
	survey := sc.Assessments == nil || sc.Responses > 0
	for _, g := range rk.Groups {
		if sc.Assessments != nil {
			b.assessmentRanking(g, sc)
		}
		if survey {
			b.ranking(sc, g, rk)
		}
	}
	for i, u := range sc.Units {
		b.unitSheet(sc, u, sc.Results[i])
	}
	if survey {
		b.detail(sc)
		b.channels(sc)
		b.changes(sc)
		b.reliability(sc)
		b.importance(sc)
		b.quality(sc)
	}
	if sc.Assessments != nil {
		b.appeals(sc)
	}
	b.method(sc)
	return b.write(w)
}

// book carries the first error, so the sheet writers read as straight lines.
type book struct {
	f      *excelize.File
	st     styles
	taken  map[string]bool
	print  Print
	sheets []*sheetInfo // in order, for the page setup
	byName map[string]*sheetInfo
	stream *sheetInfo // the sheet being streamed
	err    error
}

// newBook starts a workbook with the Chinese default font and the styles;
// p is what its printed pages and properties say.
func newBook(p Print) (*book, error) {
	if p.Org == "" {
		p.Org = DefaultOrg
	}
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
	return &book{f: f, st: st, taken: map[string]bool{}, print: p, byName: map[string]*sheetInfo{}}, nil
}

// write saves the workbook unless a sheet writer failed, with its parts in
// a fixed order (excelize writes them in map order), so the same contents
// give the same bytes.
func (b *book) write(w io.Writer) error {
	b.finish()
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

// note writes an explanation under a table: one cell merged across the
// table's columns, wrapped, tall enough to read when printed.
func (b *book) note(sheet string, row, cols int, text string) {
	from, to := cell(1, row), cell(cols, row)
	b.check(b.f.MergeCell(sheet, from, to))
	b.check(b.f.SetCellStr(sheet, from, text))
	b.check(b.f.SetCellStyle(sheet, from, to, b.st.wrap))
	b.check(b.f.SetRowHeight(sheet, row, float64(18*(1+displayWidth(text)/(12*cols)))))
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
	b.info(name)
	return name
}

// row writes values from column 1 of row, with a style per column (0 =
// plain); every cell gets a border, so the table prints as one.
func (b *book) row(sheet string, row int, values []any, style []int) {
	b.check(b.f.SetSheetRow(sheet, cell(1, row), &values))
	if s := b.info(sheet); len(values) > s.cols {
		s.cols = len(values)
	}
	for i := range values {
		s := b.st.plain
		if i < len(style) && style[i] != 0 {
			s = style[i]
		}
		b.check(b.f.SetCellStyle(sheet, cell(i+1, row), cell(i+1, row), s))
	}
}

// maxTitleWidth is the widest a column grows for its title alone.
const maxTitleWidth = 10

// header writes a frozen, styled header row and sizes columns to fit it
// (or the widths given, which win when larger).
func (b *book) header(sheet string, row int, titles []string, widths []int) {
	vals := make([]any, len(titles))
	lines := 1
	for i, t := range titles {
		vals[i] = t
		// A long title wraps rather than widening its column of numbers.
		w := min(displayWidth(t), maxTitleWidth)
		if i < len(widths) && widths[i] > w {
			w = widths[i]
		}
		lines = max(lines, (displayWidth(t)+w-1)/max(w, 1))
		col, _ := excelize.ColumnNumberToName(i + 1)
		b.check(b.f.SetColWidth(sheet, col, col, columnWidth(w)))
	}
	b.check(b.f.SetSheetRow(sheet, cell(1, row), &vals))
	b.check(b.f.SetRowHeight(sheet, row, float64(15*min(lines, 3))))
	b.check(b.f.SetCellStyle(sheet, cell(1, row), cell(len(titles), row), b.st.header))
	b.check(b.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: row, TopLeftCell: cell(1, row+1), ActivePane: "bottomLeft"}))
	b.info(sheet).titleRows = row
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

// summary is 总表: every unit with its rank in its peer group.
func (b *book) summary(sc *Scorecard, rk *Ranking) {
	sheet := b.titled("总表", "总表")
	var extra []string
	if sc.Assessments != nil {
		extra = []string{"总分", "等次", "考核组内排名", "基础分(折算)", "加分", "扣分", "一票否决"}
	}
	titles := append(append([]string{"序号", "单位", "考核类别"}, extra...), "满意度组内排名", "答卷数")
	titles = append(append(titles, statTitles...), placeTitles...)
	rateCol, _ := excelize.ColumnNumberToName(3 + len(extra) + 8)
	nameWidth := 8
	for _, u := range sc.Units {
		nameWidth = max(nameWidth, displayWidth(u.Name))
	}
	widths := make([]int, len(titles))
	widths[0], widths[1], widths[len(titles)-1] = 4, nameWidth, 30
	b.header(sheet, 2, titles, widths)
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
	b.rateColours(sheet, rateCol, 3, last)
	if sc.Assessments != nil {
		b.gradeColours(sheet, fmt.Sprintf("E3:E%d", last), sc)
	}
	b.note(sheet, last+2, 8, "满意率着色："+rateBandsText()+"。各考核类别的排名和图表见“排名-”各表；"+
		"“样本不足”的单位不给出得分、等次和排名。计算方法见“说明”。")
}

// rateBands colour a satisfaction rate by fixed thresholds, so a colour
// means the same in every round (a scale from the lowest to the highest
// unit painted 84% deep red when every unit was above 80%).
var rateBands = []struct {
	min   float64
	fill  string
	words string
}{
	{0.9, "C6EFCE", "≥ 90% 绿"},
	{0.8, "E2EFDA", "80%–90% 浅绿"},
	{0.6, "FFEB9C", "60%–80% 黄"},
	{0, "FFC7CE", "< 60% 红"},
}

func rateBandsText() string {
	words := make([]string, len(rateBands))
	for i, band := range rateBands {
		words[i] = band.words
	}
	return strings.Join(words, "，")
}

// rateColours fills the rates in rows first–last of column col by
// rateBands (the first band that holds wins); a cell without a number
// (样本不足) stays white, where a plain ≥ rule would paint it.
func (b *book) rateColours(sheet, col string, first, last int) {
	var opts []excelize.ConditionalFormatOptions
	for _, band := range rateBands {
		style, err := b.f.NewConditionalStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{band.fill}}})
		b.check(err)
		opts = append(opts, excelize.ConditionalFormatOptions{Type: "formula", Format: &style, StopIfTrue: true,
			Criteria: fmt.Sprintf("AND(ISNUMBER(%s%d),%s%d>=%s)", col, first, col, first, strconv.FormatFloat(band.min, 'f', -1, 64))})
	}
	b.check(b.f.SetConditionalFormat(sheet, fmt.Sprintf("%s%d:%s%d", col, first, col, last), opts))
}

func ptr[T any](v T) *T { return &v }

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
	sheet := b.titled("考核排名-"+group, group+" 考核排名")
	titles := []string{"组内排名", "单位", "总分", "等次", "基础分(折算)", "加分", "扣分", "一票否决", "缺项"}
	var tops []pinggu.Indicator
	for _, in := range sc.System.Indicators {
		if in.Parent == "" {
			tops = append(tops, in)
			titles = append(titles, in.Name+"得分率")
		}
	}
	b.header(sheet, 2, titles, []int{0, 16})
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
		b.row(sheet, k+3, vals, styles)
	}
	if len(idx) > 0 {
		b.gradeColours(sheet, fmt.Sprintf("D3:D%d", len(idx)+2), sc)
	}
	var ranked []charted
	for _, i := range idx {
		if a := sc.Assessments[i]; a.Rank > 0 {
			ranked = append(ranked, charted{sc.Units[i].Name, a.Total})
		}
	}
	b.rankChart(sheet, group, "考核总分", len(idx)+4, ranked, nil)
}

// unitSheet is one unit: its overall result, then every dimension and scale question.
func (b *book) unitSheet(sc *Scorecard, u pinggu.Unit, r scoring.UnitResult) {
	sheet := b.titled(u.Name, fmt.Sprintf("%s（%s）", u.Name, u.PeerGroup))
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
		put("维度", sc.Questionnaire.DimensionName(d.Dimension)+"（"+strings.Join(d.Questions, "、")+"）", d.Stat.N, d.Stat)
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
	titles := []string{"指标编码", "指标", "层级", "分值", "得分", "得分率", "评分依据", "自评", "自评得分", "初审", "复核", "差异说明", "佐证材料", "退回补充", "录入说明", "录入人"}
	head := make([]any, len(titles))
	styles := make([]int, len(titles))
	for i, t := range titles {
		head[i], styles[i] = t, b.st.header
	}
	b.row(sheet, row, head, styles)
	row++
	for _, n := range a.Nodes {
		in := sc.Inputs[u.Code][n.Code]
		name := strings.Repeat("　", n.Level-1) + n.Name
		var rate any
		if n.Level == 1 && n.Max > 0 {
			rate = n.Score / n.Max
		}
		l := leafReview(sc.System.Indicator(n.Code), n.Score, in, sc.Self[u.Code][n.Code])
		b.row(sheet, row, []any{n.Code, name, n.Level, n.Max, n.Score, rate, n.Input, l.self, l.selfScore, l.reviewed, l.confirmed,
			Neutralize(l.why), Neutralize(l.files), Neutralize(l.returned), Neutralize(in.Comment), pinggu.ActorLabel(in.By)},
			[]int{0, b.st.wrap, 0, b.st.score, b.st.score, b.st.rate, b.st.wrap, b.st.wrap, b.st.score, b.st.wrap, b.st.wrap, b.st.wrap, b.st.wrap, b.st.wrap, b.st.wrap})
		row++
	}
	row++
	for _, x := range sc.Adjustments[u.Code] {
		what := any(x.Points)
		if x.Kind == pinggu.Veto {
			if v := sc.Round.Assessment.Veto(x.Rule); v != nil {
				what = v.Name
			}
		}
		b.row(sheet, row, []any{pinggu.AdjustmentLabel(x.Kind), x.Basis, "", what, "", "", "", pinggu.ActorLabel(x.By)}, []int{0, b.st.wrap, 0, b.st.score})
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

// streamSheet starts a streamed sheet with sized columns, its title in row
// 1, a frozen header in row 2, in the order a stream requires (widths and
// panes before the first row); its rows start at 3. It returns nil after
// recording an error. End it with flush.
func (b *book) streamSheet(name, title string, titles []string, widths []int) *excelize.StreamWriter {
	name = b.newSheet(name)
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		b.check(err)
		return nil
	}
	s := b.info(name)
	s.stream, s.titleRows = true, 2
	for i, wd := range widths {
		w := columnWidth(max(wd, displayWidth(titles[i])))
		s.widths = append(s.widths, int(w))
		b.check(sw.SetColWidth(i+1, i+1, w))
	}
	b.check(sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}))
	b.check(sw.SetRow("A1", []any{excelize.Cell{StyleID: b.st.title, Value: b.sheetTitle(title)}}))
	head := make([]any, len(titles))
	for i, t := range titles {
		head[i] = excelize.Cell{StyleID: b.st.header, Value: t}
	}
	b.check(sw.SetRow("A2", head))
	b.stream = s
	return sw
}

// flush ends the sheet being streamed, its page set up first: a stream
// writes the sheet's settings when it is flushed.
func (b *book) flush(sw *excelize.StreamWriter) {
	b.layout(b.stream)
	b.check(sw.Flush())
}

// cells wraps a streamed row's values that carry no style in the plain
// bordered one.
func (b *book) cells(values ...any) []any {
	for i, v := range values {
		if _, ok := v.(excelize.Cell); !ok {
			values[i] = excelize.Cell{StyleID: b.st.plain, Value: v}
		}
	}
	return values
}

// method is 说明: how the numbers were computed, with every constant and
// the fingerprint of the inputs, so a published number can be defended.
func (b *book) method(sc *Scorecard) {
	sheet := b.titled("说明", "计算方法说明")
	s := sc.Round.Scoring.WithDefaults()
	scoreMap := "问卷中各选项的分值"
	if len(s.ScoreMap) > 0 {
		m, _ := json.Marshal(s.ScoreMap)
		scoreMap = string(m)
	}
	weighting := weightingText(s)
	status := ResultStatus(sc.Final) // the words of every page's header
	if !sc.Final {
		status += "（测评进行中，数字会变化）"
	}
	loc := sc.Round.Location()
	level, lo, hi := sc.Method.Level, sc.Method.Low, sc.Method.High
	pct := strconv.FormatFloat(level*100, 'f', -1, 64) + "%"
	lines := [][2]string{
		{"评估轮次", fmt.Sprintf("%s（%s）", sc.Round.Title, sc.Round.Code)},
		{"结果性质", status},
		{"测评时间", sc.Round.OpensAt.In(loc).Format("2006-01-02 15:04") + " 至 " + sc.Round.ClosesAt.In(loc).Format("2006-01-02 15:04") + "（" + pinggu.ZoneLabel(sc.Round.Timezone) + "）"},
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
			{"申诉", "结果公示期间，单位可对某项指标或总分提出申诉；评估人员逐项答复（成立或不成立，均附理由），申诉成立的指标按改正后的录入计分并重新汇总；全部申诉答复后方可生成最终结果。处理情况见“申诉处理”表"},
		}, lines[len(lines)-2:]...)...)
	}
	b.lines(sheet, 2, 90, lines)
}

// lines writes label–text pairs from row on (说明, 封面): labels in a
// column 16 wide, the text wrapped in one textWidth wide, each row tall
// enough to print whole.
func (b *book) lines(sheet string, row, textWidth int, lines [][2]string) {
	b.check(b.f.SetColWidth(sheet, "A", "A", 16))
	b.check(b.f.SetColWidth(sheet, "B", "B", float64(textWidth)))
	for i, l := range lines {
		b.row(sheet, row+i, []any{l[0], l[1]}, []int{b.st.header, b.st.wrap})
		b.check(b.f.SetRowHeight(sheet, row+i, float64(15*(1+displayWidth(l[1])/(textWidth-2)))))
	}
}
