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
	if sc.Assessments != nil {
		b.appeals(sc)
	}
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

// appeals is 申诉处理: every appeal with its answer and, when upheld on a
// leaf, the entry before and after, so a changed place can be traced.
func (b *book) appeals(sc *Scorecard) {
	sheet := b.newSheet("申诉处理")
	b.header(sheet, 1, []string{"单位", "申诉对象", "申诉理由", "提出时间", "佐证材料", "处理结果", "答复理由", "改正", "答复时间"},
		[]int{16, 24, 40, 16, 24, 12, 40, 24, 16})
	loc := sc.Round.Location()
	for i, a := range sc.Appeals {
		on := "总分"
		if in := sc.System.Indicator(a.Indicator); in != nil {
			on = in.Code + " " + in.Name
		}
		var files []string
		for _, e := range a.Evidence {
			files = append(files, e.Name)
		}
		answer, answered, change := "", "", ""
		if a.Answer != nil {
			answer, answered = a.Answer.Text, a.Answer.At.In(loc).Format("2006-01-02 15:04")
		}
		if c := a.Change; c != nil && c.Old != nil {
			change = entryWords(*c.Old) + " → " + entryWords(c.New)
		}
		b.row(sheet, i+2, []any{sc.nameOf(a.Unit), on, Neutralize(a.Reason), a.At.In(loc).Format("2006-01-02 15:04"),
			Neutralize(strings.Join(files, "、")), pinggu.DecisionLabel(a.Decision), Neutralize(answer), change, answered}, nil)
	}
}

// leafLine is what a unit's sheet says of one leaf beside its score: the
// unit's self-assessment, the reviewer's entry and the confirmation, why
// they differ, the evidence and any return.
type leafLine struct {
	self, reviewed, confirmed, why, files, returned string
	selfScore                                       any
}

func leafReview(ind *pinggu.Indicator, score float64, in pinggu.Input, self pinggu.SelfEntry) leafLine {
	var l leafLine
	if ind == nil {
		return l
	}
	var why []string
	if self.Indicator != "" {
		l.self = entryWords(self.InputValue)
		if s, missing := scoring.LeafScore(ind, self.InputValue); !missing {
			l.selfScore = s
			if s != score {
				why = append(why, fmt.Sprintf("自评%s分，核定%s分", strconv.FormatFloat(s, 'f', -1, 64), strconv.FormatFloat(score, 'f', -1, 64)))
			}
		}
		var names []string
		for _, e := range self.Evidence {
			names = append(names, e.Name)
		}
		l.files = strings.Join(names, "、")
		if self.Return != nil {
			l.returned = self.Return.Text
		}
	}
	if in.Indicator == "" {
		return l
	}
	l.reviewed = entryWords(in.InputValue)
	if c := in.Confirmed; c != nil {
		l.confirmed = "确认"
		if c.Was != nil {
			l.reviewed, l.confirmed = entryWords(*c.Was), "改为"+entryWords(in.InputValue)
			why = append(why, "复核："+c.Reason)
		}
	}
	if c := in.Confirmed; len(why) > 0 && in.Comment != "" && (c == nil || c.Was == nil) {
		why = append(why, "初审："+in.Comment)
	}
	l.why = strings.Join(why, "；")
	return l
}

// entryWords is an entry's value as a sheet shows it.
func entryWords(v pinggu.InputValue) string {
	switch {
	case v.Value != nil:
		return strconv.FormatFloat(*v.Value, 'f', -1, 64)
	case v.Count != nil:
		return strconv.Itoa(*v.Count) + "次"
	case v.Score != nil:
		return strconv.FormatFloat(*v.Score, 'f', -1, 64) + "分"
	}
	return ""
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
	level, lo, hi := sc.Method.Level, sc.Method.Low, sc.Method.High
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
			{"申诉", "结果公示期间，单位可对某项指标或总分提出申诉；评估人员逐项答复（成立或不成立，均附理由），申诉成立的指标按改正后的录入计分并重新汇总；全部申诉答复后方可生成最终结果。处理情况见“申诉处理”表"},
		}, lines[len(lines)-2:]...)...)
	}
	b.check(b.f.SetColWidth(sheet, "A", "A", 16))
	b.check(b.f.SetColWidth(sheet, "B", "B", 90))
	for i, l := range lines {
		b.row(sheet, i+1, []any{l[0], l[1]}, []int{b.st.header, b.st.wrap})
	}
}
